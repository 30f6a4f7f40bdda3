"""Which pages a visitor sees (the sections of ``st.navigation``) and the shared sidebar."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from livinglab.i18n import LANG_NAMES, LANGS
from livinglab.ui.common import (
    LANG_KEY,
    initial_lang,
    readable_styles,
    set_document_lang,
    translator,
)

UI_DIR = Path(__file__).resolve().parent


def build_navigation() -> StreamlitPage:
    """Decision-makers' pages first (portfolio, a pilot's evidence), then the innovation
    team's (checks and methods); the sidebar holds the language selector."""
    language_selector()
    t = translator()
    set_document_lang(t.lang)
    readable_styles()
    survey = st.Page(
        str(UI_DIR / "survey.py"),
        title=t("page_survey"),
        icon="📝",
        url_path="survey",
        visibility="hidden",
    )
    if "invitation" in st.query_params:
        # A citizen with an invitation link sees their survey only: no menu, no
        # decision-makers' note.
        return st.navigation([survey], position="hidden")
    pages = {
        t("section_decision"): [
            st.Page(
                str(UI_DIR / "portfolio.py"),
                title=t("page_portfolio"),
                icon="📋",
                url_path="portfolio",
                default=True,
            ),
            st.Page(str(UI_DIR / "pilot.py"), title=t("page_pilot"), icon="🔎", url_path="pilot"),
        ],
        t("section_team"): [
            st.Page(
                str(UI_DIR / "checks.py"), title=t("page_checks"), icon="🧪", url_path="checks"
            ),
        ],
        # Citizens reach it only by their invitation link (/survey?invitation=<token>):
        # hidden from the decision-makers' and the team's menus.
        t("section_survey"): [survey],
    }
    # At the top, not in the sidebar: Streamlit's sidebar draws sections as <div>s inside
    # the <ul> of pages (axe: 'list', 'listitem', WCAG 1.3.1); the top bar's menus are valid.
    navigation = st.navigation(pages, position="top")
    st.sidebar.caption(t("sidebar_about"))
    return navigation


def language_selector() -> None:
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = initial_lang()
    st.sidebar.selectbox(
        "Langue / Language", LANGS, key=LANG_KEY, format_func=LANG_NAMES.__getitem__
    )

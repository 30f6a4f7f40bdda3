"""Which pages a visitor sees (the sections of ``st.navigation``) and the shared sidebar."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from livinglab import access
from livinglab.i18n import LANG_NAMES, LANGS, Translator
from livinglab.ui.common import (
    LANG_KEY,
    initial_lang,
    plain,
    readable_styles,
    set_document_lang,
    sign_out,
    signed_in,
    translator,
)

UI_DIR = Path(__file__).resolve().parent


def build_navigation() -> StreamlitPage:
    """The pages the visitor may use, and nothing else.

    - A citizen's invitation link (``?invitation=``): their survey only, no menu.
    - Nobody signed in: the sign-in page, at every address (``/``, ``/checks``...), so a
      deep link opens the right page once signed in.
    - A signed-in account: the pages of its role (:mod:`livinglab.access`); the address
      of a page the role may not open shows "access denied".
    """
    citizen = "invitation" in st.query_params
    if not citizen:  # the survey draws its own "Français / English" switch on the page
        language_selector()
    t = translator()
    set_document_lang(t.lang)
    readable_styles()
    if citizen:
        return citizen_navigation(t)
    account = signed_in()
    if account is None:
        signin = stand_ins("signin.py", t("page_signin"), default=True)
        return st.navigation(signin, position="hidden")
    username, role = account
    # At the top, not in the sidebar: Streamlit's sidebar draws sections as <div>s inside
    # the <ul> of pages (axe: 'list', 'listitem', WCAG 1.3.1); the top bar's menus are valid.
    navigation = st.navigation(role_sections(role, t), position="top")
    account_box(username, role, t)
    st.sidebar.caption(t("sidebar_about"))
    return navigation


def citizen_navigation(t: Translator) -> StreamlitPage:
    """The survey only, whatever the address. The printed link is /?invitation=...; a
    default page is served at "/" only, so the survey is also registered, hidden, at
    "survey" and at the address the browser asked for (a link pasted with a stray
    path): Streamlit shows its English "Page not found" dialog over the page for any
    address it does not know."""
    survey = str(UI_DIR / "survey.py")
    paths = {"survey", requested_page()} - {"", "invitation"}
    pages = [
        st.Page(survey, title=t("page_survey"), icon="📝", url_path="invitation", default=True),
        *(
            st.Page(survey, title=t("page_survey"), url_path=path, visibility="hidden")
            for path in sorted(paths)
        ),
    ]
    return st.navigation(pages, position="hidden")


def requested_page() -> str:
    """The page name in the address the browser asked for ("" at "/")."""
    ctx = get_script_run_ctx()
    name = ctx.pages_manager.intended_page_name if ctx else None
    return name if isinstance(name, str) and URL_PATH.fullmatch(name) else ""


# What Streamlit accepts as a page's url_path (one segment, no dot or slash).
URL_PATH = re.compile(r"[A-Za-z0-9_-]{1,100}")


def role_sections(role: str, t: Translator) -> dict[str, list[StreamlitPage]]:
    """The menu of ``role``, by section, and hidden pages that add no menu entry: the
    first page again at its own address (/portfolio typed or bookmarked, /signin once
    signed in), and "access denied" at the addresses the role may not open."""
    allowed = access.pages_for(role)
    sections: dict[str, list[StreamlitPage]] = {}
    for page in allowed:
        section, title, icon = PAGES[page]
        default = page == allowed[0]
        sections.setdefault(t(section), []).append(
            st.Page(
                str(UI_DIR / f"{page}.py"),
                title=t(title),
                icon=icon,
                url_path="home" if default else page,  # a default page is served at "/"
                default=default,
            )
        )
    first = next(iter(sections.values()))
    first += [
        st.Page(
            str(UI_DIR / f"{allowed[0]}.py"),
            title=t(PAGES[allowed[0]][1]),
            url_path=path,
            visibility="hidden",
        )
        for path in (allowed[0], "signin")
    ]
    first += [p for p in stand_ins("denied.py", t("page_denied")) if p.url_path not in allowed]
    return sections


# Page (its url_path and file name) -> (section, title, icon) keys of the menu.
PAGES = {
    "portfolio": ("section_decision", "page_portfolio", "📋"),
    "pilot": ("section_decision", "page_pilot", "🔎"),
    "pilots": ("section_team", "page_pilots", "🗂️"),
    "editor": ("section_team", "page_editor", "✏️"),
    "planning": ("section_team", "page_planning", "📐"),
    "imports": ("section_team", "page_import", "📥"),
    "participants": ("section_team", "page_participants", "👥"),
    "decision": ("section_team", "page_decision", "⚖️"),
    "checks": ("section_team", "page_checks", "🧪"),
    "privacy": ("section_team", "page_privacy", "🔐"),
}


def stand_ins(script: str, title: str, *, default: bool = False) -> list[StreamlitPage]:
    """``script`` (sign-in, access denied) at the address of every protected page and
    of the survey, hidden from any menu: whatever address is typed, that script runs
    instead of the page, and no "page not found" dialog lists what exists."""
    paths = [*access.PAGE_ROLES, "survey"] + (["signin"] if default else [])
    pages = [
        st.Page(str(UI_DIR / script), title=title, url_path=path, visibility="hidden")
        for path in paths
    ]
    if default:  # at "/" (and named "home", like the signed-in menu's first page)
        pages.insert(0, st.Page(str(UI_DIR / script), title=title, url_path="home", default=True))
    return pages


def account_box(username: str, role: str, t: Translator) -> None:
    """Who is signed in, with which role, and the sign-out button (sidebar)."""
    st.sidebar.caption(t("signed_in_as", name=plain(username), role=t("account_role_" + role)))
    if st.sidebar.button(t("signout"), key="signout"):
        from livinglab.services.audit import record
        from livinglab.ui.common import actor

        record(actor() or username, "sign_out")
        sign_out()
        st.rerun()


def language_selector() -> None:
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = initial_lang()
    st.sidebar.selectbox(
        "Langue / Language", LANGS, key=LANG_KEY, format_func=LANG_NAMES.__getitem__
    )

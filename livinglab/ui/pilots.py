"""For the innovation team: every pilot with its phase, cohorts against their targets,
latest reading and verdict; a new pilot from a template (the demo pilots)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from livinglab.errors import LivingLabError
from livinglab.i18n import Translator
from livinglab.services import pilot_files
from livinglab.ui import common


def pilots_table(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """The overview in the session's language."""
    if frame.empty:
        return frame
    return pd.DataFrame(
        {
            t("col_pilot"): frame["title"],
            t("col_phase"): [
                t("phase_" + p) if isinstance(p, str) else "—" for p in frame["phase"]
            ],
            t("col_cohorts_target"): frame["cohorts"].fillna("—"),
            t("col_latest_reading"): [
                t.date(v) if pd.notna(v) else t("no_data") for v in frame["latest_reading"]
            ],
            t("col_verdict"): [
                t.verdict(v) if isinstance(v, str) else "—" for v in frame["verdict"]
            ],
            t("col_decision"): [
                t("decision_" + d) if isinstance(d, str) else "—" for d in frame["decision"]
            ],
        }
    )


common.require_page("pilots")
t = common.translator()
st.title(t("pilots_title"))
st.write(t("pilots_intro"))
try:
    overview = pilot_files.pilots_overview(lang=t.lang, report=common.reporter(t.lang))
except LivingLabError as err:
    st.error(f"{t('error_title')}{common.colon(t)}{common.plain(err)}")
    st.stop()
common.show_table(pilots_table(overview, t), t)

st.subheader(t("new_pilot"))
with st.form("new_pilot_form"):
    template = st.selectbox(
        t("new_template"), pilot_files.available_templates(), key="new_template",
        format_func=lambda pid: common.pilot_title(pid, t.lang),
    )
    new_id = st.text_input(t("new_id"), key="new_id", max_chars=64)
    title_fr = st.text_input(t("new_title_fr"), key="new_title_fr", max_chars=200)
    title_en = st.text_input(t("new_title_en"), key="new_title_en", max_chars=200)
    create = st.form_submit_button(t("new_create"), key="new_create")
if create:
    account = common.signed_in()
    try:
        pilot_files.create_from_template(
            template or "", new_id.strip(), title_fr=title_fr, title_en=title_en,
            actor=account[0] if account else "?",
        )
    except LivingLabError as err:
        st.error(common.plain(err))
    else:
        common.clear_cache()
        st.success(t("new_created", id=common.plain(new_id.strip())))
        st.page_link(
            str(common.UI_DIR / "editor.py"), label=t("open_editor"), icon="✏️",
            query_params={common.PILOT_PARAM: new_id.strip()},
        )

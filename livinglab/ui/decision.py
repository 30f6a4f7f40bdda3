"""For the innovation team: the council's decision on a ``decided`` pilot (generalize,
stop, extend), by whom, when, under which reference; the evaluation and the dossier it
was taken on are frozen with their SHA-256 and can be downloaded again."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from livinglab.errors import LivingLabError
from livinglab.i18n import Translator
from livinglab.services import decisions
from livinglab.store.decisions import DECISIONS
from livinglab.ui import common


def records_table(records: list[decisions.DecisionInfo], t: Translator) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("decision_choice"): t("decision_" + r.decision),
                t("col_computed_verdict"): t.verdict(r.verdict),
                t("decision_by"): r.decided_by,
                t("decision_on"): t.date(r.decided_on),
                t("decision_reference"): r.council_reference,
                t("decision_comment"): r.comment or "—",
                t("col_recorded_by"): r.recorded_by,
            }
            for r in records
        ]
    )


def frozen_table(record: decisions.DecisionInfo, t: Translator) -> pd.DataFrame:
    """The documents frozen with a record and their SHA-256 (one per line: a hash is
    64 characters, too wide for a column of the records' table)."""
    return pd.DataFrame(
        {
            t("col_document"): [t("decision_download_json"), t("decision_download_html")],
            "SHA-256": [record.evaluation_sha256, record.dossier_sha256],
        }
    )


common.require_page("decision")
t = common.translator()
st.title(t("decision_title"))
st.write(t("decision_intro"))
pilot_id = common.pilot_selector(t, key="decision_pilot")
if pilot_id is None:
    st.stop()
try:
    pilot = decisions.pilot(pilot_id)
    records = decisions.decisions(pilot_id)
except LivingLabError as err:
    st.error(f"{t('error_title')}{common.colon(t)}{common.plain(err)}")
    st.stop()

if pilot.phase != "decided":
    st.info(t("decision_not_decided", phase=t("phase_" + pilot.phase)))
else:
    with st.form("decision_form"):
        choice = st.radio(
            t("decision_choice"), DECISIONS, key="decision_choice",
            format_func=lambda d: t("decision_" + d), horizontal=True,
        )
        decided_by = st.text_input(t("decision_by"), key="decision_by", max_chars=255)
        decided_on = st.date_input(
            t("decision_on"), value=date.today(), max_value=date.today(), key="decision_on",
            format="DD/MM/YYYY",
        )
        reference = st.text_input(t("decision_reference"), key="decision_reference",
                                  max_chars=200)
        comment = st.text_area(t("decision_comment"), key="decision_comment", max_chars=2000)
        submitted = st.form_submit_button(t("decision_record"), key="decision_record")
    if submitted:
        account = common.signed_in()
        if not decided_by.strip() or not reference.strip():
            st.error(t("decision_missing"))
        else:
            try:
                with st.spinner(t("loading")):
                    decisions.record_decision(
                        pilot_id, decision=choice, decided_by=decided_by,
                        decided_on=decided_on, council_reference=reference, comment=comment,
                        actor=account[0] if account else "?", lang=t.lang,
                    )
                records = decisions.decisions(pilot_id)
            except LivingLabError as err:
                st.error(common.plain(err))
            else:
                st.success(t("decision_recorded"))

st.subheader(t("decision_history"))
common.show_table(records_table(records, t), t)
if records:
    st.subheader(t("decision_frozen"))
    for _, frozen in frozen_table(records[0], t).iterrows():
        st.caption(f"{common.plain(frozen.iloc[0])} — SHA-256")
        st.code(frozen.iloc[1], language=None, wrap_lines=True)
    evaluation, dossier = decisions.frozen_documents(records[0].record_id)
    left, right = st.columns(2)
    left.download_button(
        t("decision_download_json"), evaluation, file_name=f"{pilot_id}-evaluation.json",
        mime="application/json", key="decision_json",
    )
    right.download_button(
        t("decision_download_html"), dossier, file_name=f"{pilot_id}-dossier.html",
        mime="text/html", key="decision_html",
    )

"""For the innovation team: recruitment and drop-out, baseline balance, the statistical
tests used and why, the participants left out, the data version."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from livinglab.errors import LivingLabError
from livinglab.i18n import Translator
from livinglab.presentation.labels import (
    adjustment,
    basis_why,
    ci_method,
    effect_name,
    headline_test,
    message,
    readable,
    test_name,
    test_sentence,
)
from livinglab.presentation.report import PilotReport
from livinglab.ui import common


def tests_table(report: PilotReport, t: Translator) -> pd.DataFrame:
    pilot = report.evaluation.pilot
    return pd.DataFrame(
        [
            {
                t("col_metric"): pilot.metric(m.metric).label.get(t.lang),
                t("col_design"): t("design_" + m.design),
                t("col_test"): test_name(headline_test(m), t),
                t("col_reason"): test_sentence(m, t) or "—",
                t("col_basis"): basis_why(m, pilot, t),
                t("col_ci_method"): ci_method(m.ci_method, t),
                t("col_p"): m.primary_p_value,
                t("col_p_adjusted"): m.p_value_adjusted,
                t("col_adjustment"): adjustment(m.adjustment, t),
                t("col_effect_size"): f"{effect_name(m.effect_size_name, t)} "
                f"{t.number(m.effect_size, 2)}".strip(),
            }
            for m in report.evaluation.metrics
        ]
    )


def exclusions_table(report: PilotReport, t: Translator) -> pd.DataFrame:
    pilot = report.evaluation.pilot
    return pd.DataFrame(
        [
            {
                t("col_metric"): pilot.metric(m.metric).label.get(t.lang),
                t("col_cohort"): t("cohort_" + e.cohort_role),
                t("col_reason"): message(e.reason, t),
                t("col_count"): e.count,
            }
            for m in report.evaluation.metrics
            for e in m.excluded
        ]
    )


common.require_page("checks")
t = common.translator()
st.title(t("checks_title"))
st.write(t("checks_intro"))
pilot_id = common.pilot_selector(t)
if pilot_id is None:
    st.stop()
if st.button(t("refresh"), key="refresh"):
    common.clear_cache()
try:
    with st.spinner(t("loading")):
        pilot_report = common.report(pilot_id, t.lang)
except LivingLabError as err:
    st.error(f"{t('error_title')}{common.colon(t)}{common.plain(err)}")
    st.stop()

st.caption(
    t(
        "data_version",
        version=pilot_report.version[1],
        latest=t.date(pilot_report.latest) if pilot_report.latest else t("no_data"),
    )
)
checks = pilot_report.evaluation.decision.checks
pilot = pilot_report.evaluation.pilot
titles = {d.instrument: d.title for d in pilot_report.surveys}
if checks is not None:
    st.subheader(t("recruitment"))
    common.show_table(readable(checks.to_frame(t.lang), t, pilot), t)
    if checks.balance:
        st.subheader(t("balance"))
        common.show_table(readable(checks.balance_frame(t.lang), t, pilot), t)
st.subheader(t("tests"))
common.show_table(tests_table(pilot_report, t), t)
st.subheader(t("exclusions"))
common.show_table(exclusions_table(pilot_report, t), t)
if pilot_report.evaluation.response_rates:
    st.subheader(t("response_rates"))
    rates = pd.DataFrame(
        [
            {"instrument": instrument, **rate.to_dict()}
            for instrument, rate in pilot_report.evaluation.response_rates
        ]
    )
    common.show_table(readable(rates, t, pilot, titles), t)

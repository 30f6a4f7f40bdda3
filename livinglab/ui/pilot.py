"""A pilot's evidence: hypothesis, verdict and criteria, then per tab the usage metrics,
the surveys, equity, representativeness and the city-wide projection; the dossier
for the council as HTML or PDF."""

from __future__ import annotations

from functools import partial

import streamlit as st

from livinglab import services
from livinglab.errors import LivingLabError
from livinglab.i18n import Translator
from livinglab.presentation import charts
from livinglab.presentation.labels import message, readable, test_sentence
from livinglab.presentation.plan import plan_notice
from livinglab.presentation.report import (
    PilotReport,
    awaiting_data,
    interactions_table,
    reweighted_table,
)
from livinglab.presentation.sentences import (
    change_sentence,
    criterion_text,
    metric_sentence,
    survey_sentence,
)
from livinglab.ui import common
from livinglab.ui.common import colon, plain

ALERTS = {"go": st.success, "no_go": st.error, "extend": st.warning}


def header(report: PilotReport, t: Translator) -> None:
    evaluation = report.evaluation
    pilot, decision = evaluation.pilot, evaluation.decision
    periods = pilot.periods
    st.title(plain(pilot.title.get(t.lang)))
    st.caption(
        f"{plain(t.domain(pilot.domain))} · {t('phase_' + pilot.phase)} · "
        + t(
            "periods_caption",
            b0=t.date(periods.baseline.start),
            b1=t.date(periods.baseline.end),
            i0=t.date(periods.intervention.start),
            i1=t.date(periods.intervention.end),
        )
    )
    if evaluation.n_withdrawn:
        st.caption(t("n_withdrawn", n=evaluation.n_withdrawn))
    st.markdown(f"> **{t('hypothesis')}**{colon(t)}{plain(pilot.hypothesis.get(t.lang))}")
    if awaiting_data(evaluation):
        # No data yet: the phase, not a verdict computed on nothing.
        st.info(
            f"**{t('awaiting_heading', phase=t('phase_' + pilot.phase))}**\n\n"
            f"{t('awaiting_reason')}",
            icon="🕒",
        )
        st.caption(plain(plan_notice(evaluation, t).text))
        st.subheader(t("criteria_declared"))
        st.markdown(
            "\n".join(f"- {plain(criterion_text(c, pilot, t))}" for c in pilot.decision.criteria)
        )
        return
    ALERTS[decision.verdict](
        f"**{t('verdict_heading', verdict=t.verdict(decision.verdict))}**\n\n"
        f"{plain(decision.verdict_reason(t.lang))}\n\n"
        f"**{t('col_evidence')}**{colon(t)}{plain(decision.evidence_label(t.lang))}"
    )
    notice = plan_notice(evaluation, t)
    if notice.changed:
        st.warning(
            f"**{plain(notice.title)}**\n\n{plain(notice.text)}\n\n"
            + "\n".join(f"- {plain(change)}" for change in notice.changes),
            icon=":material/history:",
        )
    else:
        st.caption(plain(notice.text))
    st.subheader(t("criteria"))
    for criterion in decision.criteria:
        st.markdown(f"- **{t.status(criterion.status)}** — {plain(criterion.reason(t.lang))}")
    if decision.caveats:
        st.subheader(t("caveats"))
        st.markdown("\n".join(f"- {plain(c.reason(t.lang))}" for c in decision.caveats))
    if decision.extend_plan is not None:
        st.subheader(t("extend_plan"))
        st.info(plain(decision.extend_plan.reason(t.lang)))
        with st.expander(t("extend_details")):
            common.show_table(readable(decision.extend_plan.to_frame(t.lang), t, pilot), t)


def downloads(report: PilotReport, t: Translator) -> None:
    pilot_id, lang = report.evaluation.pilot.id, t.lang
    html_column, pdf_column = st.columns(2)
    html_column.download_button(
        t("download_html"),
        key="download_html",
        icon="📄",
        on_click="ignore",
        data=common.audited(
            pilot_id,
            f"dossier html ({lang})",
            lambda: services.dossier_html(pilot_id, lang=lang, report=report),
        ),
        file_name=f"dossier-{pilot_id}-{lang}.html",
        mime="text/html",
        help=t("download_help"),
    )
    available = services.pdf_available()
    pdf_column.download_button(
        t("download_pdf"),
        key="download_pdf",
        icon="🖨️",
        on_click="ignore",
        data=common.audited(
            pilot_id,
            f"dossier pdf ({lang})",
            lambda: services.dossier_pdf(pilot_id, lang=lang, report=report),
        ),
        file_name=f"dossier-{pilot_id}-{lang}.pdf",
        mime="application/pdf",
        disabled=not available,
        help=t("download_help") if available else t("pdf_unavailable"),
    )


def metrics_tab(report: PilotReport, t: Translator) -> None:
    evaluation = report.evaluation
    pilot = evaluation.pilot
    st.subheader(t("effects_overview"))
    common.show_figure(partial(charts.forest_figure, evaluation, t), t, report=report,
                       name=("forest",))
    for result in evaluation.metrics:
        metric = pilot.metric(result.metric)
        st.subheader(
            t(
                "metric_heading",
                label=plain(metric.label.get(t.lang)),
                role=t("role_" + metric.role),
            )
        )
        st.markdown(plain(metric_sentence(result, metric, t)))
        used = test_sentence(result, t)
        if used:
            st.caption(plain(used))
        left, right = st.columns(2)
        with left:
            if result.summaries:
                common.show_figure(partial(charts.did_figure, result, metric, t), t,
                                   report=report, name=("did", metric.id))
        with right:
            if (report.weekly["metric"] == metric.id).any():
                common.show_figure(partial(charts.weekly_figure, report.weekly, pilot, metric, t),
                                   t, report=report, name=("weekly", metric.id))
            else:
                st.info(t("no_weekly"))
        st.markdown(f"**{t('means_table')}**")
        common.show_table(charts.means_table(result, t), t)


def surveys_tab(report: PilotReport, t: Translator) -> None:
    evaluation = report.evaluation
    if not evaluation.pilot.surveys:
        st.info(t("no_surveys"))
        return
    titles = {d.instrument: d.title for d in report.surveys}
    for result in evaluation.surveys:
        st.subheader(
            f"{plain(titles.get(result.instrument, result.instrument))} "
            f"({t('wave_' + str(result.wave))})"
        )
        st.markdown(plain(survey_sentence(result, t)))
        detail = next(
            (
                d
                for d in report.surveys
                if d.instrument == result.instrument and d.wave == result.wave
            ),
            None,
        )
        if detail is None:
            continue
        if detail.scoring == "nps":
            if len(detail.groups):
                common.show_figure(partial(charts.nps_figure, detail, result, t), t, report=report,
                                   name=("nps", result.instrument, result.wave))
            continue
        if len(detail.scores) and detail.n:
            common.show_figure(partial(charts.score_figure, detail, result, t), t, report=report,
                               name=("score", result.instrument, result.wave))
        if len(detail.items):
            common.show_figure(partial(charts.likert_figure, detail, t), t, report=report,
                               name=("likert", result.instrument, result.wave))
    if evaluation.survey_changes:
        st.subheader(t("survey_changes"))
        for change in evaluation.survey_changes:
            title = titles.get(change.metric, change.metric)
            st.markdown(plain(change_sentence(change, title, t)))
    if evaluation.response_rates:
        st.subheader(t("response_rates"))
        common.show_figure(partial(charts.response_rates_figure, evaluation.response_rates,
                                   titles, t), t, report=report, name=("response_rates",))


def equity_tab(report: PilotReport, t: Translator) -> None:
    evaluation = report.evaluation
    equity = evaluation.decision.equity
    if equity is None or not equity.effects:
        st.info(t("no_equity"))
        return
    st.write(t("equity_intro"))
    titles = {d.instrument: d.title for d in report.surveys}
    for result in evaluation.metrics:
        metric = evaluation.pilot.metric(result.metric)
        effects = [e for e in equity.effects if e.metric == metric.id]
        if not effects:
            continue
        common.show_figure(partial(charts.equity_figure, equity, result, metric, t), t,
                           report=report, name=("equity", metric.id))
        hidden = [f"{t.attribute(e.attribute)} {e.group}" for e in effects if e.suppressed]
        if hidden:
            st.caption(t("suppressed_groups", groups=plain(", ".join(hidden))))
    if equity.interactions:
        st.subheader(t("interactions"))
        common.show_table(interactions_table(equity, evaluation, t), t)
    if equity.scores:
        st.subheader(t("subgroup_scores"))
        common.show_table(
            readable(equity.scores_frame(t.lang), t, evaluation.pilot, titles), t
        )


def representativeness_tab(report: PilotReport, t: Translator) -> None:
    rep = report.evaluation.decision.representativeness
    if rep is None:
        st.info(t("no_repr"))
        return
    source = plain(rep.source or "—")
    st.markdown(t("repr_intro", size=t.number(rep.population_size, 0), source=source))
    for attribute in dict.fromkeys(c.attribute for c in rep.categories):
        common.show_figure(partial(charts.representativeness_figure, rep, attribute, t), t,
                           report=report, name=("representativeness", attribute))
    st.subheader(t("repr_fits"))
    common.show_table(readable(rep.fits_frame(t.lang), t, report.evaluation.pilot), t)
    if rep.estimates:
        st.subheader(t("repr_reweighted"))
        common.show_table(reweighted_table(report, t), t)
    if rep.message:
        st.caption(plain(message(rep.message, t)))


def projection_tab(report: PilotReport, t: Translator) -> None:
    projection = report.evaluation.decision.projection
    if projection is None:
        st.info(t("no_projection"))
        return
    first, second = st.columns(2)  # the reason is the figure's caption, shown once
    first.metric(t("projection_adopters"), t.number(projection.adopters, 0))
    if projection.tonnes_co2e is not None:
        second.metric(t("projection_co2"), t.signed(projection.tonnes_co2e, 0))
    common.show_figure(partial(charts.projection_figure, projection, t), t, report=report,
                       name=("projection",))


common.require_page("pilot")
t = common.translator()
pilot_id = common.pilot_selector(t)
if pilot_id is None:
    st.stop()
try:
    with st.spinner(t("loading")):
        pilot_report = common.report(pilot_id, t.lang)
except LivingLabError as err:
    st.error(f"{t('error_title')}{colon(t)}{plain(err)}")
    st.stop()

header(pilot_report, t)
downloads(pilot_report, t)
if awaiting_data(pilot_report.evaluation):
    st.stop()  # nothing measured yet: no tab of empty charts
tabs = st.tabs(
    [
        t("tab_metrics"),
        t("tab_surveys"),
        t("tab_equity"),
        t("tab_representativeness"),
        t("tab_projection"),
    ],
    key="pilot_tab",
    on_change="rerun",
)
for tab, render in zip(
    tabs,
    (metrics_tab, surveys_tab, equity_tab, representativeness_tab, projection_tab),
    strict=True,
):
    if tab.open is False:
        continue
    with tab:
        render(pilot_report, t)

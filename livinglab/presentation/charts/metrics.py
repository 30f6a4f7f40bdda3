"""Charts of the usage metrics: the forest of effects, the DiD means, the weekly series."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from livinglab.i18n import Translator

if TYPE_CHECKING:
    from livinglab.evaluation import PilotEvaluation
    from livinglab.spec.models import Metric, Pilot
    from livinglab.stats.results import MetricResult

from livinglab.presentation.charts.base import (
    BAND_COLOUR,
    POINT_COLOUR,
    WIDTH,
    Figure,
    _cohort_scale,
    _finish,
    _percent_change,
    t_quantile,
)


def forest_frame(evaluation: PilotEvaluation, t: Translator) -> pd.DataFrame:
    """One row per metric: its judged effect in % of the baseline, with the CI and the
    smallest worthwhile effect (same scale)."""
    rows = []
    for result in evaluation.metrics:
        metric = evaluation.pilot.metric(result.metric)
        base = result.baseline_mean
        effect = _percent_change(result.primary_estimate, base)
        if effect is None:
            continue
        swe = _percent_change(metric.min_effect.in_units(base or 0.0), base)
        status = next(
            (
                c.status
                for c in evaluation.decision.criteria
                if c.kind == "metric" and c.target == metric.id and not c.subgroup
            ),
            None,
        )
        rows.append(
            {
                "metric": f"{metric.label.get(t.lang)} ({t('role_' + metric.role)})",
                "effect": effect,
                "ci_low": _percent_change(result.primary_ci_low, base),
                "ci_high": _percent_change(result.primary_ci_high, base),
                "swe": abs(swe) if swe is not None else None,
                "better": metric.better,
                "status": t("status_" + status) if status else "—",
            }
        )
    return pd.DataFrame(
        rows, columns=["metric", "effect", "ci_low", "ci_high", "swe", "better", "status"]
    )


def forest_figure(evaluation: PilotEvaluation, t: Translator) -> Figure:
    """Every metric's effect (% of baseline, 95% CI) against its smallest-worthwhile-effect
    band (from minus to plus that effect): a CI wholly outside the band on the better
    side shows a worthwhile improvement."""
    frame = forest_frame(evaluation, t)
    frame = frame.assign(swe_low=-frame["swe"], swe_high=frame["swe"])
    y = alt.Y("metric:N", title=None, sort=None)
    base = alt.Chart(frame)
    band = base.mark_bar(color=BAND_COLOUR, height=26).encode(y=y, x="swe_low:Q", x2="swe_high:Q")
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#595959").encode(x="x:Q")
    bars = base.mark_rule(strokeWidth=3, color=POINT_COLOUR).encode(
        y=y, x=alt.X("ci_low:Q", title=t("axis_effect_pct")), x2="ci_high:Q"
    )
    points = base.mark_point(filled=True, size=110, color=POINT_COLOUR, shape="diamond").encode(
        y=y,
        x="effect:Q",
        tooltip=[
            alt.Tooltip("metric:N", title=t("col_metric")),
            alt.Tooltip("effect:Q", title=t("col_effect_pct"), format=".1f"),
            alt.Tooltip("ci_low:Q", title=t("col_ci_low"), format=".1f"),
            alt.Tooltip("ci_high:Q", title=t("col_ci_high"), format=".1f"),
            alt.Tooltip("swe:Q", title=t("col_threshold"), format=".1f"),
            alt.Tooltip("status:N", title=t("col_status")),
        ],
    )
    summary = "; ".join(
        f"{row.metric} {t.signed(row.effect, 1)} % ({t.number(row.ci_low, 1)} "
        f"{'à' if t.lang == 'fr' else 'to'} {t.number(row.ci_high, 1)}), "
        f"±{t.number(row.swe, 1)} %"
        for row in frame.itertuples()
    )
    level = evaluation.metrics[0].conf_level if evaluation.metrics else None
    description = t("chart_forest_desc", ci=t.ci(level), summary=summary + ".")
    table = frame[["metric", "effect", "ci_low", "ci_high", "swe", "status"]].rename(
        columns={
            "metric": t("col_metric"),
            "effect": t("col_effect_pct"),
            "ci_low": t("col_ci_low"),
            "ci_high": t("col_ci_high"),
            "swe": t("col_threshold"),
            "status": t("col_status"),
        }
    )
    chart = alt.layer(band, zero, bars, points)
    title = t("chart_forest_title")
    return Figure(
        _finish(chart, t, title, description, width=WIDTH, height=max(60, 48 * len(frame))),
        title,
        description,
        table,
    )


def means_frame(result: MetricResult, t: Translator) -> pd.DataFrame:
    """The cohorts' means per period with a t-based CI at the result's ``conf_level``
    (``1 - alpha`` of the pilot; from ``result.summaries``)."""
    rows = []
    for s in result.summaries:
        half = (
            t_quantile(s.n, result.conf_level) * s.sd / math.sqrt(s.n)
            if s.sd is not None and s.n >= 2 and s.mean is not None
            else math.nan
        )
        mean = s.mean if s.mean is not None else math.nan
        rows.append(
            {
                "cohort_role": s.cohort_role,
                "cohort": t(f"cohort_{s.cohort_role}"),
                "period_key": s.period,
                "period": t(f"period_{s.period}"),
                "n": s.n,
                "mean": mean,
                "sd": s.sd,
                "ci_low": mean - half,
                "ci_high": mean + half,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "cohort_role",
            "cohort",
            "period_key",
            "period",
            "n",
            "mean",
            "sd",
            "ci_low",
            "ci_high",
        ],
    )


def means_table(result: MetricResult, t: Translator) -> pd.DataFrame:
    """The means table for display: cohort, period, n, mean, SD, CI."""
    frame = means_frame(result, t)
    return frame.drop(columns=["cohort_role", "period_key"]).rename(
        columns={
            "cohort": t("col_cohort"),
            "period": t("col_period"),
            "n": t("col_n"),
            "mean": t("col_mean"),
            "sd": t("col_sd"),
            "ci_low": t("col_ci_low"),
            "ci_high": t("col_ci_high"),
        }
    )


def did_figure(result: MetricResult, metric: Metric, t: Translator) -> Figure:
    """The cohorts' before/during means with 95% CIs, joined by lines; for a
    difference-in-differences, the testers' course had they followed the comparison
    group's trend (dotted): the gap at 'during' is the estimate."""
    frame = means_frame(result, t)
    frame = frame[frame["period_key"].isin(["baseline", "intervention"])]
    label = metric.label.get(t.lang)
    lines = frame.copy()
    if result.design == "did" and {"test", "control"} <= set(frame["cohort_role"]):
        by = {(r.cohort_role, r.period_key): r.mean for r in frame.itertuples()}
        start = by[("test", "baseline")]
        trend = by[("control", "intervention")] - by[("control", "baseline")]
        counter = pd.DataFrame(
            {
                "cohort": [t("counterfactual")] * 2,
                "period": [t("period_baseline"), t("period_intervention")],
                "mean": [start, start + trend],
            }
        )
        lines = pd.concat([lines, counter], ignore_index=True)
    roles = [
        *frame["cohort_role"].unique(),
        *(["counterfactual"] if len(lines) > len(frame) else []),
    ]
    scales = _cohort_scale(t, roles)
    x = alt.X(
        "period:N",
        title=None,
        sort=[t("period_baseline"), t("period_intervention")],
        axis=alt.Axis(labelAngle=0),
    )
    y_title = f"{label} ({metric.unit_in(t.lang)})"
    line = (
        alt.Chart(lines)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=x,
            y=alt.Y("mean:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=alt.Color("cohort:N", scale=scales["color"], title=None),
            strokeDash=alt.StrokeDash("cohort:N", scale=scales["dash"], title=None),
        )
    )
    bars = (
        alt.Chart(frame)
        .mark_rule(strokeWidth=2)
        .encode(
            x=x,
            y="ci_low:Q",
            y2="ci_high:Q",
            color=alt.Color("cohort:N", scale=scales["color"], title=None),
        )
    )
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=90)
        .encode(
            x=x,
            y="mean:Q",
            color=alt.Color("cohort:N", scale=scales["color"], title=None),
            shape=alt.Shape("cohort:N", scale=scales["shape"], title=None),
            tooltip=[
                alt.Tooltip("cohort:N", title=t("col_cohort")),
                alt.Tooltip("period:N", title=t("col_period")),
                alt.Tooltip("n:Q", title=t("col_n")),
                alt.Tooltip("mean:Q", title=t("col_mean"), format=".3~f"),
                alt.Tooltip("ci_low:Q", title=t("col_ci_low"), format=".3~f"),
                alt.Tooltip("ci_high:Q", title=t("col_ci_high"), format=".3~f"),
            ],
        )
    )
    parts = []
    for role in ("test", "control"):
        rows = frame[frame["cohort_role"] == role].set_index("period_key")
        if {"baseline", "intervention"} <= set(rows.index):
            before, after = t.interval(
                rows.at["baseline", "mean"], rows.at["intervention", "mean"], None
            )[:2]
            parts.append(
                t(
                    "did_cohort_part",
                    cohort=t(f"cohort_{role}"),
                    before=before,
                    after=after,
                    unit=metric.unit_in(t.lang),
                )
            )
    key = "chart_did_desc" if len(lines) > len(frame) else "chart_did_desc_single"
    description = t(key, ci=t.ci(result.conf_level), label=label, cohorts=", ".join(parts))
    title = t("chart_did_title", label=label)
    chart = alt.layer(line, bars, points)
    return Figure(
        _finish(chart, t, title, description, width=WIDTH * 0.8, height=300),
        title,
        description,
        means_table(result, t),
    )


def weekly_figure(weekly: pd.DataFrame, pilot: Pilot, metric: Metric, t: Translator) -> Figure:
    """One metric's weekly mean per cohort (95% CI band), the intervention start marked."""
    frame = weekly[weekly["metric"] == metric.id].copy()
    frame["cohort"] = [t(f"cohort_{role}") for role in frame["cohort_role"]]
    frame["week_start"] = pd.to_datetime(frame["week_start"])
    label = metric.label.get(t.lang)
    scales = _cohort_scale(t, list(frame["cohort_role"].unique()))
    x = alt.X("week_start:T", title=t("axis_week"), axis=alt.Axis(format="%e %b"))
    colour = alt.Color("cohort:N", scale=scales["color"], title=None)
    band = (
        alt.Chart(frame)
        .mark_area(opacity=0.18)
        .encode(x=x, y="ci_low:Q", y2="ci_high:Q", color=colour)
    )
    line = (
        alt.Chart(frame)
        .mark_line(strokeWidth=2, point=True)
        .encode(
            x=x,
            y=alt.Y(
                "mean:Q", title=f"{label} ({metric.unit_in(t.lang)})", scale=alt.Scale(zero=False)
            ),
            color=colour,
            strokeDash=alt.StrokeDash("cohort:N", scale=scales["dash"], title=None),
            tooltip=[
                alt.Tooltip("cohort:N", title=t("col_cohort")),
                alt.Tooltip("week_start:T", title=t("col_week"), format="%d %B %Y"),
                alt.Tooltip("n:Q", title=t("col_n")),
                alt.Tooltip("mean:Q", title=t("col_mean"), format=".3~f"),
            ],
        )
    )
    start = pd.Timestamp(pilot.periods.intervention.start)
    marker = pd.DataFrame({"x": [start], "label": [t("intervention_start")]})
    rule = alt.Chart(marker).mark_rule(color="#1a1a1a", strokeDash=[4, 4]).encode(x="x:T")
    text = (
        alt.Chart(marker)
        .mark_text(align="left", dx=4, dy=-6, fontSize=12, color="#1a1a1a")
        .encode(x="x:T", y=alt.value(0), text="label:N")
    )
    description = t(
        "chart_weekly_desc",
        ci=t.ci(1 - pilot.decision.alpha),
        label=label,
        weeks=frame["week"].nunique(),
        start=t.date(pilot.periods.intervention.start),
    )
    table = (
        frame[["cohort", "week_start", "n", "mean", "ci_low", "ci_high"]]
        .assign(week_start=lambda f: [t.date(d.date(), "medium") for d in f["week_start"]])
        .rename(
            columns={
                "cohort": t("col_cohort"),
                "week_start": t("col_week"),
                "n": t("col_n"),
                "mean": t("col_mean"),
                "ci_low": t("col_ci_low"),
                "ci_high": t("col_ci_high"),
            }
        )
    )
    title = t("chart_weekly_title", label=label)
    chart = alt.layer(band, line, rule, text)
    return Figure(
        _finish(chart, t, title, description, width=WIDTH, height=280), title, description, table
    )


# --- surveys ----------------------------------------------------------------------

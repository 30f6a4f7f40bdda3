"""Altair chart builders: results in, a chart with its text alternative out.

Every builder takes the typed results of an evaluation (or a frame the services
prepared, already free of small cells) and a :class:`~livinglab.i18n.Translator`,
and returns a :class:`Figure`: the chart (numbers and dates in the translator's
locale, a ``description`` that Vega renders as the SVG's ``aria-label``), one
sentence saying what it shows, and the data table behind it with readable column
names. The app shows the three; the dossier inlines the chart as SVG with the
sentence as its caption and the table beside it. No Streamlit here.

Colours are never the only code: cohorts differ by colour AND point shape / line
dash, verdicts and statuses carry words, Likert answers are ordered left to right.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import altair as alt
import babel
import pandas as pd

from livinglab.i18n import Translator

if TYPE_CHECKING:
    from livinglab.decision.models import (
        EquityResult,
        ProjectionResult,
        Representativeness,
    )
    from livinglab.evaluation import PilotEvaluation
    from livinglab.spec.models import Metric, Pilot
    from livinglab.stats.results import MetricResult, ResponseRate, SurveyResult

ChartLike = alt.Chart | alt.LayerChart | alt.FacetChart  # alt.layer() is typed as either
"""What a builder returns: one chart or a layer of charts (both render the same way)."""

WIDTH = 720  # the whole chart, axes and labels included (autosize fit-x)
TEST_COLOUR = "#0b5cad"  # 6.4:1 on white
CONTROL_COLOUR = "#a84300"  # 5.9:1 on white
COUNTERFACTUAL_COLOUR = "#595959"
POINT_COLOUR = "#1a1a1a"
BAND_COLOUR = "#d9d9d9"

def _number_locale(lang: str) -> dict[str, Any]:
    """d3-format's locale from Babel's CLDR data (French: 1 234,5 and 12 %)."""
    symbols = babel.Locale.parse(lang).number_symbols["latn"]
    return {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [3],
        "currency": ["", "\u00a0€"] if lang == "fr" else ["€", ""],
        "percent": "\u202f%" if lang == "fr" else "%",
    }


def _time_locale(lang: str) -> dict[str, Any]:
    """d3-time-format's locale from Babel's CLDR data (month and day names)."""
    locale = babel.Locale.parse(lang)

    def names(table: dict[int, str], order: list[int]) -> list[str]:
        return [table[i] for i in order]

    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # CLDR counts days from Monday = 0; d3 from Sunday
    return {
        "dateTime": "%A %e %B %Y à %X" if lang == "fr" else "%a %e %b %X %Y",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": names(locale.days["format"]["wide"], sunday_first),
        "shortDays": names(locale.days["format"]["abbreviated"], sunday_first),
        "months": names(locale.months["format"]["wide"], list(range(1, 13))),
        "shortMonths": names(locale.months["format"]["abbreviated"], list(range(1, 13))),
    }


NUMBER_LOCALES = {lang: _number_locale(lang) for lang in ("fr", "en")}
TIME_LOCALES = {lang: _time_locale(lang) for lang in ("fr", "en")}

# Likert answers: orange for disagreement, purple for agreement (ColorBrewer PuOr,
# readable by the colour-blind), grey in the middle; ordered left to right.
LIKERT_COLOURS: dict[str, Any] = {
    "disagree": ["#b35806", "#e08214", "#fdb863"],  # strongest first
    "neutral": "#d9d9d9",
    "agree": ["#b2abd2", "#8073ac", "#542788"],  # strongest last
    "hidden": "#969696",
}
NPS_COLOURS = {
    "detractors": "#b35806",
    "passives": "#bdbdbd",
    "promoters": "#542788",
    "hidden": "#969696",
}


@dataclass(frozen=True)
class Figure:
    """A chart with its text alternative.

    Attributes
    ----------
    chart : alt.Chart (or a layer of charts)
        Configured (locale, fonts): render it as is.
    title : str
    description : str
        One sentence saying what the chart shows, numbers included.
    table : DataFrame
        The data drawn, with readable column names (the chart's data table).
    """

    chart: ChartLike
    title: str
    description: str
    table: pd.DataFrame


def _finish(
    chart: ChartLike, t: Translator, title: str, description: str, **properties: Any
) -> ChartLike:
    return (
        chart.properties(
            title=title,
            description=description,
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
            **properties,
        )
        .configure(
            locale=alt.Locale(number=NUMBER_LOCALES[t.lang], time=TIME_LOCALES[t.lang]),
            font="Arial, Helvetica, sans-serif",
        )
        .configure_axis(
            labelFontSize=13,
            titleFontSize=13,
            labelColor="#1a1a1a",
            titleColor="#1a1a1a",
            labelLimit=360,
        )
        .configure_legend(labelFontSize=13, titleFontSize=13, orient="bottom", labelLimit=360)
        .configure_title(fontSize=15, anchor="start", color="#1a1a1a")
        .configure_view(stroke=None)
        .configure_point(opacity=1)
    )


def t_quantile(n: int, level: float = 0.95) -> float:
    """The two-sided t quantile with ``n - 1`` degrees of freedom (normal from n = 1000)."""
    from scipy import stats

    if n < 2:
        return math.nan
    return float(stats.t.ppf(0.5 + level / 2, n - 1))


def _cohort_scale(t: Translator, roles: Sequence[str]) -> dict[str, alt.Scale]:
    """Colour, shape and dash of each cohort role present (and the counterfactual)."""
    styles = {
        "test": (t("cohort_test"), TEST_COLOUR, "circle", [1, 0]),
        "control": (t("cohort_control"), CONTROL_COLOUR, "square", [6, 3]),
        "counterfactual": (t("counterfactual"), COUNTERFACTUAL_COLOUR, "triangle-up", [2, 2]),
    }
    chosen = [styles[role] for role in styles if role in roles]
    return {
        "color": alt.Scale(domain=[c[0] for c in chosen], range=[c[1] for c in chosen]),
        "shape": alt.Scale(domain=[c[0] for c in chosen], range=[c[2] for c in chosen]),
        "dash": alt.Scale(domain=[c[0] for c in chosen], range=[c[3] for c in chosen]),
    }


def _percent_change(value: float | None, baseline: float | None) -> float | None:
    if value is None or baseline is None or baseline == 0 or not math.isfinite(value):
        return None
    return 100.0 * value / abs(baseline)


# --- usage metrics --------------------------------------------------------------


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
                "status": t.status(status) if status else "—",
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
    description = t("chart_forest_desc", summary=summary + ".")
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
    """The cohorts' means per period with a t-based 95% CI (from ``result.summaries``)."""
    rows = []
    for s in result.summaries:
        half = (
            t_quantile(s.n) * s.sd / math.sqrt(s.n)
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
    y_title = f"{label} ({metric.unit})"
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
                    unit=metric.unit,
                )
            )
    key = "chart_did_desc" if len(lines) > len(frame) else "chart_did_desc_single"
    description = t(key, label=label, cohorts=", ".join(parts))
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
            y=alt.Y("mean:Q", title=f"{label} ({metric.unit})", scale=alt.Scale(zero=False)),
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


def _sus_bands() -> pd.DataFrame:
    """Sauro and Lewis's grades grouped by letter (A = A- to A+, ...), for the background."""
    from livinglab.stats.surveys import SUS_GRADES

    letters: dict[str, float] = {}
    for bound, grade in SUS_GRADES:
        letters[grade[0]] = bound  # the lowest bound of each letter wins (ordered high to low)
    names = list(letters)
    lows = [letters[g] for g in names]
    frame = pd.DataFrame({"grade": names, "low": lows, "high": [100.0, *lows[:-1]]})
    frame["shade"] = [i % 2 for i in range(len(frame))]
    frame["middle"] = (frame["low"] + frame["high"]) / 2
    return frame


def score_figure(detail: Any, result: SurveyResult | None, t: Translator) -> Figure:
    """The distribution of respondents' scores (ranges merged to hold 0 or >= 5 people);
    for the SUS, over Sauro and Lewis's curved grade bands (A+ to F)."""
    bins = detail.scores.copy()
    step = 10.0 if detail.scoring in ("sus", "umux_lite") else 0.5
    bins["density"] = bins["n"] / ((bins["high"] - bins["low"]) / step)
    bins["range"] = [
        f"{t.number(lo, 1 if step < 1 else 0)}–{t.number(hi, 1 if step < 1 else 0)}"
        for lo, hi in zip(bins["low"], bins["high"], strict=True)
    ]
    x_scale = (
        alt.Scale(domain=[float(bins["low"].min()), float(bins["high"].max())])
        if len(bins)
        else alt.Undefined
    )
    x = alt.X("low:Q", title=t("axis_score"), scale=x_scale)
    bars = (
        alt.Chart(bins)
        .mark_rect(color=TEST_COLOUR, stroke="white", strokeWidth=1)
        .encode(
            x=x,
            x2="high:Q",
            y2=alt.datum(0),
            y=alt.Y(
                "density:Q", title=t("density_axis", step=t.number(step, 1 if step < 1 else 0))
            ),
            tooltip=[
                alt.Tooltip("range:N", title=t("col_range")),
                alt.Tooltip("n:Q", title=t("col_respondents")),
            ],
        )
    )
    top = float(bins["density"].max()) * 1.35 if len(bins) and bins["density"].max() > 0 else 1.0
    bars = bars.encode(
        y=alt.Y(
            "density:Q",
            scale=alt.Scale(domain=[0, top]),
            title=t("density_axis", step=t.number(step, 1 if step < 1 else 0)),
        )
    )
    layers: list[alt.Chart] = []
    wave = t(f"wave_{detail.wave}")
    score = t.number(result.score, 1) if result is not None else "—"
    if detail.scoring == "sus":
        bands = _sus_bands()
        layers.append(
            alt.Chart(bands)
            .mark_rect()
            .encode(
                x="low:Q",
                x2="high:Q",
                color=alt.Color(
                    "shade:N", scale=alt.Scale(range=["#f4f4f4", "#e3e3e3"]), legend=None
                ),
            )
        )
        layers.append(
            alt.Chart(bands)
            .mark_text(baseline="top", dy=4, fontSize=13, fontWeight="bold", color="#1a1a1a")
            .encode(x="middle:Q", y=alt.value(0), text="grade:N")
        )
        description = t(
            "chart_sus_desc",
            n=detail.n,
            wave=wave,
            score=score,
            grade=(result.grade if result is not None and result.grade else "—"),
        )
    else:
        description = t("chart_score_desc", n=detail.n, wave=wave, score=score)
    layers.append(bars)
    if result is not None and result.score is not None:
        mean = pd.DataFrame({"x": [result.score], "label": [f"{t('mean_marker')} {score}"]})
        layers.append(
            alt.Chart(mean)
            .mark_rule(color="#1a1a1a", strokeWidth=2, strokeDash=[6, 3])
            .encode(x="x:Q")
        )
        layers.append(
            alt.Chart(mean)
            .mark_text(align="left", dx=4, fontSize=12, color="#1a1a1a")
            .encode(x="x:Q", y=alt.value(36), text="label:N")
        )
    table = bins[["range", "n"]].rename(
        columns={"range": t("col_range"), "n": t("col_respondents")}
    )
    title = t("chart_score_title", title=detail.title) + f" ({wave})"
    return Figure(
        _finish(alt.layer(*layers), t, title, description, width=WIDTH, height=240),
        title,
        description,
        table,
    )


def likert_frame(detail: Any) -> pd.DataFrame:
    """Segment positions of a diverging stacked bar per item: disagreement left of zero,
    agreement right, neutral answers (or a merged level holding them) across zero; and
    each segment's colour (darker the stronger the answer)."""
    rows = []
    for _, item in detail.items.groupby("order", sort=True):
        left = (
            item.loc[item["side"] == "disagree", "share"].sum()
            + item.loc[item["side"].isin(["neutral", "hidden"]), "share"].sum() / 2
        )
        position = -left
        colours = _segment_colours(item)
        for row, colour in zip(item.sort_values("level").itertuples(), colours, strict=True):
            rows.append(
                {
                    "item": f"{int(row.order) + 1}. {row.text}",
                    "order": int(row.order),
                    "level": int(row.level),
                    "label": row.label,
                    "side": row.side,
                    "n": int(row.n),
                    "share": float(row.share),
                    "start": position,
                    "end": position + row.share,
                    "colour": colour,
                    "collapsed": bool(row.collapsed),
                }
            )
            position += row.share
    return pd.DataFrame(
        rows,
        columns=[
            "item",
            "order",
            "level",
            "label",
            "side",
            "n",
            "share",
            "start",
            "end",
            "colour",
            "collapsed",
        ],
    )


def _segment_colours(item: pd.DataFrame) -> list[str]:
    rows = item.sort_values("level")
    if bool(rows["collapsed"].any()):
        grouped = {
            "disagree": LIKERT_COLOURS["disagree"][1],
            "agree": LIKERT_COLOURS["agree"][1],
            "neutral": "#bfbfbf",
            "hidden": LIKERT_COLOURS["hidden"],
        }
        return [grouped[side] for side in rows["side"]]
    n_disagree = int((rows["side"] == "disagree").sum())
    n_agree = int((rows["side"] == "agree").sum())
    left = _shades(LIKERT_COLOURS["disagree"], n_disagree)
    right = _shades(LIKERT_COLOURS["agree"][::-1], n_agree)[::-1]
    colours, i, j = [], 0, 0
    for side in rows["side"]:
        if side == "disagree":
            colours.append(left[i])
            i += 1
        elif side == "agree":
            colours.append(right[j])
            j += 1
        else:
            colours.append(str(LIKERT_COLOURS["neutral"]))
    return colours


def _shades(palette: Sequence[str], count: int) -> list[str]:
    """``count`` shades from the strongest (first) outwards, lighter ones repeated."""
    shades = list(palette)
    return [shades[min(k, len(shades) - 1)] for k in range(count)]


def _likert_legend(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    sides = {"disagree": 0, "neutral": 1, "agree": 2, "hidden": 3}
    ordered = frame.assign(rank=[sides[s] for s in frame["side"]]).sort_values(
        ["rank", "collapsed", "level"], ascending=[True, True, True]
    )
    legend = dict(zip(ordered["label"], ordered["colour"], strict=True))
    legend = {label: legend[label] for label in dict.fromkeys(ordered["label"])}
    return list(legend), list(legend.values())


def likert_figure(detail: Any, t: Translator) -> Figure:
    """Diverging stacked bars, one per item: the share of each answer, disagreement to
    the left of zero and agreement to the right."""
    frame = likert_frame(detail)
    frame["percent"] = frame["share"] * 100
    domain, colours = _likert_legend(frame)
    chart = (
        alt.Chart(frame)
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            y=alt.Y("item:N", title=None, sort=alt.SortField("order")),
            x=alt.X(
                "start:Q",
                title=t("axis_share"),
                axis=alt.Axis(format="~%"),
                scale=alt.Scale(domain=[-1, 1]),
            ),
            x2="end:Q",
            color=alt.Color(
                "label:N",
                scale=alt.Scale(domain=domain, range=colours),
                title=None,
                sort=domain,
                legend=alt.Legend(columns=2),
            ),
            order=alt.Order("level:Q"),
            tooltip=[
                alt.Tooltip("item:N", title=t("col_item")),
                alt.Tooltip("label:N", title=t("col_answer")),
                alt.Tooltip("n:Q", title=t("col_respondents")),
                alt.Tooltip("percent:Q", title=t("col_share"), format=".0f"),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#1a1a1a").encode(x="x:Q")
    collapsed = bool(detail.items["collapsed"].any()) if len(detail.items) else False
    description = t(
        "chart_likert_desc",
        items=frame["order"].nunique(),
        wave=t(f"wave_{detail.wave}"),
        n=detail.n,
        collapsed=t("likert_collapsed") if collapsed else "",
    ).strip()
    table = frame.assign(percent=[t.percent(s) for s in frame["share"]])[
        ["item", "label", "n", "percent"]
    ].rename(
        columns={
            "item": t("col_item"),
            "label": t("col_answer"),
            "n": t("col_respondents"),
            "percent": t("col_share"),
        }
    )
    title = t("chart_likert_title", title=detail.title) + f" ({t(f'wave_{detail.wave}')})"
    height = max(80, 34 * frame["order"].nunique())
    return Figure(
        _finish(alt.layer(chart, zero), t, title, description, width=WIDTH, height=height),
        title,
        description,
        table,
    )


def nps_figure(detail: Any, result: SurveyResult | None, t: Translator) -> Figure:
    """Detractors, passives and promoters as one stacked bar (a small group pooled as
    'hidden' with its neighbour)."""
    frame = detail.groups.copy()
    names = {g: (t(g) if g != "hidden" else t("hidden")) for g in NPS_COLOURS}
    frame["label"] = [names[g] for g in frame["group"]]
    frame["rank"] = [list(NPS_COLOURS).index(g) for g in frame["group"]]
    frame["percent"] = frame["share"] * 100
    wave = t(f"wave_{detail.wave}")
    frame["wave"] = wave
    domain = [names[g] for g in NPS_COLOURS if g in set(frame["group"])]
    colours = [NPS_COLOURS[g] for g in NPS_COLOURS if g in set(frame["group"])]
    chart = (
        alt.Chart(frame)
        .mark_bar(stroke="white", strokeWidth=1, height=40)
        .encode(
            x=alt.X(
                "share:Q",
                title=t("axis_share"),
                axis=alt.Axis(format="~%"),
                stack="zero",
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=alt.Y("wave:N", title=None),
            color=alt.Color(
                "label:N", scale=alt.Scale(domain=domain, range=colours), title=None, sort=domain
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("label:N", title=t("col_group")),
                alt.Tooltip("n:Q", title=t("col_respondents")),
                alt.Tooltip("percent:Q", title=t("col_share"), format=".0f"),
            ],
        )
    )
    share = {g: s for g, s in zip(frame["group"], frame["share"], strict=True)}
    description = t(
        "chart_nps_desc",
        detractors=t.percent(share.get("detractors")),
        passives=t.percent(share.get("passives")),
        promoters=t.percent(share.get("promoters")),
        n=detail.n,
        wave=wave,
        score=t.signed(result.score, 0) if result is not None else "—",
    )
    table = frame.assign(percent=[t.percent(s) for s in frame["share"]])[
        ["label", "n", "percent"]
    ].rename(
        columns={"label": t("col_group"), "n": t("col_respondents"), "percent": t("col_share")}
    )
    title = t("chart_nps_title") + f" ({wave})"
    return Figure(
        _finish(chart, t, title, description, width=WIDTH, height=70), title, description, table
    )


def response_rates_figure(
    rates: Sequence[tuple[str, ResponseRate]], titles: dict[str, str], t: Translator
) -> Figure:
    """Share of the invited who answered, per instrument, cohort and wave (95% CI)."""
    frame = pd.DataFrame(
        [
            {
                "row": f"{titles.get(instrument, instrument)} · {t(f'cohort_{r.cohort_role}')} · "
                f"{t(f'wave_{r.wave}')}",
                "rate": r.rate,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "invited": None if r.withheld else r.invited,
                "responded": None if r.withheld else r.responded,
            }
            for instrument, r in rates
        ],
        columns=["row", "rate", "ci_low", "ci_high", "invited", "responded"],
    )
    y = alt.Y("row:N", title=None, sort=None)
    bars = (
        alt.Chart(frame)
        .mark_bar(color=TEST_COLOUR, height=18)
        .encode(
            y=y,
            x=alt.X(
                "rate:Q",
                title=t("col_rate"),
                axis=alt.Axis(format="~%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                alt.Tooltip("row:N", title=t("col_group")),
                alt.Tooltip("invited:Q", title=t("col_invited")),
                alt.Tooltip("responded:Q", title=t("col_responded")),
                alt.Tooltip("rate:Q", title=t("col_rate"), format=".0%"),
            ],
        )
    )
    whiskers = (
        alt.Chart(frame)
        .mark_rule(color="#1a1a1a", strokeWidth=2)
        .encode(y=y, x="ci_low:Q", x2="ci_high:Q")
    )
    summary = "; ".join(f"{row.row} {t.percent(row.rate)}" for row in frame.itertuples())
    description = t("chart_rates_desc", summary=summary)
    table = frame.assign(
        rate=[t.percent(v) for v in frame["rate"]],
        ci_low=[t.percent(v) for v in frame["ci_low"]],
        ci_high=[t.percent(v) for v in frame["ci_high"]],
    ).rename(
        columns={
            "row": t("col_group"),
            "rate": t("col_rate"),
            "ci_low": t("col_ci_low"),
            "ci_high": t("col_ci_high"),
            "invited": t("col_invited"),
            "responded": t("col_responded"),
        }
    )
    title = t("chart_rates_title")
    return Figure(
        _finish(
            alt.layer(bars, whiskers),
            t,
            title,
            description,
            width=WIDTH,
            height=max(60, 30 * len(frame)),
        ),
        title,
        description,
        table,
    )


# --- equity, representativeness, projection ------------------------------------------


def equity_figure(
    equity: EquityResult, result: MetricResult, metric: Metric, t: Translator
) -> Figure:
    """A metric's effect by subgroup (seniors first) against the overall effect.

    Each group's interval is adjusted for the number of groups of the metric
    (Bonferroni: ``EquityResult.effects[*].adjusted_ci_*``; the unadjusted one where
    no adjusted interval exists); groups of fewer than 5 people (and their
    complements) are not drawn."""
    effects = [e for e in equity.effects if e.metric == metric.id]
    shown = [e for e in effects if not e.suppressed and e.estimate is not None]
    hidden = [e for e in effects if e.suppressed]
    label = metric.label.get(t.lang)
    frame = pd.DataFrame(
        [
            {
                "group": f"{t.attribute(e.attribute)} : {e.group}"
                if t.lang == "fr"
                else f"{t.attribute(e.attribute)}: {e.group}",
                "senior": e.senior,
                "estimate": e.estimate,
                # Intervals adjusted for the number of subgroups drawn (Bonferroni): with
                # twelve groups, unadjusted 95 % intervals make a "significant" group in
                # about a third of pilots with no effect at all.
                "ci_low": e.ci_low if e.adjusted_ci_low is None else e.adjusted_ci_low,
                "ci_high": e.ci_high if e.adjusted_ci_high is None else e.adjusted_ci_high,
                "n_test": e.n_test,
                "n_control": e.n_control,
            }
            for e in shown
        ],
        columns=["group", "senior", "estimate", "ci_low", "ci_high", "n_test", "n_control"],
    )
    y = alt.Y("group:N", title=None, sort=None)
    unit_title = f"{label} ({metric.unit})"
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#595959").encode(x="x:Q")
    overall = (
        alt.Chart(pd.DataFrame({"x": [result.primary_estimate or 0.0]}))
        .mark_rule(color=TEST_COLOUR, strokeDash=[6, 3], strokeWidth=2)
        .encode(x="x:Q")
    )
    whiskers = (
        alt.Chart(frame)
        .mark_rule(strokeWidth=2, color=POINT_COLOUR)
        .encode(y=y, x=alt.X("ci_low:Q", title=unit_title), x2="ci_high:Q")
    )
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=80, color=POINT_COLOUR)
        .encode(
            y=y,
            x="estimate:Q",
            shape=alt.Shape(
                "senior:N",
                scale=alt.Scale(domain=[True, False], range=["diamond", "circle"]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("group:N", title=t("col_group")),
                alt.Tooltip("estimate:Q", title=t("col_estimate"), format=".3~f"),
                alt.Tooltip("ci_low:Q", title=t("col_ci_low"), format=".3~f"),
                alt.Tooltip("ci_high:Q", title=t("col_ci_high"), format=".3~f"),
                alt.Tooltip("n_test:Q", title=t("cohort_test")),
                alt.Tooltip("n_control:Q", title=t("cohort_control")),
            ],
        )
    )
    est, low, high = t.interval(
        result.primary_estimate, result.primary_ci_low, result.primary_ci_high
    )
    description = t(
        "chart_equity_desc",
        label=label,
        shown=len(shown),
        hidden=len(hidden),
        overall=f"{est} {metric.unit} ({low} {'à' if t.lang == 'fr' else 'to'} {high})",
    )
    table = pd.concat(
        [
            frame.drop(columns=["senior"]),
            pd.DataFrame(
                [
                    {"group": f"{t.attribute(e.attribute)}: {e.group}", "estimate": t("hidden")}
                    for e in hidden
                ]
            ),
        ],
        ignore_index=True,
    ).rename(
        columns={
            "group": t("col_group"),
            "estimate": t("col_estimate"),
            "ci_low": t("col_ci_low"),
            "ci_high": t("col_ci_high"),
            "n_test": t("cohort_test"),
            "n_control": t("cohort_control"),
        }
    )
    title = t("chart_equity_title", label=label)
    chart = alt.layer(zero, overall, whiskers, points)
    return Figure(
        _finish(chart, t, title, description, width=WIDTH, height=max(60, 26 * len(frame))),
        title,
        description,
        table,
    )


def representativeness_figure(
    representativeness: Representativeness, attribute: str, t: Translator
) -> Figure:
    """Each category's share among testers and in the city (a suppressed category shows
    the city's share only)."""
    cats = [c for c in representativeness.categories if c.attribute == attribute]
    who = {"sample": t("col_sample"), "population": t("col_population")}
    long = pd.DataFrame(
        [
            {"category": c.category, "who": who["population"], "share": c.population_share}
            for c in cats
        ]
        + [
            {"category": c.category, "who": who["sample"], "share": c.sample_share}
            for c in cats
            if not c.suppressed and c.sample_share is not None
        ],
        columns=["category", "who", "share"],
    )
    y = alt.Y("category:N", title=None, sort=[c.category for c in cats])
    scale_colour = alt.Scale(
        domain=[who["sample"], who["population"]], range=[TEST_COLOUR, CONTROL_COLOUR]
    )
    scale_shape = alt.Scale(domain=[who["sample"], who["population"]], range=["circle", "diamond"])
    rules = (
        alt.Chart(long).mark_rule(color="#8c8c8c").encode(y=y, x="min(share):Q", x2="max(share):Q")
    )
    points = (
        alt.Chart(long)
        .mark_point(filled=True, size=100)
        .encode(
            y=y,
            x=alt.X(
                "share:Q",
                title=t("axis_share"),
                axis=alt.Axis(format="~%"),
                scale=alt.Scale(domain=[0, _upper(long["share"])]),
            ),
            color=alt.Color("who:N", scale=scale_colour, title=None),
            shape=alt.Shape("who:N", scale=scale_shape, title=None),
            tooltip=[
                alt.Tooltip("category:N", title=t("col_group")),
                alt.Tooltip("who:N", title=" "),
                alt.Tooltip("share:Q", title=t("col_share"), format=".1%"),
            ],
        )
    )
    gaps = [c for c in cats if c.sample_share is not None and not c.suppressed]
    name = t.attribute(attribute)
    if gaps:
        worst = max(gaps, key=lambda c: abs((c.sample_share or 0.0) - c.population_share))
        description = t(
            "chart_repr_desc",
            attribute=name.lower(),
            category=worst.category,
            sample=t.percent(worst.sample_share),
            population=t.percent(worst.population_share),
        )
    else:
        description = t("chart_repr_title", attribute=name)
    table = pd.DataFrame(
        [
            {
                t("col_group"): c.category,
                t("col_sample"): t("hidden") if c.suppressed else t.percent(c.sample_share),
                t("col_population"): t.percent(c.population_share),
            }
            for c in cats
        ]
    )
    title = t("chart_repr_title", attribute=name)
    return Figure(
        _finish(
            alt.layer(rules, points),
            t,
            title,
            description,
            width=WIDTH,
            height=max(60, 26 * len(cats)),
        ),
        title,
        description,
        table,
    )


def projection_figure(projection: ProjectionResult, t: Translator) -> Figure:
    """The yearly city-wide effect (t CO2e when an emission factor is declared, else
    the metric's unit), with its 95% CI, raw and reweighted to the population."""
    co2 = projection.emission_factor is not None and projection.tonnes_co2e is not None
    factor = (projection.emission_factor or 0.0) / 1000.0 if co2 else 1.0
    unit = (
        t("projection_co2")
        if co2
        else f"{projection.unit.split('/')[0]} / an"
        if t.lang == "fr"
        else f"{projection.unit.split('/')[0]} / year"
    )
    rows = [
        {
            "row": t("projection_raw"),
            "value": _times(projection.yearly, factor),
            "ci_low": _times(projection.yearly_ci_low, factor),
            "ci_high": _times(projection.yearly_ci_high, factor),
        }
    ]
    if projection.reweighted_yearly is not None:
        rows.append(
            {
                "row": t("projection_reweighted"),
                "value": _times(projection.reweighted_yearly, factor),
                "ci_low": None,
                "ci_high": None,
            }
        )
    frame = pd.DataFrame(rows, columns=["row", "value", "ci_low", "ci_high"])
    y = alt.Y("row:N", title=None, sort=None)
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#595959").encode(x="x:Q")
    whiskers = (
        alt.Chart(frame)
        .mark_rule(strokeWidth=3, color=POINT_COLOUR)
        .encode(y=y, x=alt.X("ci_low:Q", title=unit), x2="ci_high:Q")
    )
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=120, color=POINT_COLOUR, shape="diamond")
        .encode(
            y=y,
            x="value:Q",
            tooltip=[
                alt.Tooltip("row:N", title=" "),
                alt.Tooltip("value:Q", title=unit, format=",.0f"),
            ],
        )
    )
    description = projection.reason(t.lang)
    table = frame.assign(
        **{
            c: [t.number(v, 0) if v is not None and not pd.isna(v) else "—" for v in frame[c]]
            for c in ("value", "ci_low", "ci_high")
        }
    ).rename(
        columns={"row": " ", "value": unit, "ci_low": t("col_ci_low"), "ci_high": t("col_ci_high")}
    )
    title = t("chart_projection_title")
    return Figure(
        _finish(alt.layer(zero, whiskers, points), t, title, description, width=WIDTH, height=90),
        title,
        description,
        table,
    )


def _upper(values: pd.Series) -> float:
    """A round upper bound a little above the largest value (the axis' end)."""
    largest = float(values.max()) if len(values) else 1.0
    return min(1.0, math.ceil(largest * 1.1 * 20) / 20)


def _times(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor

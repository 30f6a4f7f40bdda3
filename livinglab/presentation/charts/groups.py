"""Charts of who the results hold for: equity by subgroup, representativeness, projection."""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from livinglab.i18n import Translator

if TYPE_CHECKING:
    from livinglab.decision.models import (
        EquityResult,
        ProjectionResult,
        Representativeness,
    )
    from livinglab.spec.models import Metric
    from livinglab.stats.results import MetricResult

from livinglab.presentation.charts.base import (
    CONTROL_COLOUR,
    POINT_COLOUR,
    TEST_COLOUR,
    WIDTH,
    Figure,
    _finish,
    _times,
    _upper,
)


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
    unit_title = f"{label} ({metric.unit_in(t.lang)})"
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
        overall=f"{est} {metric.unit_in(t.lang)} ({low} {'à' if t.lang == 'fr' else 'to'} {high})",
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
        else f"{projection.unit_in(t.lang).split('/')[0]} / an"
        if t.lang == "fr"
        else f"{projection.unit_in(t.lang).split('/')[0]} / year"
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

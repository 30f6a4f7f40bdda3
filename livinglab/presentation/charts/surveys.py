"""Charts of the surveys: score against its grades, Likert items, NPS groups, response rates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd

from livinglab.i18n import Translator

if TYPE_CHECKING:
    from livinglab.stats.results import ResponseRate, SurveyResult

from livinglab.presentation.charts.base import (
    LIKERT_COLOURS,
    NPS_COLOURS,
    TEST_COLOUR,
    WIDTH,
    Figure,
    _finish,
)


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
    """Share of the invited who answered, per instrument, cohort and wave (Wilson CI at
    the pilot's ``1 - alpha``)."""
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
    level = rates[0][1].conf_level if rates else None
    description = t("chart_rates_desc", ci=t.ci(level), summary=summary)
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

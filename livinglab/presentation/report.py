"""What the pages and the dossier show beside the evaluation, made safe to show.

Pure (pandas in, frames and frozen objects out; no database, no Streamlit): the
weekly series with their confidence intervals, the surveys' answer distributions,
and a portfolio row per pilot. No frame returned here has a cell of 1 to 4
people: small score ranges and answer levels are merged, or hidden.
``services.pilot_report`` reads the store and assembles a :class:`PilotReport`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from livinglab.decision.criteria import basis_text
from livinglab.decision.headline import headline
from livinglab.decision.privacy import min_cell, suppression
from livinglab.evaluation import PilotEvaluation
from livinglab.i18n import Translator, translator
from livinglab.presentation.labels import message, test_name
from livinglab.spec.models import Instrument, Pilot
from livinglab.stats.surveys import item_table, respondent_scores

PORTFOLIO_COLUMNS = [
    "pilot", "title", "domain", "phase", "verdict", "evidence_level", "evidence_label",
    "primary_metric", "primary_label", "primary_unit", "primary_binary", "estimate",
    "ci_low", "ci_high", "estimate_pct", "ci_low_pct", "ci_high_pct", "ci_level",
    "estimate_name", "awaiting_data", "cohorts", "latest", "error",
]
WEEKLY_COLUMNS = [
    "metric", "cohort", "cohort_role", "week", "week_start", "period", "n",
    "mean", "sd", "ci_low", "ci_high",
]


@dataclass(frozen=True)
class SurveyDetail:
    """One planned instrument in one wave, as the charts draw it (test cohorts only).

    Attributes
    ----------
    instrument, wave, scoring : str
    title : str
        The instrument's title in the report's language.
    n : int
        Respondents with a score.
    scores : DataFrame
        The distribution of respondents' scores: ``low, high, n`` per range
        (neighbouring ranges merged until each holds 0 or at least 5 people).
    items : DataFrame
        Answers per item (Likert instruments): ``item, order, text, level, label,
        side ('disagree' | 'neutral' | 'agree' | 'hidden'), n, share, collapsed``.
        An item whose answers leave a cell of 1-4 people is shown on three levels;
        cells still too small are pooled into one ``hidden`` segment.
    groups : DataFrame
        NPS only: ``group ('detractors' | 'passives' | 'promoters' | 'hidden'), n, share``.
    """

    instrument: str
    wave: str
    scoring: str
    title: str
    n: int
    scores: pd.DataFrame
    items: pd.DataFrame
    groups: pd.DataFrame


@dataclass(frozen=True)
class PilotReport:
    """Everything the pilot page and the dossier show, computed once (then cached).

    Attributes
    ----------
    evaluation : PilotEvaluation
    weekly : DataFrame
        Per metric, cohort and week: ``metric, cohort, cohort_role, week, week_start,
        period, n, mean, sd, ci_low, ci_high`` (weeks with 1-4 participants left out).
    surveys : tuple of SurveyDetail
    latest_observation, latest_answer : datetime or None
    version : tuple
        :func:`report_version` when it was computed.
    lang : str
    """

    evaluation: PilotEvaluation
    weekly: pd.DataFrame
    surveys: tuple[SurveyDetail, ...]
    latest_observation: datetime | None
    latest_answer: datetime | None
    version: tuple[str, int, int]
    lang: str = "fr"

    @property
    def latest(self) -> datetime | None:
        """The latest usage reading (the latest survey answer when there is no reading)."""
        return self.latest_observation or self.latest_answer


def survey_detail(
    instrument: Instrument, answers: pd.DataFrame, wave: str, lang: str
) -> SurveyDetail:

    scale = instrument.scale
    table = item_table(
        answers,
        items=instrument.item_ids,
        reversed_items=instrument.reversed_items,
        scale_min=scale.min,
        scale_max=scale.max,
    )
    scores = respondent_scores(
        table, scoring=instrument.scoring, scale_min=scale.min, scale_max=scale.max
    ).dropna()
    empty_groups = pd.DataFrame(columns=["group", "n", "share"])
    if 0 < len(scores) < min_cell():  # one respondent's score is their answers
        return SurveyDetail(
            instrument=instrument.id,
            wave=wave,
            scoring=instrument.scoring,
            title=instrument.title.get(lang),
            n=0,
            scores=pd.DataFrame(columns=["low", "high", "n"]),
            items=_no_items(),
            groups=empty_groups,
        )
    if instrument.scoring == "nps":
        return SurveyDetail(
            instrument=instrument.id,
            wave=wave,
            scoring="nps",
            title=instrument.title.get(lang),
            n=len(scores),
            scores=pd.DataFrame(columns=["low", "high", "n"]),
            items=_no_items(),
            groups=_nps_groups(scores),
        )
    if instrument.scoring in ("sus", "umux_lite"):
        edges = [float(e) for e in range(0, 101, 10)]
    else:
        steps = int(round((scale.max - scale.min) / 0.5))
        edges = [scale.min + 0.5 * i for i in range(steps + 1)]
    return SurveyDetail(
        instrument=instrument.id,
        wave=wave,
        scoring=instrument.scoring,
        title=instrument.title.get(lang),
        n=len(scores),
        scores=merged_bins(scores.to_numpy(), edges),
        items=_item_distribution(instrument, answers, lang),
        groups=empty_groups,
    )


def merged_bins(values: Sequence[float] | np.ndarray, edges: Sequence[float]) -> pd.DataFrame:
    """Counts of ``values`` per range ``[edges[i], edges[i+1])`` (the last one closed),
    neighbouring ranges merged from the left until each holds 0 or at least 5 values
    (a small last group joins the one before it).

    Returns a frame ``low, high, n``.
    """

    counts, _ = np.histogram(np.asarray(values, dtype=float), bins=np.asarray(edges, dtype=float))
    groups: list[list[float]] = []  # [low, high, n]
    pending: list[float] | None = None
    for low, high, n in zip(edges[:-1], edges[1:], counts, strict=True):
        if pending is None:
            pending = [low, high, int(n)]
        else:
            pending[1], pending[2] = high, pending[2] + int(n)
        if pending[2] == 0 or pending[2] >= min_cell():
            groups.append(pending)
            pending = None
    if pending is not None:
        if pending[2] and groups:
            last = next((g for g in reversed(groups) if g[2]), groups[-1])
            index = groups.index(last)
            merged = [last[0], pending[1], last[2] + pending[2]]
            groups = groups[:index] + [merged]
        else:
            groups.append(pending)
    return pd.DataFrame(groups, columns=["low", "high", "n"]).astype({"n": "int64"})


def _no_items() -> pd.DataFrame:

    return pd.DataFrame(
        columns=["item", "order", "text", "level", "label", "side", "n", "share", "collapsed"]
    )


def _item_distribution(instrument: Instrument, answers: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Answers per item; see :class:`SurveyDetail` for the merging of small cells."""

    scale = instrument.scale
    labels = {lab.value: lab.label.get(lang) for lab in scale.labels}
    middle = (scale.min + scale.max) / 2
    rows = []
    for order, item in enumerate(instrument.items):
        given = answers.loc[answers["item"] == item.id, "answer"].astype(int)
        if len(given) < min_cell():  # an item answered by 1-4 people: not drawn at all
            continue
        counts = given.value_counts()
        levels = [
            (labels.get(v, str(v)), _side(v, middle), int(counts.get(v, 0)))
            for v in range(int(scale.min), int(scale.max) + 1)
        ]
        collapsed = _has_small(levels)
        if collapsed:
            levels = _safe_levels(levels, lang)
        rows += [
            {
                "item": item.id,
                "order": order,
                "text": item.text.get(lang),
                "level": level,
                "label": label,
                "side": side,
                "n": n,
                "share": n / len(given),
                "collapsed": collapsed,
            }
            for level, (label, side, n) in enumerate(levels)
        ]
    return pd.DataFrame(rows) if rows else _no_items()


def _side(value: float, middle: float) -> str:
    return "disagree" if value < middle else "agree" if value > middle else "neutral"


def _has_small(levels: Sequence[tuple[str, str, int]]) -> bool:

    return any(0 < n < min_cell() for *_, n in levels)


def _safe_levels(levels: list[tuple[str, str, int]], lang: str) -> list[tuple[str, str, int]]:
    """Three levels (disagree, neutral, agree); a small one merges into the neutral
    level (a small neutral into the smaller side); if a cell of 1-4 remains, one
    'hidden' level holds every answer. A merged level that holds the neutral answers
    gets side 'neutral' (drawn across zero), labelled with both words."""

    t = translator(lang)
    count = {
        side: sum(n for _, s, n in levels if s == side) for side in ("disagree", "neutral", "agree")
    }
    groups = [
        [side]
        for side in ("disagree", "neutral", "agree")
        if count[side] or side != "neutral" or any(s == "neutral" for _, s, _ in levels)
    ]

    def total(group: list[str]) -> int:
        return sum(count[side] for side in group)

    def small(group: list[str]) -> bool:
        return 0 < total(group) < min_cell()

    middle = next((g for g in groups if g == ["neutral"]), None)
    if middle is not None:
        for side in ("disagree", "agree"):
            group = next(g for g in groups if side in g)
            if small(group) and group is not middle:
                middle += group
                groups.remove(group)
        if small(middle) and len(groups) > 1:
            sides = [g for g in groups if g is not middle]
            target = min(sides, key=total)
            target += middle
            groups.remove(middle)
    else:
        for group in list(groups):
            if small(group) and len(groups) > 1:
                other = next(g for g in groups if g is not group)
                other += group
                groups.remove(group)
    if any(small(g) for g in groups):
        return [(t("hidden"), "hidden", sum(count.values()))]
    order = ("disagree", "neutral", "agree")
    safe = []
    for group in sorted(groups, key=lambda g: min(order.index(s) for s in g)):
        members = sorted(group, key=order.index)
        words = [t(f"likert_{side}") for side in members]
        label = t("likert_or").join([words[0], *(w[0].lower() + w[1:] for w in words[1:])])
        side = "neutral" if "neutral" in members or len(members) > 1 else members[0]
        safe.append((label, side, total(group)))
    return safe


def _nps_groups(scores: pd.Series) -> pd.DataFrame:

    names = ("detractors", "passives", "promoters")
    counts = [int((scores == value).sum()) for value in (-100.0, 0.0, 100.0)]
    hidden = suppression(counts)
    total = max(1, sum(counts))
    rows = [
        {"group": name, "n": n, "share": n / total}
        for name, n, why in zip(names, counts, hidden, strict=True)
        if why is None
    ]
    pooled = sum(n for n, why in zip(counts, hidden, strict=True) if why is not None)
    if pooled:
        rows.append({"group": "hidden", "n": pooled, "share": pooled / total})
    return pd.DataFrame(rows, columns=["group", "n", "share"])


def awaiting_data(evaluation: PilotEvaluation) -> bool:
    """True when the pilot has no reading and no survey answer yet: its pages show its
    phase ("waiting for data"), not a verdict computed on nothing. A result withheld
    for resting on too few people has data: it is not "waiting"."""
    return not any(m.withheld or m.n_test or m.n_control for m in evaluation.metrics) and not any(
        s.withheld or s.n for s in evaluation.surveys
    )


def portfolio_row(report: PilotReport, lang: str) -> dict[str, Any]:
    evaluation = report.evaluation
    pilot, decision = evaluation.pilot, evaluation.decision
    primary = next((m for m in pilot.metrics if m.role == "primary"), pilot.metrics[0])
    outcome = next(
        (
            c
            for c in decision.criteria
            if c.kind == "metric" and c.target == primary.id and not c.subgroup
        ),
        None,
    )
    result = evaluation.metric(primary.id)
    level = outcome.ci_level if outcome is not None and outcome.ci_level else result.conf_level
    if outcome is not None:
        effect = (
            outcome.estimate,
            outcome.ci_low,
            outcome.ci_high,
            outcome.estimate_pct,
            outcome.ci_low_pct,
            outcome.ci_high_pct,
        )
    else:
        effect = (
            result.primary_estimate,
            result.primary_ci_low,
            result.primary_ci_high,
            result.estimate_pct,
            result.ci_pct_low,
            result.ci_pct_high,
        )
    checks = decision.checks.cohorts if decision.checks else ()
    cohorts = [
        (
            (c.label.get(lang) if c.label else c.id),
            next((k.n_enrolled for k in checks if k.cohort == c.id), None),
        )
        for c in pilot.cohorts
    ]
    return {
        "pilot": pilot.id,
        "title": pilot.title.get(lang),
        "domain": pilot.domain,
        "phase": pilot.phase,
        "verdict": decision.verdict,
        "evidence_level": decision.evidence_level,
        "evidence_label": decision.evidence_label(lang),
        "primary_metric": primary.id,
        "primary_label": primary.label.get(lang),
        "primary_unit": primary.unit_in(lang),
        "primary_binary": primary.binary,
        **dict(
            zip(
                ("estimate", "ci_low", "ci_high", "estimate_pct", "ci_low_pct", "ci_high_pct"),
                effect,
                strict=True,
            )
        ),
        "ci_level": level,
        # Which estimate the effect is (the criterion's: ANCOVA or the design's own).
        "estimate_name": basis_text(
            outcome.basis if outcome is not None else result.criterion_basis, result.design, lang
        ),
        "awaiting_data": awaiting_data(evaluation),
        "cohorts": cohorts,
        "latest": report.latest,
        "error": None,
    }


def weekly_table(weekly: pd.DataFrame, pilot: Pilot, *, alpha: float = 0.05) -> pd.DataFrame:
    """Weekly means per cohort with a t-based CI; weeks with 1-4 participants left out.

    Parameters
    ----------
    weekly : DataFrame
        ``metric, cohort, cohort_role, week, period, n, mean, sd`` (the store's weekly
        reduction of every metric), ``week`` counted from the baseline start.

    Returns
    -------
    DataFrame
        :data:`WEEKLY_COLUMNS`: ``week_start`` is the week's first day;
        ``ci_low, ci_high`` = mean -/+ t(1 - alpha/2, n - 1) sd / sqrt(n).
    """
    shown = weekly[weekly["n"] >= min_cell()].copy()
    if shown.empty:
        return pd.DataFrame(columns=WEEKLY_COLUMNS)
    start = pd.Timestamp(pilot.periods.baseline.start)
    shown["week_start"] = [start + pd.Timedelta(weeks=int(w)) for w in shown["week"]]
    half = (
        stats.t.ppf(1 - alpha / 2, shown["n"] - 1)
        * shown["sd"].astype(float)
        / np.sqrt(shown["n"].astype(float))
    )
    shown["ci_low"] = shown["mean"] - half
    shown["ci_high"] = shown["mean"] + half
    return shown.reindex(columns=WEEKLY_COLUMNS).reset_index(drop=True)


def interactions_table(equity: Any, evaluation: PilotEvaluation, t: Translator) -> pd.DataFrame:
    """The interaction tests with readable names."""
    return pd.DataFrame(
        [
            {
                t("col_metric"): evaluation.pilot.metric(i.metric).label.get(t.lang),
                t("col_attribute"): t.attribute(i.attribute),
                t("col_test"): test_name(i.test, t),
                t("col_p"): (
                    t.number(i.p_value, 3) if i.p_value is not None
                    else (message(i.message, t) if i.message else "—")
                ),
            }
            for i in equity.interactions
        ]
    )


def reweighted_table(report: PilotReport, t: Translator) -> pd.DataFrame:
    """Each metric's effect raked to the census margins, beside the criterion's estimate.

    The raking reweights the design's own difference (for a did, the difference of
    change scores), which may not be the estimate the criterion judged (ANCOVA): each
    column says which estimate it holds, so that one number never wears two names.
    """
    rep = report.evaluation.decision.representativeness
    evaluation = report.evaluation
    pilot = evaluation.pilot
    sep = " ; " if t.lang == "fr" else "; "
    rows = []
    for e in rep.estimates if rep is not None else ():
        result = evaluation.metric(e.metric)
        head = headline(result)
        h, h_low, h_high = t.interval(head.estimate, head.ci_low, head.ci_high)
        est, low, high = t.interval(e.estimate, e.ci_low, e.ci_high)
        rw, rw_low, rw_high = t.interval(e.reweighted, e.reweighted_ci_low, e.reweighted_ci_high)
        raw_name = basis_text(None, result.design, t.lang)
        rows.append(
            {
                t("col_metric"): pilot.metric(e.metric).label.get(t.lang),
                t("repr_headline_col", name=head.name(t.lang)): f"{h} [{h_low}{sep}{h_high}]",
                t("repr_raw_col", name=raw_name): f"{est} [{low}{sep}{high}]",
                t("repr_reweighted_col", name=raw_name): f"{rw} [{rw_low}{sep}{rw_high}]",
                t("repr_n_eff"): t.number(e.n_eff_test, 0),
            }
        )
    return pd.DataFrame(rows)

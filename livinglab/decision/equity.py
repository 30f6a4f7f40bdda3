"""Who benefits: effects by subgroup, seniors first, small groups never shown.

For every declared attribute (age bands first, with the 65+ bands at the top, then
the others such as neighbourhoods) and every metric, each group's effect comes
from the very analysis of the overall metric (:func:`livinglab.stats.analyze_metric`
on the group's participants), and a test says whether the effect differs across
groups:

* ``did`` / ``two_group``: OLS of the per-participant outcome (change score, or
  the intervention value) on cohort × group; F-test of the interaction terms
  (the groups with participants in both cohorts);
* ``pre_post``: Welch's one-way ANOVA of the testers' changes across groups
  (``pingouin.welch_anova``; Welch 1951), which does not assume the groups' changes
  vary alike.

The interaction test leads: a group's effect is called *different* from the others'
only when that test is significant at the pilot's alpha (``differs``). Each group's
interval is also given adjusted for the number of groups shown for the metric, over
every attribute (Bonferroni: ``1 - alpha / G``, the intervals that go with Bonferroni's
and, conservatively, Holm's tests), so that a group "significant" on its own
(``significant``: the adjusted interval excludes zero) is one in ``alpha`` of null
pilots at most, not one in two (measured in ``tests/decision/test_equity.py``).

A group with 1 to 4 people in a cohort is suppressed (estimate and counts hidden,
``suppressed=True``), and complementary suppression hides the next smallest so
that no hidden value can be derived from the totals (:mod:`.privacy`).
Participants without a value for the attribute form an ``unknown`` group, so that
the groups add up to the totals shown elsewhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from livinglab.decision.criteria import basis_of, rescaled_interval
from livinglab.decision.frames import (
    COHORT,
    ID,
    ROLE,
    UNKNOWN,
    analysed,
    category,
    participants_of,
    wide,
    with_attributes,
    with_roles,
)
from livinglab.decision.models import (
    EquityResult,
    InteractionTest,
    SubgroupEffect,
    SubgroupScore,
)
from livinglab.decision.privacy import min_cell, suppression
from livinglab.spec.models import Instrument, Metric, Pilot
from livinglab.stats.designs import analyze_metric
from livinglab.stats.results import MetricResult, SurveyResult
from livinglab.stats.surveys import score_fields, score_survey, scores_of, survey_message

SENIOR_AGE = 65
_SPLIT = re.compile(r"\s*[,;|]\s*")


# --- groups and their order ------------------------------------------------------------


def lower_bound(label: str) -> int | None:
    """The first number of a band label: ``'65-74'`` -> 65, ``'75+'`` -> 75."""
    found = re.match(r"\s*(\d+)", str(label))
    return int(found.group(1)) if found else None


def is_senior(label: str) -> bool:
    """A band starting at 65 or later."""
    low = lower_bound(label)
    return low is not None and low >= SENIOR_AGE


def order_groups(labels: Iterable[str]) -> list[str]:
    """Seniors' bands first (``65-74``, ``75+``), then the other bands, then names, then
    ``unknown``."""
    def key(label: str) -> tuple[int, float, str]:
        low = lower_bound(label)
        if label == UNKNOWN:
            return (3, 0, label)
        if low is None:
            return (2, 0, label)
        return (0 if low >= SENIOR_AGE else 1, low, label)

    return sorted(set(labels), key=key)


def order_attributes(attributes: Iterable[str]) -> list[str]:
    """Age attributes first (``age_band``), the others in their declared order."""
    attributes = list(attributes)
    return [a for a in attributes if "age" in a] + [a for a in attributes if "age" not in a]


def resolve(available: Iterable[str], wanted: Any) -> set[str]:
    """The categories a subgroup value names.

    ``wanted`` is a category (``'65-74'``), a list of them, a string listing them
    (``'65-74, 75+'``), or an open band (``'65+'``: every band starting at 65 or
    later). Matching is exact, then case-insensitive.
    """
    available = [str(a) for a in available]
    if isinstance(wanted, str):
        items = [wanted] if wanted in available else _SPLIT.split(wanted.strip())
    else:
        items = [str(w) for w in wanted]
    chosen: set[str] = set()
    for item in items:
        open_band = re.fullmatch(r"(\d+)\s*\+", item.strip())
        if item in available:
            chosen.add(item)
        elif open_band:
            floor = int(open_band.group(1))
            chosen |= {a for a in available if (lower_bound(a) or -1) >= floor}
        else:
            chosen |= {a for a in available if a.casefold() == item.strip().casefold()}
    return chosen


def subgroup_mask(frame: pd.DataFrame, subgroup: Mapping[str, Any]) -> pd.Series:
    """Rows of ``frame`` inside ``subgroup`` (every attribute must match).

    Raises
    ------
    ValueError
        When the frame has no column for one of the subgroup's attributes.
    """
    mask = pd.Series(True, index=frame.index)
    for attribute, wanted in subgroup.items():
        if attribute not in frame.columns:
            raise ValueError(
                f"The subgroup names attribute '{attribute}', which the participants data "
                f"does not have. Got columns {sorted(map(str, frame.columns))} instead."
            )
        labels = category(frame[attribute])
        mask &= labels.isin(resolve(labels.unique(), wanted))
    return mask


# --- the analysis on a subgroup ----------------------------------------------------


def analyze_subgroup(
    values: pd.DataFrame, *, pilot: Pilot, metric: Metric, seed: int,
    subgroup: Mapping[str, Any] | None = None, mask: pd.Series | None = None,
) -> MetricResult:
    """The overall metric's analysis run on one subgroup's participants."""
    frame = with_roles(values, pilot)
    if mask is None:
        mask = subgroup_mask(frame, subgroup or {})
    return analyze_metric(
        frame[mask.to_numpy()], metric=metric.id, design=pilot.design_of(metric),
        binary=is_binary(frame, metric), better=metric.better, assignment=pilot.assignment,
        alpha=pilot.decision.alpha, seed=seed,
    )


def is_binary(values: pd.DataFrame, metric: Metric) -> bool:
    """A ``share`` metric is analysed as binary only when every participant's value is 0
    or 1 (one reading each); shares of several readings are continuous."""
    observed = values["value"].dropna()
    return metric.binary and bool(observed.isin([0.0, 1.0]).all())


def _counts(rows: pd.DataFrame, design: str, groups: Sequence[str]) -> list[list[int]]:
    """Each group's analysed testers (and control participants unless pre_post)."""
    labels, roles = rows["_group"].to_numpy(), rows[ROLE].to_numpy()
    cells = []
    for group in groups:
        mine = roles[labels == group]
        n_test = int((mine == "test").sum())
        cells.append([n_test] if design == "pre_post" else [n_test, int((mine == "control").sum())])
    return cells


def metric_equity(
    values: pd.DataFrame, *, pilot: Pilot, metric: Metric, attribute: str, seed: int,
) -> tuple[list[SubgroupEffect], InteractionTest]:
    """One metric's effects by the groups of one attribute, and the interaction test."""
    design = pilot.design_of(metric)
    frame = with_roles(values, pilot)
    table = wide(frame, [attribute])
    rows = analysed(table, design)
    rows = rows.assign(_group=category(rows[attribute]))
    groups = order_groups(rows["_group"].unique())
    cells = _counts(rows, design, groups)
    hidden = suppression(cells)
    # the participants' rows split by group once (not a boolean mask over all of them
    # for each group); the binary rule is the overall metric's
    parts = dict(tuple(frame.groupby(category(frame[attribute]).to_numpy(), sort=False)))
    binary = is_binary(frame, metric)
    effects = []
    for group, cell, reason in zip(groups, cells, hidden, strict=True):
        common: dict[str, Any] = {"metric": metric.id, "attribute": attribute, "group": group,
                  "senior": "age" in attribute and is_senior(group)}
        if reason is not None:
            effects.append(SubgroupEffect(**common, suppressed=True, suppression=reason))
            continue
        result = analyze_metric(
            parts[group], metric=metric.id, design=design, binary=binary,
            better=metric.better, assignment=pilot.assignment, alpha=pilot.decision.alpha,
            seed=seed,
        )
        effects.append(_effect(common, result, cell))
    return effects, interaction_test(rows, design=design, metric=metric.id, attribute=attribute)


def _effect(common: dict[str, Any], result: MetricResult, cell: list[int]) -> SubgroupEffect:
    basis = basis_of(result)
    base = result.baseline_mean
    pct = (100 * basis.estimate / abs(base) if basis.estimate is not None and base
           and math.isfinite(base) else None)
    return SubgroupEffect(
        **common, suppressed=False, n_test=result.n_test,
        n_control=None if len(cell) == 1 else result.n_control, basis=basis.name,
        estimate=basis.estimate, ci_low=basis.ci_low, ci_high=basis.ci_high,
        ci_level=result.conf_level, df=basis.df,
        estimate_pct=pct, p_value=result.primary_p_value, message=result.message,
    )


def adjust_for_groups(effects: Sequence[SubgroupEffect], interactions: Sequence[InteractionTest],
                      *, alpha: float) -> list[SubgroupEffect]:
    """Each shown group's interval at ``1 - alpha / G`` (Bonferroni, ``G`` = groups with an
    interval for that metric, every attribute together), whether it excludes zero
    (``significant``), and whether the interaction test says the groups differ
    (``differs``).

    The adjusted interval rescales the group's own (:func:`~livinglab.decision.criteria.
    rescaled_interval`: Student quantiles with its df, else normal).
    """
    p_values = {(t.metric, t.attribute): t.p_value for t in interactions}
    shown = [e for e in effects if _has_interval(e)]
    family: dict[str, int] = {}
    for effect in shown:
        family[effect.metric] = family.get(effect.metric, 0) + 1
    adjusted = []
    for effect in effects:
        p = p_values.get((effect.metric, effect.attribute))
        differs = None if p is None else bool(p < alpha)
        if not _has_interval(effect):
            adjusted.append(replace(effect, differs=differs))
            continue
        assert effect.estimate is not None and effect.ci_level is not None
        level = 1 - alpha / family[effect.metric]
        low, high = rescaled_interval(effect.estimate, effect.ci_low, effect.ci_high,
                                      conf_level=effect.ci_level, level=max(level,
                                                                            effect.ci_level),
                                      df=effect.df)
        adjusted.append(replace(effect, adjusted_ci_low=low, adjusted_ci_high=high,
                                adjusted_level=max(level, effect.ci_level), differs=differs,
                                significant=bool(low > 0 or high < 0)))
    return adjusted


def _has_interval(effect: SubgroupEffect) -> bool:
    return not effect.suppressed and all(
        v is not None and math.isfinite(v)
        for v in (effect.estimate, effect.ci_low, effect.ci_high, effect.ci_level))


def interaction_test(rows: pd.DataFrame, *, design: str, metric: str,
                     attribute: str) -> InteractionTest:
    """Whether the effect differs across the groups (``rows``: analysed, with ``_group``)."""
    common: dict[str, Any] = {"metric": metric, "attribute": attribute}
    if design == "pre_post":
        return _welch_changes(rows, common)
    return _ols_interaction(rows, **common)


def _welch_changes(rows: pd.DataFrame, common: dict[str, Any]) -> InteractionTest:
    """Welch's ANOVA of the testers' changes across groups (``pingouin.welch_anova``)."""
    import pingouin

    kept = rows.groupby("_group").filter(lambda g: len(g) >= 2)
    samples = [g["y"].to_numpy(float) for _, g in kept.groupby("_group")]
    if len(samples) < 2:
        return InteractionTest(**common, test=None, statistic=None, df_num=None, df_den=None,
                               p_value=None, n_groups=len(samples),
                               message="fewer than 2 groups with 2 testers or more")
    values = np.concatenate(samples)
    scale = max(float(np.max(np.abs(values))), 1.0)
    if any(np.ptp(sample) <= 1e-9 * scale for sample in samples):
        # Welch weights each group by n / s^2: a group whose changes do not vary has none
        return InteractionTest(**common, test="welch_anova_changes", statistic=None,
                               df_num=len(samples) - 1, df_den=None, p_value=None,
                               n_groups=len(samples),
                               message="a group's changes do not vary: Welch's ANOVA is "
                                       "undefined")
    table = pingouin.welch_anova(data=kept.assign(y=kept["y"].astype(float)), dv="y",
                                 between="_group")
    row = table.iloc[0]
    return InteractionTest(**common, test="welch_anova_changes", statistic=float(row["F"]),
                           df_num=float(row["ddof1"]), df_den=float(row["ddof2"]),
                           p_value=float(row["p_unc"] if "p_unc" in row else row["p-unc"]),
                           n_groups=len(samples))


def _ols_interaction(rows: pd.DataFrame, *, metric: str, attribute: str) -> InteractionTest:
    both = rows.groupby("_group")[ROLE].nunique()
    keep = rows[rows["_group"].isin(both[both == 2].index)]
    groups = sorted(keep["_group"].unique())
    common: dict[str, Any] = {"metric": metric, "attribute": attribute, "n_groups": len(groups),
              "test": "ols_interaction_f"}
    if len(groups) < 2:
        return InteractionTest(**common, statistic=None, df_num=None, df_den=None, p_value=None,
                               message="fewer than 2 groups with testers and control")
    y = keep["y"].to_numpy(float)
    treated = (keep[ROLE] == "test").to_numpy(float)
    dummies = np.column_stack([(keep["_group"] == g).to_numpy(float) for g in groups[1:]])
    reduced = np.column_stack([np.ones_like(y), treated, dummies])
    full = np.column_stack([reduced, dummies * treated[:, None]])
    rss_r, rank_r = _rss(reduced, y)
    rss_f, rank_f = _rss(full, y)
    df_num, df_den = rank_f - rank_r, len(y) - rank_f
    if df_num < 1 or df_den < 1 or rss_f <= 0:
        return InteractionTest(**common, statistic=None, df_num=float(df_num),
                               df_den=float(df_den), p_value=None,
                               message="not enough participants to test the interaction")
    f = ((rss_r - rss_f) / df_num) / (rss_f / df_den)
    return InteractionTest(**common, statistic=float(f), df_num=float(df_num),
                           df_den=float(df_den), p_value=float(sps.f.sf(f, df_num, df_den)))


def _rss(design: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    coef, _, rank, _ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    return float(residual @ residual), int(rank)


# --- surveys by subgroup ---------------------------------------------------------------


def answers_of(answers: pd.DataFrame, instrument: str, wave: str) -> pd.DataFrame:
    """The answers to one instrument in one wave (columns ``instrument``/``wave`` optional)."""
    mask = pd.Series(True, index=answers.index)
    if "instrument" in answers.columns:
        mask &= answers["instrument"].astype(str) == instrument
    if "wave" in answers.columns:
        mask &= answers["wave"].astype(str) == wave
    return answers[mask]


def stacked_answers(answers: pd.DataFrame | Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One answers frame with an ``instrument`` column, from one frame or one per instrument."""
    if isinstance(answers, pd.DataFrame):
        return answers
    frames = [frame.assign(instrument=instrument) for instrument, frame in answers.items()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=[ID, "instrument", "wave", "item", "answer"])


def plan_answers(pilot: Pilot, instrument: str, answers: pd.DataFrame,
                 people: pd.DataFrame | None) -> pd.DataFrame:
    """The answers of the plan's test cohorts (all its cohorts when none is a test one),
    as the overall survey score counts them."""
    plan = next((p for p in pilot.surveys if p.instrument == instrument), None)
    if plan is None:
        return answers
    cohorts = [c for c in plan.cohorts if pilot.cohort(c).role == "test"] or plan.cohorts
    if COHORT in answers.columns:
        return answers[answers[COHORT].isin(cohorts)]
    if people is None or COHORT not in people.columns:
        return answers
    chosen = people.loc[people[COHORT].isin(cohorts), ID].astype(str)
    return answers[answers[ID].astype(str).isin(chosen)]


def score_answers(answers: pd.DataFrame, *, instrument: Instrument, wave: str,
                  alpha: float) -> SurveyResult | None:
    """:func:`livinglab.stats.score_survey` on some respondents' answers (None when the
    instrument's scoring is not one the stats layer scores)."""
    try:
        return score_survey(
            answers_of(answers, instrument.id, wave), instrument=instrument.id,
            items=instrument.item_ids, scale_min=instrument.scale.min,
            scale_max=instrument.scale.max, scoring=instrument.scoring,
            reversed_items=instrument.reversed_items, wave=wave, alpha=alpha,
        )
    except ValueError:
        return None


def with_attribute(answers: pd.DataFrame, people: pd.DataFrame, attribute: str) -> pd.DataFrame:
    """``answers`` with the respondents' ``attribute`` (as text, ``unknown`` when missing)."""
    labels = people.drop_duplicates(ID).set_index(ID)[attribute]
    ids = answers[ID].astype(str)
    found = labels.set_axis(labels.index.astype(str)).reindex(ids).to_numpy()
    return answers.assign(_group=category(pd.Series(found, index=answers.index)))


def survey_equity(
    pilot: Pilot, *, answers: pd.DataFrame, instruments: Mapping[str, Instrument],
    people: pd.DataFrame,
) -> list[SubgroupScore]:
    """Every planned survey's score by the groups of every attribute, small ones hidden.

    Each instrument's answers in a wave are tabulated and scored once per respondent
    (:func:`livinglab.stats.surveys.scores_of`); a group's score then sums up its
    respondents' scores (:func:`~livinglab.stats.surveys.score_fields`): the numbers of
    :func:`score_answers` on the group's answers, without a table per group.
    """
    waves = []
    for plan in pilot.surveys:
        instrument = instruments.get(plan.instrument)
        for wave in plan.waves if instrument is not None else ():
            assert instrument is not None
            asked = plan_answers(pilot, plan.instrument,
                                 answers_of(answers, plan.instrument, wave), people)
            respondents = asked.drop_duplicates(ID)[[ID]]
            waves.append((instrument, wave, respondents, _scores(asked, instrument)))
    scores: list[SubgroupScore] = []
    for attribute in order_attributes(pilot.attributes):
        if attribute not in people.columns:
            continue
        for instrument, wave, respondents, per_respondent in waves:
            scores += _group_scores(with_attribute(respondents, people, attribute),
                                    per_respondent, instrument=instrument, wave=wave,
                                    attribute=attribute, alpha=pilot.decision.alpha)
    return scores


def _scores(answers: pd.DataFrame, instrument: Instrument) -> pd.Series | None:
    """Each respondent's score (None when the instrument's scoring is not one the stats
    layer scores, or its answers break the scoring's rules: then no group is scored)."""
    try:
        return scores_of(answers, items=instrument.item_ids, scale_min=instrument.scale.min,
                         scale_max=instrument.scale.max, scoring=instrument.scoring,
                         reversed_items=instrument.reversed_items)
    except ValueError:
        return None


def _group_scores(respondents: pd.DataFrame, per_respondent: pd.Series | None, *,
                  instrument: Instrument, wave: str, attribute: str,
                  alpha: float) -> list[SubgroupScore]:
    counts = respondents["_group"].value_counts()
    groups = order_groups(counts.index)
    hidden = suppression([int(counts[g]) for g in groups])
    ids = respondents[ID].astype(str).to_numpy()
    labels = respondents["_group"].to_numpy()
    rows = []
    for group, reason in zip(groups, hidden, strict=True):
        common: dict[str, Any] = {"instrument": instrument.id, "wave": wave,
                                  "attribute": attribute, "group": group,
                                  "senior": "age" in attribute and is_senior(group)}
        if reason or per_respondent is None:
            rows.append(SubgroupScore(**common, suppressed=reason is not None,
                                      suppression=reason,
                                      message=None if reason else "not scored"))
            continue
        kept = per_respondent.reindex(ids[labels == group]).dropna().to_numpy(float)
        fields = score_fields(kept, scoring=instrument.scoring, scale_min=instrument.scale.min,
                              scale_max=instrument.scale.max, alpha=alpha)
        rows.append(SubgroupScore(**common, suppressed=False, n=len(kept),
                                  score=fields["score"], ci_low=fields["ci_low"],
                                  ci_high=fields["ci_high"], message=survey_message(len(kept))))
    return rows


# --- everything ------------------------------------------------------------------------


def equity_by_subgroup(
    pilot: Pilot,
    *,
    values_by_metric: Mapping[str, pd.DataFrame],
    participants: pd.DataFrame | None = None,
    seed: int,
    metrics: Sequence[str] | None = None,
    survey_answers: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    instruments: Mapping[str, Instrument] | None = None,
) -> EquityResult:
    """Effects by subgroup for every declared attribute and every metric with values.

    Parameters
    ----------
    pilot : Pilot
    values_by_metric : mapping of metric id -> values frame
    participants : DataFrame, optional
        Supplies the attribute columns the values frames lack.
    seed : int
        Seed of the stats' bootstrap, for reproducible intervals.
    metrics : list of metric ids, optional
        Default: every declared metric with values (primary first).
    survey_answers : DataFrame or mapping instrument id -> DataFrame, optional
        ``participant_id[, cohort], instrument, wave, item, answer``: with ``instruments``,
        every planned survey is also scored by subgroup (``scores``); the attributes
        come from ``participants`` (else the values frames).

    Returns
    -------
    EquityResult
        ``effects`` (attribute by attribute, seniors first), ``interactions``,
        ``scores``.
    """
    order = {"primary": 0, "guardrail": 1, "secondary": 2}
    chosen = metrics or [m.id for m in sorted(pilot.metrics, key=lambda m: order[m.role])
                         if m.id in values_by_metric]
    effects: list[SubgroupEffect] = []
    interactions: list[InteractionTest] = []
    for attribute in order_attributes(pilot.attributes):
        for metric_id in chosen:
            values = with_attributes(values_by_metric[metric_id], participants, [attribute])
            if attribute not in values.columns or not len(values):
                continue
            found, test = metric_equity(values, pilot=pilot, metric=pilot.metric(metric_id),
                                        attribute=attribute, seed=seed)
            effects += found
            interactions.append(test)
    effects = adjust_for_groups(effects, interactions, alpha=pilot.decision.alpha)
    scores: list[SubgroupScore] = []
    if survey_answers is not None and instruments:
        people = participants_of(pilot, values_by_metric, participants)
        scores = survey_equity(pilot, answers=stacked_answers(survey_answers),
                               instruments=instruments, people=people)
    return EquityResult(effects=tuple(effects), interactions=tuple(interactions),
                        scores=tuple(scores), min_cell=min_cell())



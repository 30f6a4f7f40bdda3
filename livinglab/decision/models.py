"""Typed, immutable results of the decision layer.

Every object is a frozen dataclass with snake_case fields, a JSON-safe
``to_dict()`` (NaN becomes ``None``) and, where a table helps, a ``to_frame()``.
Reasons exist in French (``*_fr``, the default) and English (``*_en``); the
``to_dict(lang=...)`` of a reason-bearing object puts the chosen language under
``reason`` and keeps both beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from livinglab.stats.results import json_safe

Status = Literal["pass", "fail", "inconclusive"]
Verdict = Literal["go", "no_go", "extend"]

STATUSES: tuple[Status, ...] = ("pass", "fail", "inconclusive")
VERDICTS: tuple[Verdict, ...] = ("go", "no_go", "extend")


class _Record:
    """``to_dict`` / ``to_frame`` shared by the decision dataclasses."""

    def to_dict(self, lang: str = "fr") -> dict[str, Any]:
        record = json_safe(self)
        if "reason_fr" not in record:
            return record
        reason = record["reason_en" if lang == "en" else "reason_fr"]
        anchor = "status" if "status" in record else next(iter(record))
        ordered: dict[str, Any] = {}
        for key, value in record.items():
            ordered[key] = value
            if key == anchor:
                ordered["reason"] = reason
        return ordered

    def to_frame(self, lang: str = "fr") -> pd.DataFrame:
        return pd.DataFrame([self.to_dict(lang)])

    def reason(self, lang: str = "fr") -> str:
        """The reason in ``lang`` (``'fr'`` or ``'en'``)."""
        return str(getattr(self, "reason_en" if lang == "en" else "reason_fr"))


def _frame(rows: tuple[_Record, ...], lang: str) -> pd.DataFrame:
    return pd.DataFrame([row.to_dict(lang) for row in rows])


# --- criteria and verdict --------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CriterionOutcome(_Record):
    """One decision criterion, evaluated.

    Attributes
    ----------
    kind : {'metric', 'survey'}
    target : str
        The metric or instrument id.
    must : {'improve', 'not_worsen', 'reach'}
    status : {'pass', 'fail', 'inconclusive'}
    code : str
        Why, for programs: ``shown_better``, ``below_min_effect``, ``includes_zero``,
        ``short_of_min_effect``, ``worse``, ``non_inferior``, ``margin_not_excluded``,
        ``inferior``, ``above_threshold``, ``straddles_threshold``, ``below_threshold``,
        ``no_ci``, ``single_treated_unit``, ``no_result``, ``no_baseline_mean``,
        ``small_group``; ``futile`` (even the plan's maximum would very probably not
        let it pass: failed on the data at hand) and ``final_look`` (a sequential
        plan's maximum is analysed and it is still open: failed).
    reason_fr, reason_en : str
        The same reason for people, numbers included.
    role : str or None
        The metric's role (``primary``, ``secondary``, ``guardrail``); None for surveys.
    subgroup : dict or None
        ``{attribute: category or [categories]}`` when the criterion targets a subgroup.
    wave : str or None
        Survey wave (surveys only).
    basis : str or None
        Which estimate was judged (the stats result's ``criterion_basis``, e.g.
        ANCOVA for a randomised did, change scores for volunteers).
    estimate, ci_low, ci_high : float or None
        The judged estimate and its confidence interval, in the metric's unit (a
        survey's score for surveys). None when suppressed.
    ci_level : float or None
        Level of that interval: ``1 - alpha`` for every rule (each bound a one-sided
        test at ``alpha / 2``), or the repeated interval's under a sequential plan.
    estimate_pct, ci_low_pct, ci_high_pct : float or None
        The same in percent of the baseline mean (when it is known and non-zero).
    threshold : float or None
        What the estimate is held against, in the metric's unit: the smallest
        worthwhile effect (``improve``), the margin (``not_worsen``), the threshold
        (``reach``). Always a positive size for metrics; its direction is ``better``.
    threshold_pct : float or None
        The same in percent of the baseline mean, when declared relative.
    better : {'higher', 'lower'} or None
    n_test, n_control : int or None
        Participants behind the result (survey: ``n_test`` = respondents).
    """

    kind: Literal["metric", "survey"]
    target: str
    must: str
    status: Status
    code: str
    reason_fr: str
    reason_en: str
    role: str | None = None
    subgroup: Mapping[str, Any] | None = None
    wave: str | None = None
    basis: str | None = None
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    estimate_pct: float | None = None
    ci_low_pct: float | None = None
    ci_high_pct: float | None = None
    threshold: float | None = None
    threshold_pct: float | None = None
    better: str | None = None
    n_test: int | None = None
    n_control: int | None = None


@dataclass(frozen=True, kw_only=True)
class ExtendItem(_Record):
    """How many more participants one inconclusive criterion needs.

    Attributes
    ----------
    target, must : str
    subgroup : dict or None
    design : str or None
    effect : float or None
        The effect the extension should be able to show, in the metric's unit
        (the smallest worthwhile effect, the margin, or the survey score's
        distance to its threshold).
    sd : float or None
        The observed SD the calculation uses.
    n_needed : int or None
        Participants per cohort (testers for pre_post, respondents for surveys) at
        which the rule settles the question with the pilot's power (see
        :func:`livinglab.decision.futility.size_item`); never above ``maximum``.
    n_test, n_control : int
        Participants already analysed.
    additional_test, additional_control : int or None
        ``n_needed - n`` per cohort (a larger cohort keeps its size).
    needs : {'participants', 'time'} or None
        What is missing: more participants, or only time (more readings from the
        participants already there: the cohorts are large enough).
    maximum, maximum_control : int or None
        The plan's maximum per cohort (declared sequential plan, else ten times now).
    go_at_min_effect, no_go_at_zero, go_at_double : float or None
        ``improve``: P(go | true effect = the smallest worthwhile effect), P(no_go | no
        effect), P(go | twice it) at ``n_needed``. The first is at most 1/2 whatever the
        size: the estimate itself must reach the smallest worthwhile effect.
    settle_probability : float or None
        ``reach``: predictive chance that ``n_needed`` respondents settle whether the
        score reaches the threshold (either way).
    pass_probability : float or None
        Chance the criterion passes at ``n_needed`` (conditional power under the
        smallest worthwhile effect, or no worsening; predictive for ``reach``).
    capped : bool
        Even ``maximum`` does not settle the question with the pilot's power:
        ``n_needed`` is the maximum and the probabilities say what it gives.
    message : str or None
        Why it cannot be computed (no SD, a single treated unit, ...).
    """

    target: str
    must: str
    subgroup: Mapping[str, Any] | None = None
    design: str | None = None
    effect: float | None = None
    sd: float | None = None
    n_needed: int | None = None
    n_test: int = 0
    n_control: int = 0
    additional_test: int | None = None
    additional_control: int | None = None
    needs: str | None = None
    maximum: int | None = None
    maximum_control: int | None = None
    go_at_min_effect: float | None = None
    no_go_at_zero: float | None = None
    go_at_double: float | None = None
    settle_probability: float | None = None
    pass_probability: float | None = None
    capped: bool = False
    message: str | None = None


@dataclass(frozen=True, kw_only=True)
class ExtendPlan(_Record):
    """What an ``extend`` verdict asks for.

    Attributes
    ----------
    power, alpha : float
        The pilot's power and alpha the numbers are computed for.
    additional_per_cohort : int or None
        The largest ``additional_*`` over the inconclusive criteria: recruit this
        many more participants in each cohort (None when no item could be computed,
        or when only time is missing).
    needs : {'participants', 'time'} or None
        What the extension must bring: participants, or only time (readings).
    items : tuple of ExtendItem
        One per inconclusive criterion.
    reason_fr, reason_en : str
    """

    power: float
    alpha: float
    additional_per_cohort: int | None
    items: tuple[ExtendItem, ...]
    reason_fr: str
    reason_en: str
    needs: str | None = None

    def to_frame(self, lang: str = "fr") -> pd.DataFrame:
        return _frame(self.items, lang)


@dataclass(frozen=True, kw_only=True)
class Caveat(_Record):
    """Something a reader of the verdict must know.

    ``code`` is ``seasonal_before_after``, ``differential_attrition``,
    ``high_attrition``, ``unbalanced_baseline``, ``volunteer_two_group``,
    ``single_treated_unit``, ``city_wide_change`` (a before/after comparison
    cannot separate the service from a change that hit the whole city) or
    ``pre_trend`` (the placebo check found a trend inside the baseline),
    ``estimates_disagree`` (a did's ANCOVA and change score differ beyond their
    uncertainty);
    ``metric`` names the metric concerned, if one.
    """

    code: str
    reason_fr: str
    reason_en: str
    metric: str | None = None


# --- checks on the pilot ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CohortCheck(_Record):
    """One cohort's recruitment and drop-out.

    Attributes
    ----------
    cohort, role : str
    target_size : int or None
    n_enrolled : int
        Participants known for the cohort (participants frame, else the values).
    n_baseline, n_intervention : int
        Participants with at least one value in that period (any metric).
    n_dropped : int
        Participants with baseline values but no intervention value.
    dropout_rate : float or None
        ``n_dropped / n_baseline``.
    short_of_target : bool or None
        ``n_enrolled < target_size`` (None without a target).
    """

    cohort: str
    role: str
    target_size: int | None
    n_enrolled: int
    n_baseline: int
    n_intervention: int
    n_dropped: int
    dropout_rate: float | None
    short_of_target: bool | None


@dataclass(frozen=True, kw_only=True)
class BalanceRow(_Record):
    """Testers vs control at baseline on one metric or one attribute category.

    ``smd`` is the standardized mean difference ``(m_t - m_c) / sqrt((s_t² + s_c²)/2)``
    (a category's shares for attributes). ``unbalanced`` is ``|smd| > 0.1``. An
    attribute category with fewer than 5 people in a cohort is ``suppressed``: its
    shares and SMD are not shown.
    """

    kind: Literal["metric", "attribute"]
    variable: str
    category: str | None
    test_value: float | None
    control_value: float | None
    smd: float | None
    unbalanced: bool | None
    suppressed: bool = False


@dataclass(frozen=True, kw_only=True)
class PlaceboCheck(_Record):
    """A metric's comparison run inside the baseline (early vs late weeks).

    The true effect there is 0: ``trend`` is True when the placebo estimate's
    ``conf_level`` CI excludes 0, i.e. the design would have credited a
    pre-existing trend to the service. ``basis`` is the estimate used (as the
    metric's own criterion basis); ``message`` says why there is no test.
    """

    metric: str
    design: str
    weeks: int
    basis: str | None = None
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    trend: bool | None = None
    message: str | None = None


@dataclass(frozen=True, kw_only=True)
class PilotChecks(_Record):
    """Checks on the pilot itself: recruitment, drop-out, baseline balance, pre-trends."""

    cohorts: tuple[CohortCheck, ...]
    balance: tuple[BalanceRow, ...]
    dropout_test: float | None = None
    dropout_control: float | None = None
    differential_attrition: bool | None = None
    placebo: tuple[PlaceboCheck, ...] = ()

    def to_frame(self, lang: str = "fr") -> pd.DataFrame:
        return _frame(self.cohorts, lang)

    def balance_frame(self, lang: str = "fr") -> pd.DataFrame:
        return _frame(self.balance, lang)


# --- equity ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SubgroupEffect(_Record):
    """A metric's effect in one subgroup (one category of one attribute).

    A group with fewer than 5 people in a cohort is never shown: ``suppressed`` is
    True and every number is None; ``suppression`` says whether it was small
    (``'small_group'``) or hidden so that a small one cannot be derived from the
    totals (``'complementary'``).

    ``ci_low`` / ``ci_high`` are the group's own ``ci_level`` interval (``df`` its degrees
    of freedom, None for a normal one); ``adjusted_ci_low`` / ``adjusted_ci_high`` the
    same at ``adjusted_level = 1 - alpha / G`` (Bonferroni over the ``G`` groups shown for
    the metric); ``significant`` is True when that adjusted interval excludes zero;
    ``differs`` is True when the attribute's interaction test is significant: only then
    may a group's effect be called different from the others'.
    """

    metric: str
    attribute: str
    group: str
    senior: bool
    suppressed: bool
    suppression: str | None = None
    n_test: int | None = None
    n_control: int | None = None
    basis: str | None = None
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    estimate_pct: float | None = None
    p_value: float | None = None
    ci_level: float | None = None
    df: float | None = None
    adjusted_ci_low: float | None = None
    adjusted_ci_high: float | None = None
    adjusted_level: float | None = None
    significant: bool | None = None
    differs: bool | None = None
    message: str | None = None


@dataclass(frozen=True, kw_only=True)
class SubgroupScore(_Record):
    """A survey's score in one subgroup (same suppression rule as :class:`SubgroupEffect`:
    ``n`` counts the group's respondents)."""

    instrument: str
    wave: str
    attribute: str
    group: str
    senior: bool
    suppressed: bool
    suppression: str | None = None
    n: int | None = None
    score: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    message: str | None = None


@dataclass(frozen=True, kw_only=True)
class InteractionTest(_Record):
    """Does the effect differ across an attribute's groups?

    ``test`` is ``'ols_interaction_f'`` (change score, or after value for
    two_group, on cohort × group: F-test of the interaction terms) or
    ``'welch_anova_changes'`` (pre_post: Welch's one-way ANOVA of the testers' changes
    across groups; ``df_den`` is Welch's fractional one). Computed on every
    participant, suppressed groups included: a p-value reveals no cell.
    """

    metric: str
    attribute: str
    test: str | None
    statistic: float | None
    df_num: float | None
    df_den: float | None
    p_value: float | None
    n_groups: int
    message: str | None = None


@dataclass(frozen=True, kw_only=True)
class EquityResult(_Record):
    """Effects by subgroup (seniors first), the tests of their differences, and the
    surveys' scores by subgroup."""

    effects: tuple[SubgroupEffect, ...]
    interactions: tuple[InteractionTest, ...]
    scores: tuple[SubgroupScore, ...] = ()
    min_cell: int = 5

    def to_frame(self, lang: str = "fr") -> pd.DataFrame:
        return _frame(self.effects, lang)

    def scores_frame(self, lang: str = "fr") -> pd.DataFrame:
        return _frame(self.scores, lang)

    def interactions_frame(self, lang: str = "fr") -> pd.DataFrame:
        return _frame(self.interactions, lang)


# --- representativeness ----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MarginComparison(_Record):
    """The test cohort's share of one census category vs the population's.

    ``std_difference`` is ``(p_s - p_p) / sqrt((p_s(1-p_s) + p_p(1-p_p)) / 2)``.
    Categories with fewer than 5 testers are suppressed (count, share and
    difference hidden), with complementary suppression inside the attribute.
    """

    attribute: str
    category: str
    population_share: float
    n: int | None
    sample_share: float | None
    std_difference: float | None
    suppressed: bool = False


@dataclass(frozen=True, kw_only=True)
class AttributeFit(_Record):
    """Chi-square goodness of fit of the test cohort to one attribute's margins.

    ``n_unmatched`` counts testers whose category the census margins do not list
    (or who have none); they are left out of the test and of the raking. When they
    are 1 to 4, ``n`` and ``n_unmatched`` are hidden (None): a small cell.
    """

    attribute: str
    chi2: float | None
    df: int | None
    p_value: float | None
    n: int | None
    n_unmatched: int | None
    message: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReweightedEstimate(_Record):
    """A metric's effect raw and raked to the census margins.

    ``estimate`` is the design's difference computed on per-participant values
    (pre_post: testers' mean change; two_group: mean after, test - control; did:
    mean change, test - control), unweighted. ``reweighted`` uses the raking
    weights of each cohort, with a normal CI from the weighted variances.
    ``n_eff_test`` / ``n_eff_control`` are Kish's effective sizes.
    """

    metric: str
    design: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    reweighted: float | None
    reweighted_ci_low: float | None
    reweighted_ci_high: float | None
    n_test: int
    n_control: int
    n_eff_test: float | None
    n_eff_control: float | None
    message: str | None = None


@dataclass(frozen=True, kw_only=True)
class Representativeness(_Record):
    """The test cohort compared with the city's population, and raked to it.

    Attributes
    ----------
    population_size : int
    source : str or None
        Where the census margins come from.
    categories : tuple of MarginComparison
    fits : tuple of AttributeFit
    n : int
        Testers raked.
    n_eff : float or None
        Kish's effective sample size of the testers' raking weights,
        ``(Σw)² / Σw²``.
    design_effect : float or None
        ``n / n_eff``.
    max_weight : float or None
        Largest weight (weights are scaled to mean 1).
    converged : bool
    iterations : int
    estimates : tuple of ReweightedEstimate
    raked_on : tuple of str
        The attributes the weights match (all the margins, unless the testers cannot
        match them all at once; then the message says which were left out).
    message : str or None
    """

    population_size: int
    source: str | None
    categories: tuple[MarginComparison, ...]
    fits: tuple[AttributeFit, ...]
    n: int
    n_eff: float | None
    design_effect: float | None
    max_weight: float | None
    converged: bool
    iterations: int
    estimates: tuple[ReweightedEstimate, ...] = ()
    raked_on: tuple[str, ...] = ()
    message: str | None = None

    def to_frame(self, lang: str = "fr") -> pd.DataFrame:
        return _frame(self.categories, lang)

    def fits_frame(self, lang: str = "fr") -> pd.DataFrame:
        return _frame(self.fits, lang)

    def estimates_frame(self, lang: str = "fr") -> pd.DataFrame:
        return _frame(self.estimates, lang)


# --- projection ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ProjectionResult(_Record):
    """The pilot's effect scaled to the city for a year.

    Attributes
    ----------
    metric, unit : str
    per : {'day', 'week', 'year'}
        The metric's time unit; ``periods_per_year`` is 365, 52 or 1.
    basis : str or None
        Which estimate was scaled (as for the criteria).
    effect, effect_ci_low, effect_ci_high : float or None
        Per participant and per ``per``, in the metric's unit (signed).
    population_size : int
        Eligible population.
    adoption : float
        Expected share of it adopting the service.
    adopters : float
        ``population_size * adoption``.
    yearly, yearly_ci_low, yearly_ci_high : float or None
        ``effect * adopters * periods_per_year``, in the metric's unit per year
        (signed: negative is a decrease).
    emission_factor : float or None
        kg CO2e per unit of the metric.
    emission_factor_source : str or None
    tonnes_co2e, tonnes_co2e_ci_low, tonnes_co2e_ci_high : float or None
        ``yearly * emission_factor / 1000`` (signed: negative is a saving).
    reweighted_yearly : float or None
        The same with the estimate raked to the census margins, when computed.
    reason_fr, reason_en : str
    unit_en : str or None
        The unit for English readers, when the pilot gives one.
    """

    metric: str
    unit: str
    per: str
    periods_per_year: int
    basis: str | None
    effect: float | None
    effect_ci_low: float | None
    effect_ci_high: float | None
    population_size: int
    adoption: float
    adopters: float
    yearly: float | None
    yearly_ci_low: float | None
    yearly_ci_high: float | None
    emission_factor: float | None
    emission_factor_source: str | None
    tonnes_co2e: float | None
    tonnes_co2e_ci_low: float | None
    tonnes_co2e_ci_high: float | None
    reason_fr: str
    reason_en: str
    reweighted_yearly: float | None = None
    unit_en: str | None = None

    def unit_in(self, lang: str = "fr") -> str:
        """The metric's unit for a reader of ``lang``."""
        return (self.unit_en if lang == "en" else None) or self.unit


# --- the decision ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PilotDecision(_Record):
    """Everything a decision-maker needs about one pilot, in one object.

    Attributes
    ----------
    pilot : str
    verdict : {'go', 'no_go', 'extend'}
    verdict_reason_fr, verdict_reason_en : str
    evidence_level : {2, 3, 5}
        Maryland Scientific Methods Scale of the weakest design behind the criteria.
    evidence_label_fr, evidence_label_en : str
    caveats : tuple of Caveat
    criteria : tuple of CriterionOutcome
        In the pilot's declared order.
    extend_plan : ExtendPlan or None
        Only for ``extend``.
    checks : PilotChecks or None
        Needs the values frames.
    equity : EquityResult or None
        Needs the values frames and declared attributes.
    representativeness : Representativeness or None
        Needs the pilot's ``population`` and the participants frame.
    projection : ProjectionResult or None
        Needs the pilot's ``projection`` and a result for its metric.
    lang : str
        Default language of ``to_dict`` and ``to_text``.
    """

    pilot: str
    verdict: Verdict
    verdict_reason_fr: str
    verdict_reason_en: str
    evidence_level: int
    evidence_label_fr: str
    evidence_label_en: str
    caveats: tuple[Caveat, ...] = ()
    criteria: tuple[CriterionOutcome, ...] = ()
    extend_plan: ExtendPlan | None = None
    checks: PilotChecks | None = None
    equity: EquityResult | None = None
    representativeness: Representativeness | None = None
    projection: ProjectionResult | None = None
    lang: str = field(default="fr", compare=False)

    def evidence_label(self, lang: str | None = None) -> str:
        return self.evidence_label_en if (lang or self.lang) == "en" else self.evidence_label_fr

    def verdict_reason(self, lang: str | None = None) -> str:
        return self.verdict_reason_en if (lang or self.lang) == "en" else self.verdict_reason_fr

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The decision as JSON-safe data (``reason`` fields in ``lang``, default French).

        Shape::

            {"pilot", "verdict", "verdict_reason", "evidence_level", "evidence_label",
             "caveats": [{code, metric, reason, reason_en, reason_fr}],
             "criteria": [{kind, target, must, status, reason, reason_en, reason_fr,
                           code, role, subgroup, wave, basis, estimate, ci_low, ci_high,
                           ci_level, ..., threshold, n_test, n_control}],
             "extend": {...} | None, "checks": {...} | None, "equity": {...} | None,
             "representativeness": {...} | None, "projection": {...} | None}
        """
        lang = lang or self.lang

        def section(part: _Record | None) -> dict[str, Any] | None:
            return None if part is None else _nested(part, lang)

        return {
            "pilot": self.pilot,
            "verdict": self.verdict,
            "verdict_reason": self.verdict_reason(lang),
            "verdict_reason_fr": self.verdict_reason_fr,
            "verdict_reason_en": self.verdict_reason_en,
            "evidence_level": self.evidence_level,
            "evidence_label": self.evidence_label(lang),
            "evidence_label_fr": self.evidence_label_fr,
            "evidence_label_en": self.evidence_label_en,
            "caveats": [c.to_dict(lang) for c in self.caveats],
            "criteria": [c.to_dict(lang) for c in self.criteria],
            "extend": section(self.extend_plan),
            "checks": section(self.checks),
            "equity": section(self.equity),
            "representativeness": section(self.representativeness),
            "projection": section(self.projection),
        }

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """One row per criterion: target, must, status, reason."""
        lang = lang or self.lang
        columns = ["kind", "target", "must", "status", "reason", "estimate", "ci_low",
                   "ci_high", "threshold", "basis"]
        frame = _frame(self.criteria, lang)
        return frame[columns] if len(frame) else pd.DataFrame(columns=columns)

    def to_text(self, lang: str | None = None) -> str:
        """A plain-text summary: verdict, evidence, criteria, caveats."""
        lang = lang or self.lang
        lines = [f"{self.pilot}: {self.verdict} — {self.verdict_reason(lang)}",
                 f"{self.evidence_label(lang)}"]
        lines += [f"  [{c.status}] {c.reason(lang)}" for c in self.criteria]
        lines += [f"  ! {c.reason(lang)}" for c in self.caveats]
        if self.projection is not None:
            lines.append(f"  {self.projection.reason(lang)}")
        return "\n".join(lines)


def _nested(part: _Record, lang: str) -> dict[str, Any]:
    """A section with every nested reason resolved to ``lang``."""
    record = part.to_dict(lang)
    for name, value in vars(part).items():
        if isinstance(value, tuple) and value and isinstance(value[0], _Record):
            record[name] = [item.to_dict(lang) for item in value]
    return record

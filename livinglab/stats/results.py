"""Typed, immutable results of the stats layer.

Every result is a frozen dataclass with snake_case fields, a ``to_dict()`` that
is JSON-safe (NaN and infinities become ``None``, numpy scalars become Python
numbers) and a ``to_frame()`` for display (one row per result, nested results
flattened with a prefix). The app, the CLI (``--json``) and the exported
dossier all render these same objects.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


def json_safe(value: Any) -> Any:
    """Convert ``value`` to plain JSON types: NaN/inf -> None, numpy -> Python.

    Nested dataclasses become dicts, tuples and lists become lists.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: json_safe(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    return value


class _Result:
    """Shared ``to_dict`` / ``to_frame`` for the result dataclasses."""

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-safe dict (NaN -> None)."""
        return json_safe(self)

    def to_frame(self) -> pd.DataFrame:
        """Return a one-row DataFrame for display (nested results flattened)."""
        return pd.DataFrame([_flatten(self.to_dict())])


def _flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, prefix=f"{name}_"))
        elif isinstance(value, list):
            flat[name] = _describe_list(value)
        else:
            flat[name] = value
    return flat


def _describe_list(items: list[Any]) -> str | None:
    if not items:
        return None
    if all(isinstance(item, Mapping) and "reason" in item for item in items):
        return "; ".join(
            f"{item['count']} {item['cohort_role']}: {item['reason']}" for item in items
        )
    if all(isinstance(item, Mapping) and "period" in item for item in items):
        return "; ".join(
            f"{item['cohort_role']} {item['period']}: n={item['n']}, mean={_short(item['mean'])}"
            for item in items
        )
    return "; ".join(str(item) for item in items)


def _short(value: float | None) -> str:
    return "NA" if value is None else f"{value:.4g}"


def results_frame(results: Iterable[_Result]) -> pd.DataFrame:
    """Stack the ``to_frame()`` rows of several results into one DataFrame."""
    frames = [result.to_frame() for result in results]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


@dataclass(frozen=True, kw_only=True)
class TestResult(_Result):
    """One hypothesis test with its own estimate, CI and effect size.

    Attributes
    ----------
    test : str
        Name of the test, e.g. ``'paired_t'``, ``'wilcoxon_signed_rank'``.
    statistic : float or None
        The test statistic (t, V, W, chi-square, z; see ``test``).
    df : float or None
        Degrees of freedom where the reference distribution has them.
    p_value : float or None
        Two-sided p-value.
    estimate : float or None
        The test's own location estimate (mean difference, Hodges-Lehmann
        shift, risk difference or odds ratio; see ``estimate_name``).
    estimate_name : str or None
        What ``estimate`` is.
    ci_low, ci_high : float or None
        The test's own confidence interval for ``estimate``.
    effect_size : float or None
        Standardised effect size (see ``effect_size_name``).
    effect_size_name : str or None
        E.g. ``'hedges_g_z'``, ``'rank_biserial'``, ``'cohen_h'``.
    method : str or None
        How p and CI were obtained (exact, normal approximation, ...).
    """

    __test__ = False  # not a pytest test class

    test: str
    statistic: float | None = None
    df: float | None = None
    p_value: float | None = None
    estimate: float | None = None
    estimate_name: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    effect_size: float | None = None
    effect_size_name: str | None = None
    method: str | None = None


@dataclass(frozen=True, kw_only=True)
class Exclusion(_Result):
    """Participants left out of an analysis, counted by cohort and reason."""

    cohort_role: str
    reason: str
    count: int


@dataclass(frozen=True, kw_only=True)
class GroupSummary(_Result):
    """Mean and SD of one cohort in one period (or of its change scores).

    ``period`` is ``'baseline'``, ``'intervention'`` or ``'change'``
    (intervention minus baseline, per participant).
    """

    cohort_role: str
    period: str
    n: int
    mean: float | None
    sd: float | None


@dataclass(frozen=True, kw_only=True)
class MetricResult(_Result):
    """The comparison of one usage metric under one design.

    The JSON contract fields (``metric`` ... ``n_control``) always mean the
    design's own difference: pre_post = mean(after - before) of testers;
    two_group = mean(test) - mean(control) in the intervention period;
    did = mean change of testers - mean change of control (change scores).

    Attributes
    ----------
    metric, design : str
        Metric id and ``'pre_post' | 'two_group' | 'did'``.
    test, test_reason : str or None
        The test behind ``p_value`` and ``ci_low``/``ci_high`` (one method for
        both) and what it estimates.
    estimate, ci_low, ci_high : float or None
        Difference in the metric's unit (a risk difference for binary
        metrics) and its ``conf_level`` confidence interval.
    ci_method : str or None
        ``'t'`` (every continuous headline), ``'newcombe_hybrid_score'``,
        ``'newcombe_paired'`` or ``'wald'``; other helpers' designs may add
        their own (see the design's docstring).
    statistic, df, p_value : float or None
        Of the headline test (two-sided).
    effect_size, effect_size_name, effect_size_ci_low, effect_size_ci_high
        Standardised effect and its CI (``effect_size_ci_method`` says how):
        Hedges' g_z (pre_post), g (two_group), g of the change scores (did),
        always of the mean difference, whatever test gives the p-value;
        Cohen's h for binary two_group / pre_post.
    cohen_d : float or None
        The same standardised difference without Hedges' correction
        (d_z, d): the ``effect`` to give :func:`power_analysis`.
    n_test, n_control : int
        Participants analysed per cohort (pre_post: pairs of testers, 0 control).
    baseline_mean : float or None
        The reference level for percentages: testers' baseline mean (pre_post,
        did) or the control mean in the intervention period (two_group).
    estimate_pct, ci_pct_low, ci_pct_high : float or None
        ``100 * estimate / baseline_mean``. pre_post and two_group: Fieller's
        CI of the ratio, which counts the baseline mean's own uncertainty and
        its covariance with the estimate (None when the baseline mean is not
        significantly different from 0: the ratio is then unbounded); it
        excludes 0 exactly when the headline t-test rejects.
    sensitivity : TestResult or None
        A sensitivity check, never the headline: for a continuous metric the
        rank test (Wilcoxon signed-rank / Mann-Whitney U) with its own
        Hodges-Lehmann estimate and CI, a different estimand from the mean
        difference; for a binary metric the other test of the same risk
        difference (exact vs approximate).
    sd_test, sd_control : float or None
        SD of the compared quantity per cohort (pre_post: of the testers'
        differences; two_group: of the values; did: of the change scores).
    sd_pooled : float or None
        The SD that standardises the effect and feeds power calculations.
    criterion_basis, basis_reason : str or None
        Which estimate a decision criterion should use and why.
    primary_estimate, primary_ci_low, primary_ci_high, primary_p_value
        The numbers of ``criterion_basis`` (equal to the contract fields
        except for a randomised did, where ANCOVA is preferred).
    ancova_estimate, ancova_ci_low, ancova_ci_high, ancova_p_value,
    ancova_residual_sd : float or None
        did only: Lin's (2013) interacted ANCOVA ``after ~ cohort + centred
        before + cohort x centred before`` with HC2 errors and a t CI
        (``ancova_method`` says when the common-slope model was used instead).
    bracket_basis, bracket_estimate, bracket_ci_low, bracket_ci_high,
    bracket_p_value : str or float or None
        did only: the estimate the design does NOT support (change score for a
        randomised pilot, ANCOVA for volunteers), shown beside the primary one
        as the other end of a bracket (Angrist & Pischke 2009, 5.4).
    estimates_difference, estimates_difference_se,
    estimates_difference_p_value : float or None
        did only: ANCOVA minus change-score estimate with its joint HC2
        standard error (Hausman-type test, see
        :func:`livinglab.stats.ancova.compare_estimators`).
    estimates_disagree : bool or None
        ``estimates_difference_p_value < alpha``: the two estimates differ
        beyond their uncertainty, so the verdict rests on the design's
        assumption (parallel trends or selection on the baseline).
    cluster_unit, n_clusters_test, n_clusters_control : str or int or None
        When the pilot declares an ``assignment_unit``: its name and the units
        per cohort; ``test``, ``p_value`` and the CIs are then clustered
        (see :mod:`livinglab.stats.clusters`).
    summaries : tuple of GroupSummary
        Means and SDs per cohort and period of the analysed participants.
    excluded : tuple of Exclusion
        Who was left out and why.
    n_zero_filled : int
        Analysed values that are a 0 for a period without readings (``count``,
        ``sum``, ``rate_per_day`` metrics: an enrolled participant who has not
        left made no event); they are part of ``n_test`` / ``n_control``.
    message : str or None
        Why inferential fields are None (thin or degenerate data).
    notes : tuple of str
        Secondary remarks (e.g. ANCOVA not estimable, HL skipped).
    p_value_adjusted, adjustment : float or str or None
        Set by :func:`livinglab.stats.with_adjusted` (multiplicity).
    """

    metric: str
    design: str
    test: str | None = None
    test_reason: str | None = None
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    effect_size: float | None = None
    effect_size_name: str | None = None
    effect_size_ci_low: float | None = None
    effect_size_ci_high: float | None = None
    n_test: int = 0
    n_control: int = 0
    statistic: float | None = None
    df: float | None = None
    ci_method: str | None = None
    effect_size_ci_method: str | None = None
    cohen_d: float | None = None
    conf_level: float = 0.95
    binary: bool = False
    better: str = "higher"
    baseline_mean: float | None = None
    estimate_pct: float | None = None
    ci_pct_low: float | None = None
    ci_pct_high: float | None = None
    sensitivity: TestResult | None = None
    sd_test: float | None = None
    sd_control: float | None = None
    sd_pooled: float | None = None
    assignment: str | None = None
    criterion_basis: str | None = None
    basis_reason: str | None = None
    primary_estimate: float | None = None
    primary_ci_low: float | None = None
    primary_ci_high: float | None = None
    primary_p_value: float | None = None
    ancova_estimate: float | None = None
    ancova_ci_low: float | None = None
    ancova_ci_high: float | None = None
    ancova_p_value: float | None = None
    ancova_residual_sd: float | None = None
    ancova_method: str | None = None
    bracket_basis: str | None = None
    bracket_estimate: float | None = None
    bracket_ci_low: float | None = None
    bracket_ci_high: float | None = None
    bracket_p_value: float | None = None
    estimates_difference: float | None = None
    estimates_difference_se: float | None = None
    estimates_difference_p_value: float | None = None
    estimates_disagree: bool | None = None
    cluster_unit: str | None = None
    n_clusters_test: int | None = None
    n_clusters_control: int | None = None
    summaries: tuple[GroupSummary, ...] = ()
    excluded: tuple[Exclusion, ...] = ()
    n_zero_filled: int = 0
    message: str | None = None
    notes: tuple[str, ...] = ()
    p_value_adjusted: float | None = None
    adjustment: str | None = None
    withheld: bool = False
    """True when the result rested on fewer people than the small-cell threshold: every
    estimate and count is removed (:mod:`livinglab.decision.disclosure`)."""

    def contract_dict(self) -> dict[str, Any]:
        """Return only the ``metrics[]`` fields of the ``evaluate --json`` contract."""
        keys = (
            "metric",
            "design",
            "test",
            "estimate",
            "ci_low",
            "ci_high",
            "p_value",
            "effect_size",
            "n_test",
            "n_control",
        )
        full = self.to_dict()
        return {key: full[key] for key in keys}

    def summaries_frame(self) -> pd.DataFrame:
        """Return the per-cohort, per-period means and SDs as a DataFrame."""
        return pd.DataFrame([summary.to_dict() for summary in self.summaries])


@dataclass(frozen=True, kw_only=True)
class PowerResult(_Result):
    """A power calculation with the quantity that was solved for.

    Attributes
    ----------
    design : str
        ``'paired' | 'two_sample' | 'did' | 'two_proportions'``.
    solved_for : str
        ``'n' | 'effect' | 'power'``.
    n : float
        Pairs (paired) or participants per group (others); fractional.
    n_ceiling : int
        ``ceil(n)``: the number to recruit.
    effect : float
        Standardised effect: Cohen's d (d_z for paired, d of change scores for
        did) or Cohen's h for two proportions.
    effect_name : str
    power : float
        Probability of a significant two-sided result.
    alpha : float
    effect_units : float or None
        The same effect in the metric's unit (``effect * sd``) or, for two proportions
        around a ``baseline``, in proportion points; None when unknown.
    baseline : float or None
        The baseline mean or proportion the plan was made around.
    """

    design: str
    solved_for: str
    n: float
    n_ceiling: int
    effect: float
    effect_name: str
    power: float
    alpha: float
    effect_units: float | None = None
    baseline: float | None = None


@dataclass(frozen=True, kw_only=True)
class SampleSizeGap(_Result):
    """How many more participants would make an inconclusive pilot conclusive.

    Attributes
    ----------
    design : str
    smallest_effect : float
        Smallest worthwhile effect in the metric's unit (absolute).
    standardized_effect : float or None
        ``smallest_effect / sd`` (or Cohen's h for proportions).
    power, alpha : float
    n_needed : int or None
        Participants per cohort (pairs for paired) for ``power``.
    n_test, n_control : int
        Participants already analysed.
    additional_test, additional_control : int or None
        ``max(0, n_needed - n_current)`` per cohort.
    additional_total : int or None
    message : str or None
        Why it cannot be computed (e.g. no SD observed).
    """

    design: str
    smallest_effect: float
    standardized_effect: float | None
    power: float
    alpha: float
    n_needed: int | None
    n_test: int
    n_control: int
    additional_test: int | None
    additional_control: int | None
    additional_total: int | None
    message: str | None = None


@dataclass(frozen=True, kw_only=True)
class EquivalenceResult(_Result):
    """A non-inferiority or TOST equivalence test (guardrails).

    Attributes
    ----------
    metric, design, kind : str
        ``kind`` is ``'non_inferiority'`` or ``'equivalence'``.
    test : str or None
        ``'paired_t'``, ``'welch_t'`` or ``'wald_z'`` (binary).
    low, high : float or None
        Bounds in the metric's unit; a non-inferiority test has one of them.
    estimate : float or None
        The difference (same definition as :class:`MetricResult`).
    statistic, df, p_value : float or None
        ``statistic`` is the t (or z) of the one-sided test that decides; for
        TOST ``p_value = max(p_lower, p_upper)``.
    t_lower, p_lower : float or None
        Test of H0: difference <= low (upper-tail p).
    t_upper, p_upper : float or None
        Test of H0: difference >= high (lower-tail p).
    ci_low, ci_high : float or None
        The ``1 - 2 * alpha`` confidence interval.
    conf_level : float
    shown : bool
        Whether non-inferiority / equivalence is shown at ``alpha``.
    n_test, n_control : int
    message : str or None
    """

    metric: str
    design: str
    kind: str
    test: str | None = None
    low: float | None = None
    high: float | None = None
    estimate: float | None = None
    statistic: float | None = None
    df: float | None = None
    p_value: float | None = None
    t_lower: float | None = None
    p_lower: float | None = None
    t_upper: float | None = None
    p_upper: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    conf_level: float = 0.90
    alpha: float = 0.05
    shown: bool = False
    better: str = "higher"
    n_test: int = 0
    n_control: int = 0
    message: str | None = None


@dataclass(frozen=True, kw_only=True)
class SurveyResult(_Result):
    """The score of one instrument in one wave.

    Attributes
    ----------
    instrument, wave, scoring : str
        ``scoring`` is ``'sus' | 'umux_lite' | 'nps' | 'mean'``.
    score : float or None
        Mean SUS / UMUX-LITE (0-100), NPS (-100..100) or composite mean.
    ci_low, ci_high : float or None
        t CI of the mean score; adjusted-Wald CI for NPS (Rocks 2016).
    n : int
        Respondents scored.
    sd : float or None
        SD of the per-respondent scores.
    cronbach_alpha, alpha_ci_low, alpha_ci_high : float or None
        Internal consistency with Feldt's CI (>= 2 items).
    reliability_caveats : tuple of str
        Codes of what makes the score's reliability doubtful (see
        :data:`livinglab.stats.reliability.CAVEATS`): ``'constant_item'``
        (an item without variation) and ``'negative_alpha'`` (items that
        disagree on average, e.g. an undeclared reversed item); the decision
        layer shows them beside the score.
    constant_items : tuple of str
        The items every respondent answered the same way.
    grade : str or None
        Sauro-Lewis curved grade (SUS only).
    percentile : float or None
        Percentile rank of the mean SUS, interpolated in Sauro & Lewis's
        published table (2016, Table 8.5).
    top2box, top2box_ci_low, top2box_ci_high : float or None
        Share of respondents in the top two categories, Wilson CI (mean scoring).
    promoters, passives, detractors : float or None
        Shares (NPS only).
    n_excluded : int
        Respondents left out (incomplete answers), reason in ``message``/``notes``.
    message : str or None
    notes : tuple of str
    """

    instrument: str
    wave: str | None
    scoring: str
    score: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    sd: float | None = None
    conf_level: float = 0.95
    cronbach_alpha: float | None = None
    alpha_ci_low: float | None = None
    alpha_ci_high: float | None = None
    grade: str | None = None
    percentile: float | None = None
    top2box: float | None = None
    top2box_ci_low: float | None = None
    top2box_ci_high: float | None = None
    promoters: float | None = None
    passives: float | None = None
    detractors: float | None = None
    n_excluded: int = 0
    message: str | None = None
    notes: tuple[str, ...] = ()
    reliability_caveats: tuple[str, ...] = ()
    constant_items: tuple[str, ...] = ()
    withheld: bool = False
    """True when fewer respondents than the small-cell threshold answered: score, CI and
    count removed (:mod:`livinglab.decision.disclosure`)."""

    def contract_dict(self) -> dict[str, Any]:
        """Return only the ``surveys[]`` fields of the ``evaluate --json`` contract."""
        keys = ("instrument", "wave", "score", "ci_low", "ci_high", "n", "cronbach_alpha")
        full = self.to_dict()
        return {key: full[key] for key in keys}


@dataclass(frozen=True, kw_only=True)
class ReliabilityResult(_Result):
    """Cronbach's alpha with Feldt's confidence interval.

    ``caveats`` holds codes (``'constant_item'``, ``'negative_alpha'``) of what
    makes the coefficient unreadable; ``constant_items`` names the items
    without variation.
    """

    alpha: float | None
    ci_low: float | None
    ci_high: float | None
    n_respondents: int
    n_items: int
    conf_level: float = 0.95
    message: str | None = None
    caveats: tuple[str, ...] = ()
    constant_items: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ResponseRate(_Result):
    """Share of invited participants who answered, with a Wilson CI."""

    cohort_role: str | None
    wave: str | None
    invited: int
    responded: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    message: str | None = None
    withheld: bool = False
    """True when the rate rested on fewer people than the small-cell threshold."""
    conf_level: float = 0.95

"""What the three designs share: group summaries, percentages of the baseline (Fieller),
the data's scale, and turning t / rank tests into result fields."""

from __future__ import annotations

from typing import Any

import numpy as np

from .effects import (
    EffectSize,
)
from .prepare import Cohort
from .ranks import RankTest
from .results import GroupSummary, TestResult
from .ttests import TTest, fieller_ratio

PAIRED_REASON = (
    "paired t-test: the mean of the after - before differences, with its p-value and "
    "t confidence interval from the same method (p < alpha exactly when the CI excludes 0); "
    "sensitivity check: Wilcoxon signed-rank test with the Hodges-Lehmann pseudomedian"
)
WELCH_REASON = (
    "Welch t-test: the difference of means, with its p-value and t confidence interval from "
    "the same method (p < alpha exactly when the CI excludes 0); sensitivity check: "
    "Mann-Whitney U test with the Hodges-Lehmann shift"
)




def _mean(values: np.ndarray) -> float | None:
    return float(np.mean(values)) if len(values) else None


def sample_sd(values: np.ndarray) -> float | None:
    """The SD with n - 1 in the denominator; None below 2 values."""
    return float(np.std(values, ddof=1)) if len(values) >= 2 else None


def _summary(role: str, period: str, values: np.ndarray) -> GroupSummary:
    return GroupSummary(
        cohort_role=role, period=period, n=len(values), mean=_mean(values), sd=sample_sd(values)
    )


def cohort_summaries(cohort: Cohort, *, change: bool) -> list[GroupSummary]:
    """n, mean and SD per period (and of the change when ``change``) of one cohort."""
    summaries = [_summary(cohort.role, "baseline", cohort.before)] if change else []
    summaries.append(_summary(cohort.role, "intervention", cohort.after))
    if change:
        summaries.append(_summary(cohort.role, "change", cohort.change))
    return summaries


def _percent(value: float | None, baseline: float | None) -> float | None:
    if value is None or baseline is None or baseline == 0 or not np.isfinite(value):
        return None
    return 100.0 * value / baseline


def percent_fields(
    estimate: float | None, low: float | None, high: float | None, baseline: float | None
) -> dict[str, Any]:
    return {
        "baseline_mean": baseline,
        "estimate_pct": _percent(estimate, baseline),
        "ci_pct_low": _percent(low, baseline)
        if baseline is None or baseline > 0
        else _percent(high, baseline),
        "ci_pct_high": _percent(high, baseline)
        if baseline is None or baseline > 0
        else _percent(low, baseline),
    }


def fieller_percent(
    estimate: float,
    baseline: float,
    var_estimate: float,
    var_baseline: float,
    covariance: float,
    df: float,
    alpha: float,
) -> dict[str, Any]:
    """Percent of the baseline with Fieller's CI: the baseline mean is uncertain too.

    The CI excludes 0 exactly when the t-test of the estimate with ``df`` rejects
    (see :func:`~livinglab.stats.ttests.fieller_ratio`); it is None when the
    baseline mean is not significantly different from 0 (the ratio is unbounded).
    """
    ratio = fieller_ratio(
        estimate, baseline, var_estimate, var_baseline, covariance, df, alpha=alpha
    )
    low, high = _float(100.0 * ratio.ci_low), _float(100.0 * ratio.ci_high)
    return {
        "baseline_mean": baseline,
        "estimate_pct": _percent(estimate, baseline),
        "ci_pct_low": low,
        "ci_pct_high": high,
    }


def data_scale(*arrays: np.ndarray) -> float:
    """The largest absolute raw value: the scale "no variation" is judged against."""
    """Largest absolute reading: the scale against which "no variation" is judged."""
    finite = [np.abs(a[np.isfinite(a)]) for a in map(np.asarray, arrays) if len(a)]
    largest = [float(a.max()) for a in finite if a.size]
    return max(largest, default=1.0)


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if np.isfinite(number) else None


def t_result(test: str, t: TTest, effect: EffectSize) -> TestResult:
    """A t test as a :class:`TestResult` (the mean difference and its t CI)."""
    return TestResult(
        test=test,
        statistic=_float(t.statistic),
        df=_float(t.df),
        p_value=_float(t.p_value),
        estimate=_float(t.estimate),
        estimate_name="mean_difference",
        ci_low=_float(t.ci_low),
        ci_high=_float(t.ci_high),
        effect_size=effect.value,
        effect_size_name=effect.name,
        method="Student t" if test == "paired_t" else "Welch t (unequal variances)",
    )


def rank_result(test: str, rank: RankTest) -> TestResult:
    """A rank test as a :class:`TestResult` (the Hodges-Lehmann estimate and its CI)."""
    name = (
        "hodges_lehmann_pseudomedian" if test == "wilcoxon_signed_rank" else "hodges_lehmann_shift"
    )
    return TestResult(
        test=test,
        statistic=rank.statistic,
        p_value=rank.p_value,
        estimate=rank.hodges_lehmann,
        estimate_name=name,
        ci_low=rank.ci_low,
        ci_high=rank.ci_high,
        effect_size=rank.rank_biserial,
        effect_size_name="rank_biserial",
        method=rank.method,
    )


def headline_fields(
    t: TTest, parametric: TestResult, rank: TestResult, reason: str
) -> dict[str, Any]:
    """The headline fields from the t test, with the rank test as the sensitivity check."""
    """The t-test is the headline (one estimand: the mean difference); ranks a sensitivity check."""
    return {
        "test": parametric.test,
        "statistic": parametric.statistic,
        "df": parametric.df,
        "p_value": parametric.p_value,
        "ci_low": _float(t.ci_low),
        "ci_high": _float(t.ci_high),
        "ci_method": "t",
        "sensitivity": rank,
        "test_reason": reason,
    }


def effect_fields(effect: EffectSize) -> dict[str, Any]:
    """The standardised effect size, its CI and Cohen's d as result fields."""
    return {
        "effect_size": effect.value,
        "effect_size_name": effect.name,
        "effect_size_ci_low": effect.ci_low,
        "effect_size_ci_high": effect.ci_high,
        "effect_size_ci_method": effect.ci_method,
        "cohen_d": effect.cohen_d,
    }


def primary_fields(result: dict[str, Any], basis: str, reason: str) -> dict[str, Any]:
    """The ``primary_*`` fields: the estimate a decision criterion uses, and why."""
    return {
        "criterion_basis": basis,
        "basis_reason": reason,
        "primary_estimate": result.get("estimate"),
        "primary_ci_low": result.get("ci_low"),
        "primary_ci_high": result.get("ci_high"),
        "primary_p_value": result.get("p_value"),
    }

"""The three comparison designs for a usage metric, and the dispatcher.

* ``pre_post`` (:func:`compare_periods`): the same testers before vs after;
* ``two_group`` (:func:`compare_groups`): testers vs control, intervention period;
* ``did`` (:func:`difference_in_differences`): testers' change minus control's
  change, with the baseline-adjusted ANCOVA estimate beside it.

Each takes the store's long frame (one value per participant and period) and
returns a :class:`~livinglab.stats.results.MetricResult`. Thin or degenerate
data (fewer than 2 participants, no variation relative to the data's scale)
gives a result with the estimate where it exists, inferential fields ``None``
and a ``message``; wrong arguments raise. The headline is always the mean
difference with its t-based p-value and CI; rank tests are a sensitivity check.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import binary as binary_tests
from ._checks import DEFAULT_SEED, check_choice, check_probability, check_seed, no_variation
from .ancova import Ancova, EstimatorComparison, ancova, compare_estimators
from .clustered import clustered_fields, unit_labels
from .effects import (
    EffectSize,
    cohen_h_effect_size,
    paired_effect_size,
    pooled_sd,
    two_group_effect_size,
)
from .prepare import COHORT_WORDS, Cohort, Columns, check_binary, select, to_wide
from .ranks import RankTest, mann_whitney_u, wilcoxon_signed_rank
from .results import Exclusion, GroupSummary, MetricResult, TestResult
from .ttests import TTest, fieller_ratio, one_sample_t, welch_t

DESIGNS = ("pre_post", "two_group", "did")
BETTER = ("higher", "lower")
ASSIGNMENTS = ("random", "volunteer")

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


# --------------------------------------------------------------------------- helpers


def _mean(values: np.ndarray) -> float | None:
    return float(np.mean(values)) if len(values) else None


def _sd(values: np.ndarray) -> float | None:
    return float(np.std(values, ddof=1)) if len(values) >= 2 else None


def _summary(role: str, period: str, values: np.ndarray) -> GroupSummary:
    return GroupSummary(
        cohort_role=role, period=period, n=len(values), mean=_mean(values), sd=_sd(values)
    )


def _cohort_summaries(cohort: Cohort, *, change: bool) -> list[GroupSummary]:
    summaries = [_summary(cohort.role, "baseline", cohort.before)] if change else []
    summaries.append(_summary(cohort.role, "intervention", cohort.after))
    if change:
        summaries.append(_summary(cohort.role, "change", cohort.change))
    return summaries


def _percent(value: float | None, baseline: float | None) -> float | None:
    if value is None or baseline is None or baseline == 0 or not np.isfinite(value):
        return None
    return 100.0 * value / baseline


def _percent_fields(
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


def _fieller_percent(
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


def _scale(*arrays: np.ndarray) -> float:
    """Largest absolute reading: the scale against which "no variation" is judged."""
    finite = [np.abs(a[np.isfinite(a)]) for a in map(np.asarray, arrays) if len(a)]
    largest = [float(a.max()) for a in finite if a.size]
    return max(largest, default=1.0)


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if np.isfinite(number) else None


def _t_result(test: str, t: TTest, effect: EffectSize) -> TestResult:
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


def _rank_result(test: str, rank: RankTest) -> TestResult:
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


def _headline(t: TTest, parametric: TestResult, rank: TestResult, reason: str) -> dict[str, Any]:
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


def _effect_fields(effect: EffectSize) -> dict[str, Any]:
    return {
        "effect_size": effect.value,
        "effect_size_name": effect.name,
        "effect_size_ci_low": effect.ci_low,
        "effect_size_ci_high": effect.ci_high,
        "effect_size_ci_method": effect.ci_method,
        "cohen_d": effect.cohen_d,
    }


def _primary(result: dict[str, Any], basis: str, reason: str) -> dict[str, Any]:
    return {
        "criterion_basis": basis,
        "basis_reason": reason,
        "primary_estimate": result.get("estimate"),
        "primary_ci_low": result.get("ci_low"),
        "primary_ci_high": result.get("ci_high"),
        "primary_p_value": result.get("p_value"),
    }


# --------------------------------------------------------------------------- pre_post


def _paired_continuous(tester: Cohort, alpha: float) -> dict[str, Any]:
    differences = tester.change
    n = len(differences)
    mean, sd = float(np.mean(differences)), float(np.std(differences, ddof=1))
    t = one_sample_t(mean, sd, n, alpha=alpha)
    effect = paired_effect_size(mean, sd, n, alpha)
    rank = wilcoxon_signed_rank(differences, alpha=alpha, scale=_scale(tester.before, tester.after))
    fields = _headline(
        t,
        _t_result("paired_t", t, effect),
        _rank_result("wilcoxon_signed_rank", rank),
        PAIRED_REASON,
    )
    fields.update(_effect_fields(effect), sd_test=sd, sd_pooled=sd)
    return fields


def _paired_binary(tester: Cohort, alpha: float) -> dict[str, Any]:
    counts = binary_tests.paired_counts(tester.before, tester.after)
    interval = binary_tests.newcombe_paired_difference(*counts, alpha=alpha)
    exact = binary_tests.mcnemar_test(counts.only_after, counts.only_before, exact=True)
    chi2 = binary_tests.mcnemar_test(counts.only_after, counts.only_before, exact=False)
    discordant = counts.only_after + counts.only_before
    use_exact = discordant < binary_tests.MIN_DISCORDANT_PAIRS
    chosen, other = (exact, chi2) if use_exact else (chi2, exact)
    rule = "fewer than" if use_exact else "at least"
    reason = (
        f"{'exact' if use_exact else 'chi-square'} McNemar test: {discordant} discordant pairs "
        f"({rule} {binary_tests.MIN_DISCORDANT_PAIRS})"
    )
    p_after, p_before = float(np.mean(tester.after)), float(np.mean(tester.before))
    return {
        "test": chosen.test,
        "statistic": chosen.statistic,
        "df": chosen.df,
        "p_value": chosen.p_value,
        "sensitivity": other,
        "test_reason": reason,
        "ci_low": interval.ci_low,
        "ci_high": interval.ci_high,
        "ci_method": "newcombe_paired",
        "effect_size": binary_tests.cohen_h(p_after, p_before),
        "effect_size_name": "cohen_h",
        "sd_test": float(np.sqrt(p_after * (1 - p_after))),
        "sd_pooled": float(np.sqrt(counts.wald_variance * counts.n)),
    }


def _pre_post(tester: Cohort, *, is_binary: bool, alpha: float) -> dict[str, Any]:
    n = tester.n
    fields: dict[str, Any] = {"n_test": n, "n_control": 0}
    if n == 0:
        return fields | {"message": "no tester has values in both periods: nothing to compare"}
    differences = tester.change
    fields["estimate"] = float(np.mean(differences))
    fields.update(_percent_fields(fields["estimate"], None, None, float(np.mean(tester.before))))
    if n < 2:
        return fields | {"message": "fewer than 2 testers with values in both periods: cannot test"}
    if not is_binary and no_variation(differences, scale=_scale(tester.before, tester.after)):
        return fields | {
            "message": (
                f"every tester changed by the same amount ({fields['estimate']:g}): "
                "the differences have no variation, cannot test"
            )
        }
    fields.update(
        _paired_binary(tester, alpha)
        if is_binary
        else _paired_continuous(tester, alpha)
    )
    # mean(d) / mean(before), both estimated on the same testers: their covariance counts
    moments = np.cov(differences, tester.before, ddof=1) / n
    fields.update(
        _fieller_percent(
            fields["estimate"],
            fields["baseline_mean"],
            moments[0, 0],
            moments[1, 1],
            moments[0, 1],
            n - 1.0,
            alpha,
        )
    )
    return fields


# --------------------------------------------------------------------------- two groups


def _two_group_continuous(
    x: np.ndarray,
    y: np.ndarray,
    alpha: float,
    effect_name: str,
) -> dict[str, Any]:
    n_x, n_y = len(x), len(y)
    sd_x, sd_y = float(np.std(x, ddof=1)), float(np.std(y, ddof=1))
    scale = _scale(x, y)
    # A cohort whose values vary only by float noise has SD 0, not 1e-16 (Welch's df and
    # the effect size's pooled SD then see the real spread, the other cohort's).
    sd_x = 0.0 if no_variation(x, scale=scale) else float(np.std(x, ddof=1))
    sd_y = 0.0 if no_variation(y, scale=scale) else float(np.std(y, ddof=1))
    t = welch_t(np.mean(x), sd_x, n_x, np.mean(y), sd_y, n_y, alpha=alpha)
    effect = two_group_effect_size(
        float(np.mean(x)), sd_x, n_x, float(np.mean(y)), sd_y, n_y, alpha, name=effect_name
    )
    fields = _headline(
        t,
        _t_result("welch_t", t, effect),
        _rank_result("mann_whitney_u", mann_whitney_u(x, y, alpha=alpha, scale=scale)),
        WELCH_REASON,
    )
    fields.update(
        _effect_fields(effect),
        sd_test=sd_x,
        sd_control=sd_y,
        sd_pooled=pooled_sd(sd_x, n_x, sd_y, n_y),
    )
    return fields


def _two_group_binary(x: np.ndarray, y: np.ndarray, alpha: float) -> dict[str, Any]:
    s_x, n_x, s_y, n_y = int(x.sum()), len(x), int(y.sum()), len(y)
    interval = binary_tests.newcombe_difference(s_x, n_x, s_y, n_y, alpha)
    chi2 = binary_tests.prop_test(s_x, n_x, s_y, n_y, alpha=alpha)
    expected = binary_tests.min_expected_count(s_x, n_x, s_y, n_y)
    use_fisher = expected < binary_tests.MIN_EXPECTED_COUNT
    fisher = binary_tests.fisher_test(s_x, n_x, s_y, n_y, alpha=alpha, with_ci=use_fisher)
    chosen, other = (fisher, chi2) if use_fisher else (chi2, fisher)
    reason = (
        f"{'Fisher exact test' if use_fisher else 'two-proportion chi-square test (prop.test)'}: "
        f"smallest expected count {expected:.3g} {'<' if use_fisher else '>='} "
        f"{binary_tests.MIN_EXPECTED_COUNT:g}"
    )
    h = cohen_h_effect_size(s_x / n_x, n_x, s_y / n_y, n_y, alpha)
    pooled = (s_x + s_y) / (n_x + n_y)
    return {
        "test": chosen.test,
        "statistic": chosen.statistic,
        "df": chosen.df,
        "p_value": chosen.p_value,
        "sensitivity": other,
        "test_reason": reason,
        "ci_low": interval.ci_low,
        "ci_high": interval.ci_high,
        "ci_method": "newcombe_hybrid_score",
        **_effect_fields(h),
        "sd_test": float(np.sqrt(s_x / n_x * (1 - s_x / n_x))),
        "sd_control": float(np.sqrt(s_y / n_y * (1 - s_y / n_y))),
        "sd_pooled": float(np.sqrt(pooled * (1 - pooled))),
    }


def _thin_groups_message(n_test: int, n_control: int, what: str) -> str | None:
    if n_test == 0 and n_control == 0:
        return f"no participant with {what}: nothing to compare"
    for role, n in (("test", n_test), ("control", n_control)):
        if n == 0:
            return f"no {COHORT_WORDS[role].rstrip('s')} with {what}: cannot compare groups"
    for role, n in (("test", n_test), ("control", n_control)):
        if n < 2:
            return f"fewer than 2 {COHORT_WORDS[role]} with {what}: cannot test"
    return None


def _two_group(
    tester: Cohort,
    control: Cohort,
    *,
    is_binary: bool,
    alpha: float,
) -> dict[str, Any]:
    x, y = tester.after, control.after
    fields: dict[str, Any] = {"n_test": len(x), "n_control": len(y)}
    message = _thin_groups_message(len(x), len(y), "a value in the intervention period")
    if len(x) and len(y):
        fields["estimate"] = float(np.mean(x) - np.mean(y))
        fields.update(_percent_fields(fields["estimate"], None, None, float(np.mean(y))))
    if message:
        return fields | {"message": message}
    scale = _scale(x, y)
    if not is_binary and no_variation(x, scale=scale) and no_variation(y, scale=scale):
        return fields | {
            "message": "neither group varies (every value the same within each group, "
            "up to rounding): cannot test"
        }
    fields.update(
        _two_group_binary(x, y, alpha)
        if is_binary
        else _two_group_continuous(x, y, alpha, "hedges_g")
    )
    # (mean x - mean y) / mean y: the control mean is in both, Cov = -Var(mean y);
    # the Welch df of the headline (normal quantile for a binary metric)
    var_x, var_y = (
        0.0 if no_variation(v, scale=scale) else float(np.var(v, ddof=1)) / len(v) for v in (x, y)
    )
    df = float("inf") if is_binary or fields.get("df") is None else float(fields["df"])
    fields.update(
        _fieller_percent(
            fields["estimate"], fields["baseline_mean"], var_x + var_y, var_y, -var_y, df, alpha
        )
    )
    return fields


# --------------------------------------------------------------------------- did


def _ancova_fields(result: Ancova, comparison: EstimatorComparison) -> dict[str, Any]:
    return {
        "ancova_estimate": result.estimate,
        "ancova_ci_low": result.ci_low,
        "ancova_ci_high": result.ci_high,
        "ancova_p_value": result.p_value,
        "ancova_residual_sd": result.residual_sd,
        "ancova_method": result.method,
        "estimates_difference": comparison.difference,
        "estimates_difference_se": comparison.se,
        "estimates_difference_p_value": comparison.p_value,
        "estimates_disagree": comparison.disagree,
    }


def _did_binary(tester: Cohort, control: Cohort, alpha: float) -> dict[str, Any]:
    counts_t = binary_tests.paired_counts(tester.before, tester.after)
    counts_c = binary_tests.paired_counts(control.before, control.after)
    wald = binary_tests.did_risk_difference(counts_t, counts_c, alpha=alpha)
    change_t, change_c = tester.change, control.change
    sd_t, sd_c = float(np.std(change_t, ddof=1)), float(np.std(change_c, ddof=1))
    welch = welch_t(
        np.mean(change_t), sd_t, len(change_t), np.mean(change_c), sd_c, len(change_c), alpha=alpha
    )
    effect = two_group_effect_size(
        float(np.mean(change_t)),
        _sd(change_t) or 0.0,
        len(change_t),
        float(np.mean(change_c)),
        _sd(change_c) or 0.0,
        len(change_c),
        alpha,
        name="hedges_g_change",
    )
    return {
        "test": wald.test,
        "statistic": wald.statistic,
        "p_value": wald.p_value,
        "sensitivity": _t_result("welch_t", welch, effect),
        "ci_low": wald.ci_low,
        "ci_high": wald.ci_high,
        "ci_method": "wald",
        "test_reason": "difference of paired risk differences: normal approximation (Wald z)",
        **_effect_fields(effect),
        "sd_test": _sd(change_t),
        "sd_control": _sd(change_c),
        "sd_pooled": pooled_sd(
            _sd(change_t) or 0.0, len(change_t), _sd(change_c) or 0.0, len(change_c)
        ),
    }


def _bracket(view: dict[str, Any], basis: str) -> dict[str, Any]:
    return {
        "bracket_basis": basis,
        "bracket_estimate": view.get("estimate"),
        "bracket_ci_low": view.get("ci_low"),
        "bracket_ci_high": view.get("ci_high"),
        "bracket_p_value": view.get("p_value"),
    }


def _basis(fields: dict[str, Any], result: Ancova, assignment: str) -> dict[str, Any]:
    """The estimate the design supports, with the other one as the bracket.

    Random assignment: ANCOVA (unbiased, more precise); volunteers: the change
    score (unbiased under parallel trends; ANCOVA is biased by a level gap
    between self-selected cohorts, Lord's paradox). Each is unbiased where the
    other is not (selection on the baseline vs parallel trends), so the other
    is kept as the bracket (Angrist & Pischke 2009, section 5.4).
    """
    ancova_view = {
        "estimate": result.estimate,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "p_value": result.p_value,
    }
    if assignment == "volunteer":
        reason = (
            "volunteers self-select, so cohorts may differ at baseline: the change-score "
            "difference in differences (parallel-trends assumption) is used, because ANCOVA "
            "is biased by a level gap between self-selected groups (Lord's paradox); the "
            "ANCOVA, unbiased if volunteers were picked on their baseline (regression to the "
            "mean), is the bracket"
        )
        bracket = _bracket(ancova_view, "ancova") if result.estimate is not None else {}
        return _primary(fields, "change_score", reason) | bracket
    if result.estimate is None or result.p_value is None:
        reason = f"random assignment, but {result.message}: the change-score estimate is used"
        return _primary(fields, "change_score", reason)
    reason = (
        "random assignment: Lin's interacted ANCOVA with HC2 errors is unbiased and more "
        "precise than the change-score difference, which is the bracket"
    )
    return _primary(ancova_view, "ancova", reason) | _bracket(fields, "change_score")


def _disagreement_note(comparison: EstimatorComparison, assignment: str) -> list[str]:
    if not comparison.disagree:
        return []
    assumption = (
        "that testers and control would have changed in parallel"
        if assignment == "volunteer"
        else "random assignment (the baselines differ more than chance suggests)"
    )
    return [
        f"ANCOVA and change-score estimates differ by {comparison.difference:.4g} "
        f"(p = {comparison.p_value:.3g}): the verdict rests on the assumption {assumption}"
    ]


def _did(
    tester: Cohort,
    control: Cohort,
    *,
    is_binary: bool,
    assignment: str,
    alpha: float,
) -> dict[str, Any]:
    fields: dict[str, Any] = {"n_test": tester.n, "n_control": control.n, "assignment": assignment}
    message = _thin_groups_message(tester.n, control.n, "values in both periods")
    if tester.n and control.n:
        fields["estimate"] = float(np.mean(tester.change) - np.mean(control.change))
        fields.update(
            _percent_fields(fields["estimate"], None, None, float(np.mean(tester.before)))
        )
    if message:
        return fields | {"message": message}
    arrays = (tester.before, tester.after, control.before, control.after)
    result = ancova(*arrays, alpha=alpha)
    comparison = compare_estimators(*arrays, alpha=alpha)
    fields.update(_ancova_fields(result, comparison))
    notes = [result.message] if result.message else []
    notes += _disagreement_note(comparison, assignment)
    scale = _scale(*arrays)
    if no_variation(tester.change, scale=scale) and no_variation(control.change, scale=scale):
        fields["message"] = "the change scores have zero variance in both cohorts: cannot test"
    else:
        fields.update(
            _did_binary(tester, control, alpha)
            if is_binary
            else _two_group_continuous(tester.change, control.change, alpha, "hedges_g_change")
        )
        fields.update(
            _percent_fields(
                fields["estimate"], fields["ci_low"], fields["ci_high"], fields["baseline_mean"]
            )
        )
    fields.update(_basis(fields, result, assignment))
    return fields | {"notes": tuple(fields.get("notes", ())) + tuple(notes)}


def _cluster(
    fields: dict[str, Any],
    design: str,
    tester: Cohort,
    control: Cohort,
    labels: dict[str, str],
    unit: str,
    alpha: float,
    seed: int,
    assignment: str,
) -> dict[str, Any]:
    """Replace the headline (and did's ANCOVA, basis and bracket) by inference at ``unit``."""
    if fields.get("message"):
        return fields
    extra, adjusted, comparison = clustered_fields(
        design, tester, control, labels, unit=unit, alpha=alpha, seed=seed,
        residual_sd=fields.get("ancova_residual_sd"),
    )
    notes = [n for n in fields.get("notes", ()) if not n.startswith("ANCOVA and change-score")]
    notes += extra.pop("notes", ())
    fields = fields | extra
    if "p_value" in extra:
        fields.update(
            _percent_fields(
                fields.get("estimate"), fields["ci_low"], fields["ci_high"],
                fields.get("baseline_mean"),
            )
        )
    if adjusted is not None and comparison is not None:
        fields.update(_ancova_fields(adjusted, comparison))
        fields.update(_basis(fields, adjusted, assignment))
        notes += _disagreement_note(comparison, assignment)
    return fields | {"notes": tuple(notes)}


# --------------------------------------------------------------------------- public API


def _validate(
    metric: Any,
    design: str,
    better: str,
    assignment: str,
    alpha: float,
    seed: int,
    binary: Any,
) -> None:
    if not isinstance(metric, str) or not metric:
        raise ValueError(f"The 'metric' must be a non-empty string. Got {metric!r} instead.")
    check_choice(design, "design", DESIGNS)
    check_choice(better, "better", BETTER)
    check_choice(assignment, "assignment", ASSIGNMENTS)
    check_probability(alpha, "alpha")
    check_seed(seed)
    if not isinstance(binary, bool):
        raise TypeError(f"The 'binary' must be True or False. Got {binary!r} instead.")


def analyze_metric(
    data: pd.DataFrame,
    *,
    metric: str,
    design: str,
    binary: bool = False,
    better: str = "higher",
    assignment: str = "random",
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
    value: str = "value",
    subject: str = "participant_id",
    cohort: str = "cohort_role",
    period: str = "period",
    unit: str | None = None,
) -> MetricResult:
    """Compare one usage metric under one design and return every number a verdict needs.

    Parameters
    ----------
    data : DataFrame
        Long per-participant values of ONE metric: ``subject`` (participant
        id), ``cohort`` ('test' | 'control'), ``period`` ('baseline' |
        'intervention') and ``value`` (0/1 when ``binary``); one row per
        participant and period. Other columns are ignored.
    metric : str
        Metric id, copied into the result.
    design : {'pre_post', 'two_group', 'did'}
        pre_post: testers after vs before (paired); two_group: testers vs
        control in the intervention period; did: testers' change minus the
        control's change.
    binary : bool
        0/1 values: McNemar / prop.test / Fisher and risk differences.
    better : {'higher', 'lower'}
        Which direction is an improvement (recorded for the decision layer;
        every test here is two-sided).
    assignment : {'random', 'volunteer'}
        did only: which estimate the decision criterion uses
        (``criterion_basis``): ANCOVA for random assignment, change scores for
        volunteers.
    alpha : float
        Two-sided significance level; CIs are ``1 - alpha``.
    seed : int
        Seed of the resampling that clustered data use (randomisation inference,
        wild cluster bootstrap); unclustered headline numbers are not random.
    value, subject, cohort, period : str
        Column names.
    unit : str, optional
        Column holding each participant's assignment unit (the pilot's
        ``assignment_unit``, e.g. a building). When units hold several
        participants, p-values and CIs are computed at that level
        (:mod:`livinglab.stats.clusters`: randomisation inference with 1-3
        units in an arm, wild cluster bootstrap below 30 units, CRV3 beyond);
        the estimates stay the participant-weighted differences.

    Returns
    -------
    MetricResult
        See :class:`~livinglab.stats.results.MetricResult` for every field.
        ``estimate``/``ci_low``/``ci_high``/``p_value`` always mean the
        design's own difference (did: change scores); ``primary_*`` is what a
        decision criterion should use; for did ``bracket_*`` is the other
        estimate and ``estimates_disagree`` says whether they differ beyond
        their uncertainty.

    Raises
    ------
    ValueError, TypeError
        Wrong arguments or a frame that breaks the input contract (missing
        columns, unknown labels, duplicate rows, non-0/1 values for a binary
        metric). Thin data never raises: see ``message``.

    Notes
    -----
    One estimand per result: the headline is the mean difference with the
    p-value and CI of the same method, the paired t-test (pre_post) or Welch's
    t-test (two_group, did change scores), so ``p_value < alpha`` exactly when
    the CI excludes 0. No pre-test picks the method (a normality pre-test
    followed by a rank p-value and a bootstrap CI made p and CI disagree and
    BCa intervals cover 83-91 % at n = 10-29 on skewed data). The rank test
    (Wilcoxon signed-rank / Mann-Whitney U, R's exact/normal rule) with its
    Hodges-Lehmann estimate is in ``sensitivity``: a different estimand, shown
    as a check. "No variation" is judged relative to the readings' scale
    (:func:`~livinglab.stats._checks.no_variation`), so float noise never
    passes for a spread. Binary: McNemar exact below 25 discordant pairs, else
    chi-square with continuity correction; prop.test (Yates) or Fisher when an
    expected count is below 5.

    Examples
    --------
    >>> result = analyze_metric(frame, metric="kwh_per_day", design="did",
    ...                         better="lower", assignment="volunteer")  # doctest: +SKIP
    >>> result.to_dict()["estimate"]  # doctest: +SKIP
    """
    _validate(metric, design, better, assignment, alpha, seed, binary)
    wide = to_wide(data, Columns(value=value, subject=subject, cohort=cohort, period=period))
    if binary:
        check_binary(wide, metric)
    both = design != "two_group"
    tester, excluded_test = select(wide, "test", both_periods=both)
    control, excluded_control = select(wide, "control", both_periods=both)
    options: dict[str, Any] = {"is_binary": binary, "alpha": alpha}
    if design == "pre_post":
        fields = _pre_post(tester, **options)
        summaries = _cohort_summaries(tester, change=True)
        excluded = excluded_test
    elif design == "two_group":
        fields = _two_group(tester, control, **options)
        summaries = _cohort_summaries(tester, change=False) + _cohort_summaries(
            control, change=False
        )
        excluded = excluded_test + excluded_control
    else:
        fields = _did(
            tester, control, assignment=assignment, **options
        )
        summaries = _cohort_summaries(tester, change=True) + _cohort_summaries(control, change=True)
        excluded = excluded_test + excluded_control
    if unit is not None:
        labels = unit_labels(data, subject, unit)
        fields = _cluster(fields, design, tester, control, labels, unit, alpha, seed, assignment)
    kept = [tester] if design == "pre_post" else [tester, control]
    fields["n_zero_filled"] = _zero_filled(data, subject, period, design, kept)
    return _build(metric, design, binary, better, alpha, fields, summaries, excluded)


def _zero_filled(
    data: pd.DataFrame, subject: str, period: str, design: str, kept: list[Cohort]
) -> int:
    """How many analysed values are a 0 filled in for a period without readings: rows
    whose optional boolean ``filled`` column is True (the store marks them for count,
    sum and rate_per_day metrics), of the participants and periods the design uses."""
    if "filled" not in data.columns:
        return 0
    rows = data[data["filled"].eq(True)]
    if design == "two_group":
        rows = rows[rows[period] == "intervention"]
    ids = {str(i) for cohort in kept for i in cohort.ids}
    return int(rows[subject].astype(str).isin(ids).sum())


def _build(
    metric: str,
    design: str,
    binary: bool,
    better: str,
    alpha: float,
    fields: dict[str, Any],
    summaries: list[GroupSummary],
    excluded: list[Exclusion],
) -> MetricResult:
    if "criterion_basis" not in fields:
        if design == "did":
            basis = "change_score"
        else:
            basis = "risk_difference" if binary else "mean_difference"
        fields.update(_primary(fields, basis, "the design's own difference"))
    if fields.get("message") and not fields.get("test_reason"):
        fields["test_reason"] = f"no test: {fields['message']}"
    return MetricResult(
        metric=metric,
        design=design,
        binary=binary,
        better=better,
        conf_level=1.0 - alpha,
        summaries=tuple(summaries),
        excluded=tuple(excluded),
        **fields,
    )


def compare_periods(
    data: pd.DataFrame,
    *,
    metric: str,
    binary: bool = False,
    better: str = "higher",
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
    value: str = "value",
    subject: str = "participant_id",
    cohort: str = "cohort_role",
    period: str = "period",
) -> MetricResult:
    """Testers after vs before (paired): :func:`analyze_metric` with ``design='pre_post'``.

    estimate = mean(after - before) of testers with values in both periods;
    paired t-test (CI from the t distribution) as the headline, Wilcoxon
    signed-rank test (R's default exact/normal rule, Hodges-Lehmann
    pseudomedian) as the sensitivity check; effect size
    Hedges' g_z = J(n-1) mean(d)/sd(d) with a noncentral-t CI. Binary:
    McNemar and the paired risk difference with Newcombe's CI. Parameters and
    Returns as :func:`analyze_metric`.
    """
    return analyze_metric(
        data,
        metric=metric,
        design="pre_post",
        binary=binary,
        better=better,
        alpha=alpha,
        seed=seed,
        value=value,
        subject=subject,
        cohort=cohort,
        period=period,
    )


def compare_groups(
    data: pd.DataFrame,
    *,
    metric: str,
    binary: bool = False,
    better: str = "higher",
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
    value: str = "value",
    subject: str = "participant_id",
    cohort: str = "cohort_role",
    period: str = "period",
) -> MetricResult:
    """Testers vs control in the intervention period: ``design='two_group'``.

    estimate = mean(test) - mean(control); Welch t-test (headline) and
    Mann-Whitney U (sensitivity);
    Hedges' g (pooled SD, J(n1+n2-2)) with a noncentral-t CI. Binary:
    prop.test (Yates) or Fisher, risk difference with Newcombe's hybrid score
    CI. Parameters and Returns as :func:`analyze_metric`.
    """
    return analyze_metric(
        data,
        metric=metric,
        design="two_group",
        binary=binary,
        better=better,
        alpha=alpha,
        seed=seed,
        value=value,
        subject=subject,
        cohort=cohort,
        period=period,
    )


def difference_in_differences(
    data: pd.DataFrame,
    *,
    metric: str,
    assignment: str = "random",
    binary: bool = False,
    better: str = "higher",
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
    value: str = "value",
    subject: str = "participant_id",
    cohort: str = "cohort_role",
    period: str = "period",
) -> MetricResult:
    """Testers' change minus control's change: ``design='did'``.

    estimate = mean(after - before | test) - mean(after - before | control),
    Welch t-test / Mann-Whitney U on the change scores; beside it the ANCOVA
    (OLS after ~ cohort + before) estimate in the ``ancova_*`` fields.
    ``assignment`` decides ``criterion_basis`` (random: ANCOVA; volunteer:
    change scores). Binary: difference of paired risk differences with a Wald
    z CI. Parameters and Returns as :func:`analyze_metric`.
    """
    return analyze_metric(
        data,
        metric=metric,
        design="did",
        assignment=assignment,
        binary=binary,
        better=better,
        alpha=alpha,
        seed=seed,
        value=value,
        subject=subject,
        cohort=cohort,
        period=period,
    )

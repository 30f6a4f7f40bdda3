"""Design ``two_group``: testers vs control in the intervention period (Welch t,
Mann-Whitney as a sensitivity check; prop.test / Fisher for a binary metric)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import binary as binary_tests
from ._checks import no_variation
from .design_common import (
    WELCH_REASON,
    data_scale,
    effect_fields,
    fieller_percent,
    headline_fields,
    percent_fields,
    rank_result,
    t_result,
)
from .effects import (
    cohen_h_effect_size,
    pooled_sd,
    two_group_effect_size,
)
from .prepare import COHORT_WORDS, Cohort
from .ranks import mann_whitney_u
from .ttests import welch_t


def welch_fields(
    x: np.ndarray,
    y: np.ndarray,
    alpha: float,
    effect_name: str,
) -> dict[str, Any]:
    """Welch t of mean(x) - mean(y), Hedges' g, Mann-Whitney as the sensitivity check.

    x, y : arrays of shape (n_x,), (n_y,), n >= 2 each, in the metric's unit (the
    values, or the change scores of a did). Welch (1947); R's ``t.test(var.equal = FALSE)``.
    """
    n_x, n_y = len(x), len(y)
    scale = data_scale(x, y)
    # A cohort whose values vary only by float noise has SD 0, not 1e-16 (Welch's df and
    # the effect size's pooled SD then see the real spread, the other cohort's).
    sd_x = 0.0 if no_variation(x, scale=scale) else float(np.std(x, ddof=1))
    sd_y = 0.0 if no_variation(y, scale=scale) else float(np.std(y, ddof=1))
    t = welch_t(np.mean(x), sd_x, n_x, np.mean(y), sd_y, n_y, alpha=alpha)
    effect = two_group_effect_size(
        float(np.mean(x)), sd_x, n_x, float(np.mean(y)), sd_y, n_y, alpha, name=effect_name
    )
    fields = headline_fields(
        t,
        t_result("welch_t", t, effect),
        rank_result("mann_whitney_u", mann_whitney_u(x, y, alpha=alpha, scale=scale)),
        WELCH_REASON,
    )
    fields.update(
        effect_fields(effect),
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
        **effect_fields(h),
        "sd_test": float(np.sqrt(s_x / n_x * (1 - s_x / n_x))),
        "sd_control": float(np.sqrt(s_y / n_y * (1 - s_y / n_y))),
        "sd_pooled": float(np.sqrt(pooled * (1 - pooled))),
    }


def thin_groups_message(n_test: int, n_control: int, what: str) -> str | None:
    """Why two cohorts cannot be compared (an empty cohort or fewer than 2), else None."""
    if n_test == 0 and n_control == 0:
        return f"no participant with {what}: nothing to compare"
    for role, n in (("test", n_test), ("control", n_control)):
        if n == 0:
            return f"no {COHORT_WORDS[role].rstrip('s')} with {what}: cannot compare groups"
    for role, n in (("test", n_test), ("control", n_control)):
        if n < 2:
            return f"fewer than 2 {COHORT_WORDS[role]} with {what}: cannot test"
    return None


def two_group_fields(
    tester: Cohort,
    control: Cohort,
    *,
    is_binary: bool,
    alpha: float,
) -> dict[str, Any]:
    """MetricResult fields of testers vs control in the intervention period.

    Welch t (continuous) or prop.test / Fisher with Newcombe's CI (binary); thin
    or constant groups give the estimate and a ``message`` only.
    """
    x, y = tester.after, control.after
    fields: dict[str, Any] = {"n_test": len(x), "n_control": len(y)}
    message = thin_groups_message(len(x), len(y), "a value in the intervention period")
    if len(x) and len(y):
        fields["estimate"] = float(np.mean(x) - np.mean(y))
        fields.update(percent_fields(fields["estimate"], None, None, float(np.mean(y))))
    if message:
        return fields | {"message": message}
    scale = data_scale(x, y)
    if not is_binary and no_variation(x, scale=scale) and no_variation(y, scale=scale):
        return fields | {
            "message": "neither group varies (every value the same within each group, "
            "up to rounding): cannot test"
        }
    fields.update(
        _two_group_binary(x, y, alpha)
        if is_binary
        else welch_fields(x, y, alpha, "hedges_g")
    )
    # (mean x - mean y) / mean y: the control mean is in both, Cov = -Var(mean y);
    # the Welch df of the headline (normal quantile for a binary metric)
    var_x, var_y = (
        0.0 if no_variation(v, scale=scale) else float(np.var(v, ddof=1)) / len(v) for v in (x, y)
    )
    df = float("inf") if is_binary or fields.get("df") is None else float(fields["df"])
    fields.update(
        fieller_percent(
            fields["estimate"], fields["baseline_mean"], var_x + var_y, var_y, -var_y, df, alpha
        )
    )
    return fields

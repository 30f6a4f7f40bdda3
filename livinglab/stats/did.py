"""Design ``did``: the testers' change minus the control's change, beside Lin's
interacted ANCOVA, with the estimate the assignment supports as the criterion's basis
and the other as its bracket (Angrist & Pischke 2009, 5.4)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import binary as binary_tests
from ._checks import no_variation
from .ancova import Ancova, EstimatorComparison, ancova, compare_estimators
from .design_common import (
    data_scale,
    effect_fields,
    percent_fields,
    primary_fields,
    sample_sd,
    t_result,
)
from .effects import (
    pooled_sd,
    two_group_effect_size,
)
from .prepare import Cohort
from .ttests import welch_t
from .two_group import thin_groups_message, welch_fields


def ancova_fields(result: Ancova, comparison: EstimatorComparison) -> dict[str, Any]:
    """The ``ancova_*`` and ``estimates_*`` fields: Lin's ANCOVA and its gap to the change score."""
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
        sample_sd(change_t) or 0.0,
        len(change_t),
        float(np.mean(change_c)),
        sample_sd(change_c) or 0.0,
        len(change_c),
        alpha,
        name="hedges_g_change",
    )
    return {
        "test": wald.test,
        "statistic": wald.statistic,
        "p_value": wald.p_value,
        "sensitivity": t_result("welch_t", welch, effect),
        "ci_low": wald.ci_low,
        "ci_high": wald.ci_high,
        "ci_method": "wald",
        "test_reason": "difference of paired risk differences: normal approximation (Wald z)",
        **effect_fields(effect),
        "sd_test": sample_sd(change_t),
        "sd_control": sample_sd(change_c),
        "sd_pooled": pooled_sd(
            sample_sd(change_t) or 0.0, len(change_t), sample_sd(change_c) or 0.0, len(change_c)
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


def basis_fields(fields: dict[str, Any], result: Ancova, assignment: str) -> dict[str, Any]:
    """The criterion's basis (random: ANCOVA; volunteers: change score) and its bracket."""
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
        return primary_fields(fields, "change_score", reason) | bracket
    if result.estimate is None or result.p_value is None:
        reason = f"random assignment, but {result.message}: the change-score estimate is used"
        return primary_fields(fields, "change_score", reason)
    reason = (
        "random assignment: Lin's interacted ANCOVA with HC2 errors is unbiased and more "
        "precise than the change-score difference, which is the bracket"
    )
    return primary_fields(ancova_view, "ancova", reason) | _bracket(fields, "change_score")


def disagreement_note(comparison: EstimatorComparison, assignment: str) -> list[str]:
    """A note when the two did estimates differ beyond their uncertainty."""
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


def did_fields(
    tester: Cohort,
    control: Cohort,
    *,
    is_binary: bool,
    assignment: str,
    alpha: float,
) -> dict[str, Any]:
    """MetricResult fields of the testers' change minus the control's change.

    The change-score difference (Welch t) and Lin's (2013) interacted ANCOVA with
    HC2 errors, both always; the criterion's basis follows ``assignment``.
    """
    fields: dict[str, Any] = {"n_test": tester.n, "n_control": control.n, "assignment": assignment}
    message = thin_groups_message(tester.n, control.n, "values in both periods")
    if tester.n and control.n:
        fields["estimate"] = float(np.mean(tester.change) - np.mean(control.change))
        fields.update(
            percent_fields(fields["estimate"], None, None, float(np.mean(tester.before)))
        )
    if message:
        return fields | {"message": message}
    arrays = (tester.before, tester.after, control.before, control.after)
    result = ancova(*arrays, alpha=alpha)
    comparison = compare_estimators(*arrays, alpha=alpha)
    fields.update(ancova_fields(result, comparison))
    notes = [result.message] if result.message else []
    notes += disagreement_note(comparison, assignment)
    scale = data_scale(*arrays)
    if no_variation(tester.change, scale=scale) and no_variation(control.change, scale=scale):
        fields["message"] = "the change scores have zero variance in both cohorts: cannot test"
    else:
        fields.update(
            _did_binary(tester, control, alpha)
            if is_binary
            else welch_fields(tester.change, control.change, alpha, "hedges_g_change")
        )
        fields.update(
            percent_fields(
                fields["estimate"], fields["ci_low"], fields["ci_high"], fields["baseline_mean"]
            )
        )
    fields.update(basis_fields(fields, result, assignment))
    return fields | {"notes": tuple(fields.get("notes", ())) + tuple(notes)}

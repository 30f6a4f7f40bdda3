"""Design ``pre_post``: the same testers after vs before (paired t, Wilcoxon as a
sensitivity check; McNemar for a binary metric)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import binary as binary_tests
from ._checks import no_variation
from .design_common import (
    PAIRED_REASON,
    data_scale,
    effect_fields,
    fieller_percent,
    headline_fields,
    percent_fields,
    rank_result,
    t_result,
)
from .effects import (
    paired_effect_size,
)
from .prepare import Cohort
from .ranks import wilcoxon_signed_rank
from .ttests import one_sample_t


def _paired_continuous(tester: Cohort, alpha: float) -> dict[str, Any]:
    differences = tester.change
    n = len(differences)
    mean, sd = float(np.mean(differences)), float(np.std(differences, ddof=1))
    t = one_sample_t(mean, sd, n, alpha=alpha)
    effect = paired_effect_size(mean, sd, n, alpha)
    scale = data_scale(tester.before, tester.after)
    rank = wilcoxon_signed_rank(differences, alpha=alpha, scale=scale)
    fields = headline_fields(
        t,
        t_result("paired_t", t, effect),
        rank_result("wilcoxon_signed_rank", rank),
        PAIRED_REASON,
    )
    fields.update(effect_fields(effect), sd_test=sd, sd_pooled=sd)
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


def pre_post_fields(tester: Cohort, *, is_binary: bool, alpha: float) -> dict[str, Any]:
    """MetricResult fields of the testers' after - before differences.

    Paired t (continuous) or McNemar with Newcombe's paired CI (binary); thin or
    constant differences give the estimate and a ``message`` only.
    """
    n = tester.n
    fields: dict[str, Any] = {"n_test": n, "n_control": 0}
    if n == 0:
        return fields | {"message": "no tester has values in both periods: nothing to compare"}
    differences = tester.change
    fields["estimate"] = float(np.mean(differences))
    fields.update(percent_fields(fields["estimate"], None, None, float(np.mean(tester.before))))
    if n < 2:
        return fields | {"message": "fewer than 2 testers with values in both periods: cannot test"}
    if not is_binary and no_variation(differences, scale=data_scale(tester.before, tester.after)):
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
        fieller_percent(
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

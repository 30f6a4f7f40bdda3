"""Rank tests: R's exact/normal rule, cross-checked with scipy where defaults agree."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from livinglab.stats.ranks import (
    mann_whitney_u,
    rank_sum_distribution,
    signed_rank_distribution,
    wilcoxon_signed_rank,
)


def test_null_distributions_are_proper():
    assert signed_rank_distribution(12).sum() == pytest.approx(1.0)
    assert rank_sum_distribution(7, 9).sum() == pytest.approx(1.0)
    # P(V = 0) = 2^-n and P(W = 0) = 1 / C(m + n, m)
    assert signed_rank_distribution(10)[0] == 2.0**-10
    assert rank_sum_distribution(4, 6)[0] == pytest.approx(1 / 210)


@pytest.mark.parametrize("n_x,n_y", [(5, 7), (20, 30), (49, 45), (60, 40)])
def test_mann_whitney_matches_scipy_without_ties(n_x, n_y):
    rng = np.random.default_rng(n_x)
    x, y = rng.normal(size=n_x), rng.normal(0.4, size=n_y)
    ours = mann_whitney_u(x, y)
    theirs = stats.mannwhitneyu(x, y, method="exact" if ours.exact else "asymptotic")
    assert ours.exact is (n_x < 50 and n_y < 50)
    assert ours.statistic == theirs.statistic
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-9)


def test_mann_whitney_with_ties_uses_the_corrected_normal_approximation():
    x = np.array([1, 2, 2, 3, 3, 3, 4, 5], float)
    y = np.array([2, 3, 4, 4, 5, 5, 6, 6, 7], float)
    ours = mann_whitney_u(x, y)
    assert not ours.exact
    assert ours.p_value == pytest.approx(stats.mannwhitneyu(x, y, method="asymptotic").pvalue)
    assert ours.hodges_lehmann == np.median(np.subtract.outer(x, y))


def test_signed_rank_exact_matches_scipy_without_ties_or_zeros():
    d = np.random.default_rng(2).normal(0.3, 1, 25)
    ours = wilcoxon_signed_rank(d)
    assert ours.exact
    assert ours.p_value == pytest.approx(stats.wilcoxon(d, method="exact").pvalue, rel=1e-12)
    assert ours.rank_biserial == pytest.approx(2 * ours.statistic / (25 * 26 / 2) - 1)


def test_signed_rank_with_all_zero_differences_has_no_p_value():
    result = wilcoxon_signed_rank(np.zeros(5))
    assert result.p_value is None and result.hodges_lehmann == 0.0


def _sorted_reference(values: np.ndarray, lower_index: int) -> tuple[float, float | None,
                                                                      float | None]:
    """The former full-sort Hodges-Lehmann: np.median of the sorted values and
    [v_(k), v_(M+1-k)] from them."""
    ordered = np.sort(values)
    total = len(ordered)
    estimate = float(np.median(ordered))
    if lower_index < 1 or lower_index > total - lower_index + 1:
        return estimate, None, None
    return estimate, float(ordered[lower_index - 1]), float(ordered[total - lower_index])


@pytest.mark.parametrize("size", [1, 2, 3, 10, 11, 500, 20_001])
def test_hodges_lehmann_by_partition_is_the_full_sort_result_exactly(size):
    # The estimate and its interval are order statistics: np.partition on the (at most
    # four) needed ones must give the very floats the full sort gave, ties included.
    from livinglab.stats.ranks import _median_and_interval

    rng = np.random.default_rng(size)
    for values in (rng.normal(size=size), rng.integers(0, 4, size=size).astype(float) / 3):
        for lower_index in (0, 1, max(size // 3, 1), size // 2 + 1, size):
            assert _median_and_interval(values.copy(), lower_index) == _sorted_reference(
                values, lower_index)


@pytest.mark.parametrize("n_x,n_y", [(7, 9), (60, 45), (800, 900)])
def test_rank_tests_hodges_lehmann_unchanged_on_skewed_and_tied_data(n_x, n_y):
    rng = np.random.default_rng(n_x)
    x = np.round(rng.lognormal(size=n_x), 1)
    y = np.round(rng.lognormal(0.2, size=n_y), 1)
    upper = np.triu_indices(n_x)
    walsh = (x[upper[0]] + x[upper[1]]) / 2.0
    paired = wilcoxon_signed_rank(x)
    assert paired.hodges_lehmann == float(np.median(np.sort(walsh)))
    shift = mann_whitney_u(x, y)
    assert shift.hodges_lehmann == float(np.median(np.sort(np.subtract.outer(x, y).ravel())))
    assert shift.ci_low is not None and shift.ci_low <= shift.hodges_lehmann <= shift.ci_high

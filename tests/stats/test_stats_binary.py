"""Binary metrics: McNemar, prop.test / Fisher, Newcombe intervals, binary DiD."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from livinglab.stats import analyze_metric, compare_groups, compare_periods
from livinglab.stats.binary import (
    mcnemar_test,
    newcombe_difference,
    newcombe_paired_difference,
    wilson_interval,
)


def test_newcombe_hybrid_score_matches_the_published_example():
    # Newcombe (1998), Stat Med 17:873, method 10: 56/70 vs 48/80 -> 0.2000 (0.0524, 0.3339)
    interval = newcombe_difference(56, 70, 48, 80)
    assert interval.estimate == pytest.approx(0.2)
    assert interval.ci_low == pytest.approx(0.0524, abs=5e-5)
    assert interval.ci_high == pytest.approx(0.3339, abs=5e-5)


def test_wilson_interval_matches_scipy():
    interval = wilson_interval(7, 30)
    expected = stats.binomtest(7, 30).proportion_ci(method="wilson")
    assert (interval.ci_low, interval.ci_high) == pytest.approx((expected.low, expected.high))


def test_newcombe_paired_interval_contains_the_estimate_and_stays_in_range():
    for cells in [(59, 6, 16, 80), (1, 1, 7, 12), (5, 0, 0, 5), (0, 3, 0, 0)]:
        interval = newcombe_paired_difference(*cells)
        assert -1.0 <= interval.ci_low <= interval.estimate <= interval.ci_high <= 1.0
    # R: contingencytables::Newcombe_square_and_add_CI_paired_2x2(
    #        matrix(c(59, 6, 16, 80), 2, byrow = TRUE))
    # -> estimate = -0.0621 (95% CI -0.1186 to -0.0046)
    # (Cavo et al. 2012 data; Fagerland, Lydersen & Laake 2017, chapter 8)
    cavo = newcombe_paired_difference(59, 6, 16, 80)
    assert (cavo.estimate, cavo.ci_low, cavo.ci_high) == pytest.approx(
        (-0.0621, -0.1186, -0.0046), abs=1e-4
    )


def test_mcnemar_follows_r_and_the_exact_rule():
    # R: mcnemar.test(matrix(c(a, b, c, d), 2)): (|b - c| - 1)^2 / (b + c)
    chi2 = mcnemar_test(30, 15, exact=False)
    assert chi2.statistic == pytest.approx((abs(30 - 15) - 1) ** 2 / 45)
    assert chi2.p_value == pytest.approx(stats.chi2.sf(chi2.statistic, 1))
    exact = mcnemar_test(8, 2)
    assert exact.test == "mcnemar_exact"
    assert exact.p_value == pytest.approx(stats.binomtest(8, 10).pvalue)
    assert mcnemar_test(0, 0).p_value == 1.0


def test_binary_pre_post_reports_the_paired_risk_difference(frames):
    before = np.array([0] * 20 + [1] * 10 + [0] * 8 + [1] * 2, dtype=float)
    after = np.array([0] * 20 + [1] * 10 + [1] * 8 + [0] * 2, dtype=float)
    result = compare_periods(frames.paired(before, after), metric="done", binary=True)
    assert result.estimate == pytest.approx((8 - 2) / 40)
    assert result.test == "mcnemar_exact"  # 10 discordant pairs < 25
    assert result.sensitivity.test == "mcnemar_chi2_cc"
    assert result.ci_method == "newcombe_paired"
    assert result.baseline_mean == pytest.approx(12 / 40)


def test_binary_two_group_chooses_fisher_for_small_expected_counts(frames):
    small = compare_groups(
        frames.after_only([1, 0, 0, 0, 0, 0], [1, 1, 1, 1, 0, 1]), metric="done", binary=True
    )
    assert small.test == "fisher_exact"
    assert "smallest expected count" in small.test_reason
    assert small.sensitivity.test == "prop_test_chi2_cc"
    assert small.p_value == pytest.approx(stats.fisher_exact([[1, 5], [5, 1]]).pvalue)
    assert small.ci_method == "newcombe_hybrid_score"
    everyone = compare_groups(frames.after_only([1] * 5, [1] * 5), metric="done", binary=True)
    assert everyone.estimate == 0.0 and everyone.p_value == 1.0  # Fisher handles the empty column


def test_binary_did_is_the_difference_of_risk_differences(frames):
    rng = np.random.default_rng(4)
    tb, ta = (rng.random(80) < 0.3).astype(float), (rng.random(80) < 0.5).astype(float)
    cb, ca = (rng.random(70) < 0.3).astype(float), (rng.random(70) < 0.35).astype(float)
    result = analyze_metric(
        frames.cohorts(tb, ta, cb, ca), metric="done", design="did", binary=True
    )
    assert result.estimate == pytest.approx((ta.mean() - tb.mean()) - (ca.mean() - cb.mean()))
    assert result.test == "wald_z" and result.ci_method == "wald"
    se = np.sqrt(np.var(ta - tb) / 80 + np.var(ca - cb) / 70)
    assert result.ci_high - result.ci_low == pytest.approx(2 * 1.959963984540054 * se)
    assert result.sensitivity.test == "welch_t"
    assert result.ancova_estimate is not None


def test_binary_needs_two_participants_per_group(frames):
    result = compare_groups(frames.after_only([1.0], [0.0, 1.0]), metric="done", binary=True)
    assert result.estimate == pytest.approx(0.5)
    assert result.p_value is None and "fewer than 2 testers" in result.message

"""Tests and intervals for binary (0/1 per participant) metrics.

* two groups: R's ``prop.test`` (Pearson chi-square with Yates' continuity
  correction) or Fisher's exact test when an expected count is below 5; risk
  difference with Newcombe's hybrid score interval (method 10, no continuity
  correction);
* paired (before/after of the same testers): McNemar's test, exact binomial
  when fewer than 25 discordant pairs, else R's ``mcnemar.test`` chi-square
  with continuity correction; paired risk difference with Newcombe's interval
  for paired data (method 10);
* difference in differences: difference of the two paired risk differences,
  Wald z-test and normal-approximation CI.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import special, stats

from ._checks import RELATIVE_TOLERANCE
from .effects import cohen_h
from .results import TestResult

MIN_EXPECTED_COUNT = 5.0
"""Cochran's rule: below this expected count the chi-square is not trusted."""

MIN_DISCORDANT_PAIRS = 25
"""Below this many discordant pairs McNemar's test is done exactly (binomial)."""


class Interval(NamedTuple):
    """A point estimate and its confidence interval."""

    estimate: float
    ci_low: float
    ci_high: float


def _z(alpha: float) -> float:
    return float(special.ndtri(1.0 - alpha / 2.0))


def wilson_interval(successes: float, n: float, alpha: float = 0.05) -> Interval:
    """Wilson score interval for a proportion.

    Notes
    -----
    :math:`\\frac{x + z^2/2}{n + z^2} \\pm \\frac{z}{n+z^2}\\sqrt{x(n-x)/n + z^2/4}`.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and
    statistical inference. JASA 22, 209-212.
    """
    z = _z(alpha)
    centre = (successes + z * z / 2.0) / (n + z * z)
    half = z / (n + z * z) * math.sqrt(successes * (n - successes) / n + z * z / 4.0)
    return Interval(successes / n, max(centre - half, 0.0), min(centre + half, 1.0))


def newcombe_difference(x_1: int, n_1: int, x_2: int, n_2: int, alpha: float = 0.05) -> Interval:
    """Risk difference p1 - p2 of independent groups, Newcombe's hybrid score CI.

    Notes
    -----
    With Wilson limits :math:`(l_i, u_i)`:
    :math:`L = \\hat\\theta - \\sqrt{(p_1-l_1)^2 + (u_2-p_2)^2}`,
    :math:`U = \\hat\\theta + \\sqrt{(u_1-p_1)^2 + (p_2-l_2)^2}`.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between
    independent proportions: comparison of eleven methods. Statistics in
    Medicine 17, 873-890 (method 10).
    """
    p_1, l_1, u_1 = wilson_interval(x_1, n_1, alpha)
    p_2, l_2, u_2 = wilson_interval(x_2, n_2, alpha)
    theta = p_1 - p_2
    low = theta - math.sqrt((p_1 - l_1) ** 2 + (u_2 - p_2) ** 2)
    high = theta + math.sqrt((u_1 - p_1) ** 2 + (p_2 - l_2) ** 2)
    return Interval(theta, low, high)


def newcombe_paired_difference(
    both: int, only_after: int, only_before: int, neither: int, alpha: float = 0.05
) -> Interval:
    """Paired risk difference p_after - p_before with Newcombe's score CI.

    Parameters
    ----------
    both, only_after, only_before, neither : int
        Testers at 1 in both periods, only after, only before, in neither.

    Notes
    -----
    :math:`\\hat\\theta = (c - b)/n` with c = only_after, b = only_before.
    Wilson limits for :math:`p_a` and :math:`p_b` are combined with the
    correlation of the 2x2 table, continuity-corrected as Newcombe does:
    :math:`\\phi = \\max(AD - BC - n/2, 0)/\\sqrt{\\text{margins}}` when
    :math:`AD > BC`, :math:`(AD-BC)/\\sqrt{\\text{margins}}` otherwise, 0 when
    a margin is empty:
    :math:`L = \\hat\\theta - \\sqrt{(p_a-l_a)^2 - 2\\phi(p_a-l_a)(u_b-p_b) + (u_b-p_b)^2}`,
    :math:`U = \\hat\\theta + \\sqrt{(u_a-p_a)^2 - 2\\phi(u_a-p_a)(p_b-l_b) + (p_b-l_b)^2}`.

    References
    ----------
    Newcombe, R. G. (1998). Improved confidence intervals for the difference
    between binomial proportions based on paired data. Statistics in Medicine
    17, 2635-2650 (method 10).
    """
    n = both + only_after + only_before + neither
    p_a, l_a, u_a = wilson_interval(both + only_after, n, alpha)
    p_b, l_b, u_b = wilson_interval(both + only_before, n, alpha)
    margins = (
        (both + only_after)
        * (only_before + neither)
        * (both + only_before)
        * (only_after + neither)
    )
    phi = _corrected_phi(both * neither - only_after * only_before, n, margins)
    theta = p_a - p_b
    delta = (p_a - l_a) ** 2 - 2 * phi * (p_a - l_a) * (u_b - p_b) + (u_b - p_b) ** 2
    epsilon = (u_a - p_a) ** 2 - 2 * phi * (u_a - p_a) * (p_b - l_b) + (p_b - l_b) ** 2
    return Interval(theta, theta - math.sqrt(max(delta, 0.0)), theta + math.sqrt(max(epsilon, 0.0)))


def _corrected_phi(cross: float, n: int, margins: float) -> float:
    """Newcombe's continuity-corrected phi: (AD - BC - n/2)+ when AD - BC > 0."""
    if margins <= 0:
        return 0.0
    if cross > n / 2.0:
        return (cross - n / 2.0) / math.sqrt(margins)
    return cross / math.sqrt(margins) if cross < 0 else 0.0


def prop_test(
    x_1: int, n_1: int, x_2: int, n_2: int, *, alpha: float = 0.05, correct: bool = True
) -> TestResult:
    """Two-proportion chi-square test, as R's ``prop.test(c(x1, x2), c(n1, n2))``.

    Returns
    -------
    TestResult
        ``statistic`` (chi-square, df = 1), ``p_value``, ``estimate`` = p1 - p2
        with R's own CI (Wald with continuity correction), ``effect_size`` =
        Cohen's h.

    Notes
    -----
    :math:`\\hat p = (x_1+x_2)/(n_1+n_2)`, :math:`E` the expected counts,
    :math:`Y = \\min(0.5, |p_1-p_2|/(1/n_1+1/n_2))`,
    :math:`X^2 = \\sum(|O-E| - Y)^2/E`; CI
    :math:`p_1-p_2 \\pm (z\\sqrt{\\sum p_i(1-p_i)/n_i} + Y\\sum 1/n_i)`.

    References
    ----------
    Yates, F. (1934). Contingency tables involving small numbers and the
    chi-square test. JRSS Supplement 1, 217-235.
    """
    observed = np.array([[x_1, n_1 - x_1], [x_2, n_2 - x_2]], dtype=float)
    p_1, p_2 = x_1 / n_1, x_2 / n_2
    delta = p_1 - p_2
    yates = min(0.5, abs(delta) / (1.0 / n_1 + 1.0 / n_2)) if correct else 0.0
    pooled = (x_1 + x_2) / (n_1 + n_2)
    expected = np.array([[n_1 * pooled, n_1 * (1 - pooled)], [n_2 * pooled, n_2 * (1 - pooled)]])
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = float(np.sum((np.abs(observed - expected) - yates) ** 2 / expected))
    p_value = float(stats.chi2.sf(statistic, 1)) if math.isfinite(statistic) else None
    width = _z(alpha) * math.sqrt(p_1 * (1 - p_1) / n_1 + p_2 * (1 - p_2) / n_2)
    width += yates * (1.0 / n_1 + 1.0 / n_2)
    return TestResult(
        test="prop_test_chi2" + ("_cc" if correct else ""),
        statistic=statistic if p_value is not None else None,
        df=1.0,
        p_value=p_value,
        estimate=delta,
        estimate_name="risk_difference",
        ci_low=max(delta - width, -1.0),
        ci_high=min(delta + width, 1.0),
        effect_size=cohen_h(p_1, p_2),
        effect_size_name="cohen_h",
        method="Pearson chi-square" + (" with Yates' continuity correction" if correct else ""),
    )


def min_expected_count(x_1: int, n_1: int, x_2: int, n_2: int) -> float:
    """Smallest expected cell count of the 2x2 table under independence."""
    pooled = (x_1 + x_2) / (n_1 + n_2)
    return float(min(n_1, n_2) * min(pooled, 1.0 - pooled))


def fisher_test(
    x_1: int, n_1: int, x_2: int, n_2: int, *, alpha: float = 0.05, with_ci: bool = True
) -> TestResult:
    """Fisher's exact test of two proportions, as R's ``fisher.test``.

    Returns
    -------
    TestResult
        ``p_value`` (two-sided, summing tables no more likely than the
        observed one), ``estimate`` = conditional MLE odds ratio (odds of
        group 1 over group 2) with its exact CI (``with_ci``; the CI is a root
        search that costs 5-30 ms, so the designs ask for it only when Fisher
        is the headline test), ``effect_size`` = Cohen's h.

    References
    ----------
    Fisher, R. A. (1935). The logic of inductive inference. JRSS 98, 39-82.
    """
    table = np.array([[x_1, n_1 - x_1], [x_2, n_2 - x_2]])
    p_value = float(stats.fisher_exact(table).pvalue)
    odds = stats.contingency.odds_ratio(table, kind="conditional")
    low, high = None, None
    if with_ci:
        interval = odds.confidence_interval(confidence_level=1.0 - alpha)
        low, high = float(interval.low), float(interval.high)
    return TestResult(
        test="fisher_exact",
        p_value=p_value,
        estimate=float(odds.statistic),
        estimate_name="odds_ratio_conditional_mle",
        ci_low=low,
        ci_high=high,
        effect_size=cohen_h(x_1 / n_1, x_2 / n_2),
        effect_size_name="cohen_h",
        method="exact (hypergeometric)",
    )


def mcnemar_test(
    only_after: int, only_before: int, *, exact: bool | None = None, correct: bool = True
) -> TestResult:
    """McNemar's test of a change in a proportion among the same participants.

    Parameters
    ----------
    only_after, only_before : int
        Discordant pairs: 1 only after (c), 1 only before (b).
    exact : bool or None
        Exact binomial test; ``None`` = exact when b + c < 25.
    correct : bool
        Continuity correction of the chi-square (R's ``mcnemar.test`` default).

    Returns
    -------
    TestResult
        ``statistic`` (chi-square, df = 1; or c for the exact test),
        ``p_value``; with no discordant pair, ``p_value = 1``.

    Notes
    -----
    :math:`X^2 = (|b - c| - 1)^2/(b + c)` (R, uncapped); exact:
    :math:`c \\sim \\mathrm{Binomial}(b+c, 1/2)`, two-sided.

    References
    ----------
    McNemar, Q. (1947). Note on the sampling error of the difference between
    correlated proportions or percentages. Psychometrika 12, 153-157.
    """
    discordant = only_after + only_before
    use_exact = discordant < MIN_DISCORDANT_PAIRS if exact is None else exact
    if discordant == 0:
        return TestResult(
            test="mcnemar_exact" if use_exact else "mcnemar_chi2_cc",
            p_value=1.0,
            method="no discordant pair: no evidence of change",
        )
    if use_exact:
        p_value = float(stats.binomtest(only_after, discordant, 0.5).pvalue)
        return TestResult(
            test="mcnemar_exact",
            statistic=float(only_after),
            p_value=p_value,
            method="exact binomial on the discordant pairs",
        )
    statistic = (abs(only_after - only_before) - (1.0 if correct else 0.0)) ** 2 / discordant
    return TestResult(
        test="mcnemar_chi2" + ("_cc" if correct else ""),
        statistic=statistic,
        df=1.0,
        p_value=float(stats.chi2.sf(statistic, 1)),
        method="chi-square" + (" with continuity correction" if correct else ""),
    )


class PairedCounts(NamedTuple):
    """2x2 table of the same participants' 0/1 values before and after."""

    both: int
    only_after: int
    only_before: int
    neither: int

    @property
    def n(self) -> int:
        return self.both + self.only_after + self.only_before + self.neither

    @property
    def difference(self) -> float:
        return (self.only_after - self.only_before) / self.n

    @property
    def wald_variance(self) -> float:
        """Var of the paired risk difference: (b + c - (c - b)^2/n)/n^2."""
        discordant = self.only_after + self.only_before
        return (discordant - (self.only_after - self.only_before) ** 2 / self.n) / self.n**2


def paired_counts(before: np.ndarray, after: np.ndarray) -> PairedCounts:
    """Cross-tabulate 0/1 values of the same participants."""
    before = before.astype(bool)
    after = after.astype(bool)
    return PairedCounts(
        int(np.sum(before & after)),
        int(np.sum(after & ~before)),
        int(np.sum(before & ~after)),
        int(np.sum(~before & ~after)),
    )


def did_risk_difference(
    test: PairedCounts, control: PairedCounts, *, alpha: float = 0.05
) -> TestResult:
    """Difference of paired risk differences (testers minus control), Wald z.

    Notes
    -----
    :math:`\\hat\\Delta = (p^T_a - p^T_b) - (p^C_a - p^C_b)`, independent
    cohorts, so :math:`\\operatorname{Var}\\hat\\Delta = V_T + V_C` with the
    paired Wald variance :math:`V = (b + c - (c-b)^2/n)/n^2`;
    :math:`z = \\hat\\Delta/\\sqrt{V_T+V_C}`, CI
    :math:`\\hat\\Delta \\pm z_{1-\\alpha/2}\\sqrt{V_T+V_C}`.
    """
    estimate = test.difference - control.difference
    se = math.sqrt(max(test.wald_variance + control.wald_variance, 0.0))
    if not se > RELATIVE_TOLERANCE:  # risk differences live on a scale of 1
        return TestResult(
            test="wald_z",
            estimate=estimate,
            estimate_name="risk_difference_did",
            method="zero variance: no participant changed",
        )
    z = estimate / se
    margin = _z(alpha) * se
    return TestResult(
        test="wald_z",
        statistic=z,
        p_value=float(2.0 * special.ndtr(-abs(z))),
        estimate=estimate,
        estimate_name="risk_difference_did",
        ci_low=estimate - margin,
        ci_high=estimate + margin,
        method="normal approximation (Wald) of the difference of paired risk differences",
    )

"""Rank-based tests that reproduce R's ``wilcox.test`` defaults.

R's rule (kept here on purpose, so that results can be checked against R):
an exact p-value when the sample is small (n < 50, per group for two samples)
and there are neither ties nor zero differences; otherwise the normal
approximation with the tie-corrected variance and a continuity correction.
(scipy and pingouin use the exact distribution even with ties and zeros, which
gives a different p; see the reference notes.)
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from ._checks import tie_rounded

EXACT_LIMIT = 50
"""R's ``wilcox.test``: exact p when n < 50 (and no ties or zeros)."""

EXACT_HARD_LIMIT = 400
"""``exact=True`` is honoured up to this n (the exact distributions cost O(n^3))."""

HL_PAIRS_LIMIT = 4_000_000
"""Hodges-Lehmann needs all pairwise averages/differences; skipped above this."""


class RankTest(NamedTuple):
    """Result of a rank test: statistic (R's V or W), two-sided p and more."""

    statistic: float
    p_value: float | None
    exact: bool
    hodges_lehmann: float | None
    ci_low: float | None
    ci_high: float | None
    rank_biserial: float | None
    n: int
    method: str


@lru_cache(maxsize=64)
def signed_rank_distribution(n: int) -> np.ndarray:
    """Null probabilities of V = 0 .. n(n+1)/2 for the signed-rank statistic.

    Notes
    -----
    Coefficients of :math:`\\prod_{i=1}^{n} (1 + q^i)/2`. Counts stay below
    :math:`2^{53}` for n < 50 so the probabilities are exact in float64.
    """
    probabilities = np.zeros(n * (n + 1) // 2 + 1)
    probabilities[0] = 1.0
    top = 0
    for rank in range(1, n + 1):
        shifted = probabilities[: top + 1].copy()
        probabilities[rank : rank + top + 1] += shifted
        top += rank
    return probabilities / 2.0**n


@lru_cache(maxsize=64)
def rank_sum_distribution(n_x: int, n_y: int) -> np.ndarray:
    """Null probabilities of W = 0 .. n_x n_y (Mann-Whitney, R's ``dwilcox``).

    Notes
    -----
    Recursion on the largest observation, which belongs to x with probability
    :math:`m/(m+n)` and then beats all n values of y:
    :math:`P_{m,n}(w) = \\tfrac{m}{m+n} P_{m-1,n}(w-n) + \\tfrac{n}{m+n} P_{m,n-1}(w)`.
    Only positive terms are added, so there is no cancellation.
    """
    previous = [np.ones(1) for _ in range(n_y + 1)]  # m = 0: W = 0 surely
    for m in range(1, n_x + 1):
        current = [np.ones(1)]  # n = 0: W = 0 surely
        for n in range(1, n_y + 1):
            table = np.zeros(m * n + 1)
            table[: m * (n - 1) + 1] += n / (m + n) * current[n - 1]
            table[n:] += m / (m + n) * previous[n]
            current.append(table)
        previous = current
    return previous[n_y]


def _exact_two_sided(distribution: np.ndarray, statistic: float) -> float:
    """R: p <- if (S > mean) P(S >= s) else P(S <= s); min(2p, 1)."""
    middle = (len(distribution) - 1) / 2.0
    index = int(round(statistic))
    tail = distribution[index:].sum() if statistic > middle else distribution[: index + 1].sum()
    return float(min(2.0 * tail, 1.0))


def _exact_quantile(distribution: np.ndarray, probability: float) -> int:
    """R's ``qsignrank`` / ``qwilcox``: smallest q with P(S <= q) >= p."""
    cumulative = np.cumsum(distribution)
    return int(np.searchsorted(cumulative, probability - 10 * np.finfo(float).eps))


def _normal_p(z_raw: float, sigma: float, correct: bool) -> float:
    correction = math.copysign(0.5, z_raw) if (correct and z_raw != 0) else 0.0
    z = (z_raw - correction) / sigma
    return float(min(2.0 * special.ndtr(-abs(z)), 1.0))


def _tie_sum(ranks: np.ndarray) -> float:
    _, counts = np.unique(ranks, return_counts=True)
    return float(np.sum(counts.astype(float) ** 3 - counts))


def _normal_rank_index(mean: float, sd: float, alpha: float) -> int:
    """Hollander-Wolfe large-sample order-statistic index for the HL CI."""
    return int(round(mean - special.ndtri(1.0 - alpha / 2.0) * sd))


def wilcoxon_signed_rank(
    differences: ArrayLike,
    *,
    alpha: float = 0.05,
    correct: bool = True,
    exact: bool | None = None,
    scale: float | None = None,
) -> RankTest:
    """Wilcoxon signed-rank test of paired differences, as R's default ``wilcox.test``.

    Parameters
    ----------
    differences : array
        after - before per participant (NaN-free).
    alpha : float
        1 - confidence level of the Hodges-Lehmann CI.
    correct : bool
        Continuity correction in the normal approximation (R default True).
    exact : bool or None
        R's ``exact``: None = exact when n < 50; the exact distribution is
        used only without ties and zeros, whatever is asked (as R), and up to
        n = 400.
    scale : float, optional
        Size of the readings the differences come from (default: the largest
        absolute difference). Differences are rounded to 1e-9 x scale before
        ranking (:func:`~livinglab.stats._checks.tie_rounded`), so numbers
        equal on paper but not in binary floating point tie, and a difference
        of float noise counts as zero.

    Returns
    -------
    RankTest
        ``statistic`` = V (sum of ranks of positive differences, zeros
        dropped), ``p_value`` (two-sided), ``exact`` (whether the exact null
        distribution was used), ``hodges_lehmann`` (pseudomedian = median of
        the Walsh averages) with ``ci_low``/``ci_high``, ``rank_biserial``
        (matched-pairs, :math:`2V/S - 1` with :math:`S = n(n+1)/2`), ``n``
        (non-zero differences), ``method``.

    Notes
    -----
    Exact when n < 50 and no ties or zeros (then the HL CI is R's exact
    ``qsignrank`` interval). Otherwise
    :math:`z = (V - n(n+1)/4 - \\tfrac12\\operatorname{sign}) / \\sigma`,
    :math:`\\sigma^2 = n(n+1)(2n+1)/24 - \\sum(t^3 - t)/48`, and the HL CI uses
    the large-sample order-statistic index (Hollander & Wolfe) rather than R's
    root-finding (which R solves only to 1e-4).

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics
    Bulletin 1(6), 80-83. Hollander, M. & Wolfe, D. A. (1999). Nonparametric
    Statistical Methods, 2nd ed., section 3.2. Kerby, D. S. (2014). The simple
    difference formula. Comprehensive Psychology 3.
    """
    values = np.asarray(differences, dtype=float)
    rounded = tie_rounded(values, scale=scale)
    nonzero = rounded[rounded != 0.0]
    n = len(nonzero)
    hl, ci_low, ci_high = _walsh_hodges_lehmann(values, alpha, exact=False)
    if n == 0:
        return RankTest(0.0, None, False, hl, ci_low, ci_high, None, 0, "all differences are zero")
    ranks = stats.rankdata(np.abs(nonzero))
    statistic = float(ranks[nonzero > 0].sum())
    total = n * (n + 1) / 2.0
    biserial = 2.0 * statistic / total - 1.0
    ties = len(np.unique(ranks)) != n
    zeros = n != len(values)
    wanted = n < EXACT_LIMIT if exact is None else (exact and n <= EXACT_HARD_LIMIT)
    if wanted and not ties and not zeros:
        p_value = _exact_two_sided(signed_rank_distribution(n), statistic)
        hl, ci_low, ci_high = _walsh_hodges_lehmann(values, alpha, exact=True)
        return RankTest(statistic, p_value, True, hl, ci_low, ci_high, biserial, n, "exact")
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24.0 - _tie_sum(ranks) / 48.0)
    p_normal = _normal_p(statistic - total / 2.0, sigma, correct) if sigma > 0 else None
    method = "normal approximation" + (" with continuity correction" if correct else "")
    return RankTest(statistic, p_normal, False, hl, ci_low, ci_high, biserial, n, method)


def _walsh_hodges_lehmann(
    values: np.ndarray, alpha: float, *, exact: bool
) -> tuple[float | None, float | None, float | None]:
    n = len(values)
    if n == 0 or n * (n + 1) // 2 > HL_PAIRS_LIMIT:
        return None, None, None
    upper = np.triu_indices(n)
    walsh = (values[upper[0]] + values[upper[1]]) / 2.0
    if exact:
        lower_index = max(_exact_quantile(signed_rank_distribution(n), alpha / 2.0), 1)
    else:
        total = n * (n + 1) / 4.0
        sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24.0)
        lower_index = _normal_rank_index(total, sd, alpha)
    return _median_and_interval(walsh, lower_index)


def _median_and_interval(
    values: np.ndarray, lower_index: int
) -> tuple[float, float | None, float | None]:
    """The median of ``values`` and the order-statistic CI ``[v_(k), v_(M+1-k)]``
    (1-indexed ``k = lower_index``), as ``np.median`` and the sorted values'
    order statistics give them, from one ``np.partition`` on those (at most four)
    order statistics instead of a full sort: O(M) instead of O(M log M) on the up to
    4 M pairwise values of a Hodges-Lehmann estimate."""
    total = len(values)
    middle = [(total - 1) // 2, total // 2]
    has_interval = 1 <= lower_index <= total - lower_index + 1
    bounds = [lower_index - 1, total - lower_index] if has_interval else []
    chosen = np.partition(values, sorted(set(middle + bounds)))
    # np.median's own arithmetic: the mean of the one or two middle values
    estimate = float(np.mean(chosen[middle[0] : middle[1] + 1]))
    if not has_interval:
        return estimate, None, None
    return estimate, float(chosen[bounds[0]]), float(chosen[bounds[1]])


def mann_whitney_u(
    x: ArrayLike,
    y: ArrayLike,
    *,
    alpha: float = 0.05,
    correct: bool = True,
    exact: bool | None = None,
    scale: float | None = None,
) -> RankTest:
    """Wilcoxon rank-sum / Mann-Whitney U test of x vs y, as R's ``wilcox.test(x, y)``.

    ``scale`` (default: the largest absolute value) sets the float-noise
    tolerance under which two values tie, as in :func:`wilcoxon_signed_rank`.

    Returns
    -------
    RankTest
        ``statistic`` = R's W (:math:`\\sum` ranks of x :math:`- n_x(n_x+1)/2`,
        i.e. #(x > y) + #(ties)/2), ``p_value`` (two-sided), ``exact``,
        ``hodges_lehmann`` (median of all x - y differences) with its CI,
        ``rank_biserial`` = :math:`2W/(n_x n_y) - 1` (positive when x tends
        to be larger), ``n`` = n_x + n_y, ``method``.

    Notes
    -----
    Exact when n_x < 50 and n_y < 50 and no ties; otherwise
    :math:`z = (W - n_x n_y/2 - \\tfrac12\\operatorname{sign})/\\sigma`,
    :math:`\\sigma^2 = \\tfrac{n_x n_y}{12}\\big(N+1 - \\tfrac{\\sum(t^3-t)}{N(N-1)}\\big)`,
    :math:`N = n_x + n_y`.

    References
    ----------
    Mann, H. B. & Whitney, D. R. (1947). Annals of Mathematical Statistics 18,
    50-60. Hodges, J. L. & Lehmann, E. L. (1963). Annals of Mathematical
    Statistics 34, 598-611.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n_x, n_y = len(x), len(y)
    ranks = stats.rankdata(tie_rounded(np.concatenate([x, y]), scale=scale))
    statistic = float(ranks[:n_x].sum() - n_x * (n_x + 1) / 2.0)
    biserial = 2.0 * statistic / (n_x * n_y) - 1.0
    ties = len(np.unique(ranks)) != n_x + n_y
    small = n_x < EXACT_LIMIT and n_y < EXACT_LIMIT
    feasible = n_x * n_y <= EXACT_HARD_LIMIT**2 // 16
    exact = (small if exact is None else (exact and feasible)) and not ties
    hl, ci_low, ci_high = _shift_hodges_lehmann(x, y, alpha, exact=exact)
    if exact:
        p_value = _exact_two_sided(rank_sum_distribution(n_x, n_y), statistic)
        return RankTest(statistic, p_value, True, hl, ci_low, ci_high, biserial, n_x + n_y, "exact")
    total = n_x + n_y
    variance = n_x * n_y / 12.0 * ((total + 1) - _tie_sum(ranks) / (total * (total - 1)))
    sigma = math.sqrt(max(variance, 0.0))
    p_normal = _normal_p(statistic - n_x * n_y / 2.0, sigma, correct) if sigma > 0 else None
    method = "normal approximation" + (" with continuity correction" if correct else "")
    return RankTest(statistic, p_normal, False, hl, ci_low, ci_high, biserial, total, method)


def _shift_hodges_lehmann(
    x: np.ndarray, y: np.ndarray, alpha: float, *, exact: bool
) -> tuple[float | None, float | None, float | None]:
    n_x, n_y = len(x), len(y)
    if n_x == 0 or n_y == 0 or n_x * n_y > HL_PAIRS_LIMIT:
        return None, None, None
    differences = np.subtract.outer(x, y).ravel()
    if exact:
        lower_index = max(_exact_quantile(rank_sum_distribution(n_x, n_y), alpha / 2.0), 1)
    else:
        sd = math.sqrt(n_x * n_y * (n_x + n_y + 1) / 12.0)
        lower_index = _normal_rank_index(n_x * n_y / 2.0, sd, alpha)
    return _median_and_interval(differences, lower_index)

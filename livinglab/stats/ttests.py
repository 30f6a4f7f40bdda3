"""t-tests from summary statistics (vectorised).

The database reduces readings to one value per participant and period; the
designs reduce those to means, SDs and counts, and these functions turn the
summaries into a test. They accept numpy arrays as well as floats, so the
calibration tests can run thousands of simulated pilots through the very code
that :func:`livinglab.stats.analyze_metric` uses.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from ._checks import RELATIVE_TOLERANCE


class TTest(NamedTuple):
    """A t-test of a difference: estimate, its SE, t, df, two-sided p and CI."""

    estimate: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    df: np.ndarray
    p_value: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray


def t_quantile(df: ArrayLike, probability: float) -> np.ndarray:
    """Quantile of Student's t with ``df`` degrees of freedom."""
    return special.stdtrit(np.asarray(df, dtype=float), probability)


def _finish(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, alpha: float, mu: float, scale: ArrayLike
) -> TTest:
    """t, p and CI; an SE that is float noise next to ``scale`` gives NaN, not t = 1e15."""
    estimate = np.asarray(estimate, dtype=float)
    se = np.asarray(se, dtype=float)
    noise = se <= RELATIVE_TOLERANCE * np.abs(np.asarray(scale, dtype=float))
    se = np.where(noise, np.nan, se)
    df = np.asarray(df, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = (estimate - mu) / se
    p_value = 2.0 * special.stdtr(df, -np.abs(statistic))
    margin = t_quantile(df, 1.0 - alpha / 2.0) * se
    return TTest(estimate, se, statistic, df, p_value, estimate - margin, estimate + margin)


def one_sample_t(
    mean: ArrayLike, sd: ArrayLike, n: ArrayLike, *, alpha: float = 0.05, mu: float = 0.0
) -> TTest:
    """One-sample t-test of ``mean`` against ``mu``; the paired t-test on differences.

    Parameters
    ----------
    mean, sd, n : float or array
        Mean, SD (ddof = 1) and count of the differences.
    alpha : float
        1 - confidence level of the CI.
    mu : float
        Null value.

    Returns
    -------
    TTest
        ``estimate`` (= mean), ``se``, ``statistic``, ``df`` (= n - 1),
        ``p_value`` (two-sided), ``ci_low``, ``ci_high``. Where the SE is 0 or
        float noise (at most 1e-9 x max(|mean|, |mu|)), ``se``, ``statistic``,
        ``p_value`` and the CI are NaN: there is no variation to test.

    Notes
    -----
    :math:`t = (\\bar d - \\mu) / (s_d/\\sqrt n)`, df = n - 1; CI
    :math:`\\bar d \\pm t_{1-\\alpha/2, n-1} s_d/\\sqrt n`, as R's
    ``t.test(x, y, paired = TRUE)``.

    References
    ----------
    Student (1908). The probable error of a mean. Biometrika 6(1), 1-25.
    """
    n = np.asarray(n, dtype=float)
    se = np.asarray(sd, dtype=float) / np.sqrt(n)
    scale = np.maximum(np.abs(np.asarray(mean, dtype=float)), abs(mu))
    return _finish(mean, se, n - 1.0, alpha, mu, scale)


def welch_t(
    mean_x: ArrayLike,
    sd_x: ArrayLike,
    n_x: ArrayLike,
    mean_y: ArrayLike,
    sd_y: ArrayLike,
    n_y: ArrayLike,
    *,
    alpha: float = 0.05,
    mu: float = 0.0,
) -> TTest:
    """Welch's unequal-variance t-test of ``mean_x - mean_y``.

    Returns
    -------
    TTest
        ``estimate`` (= mean_x - mean_y), ``se``, ``statistic``, ``df``
        (Welch-Satterthwaite), ``p_value`` (two-sided), ``ci_low``, ``ci_high``;
        NaN where the SE is 0 or float noise (at most 1e-9 x the larger
        absolute mean).

    Notes
    -----
    :math:`v_i = s_i^2/n_i`, :math:`t = (\\bar x - \\bar y - \\mu)/\\sqrt{v_x + v_y}`,
    :math:`\\nu = (v_x+v_y)^2 / (v_x^2/(n_x-1) + v_y^2/(n_y-1))`, as R's
    ``t.test(x, y)`` (``var.equal = FALSE``, the default).

    References
    ----------
    Welch, B. L. (1947). The generalization of 'Student's' problem when several
    different population variances are involved. Biometrika 34, 28-35.
    """
    var_x = np.asarray(sd_x, dtype=float) ** 2 / np.asarray(n_x, dtype=float)
    var_y = np.asarray(sd_y, dtype=float) ** 2 / np.asarray(n_y, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (var_x + var_y) ** 2 / (
            var_x**2 / (np.asarray(n_x, dtype=float) - 1.0)
            + var_y**2 / (np.asarray(n_y, dtype=float) - 1.0)
        )
    mean_x, mean_y = np.asarray(mean_x, dtype=float), np.asarray(mean_y, dtype=float)
    scale = np.maximum(np.abs(mean_x), np.abs(mean_y))
    return _finish(mean_x - mean_y, np.sqrt(var_x + var_y), df, alpha, mu, scale)


def one_sided_p(statistic: ArrayLike, df: ArrayLike, *, upper: bool) -> np.ndarray:
    """One-sided p of a t statistic: upper tail P(T >= t) or lower tail P(T <= t)."""
    statistic = np.asarray(statistic, dtype=float)
    df = np.asarray(df, dtype=float)
    return special.stdtr(df, -statistic) if upper else special.stdtr(df, statistic)


class RatioInterval(NamedTuple):
    """A ratio of two estimates with its Fieller CI (NaN where undefined or unbounded)."""

    ratio: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray


def fieller_ratio(
    numerator: ArrayLike,
    denominator: ArrayLike,
    var_numerator: ArrayLike,
    var_denominator: ArrayLike,
    covariance: ArrayLike,
    df: ArrayLike,
    *,
    alpha: float = 0.05,
) -> RatioInterval:
    """Fieller's confidence interval for ``numerator / denominator`` (vectorised).

    Used for percentages of the baseline, whose denominator (a sample mean) is
    uncertain too.

    Parameters
    ----------
    numerator, denominator : float or array
        The two estimates (e.g. the mean difference and the baseline mean).
    var_numerator, var_denominator, covariance : float or array
        Their sampling variances and covariance (squared standard errors).
    df : float or array
        Degrees of freedom of the t quantile (``inf`` for the normal one).
    alpha : float
        1 - confidence level.

    Returns
    -------
    RatioInterval
        ``ratio`` (NaN when the denominator is 0) and ``ci_low``/``ci_high``,
        NaN when the denominator is not significantly different from 0 at
        ``alpha`` (Fieller's set is then unbounded).

    Notes
    -----
    The CI is the set of :math:`R` for which :math:`N - R D` is not
    significantly different from 0:
    :math:`(N - RD)^2 \\le t^2 (V_N - 2R\\,C + R^2 V_D)`, i.e. between the
    roots of :math:`a R^2 - 2bR + c` with :math:`a = D^2 - t^2 V_D`,
    :math:`b = ND - t^2 C`, :math:`c = N^2 - t^2 V_N` (bounded when
    :math:`a > 0`). At :math:`R = 0` the condition is the t-test of :math:`N`
    itself, so the CI excludes 0 exactly when that test rejects. For paired
    data (:math:`N = \\bar d`, :math:`D = \\bar b`) it is the one-sample t-test
    of :math:`d_i - R b_i`, exact under normality.

    References
    ----------
    Fieller, E. C. (1954). Some problems in interval estimation. Journal of
    the Royal Statistical Society B 16, 175-185. Franz, V. H. (2007). Ratios:
    a short guide to confidence limits and proper use. arXiv:0710.2024.
    """
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    t2 = t_quantile(df, 1.0 - alpha / 2.0) ** 2
    a = denominator**2 - t2 * np.asarray(var_denominator, dtype=float)
    b = numerator * denominator - t2 * np.asarray(covariance, dtype=float)
    c = numerator**2 - t2 * np.asarray(var_numerator, dtype=float)
    bounded = a > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(denominator != 0, numerator / denominator, np.nan)
        root = np.sqrt(np.maximum(b * b - a * c, 0.0))
        low = np.where(bounded, (b - root) / a, np.nan)
        high = np.where(bounded, (b + root) / a, np.nan)
    return RatioInterval(ratio, low, high)

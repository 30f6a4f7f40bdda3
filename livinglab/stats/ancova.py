"""Baseline-adjusted comparison of two cohorts (ANCOVA, a.k.a. CUPED)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import special

from .ttests import t_quantile


class Ancova(NamedTuple):
    """Cohort coefficient of ``after ~ cohort + before`` with its classic OLS inference."""

    estimate: float | None
    se: float | None
    df: float | None
    statistic: float | None
    p_value: float | None
    ci_low: float | None
    ci_high: float | None
    residual_sd: float | None
    slope: float | None
    message: str | None


def ancova(
    before_test: np.ndarray,
    after_test: np.ndarray,
    before_control: np.ndarray,
    after_control: np.ndarray,
    *,
    alpha: float = 0.05,
) -> Ancova:
    """Estimate the cohort effect on ``after`` adjusting for ``before`` by OLS.

    Returns
    -------
    Ancova
        ``estimate`` (adjusted difference test - control, metric's unit),
        ``se``, ``df`` (n - 3), ``statistic`` (t), ``p_value`` (two-sided),
        ``ci_low``/``ci_high`` (t-based), ``residual_sd`` (root mean squared
        error, the SD for power calculations), ``slope`` (coefficient of
        ``before``), ``message`` (why it is not estimable).

    Notes
    -----
    Model :math:`y_i = \\beta_0 + \\tau T_i + \\beta x_i + \\varepsilon_i`
    with :math:`y` = after, :math:`x` = before, :math:`T` = 1 for testers.
    :math:`\\hat\\beta = (X^\\top X)^{-1}X^\\top y`,
    :math:`\\widehat{\\operatorname{Var}}(\\hat\\beta) = \\hat\\sigma^2 (X^\\top X)^{-1}`,
    :math:`\\hat\\sigma^2 = RSS/(n-3)`. Under randomisation this is unbiased and
    more precise than the change-score difference whenever the baseline
    predicts the outcome (Deng et al.'s CUPED is the same estimator).

    References
    ----------
    Van Breukelen, G. J. P. (2006). ANCOVA versus change from baseline had more
    power in randomized studies and more bias in nonrandomized studies. Journal
    of Clinical Epidemiology 59, 920-925. Deng, A., Xu, Y., Kohavi, R. & Walker,
    T. (2013). Improving the sensitivity of online controlled experiments by
    utilizing pre-experiment data. WSDM '13, 123-132.
    """
    outcome = np.concatenate([after_test, after_control]).astype(float)
    treated = np.concatenate([np.ones(len(after_test)), np.zeros(len(after_control))])
    baseline = np.concatenate([before_test, before_control]).astype(float)
    n = len(outcome)
    if n < 4:
        return _not_estimable("fewer than 4 participants with both periods: ANCOVA not estimable")
    design = np.column_stack([np.ones(n), treated, baseline])
    if np.linalg.matrix_rank(design) < 3:
        return _not_estimable("baseline values do not vary: ANCOVA not estimable")
    coefficients, *_ = np.linalg.lstsq(design, outcome, rcond=None)
    residuals = outcome - design @ coefficients
    df = n - 3
    sigma2 = float(residuals @ residuals) / df
    se = math.sqrt(sigma2 * np.linalg.inv(design.T @ design)[1, 1])
    estimate = float(coefficients[1])
    if not se > 0:
        return Ancova(
            estimate,
            0.0,
            df,
            None,
            None,
            None,
            None,
            0.0,
            float(coefficients[2]),
            "the baseline predicts the outcome exactly: ANCOVA has no residual variance",
        )
    statistic = estimate / se
    margin = float(t_quantile(df, 1.0 - alpha / 2.0)) * se
    return Ancova(
        estimate,
        se,
        float(df),
        statistic,
        float(2.0 * special.stdtr(df, -abs(statistic))),
        estimate - margin,
        estimate + margin,
        math.sqrt(sigma2),
        float(coefficients[2]),
        None,
    )


def _not_estimable(message: str) -> Ancova:
    return Ancova(None, None, None, None, None, None, None, None, None, message)

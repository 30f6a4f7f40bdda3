"""The rule that picks a parametric or a rank-based test for the headline p.

A t-test is used when every compared sample is large (n >= 30, the central
limit theorem makes the mean approximately normal) or looks normal (Shapiro-
Wilk p >= 0.05 and |skewness| < 1). Otherwise the headline p-value comes from
the rank-based test (Wilcoxon signed-rank / Mann-Whitney U), and the CI of the
mean difference from a seeded bootstrap (the t CI when a group has fewer than
10 values, where a bootstrap CI is too narrow). Both tests are always computed and
kept (``MetricResult.alternative``). Samples of fewer than 3 values cannot be
checked; the t-test is then kept and the reason says so.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from scipy import stats

CLT_MIN_N = 30
SHAPIRO_ALPHA = 0.05
MAX_ABS_SKEWNESS = 1.0


class TestChoice(NamedTuple):
    """Whether to use the parametric test, and the human-readable reason."""

    parametric: bool
    reason: str


def _check(label: str, values: np.ndarray) -> tuple[bool, str]:
    n = len(values)
    if n >= CLT_MIN_N:
        return True, f"{label}: n = {n} >= {CLT_MIN_N} (central limit theorem)"
    if n < 3:
        return True, f"{label}: n = {n}, too few to check normality"
    if np.ptp(values) == 0:
        return False, f"{label}: n = {n} < {CLT_MIN_N} and all values equal"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p_value = float(stats.shapiro(values).pvalue)
        skewness = float(stats.skew(values, bias=False))
    normal = p_value >= SHAPIRO_ALPHA and abs(skewness) < MAX_ABS_SKEWNESS
    verdict = "looks normal" if normal else "fails the normality check"
    return normal, (
        f"{label}: n = {n} < {CLT_MIN_N}, {verdict} "
        f"(Shapiro-Wilk p = {p_value:.3g}, skewness = {skewness:.2f})"
    )


def choose_test(
    samples: Mapping[str, np.ndarray], *, parametric: str, rank_based: str
) -> TestChoice:
    """Apply the rule to every sample and explain the choice.

    Parameters
    ----------
    samples : mapping of label -> values
        E.g. ``{"differences": d}`` or ``{"testers": x, "control": y}``.
    parametric, rank_based : str
        Display names of the two tests.

    Returns
    -------
    TestChoice
        ``parametric`` (bool) and ``reason``, e.g. "paired t-test: every sample
        is large or looks normal - differences: n = 42 >= 30 (central limit
        theorem)".

    Notes
    -----
    Skewness is the adjusted Fisher-Pearson coefficient :math:`G_1`
    (``scipy.stats.skew(bias=False)``).

    References
    ----------
    Shapiro, S. S. & Wilk, M. B. (1965). An analysis of variance test for
    normality (complete samples). Biometrika 52, 591-611.
    """
    checks = [_check(label, np.asarray(values, dtype=float)) for label, values in samples.items()]
    details = "; ".join(text for _, text in checks)
    if all(ok for ok, _ in checks):
        return TestChoice(True, f"{parametric}: every sample is large or looks normal - {details}")
    return TestChoice(
        False,
        f"{rank_based} for the p-value (the {parametric} is kept as the alternative; "
        f"ci_method says how the CI of the mean difference was obtained): not every sample is "
        f"large or normal - {details}",
    )

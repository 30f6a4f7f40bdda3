"""Guardrails: non-inferiority and TOST equivalence tests.

A guardrail criterion (``must: not_worsen``) passes when the data show that
the metric did not get worse by more than a margin: the one-sided test of
H0 "worse by at least the margin" is rejected at ``alpha``, which is the same
as the ``1 - 2 alpha`` CI lying entirely on the acceptable side of the margin.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._checks import check_choice, check_positive, check_probability, no_variation
from .binary import paired_counts
from .designs import BETTER, DESIGNS
from .prepare import Cohort, Columns, check_binary, select, to_wide
from .results import EquivalenceResult
from .ttests import one_sided_p, t_quantile


class Difference(NamedTuple):
    """A difference with the SE and df of its t (df = inf for a z)."""

    estimate: float
    se: float
    df: float
    test: str


def _bounds_fields(
    difference: Difference, low: float | None, high: float | None, alpha: float
) -> dict[str, Any]:
    estimate, se, df = difference.estimate, difference.se, difference.df
    margin = float(t_quantile(df, 1.0 - alpha)) * se
    fields: dict[str, Any] = {
        "estimate": estimate,
        "df": df if math.isfinite(df) else None,
        "ci_low": estimate - margin,
        "ci_high": estimate + margin,
        "test": difference.test,
    }
    p_values = []
    if low is not None:
        fields["t_lower"] = (estimate - low) / se
        fields["p_lower"] = float(one_sided_p(fields["t_lower"], df, upper=True))
        p_values.append((fields["p_lower"], fields["t_lower"]))
    if high is not None:
        fields["t_upper"] = (estimate - high) / se
        fields["p_upper"] = float(one_sided_p(fields["t_upper"], df, upper=False))
        p_values.append((fields["p_upper"], fields["t_upper"]))
    fields["p_value"], fields["statistic"] = max(p_values)
    fields["shown"] = bool(fields["p_value"] < alpha)
    return fields


def tost(
    x: ArrayLike,
    y: ArrayLike | None = None,
    *,
    low: float,
    high: float,
    paired: bool = False,
    alpha: float = 0.05,
) -> EquivalenceResult:
    """Two one-sided t-tests (TOST) of mean(x - y) (paired), mean(x) - mean(y) (Welch) or mean(x).

    Parameters
    ----------
    x, y : array
        Values; ``y=None`` for one sample (e.g. already-computed differences).
    low, high : float
        Equivalence bounds in the metric's unit, ``low < high``.
    paired : bool
        Paired t on x - y (same participants, same order).
    alpha : float
        Level of each one-sided test; the CI is ``1 - 2 alpha``.

    Returns
    -------
    EquivalenceResult
        ``t_lower``/``p_lower`` (H0: diff <= low, upper-tail p),
        ``t_upper``/``p_upper`` (H0: diff >= high, lower-tail p),
        ``p_value = max(p_lower, p_upper)``, ``statistic`` = the t of that
        test, ``ci_low``/``ci_high`` (``1 - 2 alpha``), ``shown``.

    Notes
    -----
    :math:`t_L = (\\hat\\Delta - \\Delta_L)/SE`, :math:`p_L = P(T \\ge t_L)`;
    :math:`t_U = (\\hat\\Delta - \\Delta_U)/SE`, :math:`p_U = P(T \\le t_U)`.
    Equivalence is shown iff :math:`\\max(p_L, p_U) < \\alpha`, iff the
    :math:`1-2\\alpha` CI lies inside :math:`(\\Delta_L, \\Delta_U)`.

    References
    ----------
    Schuirmann, D. J. (1987). A comparison of the two one-sided tests procedure
    and the power approach for assessing the equivalence of average
    bioavailability. J. Pharmacokinetics and Biopharmaceutics 15, 657-680.
    Lakens, D. (2017). Equivalence tests. Social Psychological and Personality
    Science 8, 355-362.
    """
    check_probability(alpha, "alpha")
    if not low < high:
        raise ValueError(
            f"The 'low' bound must be below 'high'. Got low={low!r}, high={high!r} instead."
        )
    x = np.asarray(x, dtype=float)
    y_values = None if y is None else np.asarray(y, dtype=float)
    if y_values is not None and paired:
        difference = _paired(x - y_values)
        n_test, n_control, design = len(x), 0, "pre_post"
    elif y_values is not None:
        difference = _welch(x, y_values)
        n_test, n_control, design = len(x), len(y_values), "two_group"
    else:
        difference = _paired(x)
        n_test, n_control, design = len(x), 0, "pre_post"
    fields = (
        _bounds_fields(difference, low, high, alpha)
        if difference.se > 0
        else {"message": "fewer than 2 values or zero variance: cannot test"}
    )
    return EquivalenceResult(
        metric="",
        design=design,
        kind="equivalence",
        low=low,
        high=high,
        conf_level=1.0 - 2.0 * alpha,
        alpha=alpha,
        n_test=n_test,
        n_control=n_control,
        **fields,
    )


def _paired(differences: np.ndarray) -> Difference:
    n = len(differences)
    if n < 2:
        return Difference(float(np.mean(differences)) if n else math.nan, 0.0, math.nan, "paired_t")
    # Differences equal up to float noise (every tester shifted by 0.1) have no SE.
    sd = 0.0 if no_variation(differences) else float(np.std(differences, ddof=1))
    return Difference(float(np.mean(differences)), sd / math.sqrt(n), n - 1.0, "paired_t")


def _welch(x: np.ndarray, y: np.ndarray) -> Difference:
    if len(x) < 2 or len(y) < 2:
        estimate = float(np.mean(x) - np.mean(y)) if len(x) and len(y) else math.nan
        return Difference(estimate, 0.0, math.nan, "welch_t")
    if no_variation(x) and no_variation(y):
        return Difference(float(np.mean(x) - np.mean(y)), 0.0, math.nan, "welch_t")
    v_x, v_y = np.var(x, ddof=1) / len(x), np.var(y, ddof=1) / len(y)
    se = math.sqrt(v_x + v_y)
    df = (v_x + v_y) ** 2 / (v_x**2 / (len(x) - 1) + v_y**2 / (len(y) - 1)) if se > 0 else math.nan
    return Difference(float(np.mean(x) - np.mean(y)), se, float(df), "welch_t")


def _binary_difference(design: str, tester: Cohort, control: Cohort) -> Difference:
    if design == "two_group":
        if tester.n < 2 or control.n < 2:
            return Difference(math.nan, 0.0, math.inf, "wald_z")
        p_t, p_c = float(np.mean(tester.after)), float(np.mean(control.after))
        se = math.sqrt(p_t * (1 - p_t) / tester.n + p_c * (1 - p_c) / control.n)
        return Difference(p_t - p_c, se, math.inf, "wald_z")
    cohorts = (tester,) if design == "pre_post" else (tester, control)
    if any(c.n < 2 for c in cohorts):
        return Difference(math.nan, 0.0, math.inf, "wald_z")
    counts = [paired_counts(c.before, c.after) for c in cohorts]
    estimate = counts[0].difference - (counts[1].difference if len(counts) > 1 else 0.0)
    return Difference(estimate, math.sqrt(sum(c.wald_variance for c in counts)), math.inf, "wald_z")


def _difference(design: str, tester: Cohort, control: Cohort, binary: bool) -> Difference:
    if binary:
        return _binary_difference(design, tester, control)
    if design == "pre_post":
        return _paired(tester.change)
    if design == "two_group":
        return _welch(tester.after, control.after)
    return _welch(tester.change, control.change)


def _prepare(
    data: pd.DataFrame, design: str, binary: bool, metric: str, columns: Columns
) -> tuple[Cohort, Cohort]:
    wide = to_wide(data, columns)
    if binary:
        check_binary(wide, metric)
    both = design != "two_group"
    tester, _ = select(wide, "test", both_periods=both)
    control, _ = select(wide, "control", both_periods=both)
    return tester, control


def non_inferiority(
    data: pd.DataFrame,
    *,
    metric: str,
    design: str,
    margin: float,
    better: str = "higher",
    alpha: float = 0.05,
    binary: bool = False,
    value: str = "value",
    subject: str = "participant_id",
    cohort: str = "cohort_role",
    period: str = "period",
) -> EquivalenceResult:
    """Show that a guardrail metric did not worsen by more than ``margin``.

    Parameters
    ----------
    data : DataFrame
        The store's long frame for one metric (see :func:`analyze_metric`).
    metric : str
    design : {'pre_post', 'two_group', 'did'}
        The difference tested, defined as in :class:`MetricResult`.
    margin : float
        Largest acceptable worsening, > 0, in the metric's unit (a risk
        difference for binary metrics).
    better : {'higher', 'lower'}
        higher: H0 diff <= -margin (``low = -margin``); lower: H0 diff >= margin
        (``high = margin``).
    alpha : float
        One-sided level; the CI is ``1 - 2 alpha``.
    binary : bool
        0/1 values: Wald z on the risk difference instead of a t-test.

    Returns
    -------
    EquivalenceResult
        ``kind='non_inferiority'``, ``statistic``/``p_value`` of the one-sided
        test, its ``t_lower``/``p_lower`` (better='higher') or
        ``t_upper``/``p_upper`` (better='lower'), the ``1 - 2 alpha`` CI and
        ``shown``. With fewer than 2 participants per cohort or zero variance:
        ``shown=False`` and a ``message``.

    Notes
    -----
    pre_post: paired t on after - before; two_group: Welch t; did: Welch t on
    the change scores; binary: Wald z with the unpooled (two_group) or paired
    (pre_post, did) variance.

    References
    ----------
    Piaggio, G. et al. (2012). Reporting of noninferiority and equivalence
    randomized trials: extension of the CONSORT 2010 statement. JAMA 308, 2594-2604.
    """
    if not isinstance(metric, str) or not metric:
        raise ValueError(f"The 'metric' must be a non-empty string. Got {metric!r} instead.")
    check_choice(design, "design", DESIGNS)
    check_choice(better, "better", BETTER)
    check_probability(alpha, "alpha")
    margin = check_positive(margin, "margin")
    columns = Columns(value=value, subject=subject, cohort=cohort, period=period)
    tester, control = _prepare(data, design, binary, metric, columns)
    low, high = (-margin, None) if better == "higher" else (None, margin)
    difference = _difference(design, tester, control, binary)
    base: dict[str, Any] = {
        "metric": metric,
        "design": design,
        "kind": "non_inferiority",
        "low": low,
        "high": high,
        "conf_level": 1.0 - 2.0 * alpha,
        "alpha": alpha,
        "better": better,
        "n_test": tester.n,
        "n_control": 0 if design == "pre_post" else control.n,
    }
    if not difference.se > 0:
        estimate = difference.estimate if math.isfinite(difference.estimate) else None
        return EquivalenceResult(
            **base,
            test=difference.test,
            estimate=estimate,
            message=(
                "fewer than 2 participants per cohort or zero variance: "
                "non-inferiority cannot be shown"
            ),
        )
    return EquivalenceResult(**base, **_bounds_fields(difference, low, high, alpha))

"""Group-sequential looks: alpha spent across evaluations, and what the rest can still show.

A pilot is evaluated more than once (every evaluation is a *look*). Judging each look
at the fixed-sample level inflates the chance of a false ``go``; a group-sequential
plan spends the two-sided ``alpha`` across the looks so that the chance of crossing a
boundary at any look, under no effect, stays ``alpha``.

* :func:`spent_alpha` is the Lan-DeMets (1983) spending function of the O'Brien-Fleming
  or Pocock type, ``alpha(t)`` for an information fraction ``t`` in [0, 1].
* :func:`spending_boundaries` turns the fractions of the looks into two-sided critical
  values ``z_k`` (look ``k`` spends ``alpha(t_k) - alpha(t_{k-1})``);
  :func:`classical_boundaries` gives the original Pocock (1977) and O'Brien-Fleming
  (1979) boundaries for ``K`` equally spaced looks (a constant, or a constant times
  ``sqrt(K / k)``), as tabulated by Jennison & Turnbull (2000, tables 2.1 and 2.3).
* :func:`exit_probabilities` is the engine behind both: the probability of first
  leaving a continuation region ``(lower_k, upper_k)`` at each look, for a drift, by
  the recursive numerical integration of Armitage, McPherson & Rowe (1969) as laid out
  by Jennison & Turnbull (2000, ch. 19).
* :func:`look_of` places one evaluation in a declared plan: which look it is, its
  boundary, the alpha it spends and the level of the repeated confidence interval
  (Jennison & Turnbull 1989) a criterion judges at that look.
* :func:`conditional_probability` (a design effect assumed for the rest of the data)
  and :func:`predictive_probability` (the current estimate's uncertainty carried
  forward, flat prior; Spiegelhalter, Freedman & Blackburn 1986) say how likely a
  one-sided bound is to cross a value once the planned maximum is analysed: the
  basis of stopping for futility (stochastic curtailment, Lan, Simon & Halperin 1982;
  Lachin 2005).

Information fraction
--------------------
``t = I / I_max`` where ``I`` is the statistical information of the comparison now and
``I_max`` at the plan's maximum: for a one-sample or paired comparison ``n / n_max``;
for two cohorts ``(1 / (1 / n_t + 1 / n_c)) / (1 / (1 / N_t + 1 / N_c))``, i.e. the
ratio of the squared standard errors at a common SD (:func:`information_fraction`).

References
----------
Lan, K. K. G. & DeMets, D. L. (1983). Discrete sequential boundaries for clinical
trials. Biometrika 70(3), 659-663. Pocock, S. J. (1977). Biometrika 64(2), 191-199.
O'Brien, P. C. & Fleming, T. R. (1979). Biometrics 35(3), 549-556. Jennison, C. &
Turnbull, B. W. (2000). Group Sequential Methods with Applications to Clinical
Trials. Chapman & Hall/CRC. Jennison, C. & Turnbull, B. W. (1989). Interim analyses:
the repeated confidence interval approach. JRSS B 51(3), 305-361. Lan, K. K. G.,
Simon, R. & Halperin, M. (1982). Stochastically curtailed tests in long-term clinical
trials. Sequential Analysis 1(3), 207-219. Lachin, J. M. (2005). A review of methods
for futility stopping based on conditional power. Statistics in Medicine 24,
2747-2764. Spiegelhalter, D. J., Freedman, L. S. & Blackburn, P. R. (1986). Monitoring
clinical trials: conditional or predictive power? Controlled Clinical Trials 7, 8-17.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union

import numpy as np
from scipy import optimize, special

from ._checks import check_choice, check_probability

Values = Union[Sequence[float], np.ndarray]  # noqa: UP007 (a runtime alias)
SPENDING_METHODS = ("obrien_fleming", "pocock")
FUTILITY_THRESHOLD = 0.10
"""Stop for futility when the chance of passing at the planned maximum is below 10 %.

Stochastic curtailment at ``gamma`` lowers the probability of a ``go`` that the full
plan would have given by at most ``gamma`` (Lan, Simon & Halperin 1982: the loss is
``E[1{stop} CP] <= gamma``); 10 % is the usual choice in Lachin's (2005) review, and
keeps the loss measured here (``tests/stats/test_stats_sequential.py``) under 3 points.
"""
_GRID = 24
"""Grid points per standard deviation of a look's increment (Simpson's rule)."""


def spent_alpha(fraction: float | np.ndarray, *, alpha: float, method: str) -> np.ndarray:
    """Lan-DeMets alpha spent up to information fraction ``t`` (two-sided).

    Parameters
    ----------
    fraction : float or array in [0, 1]
    alpha : float
        Two-sided significance level of the whole plan.
    method : {'obrien_fleming', 'pocock'}
        ``obrien_fleming``: ``alpha(t) = 2 - 2 Phi(z_{1-alpha/2} / sqrt(t))``;
        ``pocock``: ``alpha(t) = alpha ln(1 + (e - 1) t)``.

    Returns
    -------
    ndarray
        The same shape as ``fraction``; ``alpha(0) = 0`` and ``alpha(1) = alpha``.
    """
    check_probability(alpha, "alpha")
    check_choice(method, "method", SPENDING_METHODS)
    t = np.clip(np.asarray(fraction, dtype=float), 0.0, 1.0)
    if method == "pocock":
        return np.asarray(alpha * np.log1p((math.e - 1.0) * t))
    z = special.ndtri(1.0 - alpha / 2.0)
    with np.errstate(divide="ignore"):
        return np.asarray(np.where(t > 0, 2.0 - 2.0 * special.ndtr(z / np.sqrt(t)), 0.0))


def _check_fractions(fractions: Values) -> np.ndarray:
    t = np.asarray(fractions, dtype=float)
    if t.ndim != 1 or not len(t) or not np.all(np.isfinite(t)) or t[0] <= 0 or t[-1] > 1 + 1e-12 \
            or np.any(np.diff(t) <= 0):
        raise ValueError(
            "The 'fractions' must be increasing information fractions in (0, 1]. "
            f"Got {list(map(float, t.ravel()))} instead."
        )
    return np.minimum(t, 1.0)


def exit_probabilities(
    fractions: Values,
    lower: Values,
    upper: Values,
    *,
    drift: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of first leaving ``(lower_k, upper_k)`` above / below at each look.

    Parameters
    ----------
    fractions : sequence of K increasing floats in (0, 1]
        Information fractions of the looks.
    lower, upper : sequences of K floats
        Continuation region of the standardised statistic ``Z_k`` (``-inf`` / ``inf``
        allowed: no boundary on that side).
    drift : float
        ``E[Z_k] = drift * sqrt(t_k)`` (0 under no effect; ``effect / se_max`` for an
        effect whose standard error at the planned maximum is ``se_max``).

    Returns
    -------
    (upper_exit, lower_exit) : two ndarrays of shape (K,)

    Notes
    -----
    ``Z_k = B(t_k) / sqrt(t_k)`` with ``B`` a Brownian motion with drift on [0, 1]. The
    sub-density of ``B(t_k)`` on the continuation region is carried from look to look
    by Simpson's rule on a grid of ``24`` points per SD of the increment (Jennison &
    Turnbull 2000, section 19.2); crossing probabilities are exact normal tails of the
    increment. Agrees with the published Pocock / O'Brien-Fleming constants to 1e-3.
    """
    t = _check_fractions(fractions)
    low = np.asarray(lower, dtype=float) * np.sqrt(t)
    high = np.asarray(upper, dtype=float) * np.sqrt(t)
    if low.shape != t.shape or high.shape != t.shape or np.any(low >= high):
        raise ValueError(
            "The 'lower' and 'upper' bounds must have one value per look with lower < upper. "
            f"Got {list(lower)} and {list(upper)} instead."
        )
    up = np.zeros(len(t))
    down = np.zeros(len(t))
    grid = weights = density = None
    previous = 0.0
    for k, (t_k, lo, hi) in enumerate(zip(t, low, high, strict=True)):
        step = t_k - previous
        sd = math.sqrt(step)
        shift = drift * step
        if grid is None:  # first look: B(t_1) ~ N(drift t_1, t_1)
            up[k] = special.ndtr((shift - hi) / sd)
            down[k] = special.ndtr((lo - shift) / sd)
            new_grid, new_weights = _simpson_grid(lo, hi, shift, sd, sd)
            new_density = np.exp(-0.5 * ((new_grid - shift) / sd) ** 2) / (
                sd * math.sqrt(2 * math.pi))
        else:
            assert weights is not None and density is not None
            mass = weights * density
            up[k] = float(mass @ special.ndtr((grid + shift - hi) / sd))
            down[k] = float(mass @ special.ndtr((lo - grid - shift) / sd))
            centre = float(mass @ grid / max(mass.sum(), 1e-300)) + shift
            spread = math.sqrt(max(float(mass @ (grid + shift - centre) ** 2)
                                   / max(mass.sum(), 1e-300), 0.0) + step)
            new_grid, new_weights = _simpson_grid(lo, hi, centre, spread, sd)
            kernel = np.exp(-0.5 * ((new_grid[:, None] - grid[None, :] - shift) / sd) ** 2)
            new_density = kernel @ mass / (sd * math.sqrt(2 * math.pi))
        grid, weights, density, previous = new_grid, new_weights, new_density, t_k
    return up, down


def _simpson_grid(lo: float, hi: float, centre: float, spread: float,
                  step_sd: float) -> tuple[np.ndarray, np.ndarray]:
    """Simpson nodes and weights on ``(lo, hi)`` cut to ``centre +- 10 spread``."""
    a = max(lo, centre - 10.0 * spread)
    b = min(hi, centre + 10.0 * spread)
    if not b > a:
        a, b = lo if math.isfinite(lo) else hi - 1e-9, hi if math.isfinite(hi) else lo + 1e-9
    intervals = max(2, 2 * math.ceil((b - a) / step_sd * _GRID / 2))
    intervals = min(intervals, 4000)
    nodes = np.linspace(a, b, intervals + 1)
    weights = np.ones(intervals + 1)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    return nodes, weights * (b - a) / (3.0 * intervals)


def classical_boundaries(looks: int, *, alpha: float = 0.05, method: str) -> np.ndarray:
    """Pocock (1977) or O'Brien-Fleming (1979) two-sided boundaries, K equally spaced looks.

    Returns
    -------
    ndarray of shape (looks,)
        ``z_k = C`` (Pocock) or ``C sqrt(K / k)`` (O'Brien-Fleming), ``C`` solved so that
        the two-sided crossing probability under no effect is ``alpha``. For alpha = .05:
        Pocock ``C`` = 2.178, 2.289, 2.361, 2.413 for K = 2..5 and O'Brien-Fleming ``C`` =
        1.977, 2.004, 2.024, 2.040 (Jennison & Turnbull 2000, tables 2.1 and 2.3).
    """
    check_probability(alpha, "alpha")
    check_choice(method, "method", SPENDING_METHODS)
    if isinstance(looks, bool) or not isinstance(looks, int) or not 1 <= looks <= 20:
        raise ValueError(f"The 'looks' must be an int in [1, 20]. Got {looks!r} instead.")
    t = np.arange(1, looks + 1) / looks
    shape = np.ones(looks) if method == "pocock" else np.sqrt(looks / np.arange(1, looks + 1))

    def excess(c: float) -> float:
        up, down = exit_probabilities(t, -c * shape, c * shape)
        return float(up.sum() + down.sum()) - alpha

    c = optimize.brentq(excess, 1.0, 6.0, xtol=1e-10)
    return np.asarray(c * shape)


def spending_boundaries(fractions: Values, *, alpha: float = 0.05,
                        method: str, spend_all: bool = False) -> np.ndarray:
    """Two-sided Lan-DeMets boundaries at the given information fractions.

    Look ``k`` spends ``alpha(t_k) - alpha(t_{k-1})`` (:func:`spent_alpha`); its boundary
    ``z_k`` solves ``P(first |Z| >= z_k at look k) = alpha(t_k) - alpha(t_{k-1})``. A
    final look at ``t = 1`` (or any last look, with ``spend_all``) spends what is left.
    With K = 3 equally spaced looks and
    alpha = .05 the O'Brien-Fleming type (Lan & DeMets' two-sided
    ``2 - 2 Phi(z_{1-alpha/2} / sqrt(t))``) gives 3.395, 2.407, 2.015 and the Pocock type
    2.279, 2.295, 2.296; a seeded simulation checks that each look crosses with the
    probability it spends (``tests/stats/test_stats_sequential.py``). R's ``gsDesign``
    spends each side's ``alpha / 2`` with the one-sided function and so gives 3.710,
    2.511, 1.993 instead.

    Returns
    -------
    ndarray of shape (K,)
    """
    t = _check_fractions(fractions)
    cumulative = spent_alpha(t, alpha=alpha, method=method)
    if spend_all:  # the last look is final whatever its fraction: it spends what is left
        cumulative[-1] = alpha
    spent = np.diff(np.concatenate([[0.0], cumulative]))
    bounds: list[float] = []
    for k in range(len(t)):
        if spent[k] <= 1e-15:
            bounds.append(math.inf)
            continue

        def excess(c: float, k: int = k) -> float:
            cut = [*bounds, c]
            up, down = exit_probabilities(t[: k + 1], [-b for b in cut], cut)
            return float(up[k] + down[k]) - float(spent[k])

        high = 12.0
        bounds.append(float(optimize.brentq(excess, 0.5, high, xtol=1e-10))
                      if excess(high) < 0 < excess(0.5) else math.inf)
    return np.asarray(bounds)


@dataclass(frozen=True, kw_only=True)
class SequentialLook:
    """One evaluation placed in a group-sequential plan.

    Attributes
    ----------
    method : {'obrien_fleming', 'pocock'}
    looks : int
        Looks the plan declares (the last at the planned maximum).
    look : int
        Which look this evaluation is (1-based).
    fraction : float
        Information fraction of this evaluation, in (0, 1].
    fractions : tuple of float
        Fractions of this and the earlier looks (the earlier ones at their planned
        ``k / K``, the usual assumption when their actual timing is not recorded).
    boundary : float
        Two-sided critical value of ``|Z|`` at this look.
    alpha : float
        Two-sided alpha of the whole plan.
    alpha_spent : float
        Alpha spent up to and including this look.
    nominal_alpha : float
        ``2 (1 - Phi(boundary))``: the fixed-sample level this look's boundary matches.
    conf_level : float
        ``1 - nominal_alpha``: level of the repeated confidence interval to judge on.
    final : bool
        This look is at (or past) the planned maximum: the plan ends here.
    """

    method: str
    looks: int
    look: int
    fraction: float
    fractions: tuple[float, ...]
    boundary: float
    alpha: float
    alpha_spent: float
    nominal_alpha: float
    conf_level: float
    final: bool


def information_fraction(n_test: int, n_control: int | None, *, max_test: int,
                         max_control: int | None = None) -> float:
    """``I / I_max``: squared standard errors at a common SD (see the module notes).

    ``n_control`` None (or 0 with ``max_control`` None) is a one-sample / paired
    comparison: ``n_test / max_test``. Capped at 1.
    """
    if max_test < 1 or n_test < 0:
        raise ValueError(f"The 'max_test' must be >= 1. Got {max_test!r} instead.")
    if not n_control or not max_control:
        return min(1.0, n_test / max_test)
    if n_test == 0:
        return 0.0
    now = 1.0 / (1.0 / n_test + 1.0 / n_control)
    full = 1.0 / (1.0 / max_test + 1.0 / max_control)
    return min(1.0, now / full)


@functools.lru_cache(maxsize=1024)
def look_of(fraction: float, *, looks: int, method: str, alpha: float,
            last: bool = False) -> SequentialLook:
    """The look an evaluation at ``fraction`` is, and its Lan-DeMets boundary.

    Parameters
    ----------
    fraction : float
        Information fraction of this evaluation (:func:`information_fraction`).
    looks : int
        Looks declared by the plan (equally spaced at ``k / K``).
    method : {'obrien_fleming', 'pocock'}
    alpha : float
        Two-sided alpha of the plan.
    last : bool
        This evaluation is the pilot's last (e.g. its data collection is over), whatever
        its fraction.

    Notes
    -----
    At ``fraction >= 1`` or when ``last``, the evaluation is the final look ``K``: the
    earlier looks are taken at their planned fractions ``k / K`` below ``fraction`` and
    the final one spends all the alpha left. Otherwise it is the interim look whose
    planned fraction is nearest (``k = round(fraction K)``, between 1 and ``K - 1``),
    after looks at ``1 / K, ..., (k - 1) / K``, and spends ``alpha(fraction) -
    alpha((k - 1) / K)`` (Lan & DeMets 1983). The actual timing of earlier looks is not
    recorded: assuming the planned one is the usual convention.
    """
    check_choice(method, "method", SPENDING_METHODS)
    check_probability(alpha, "alpha")
    if isinstance(looks, bool) or not isinstance(looks, int) or not 1 <= looks <= 20:
        raise ValueError(f"The 'looks' must be an int in [1, 20]. Got {looks!r} instead.")
    if not (math.isfinite(fraction) and fraction > 0):
        raise ValueError(f"The 'fraction' must be > 0. Got {fraction!r} instead.")
    t = min(float(fraction), 1.0)
    final = last or t >= 1.0 - 1e-9 or looks == 1
    look = looks if final else min(looks - 1, max(1, math.floor(t * looks + 0.5)))
    earlier = [k / looks for k in range(1, look) if k / looks < t - 1e-9]
    fractions = (*earlier, t)
    boundary = float(spending_boundaries(fractions, alpha=alpha, method=method,
                                         spend_all=final)[-1])
    nominal = float(2.0 * special.ndtr(-boundary)) if math.isfinite(boundary) else 0.0
    return SequentialLook(
        method=method, looks=looks, look=look, fraction=t, fractions=tuple(fractions),
        boundary=boundary, alpha=alpha,
        alpha_spent=alpha if final else float(spent_alpha(t, alpha=alpha, method=method)),
        nominal_alpha=nominal, conf_level=1.0 - nominal, final=final,
    )


def conditional_probability(
    *, estimate: float, se_now: float, se_max: float, bound: float, critical: float,
    effect: float,
) -> float:
    """P(at the planned maximum, ``estimate - critical * se >= bound``), given the data so far.

    Parameters
    ----------
    estimate, se_now : float
        The estimate (oriented: better is positive) and its standard error now.
    se_max : float
        Its standard error at the planned maximum (``<= se_now``).
    bound : float
        The value the final lower bound (``critical`` standard errors below the final
        estimate) must reach; for the ``improve`` rule's ``go`` use ``critical = 0`` with
        ``bound = m`` and, separately, the significance bound (see :func:`go_conditional`).
    critical : float
        Multiplier of the final standard error.
    effect : float
        The true effect assumed for the data still to come.

    Notes
    -----
    With information ``I = 1 / se^2``, the final estimate is
    ``(I_now est + (I_max - I_now) Y) / I_max`` with ``Y ~ N(effect, 1 / (I_max - I_now))``
    (Lan, Simon & Halperin 1982), so it is normal with mean
    ``est + (1 - t) (effect - est)`` and SD ``se_max sqrt(1 - t)``, ``t = se_max^2 / se_now^2``.
    """
    t = min(1.0, (se_max / se_now) ** 2)
    target = bound + critical * se_max
    mean = estimate + (1.0 - t) * (effect - estimate)
    spread = se_max * math.sqrt(max(0.0, 1.0 - t))
    if spread == 0.0:
        return float(mean >= target)
    return float(special.ndtr((mean - target) / spread))


def go_conditional(*, estimate: float, se_now: float, se_max: float, min_effect: float,
                   critical: float, effect: float) -> float:
    """Conditional probability that the ``improve`` rule says ``go`` at the planned maximum.

    ``go`` needs the final estimate to reach both ``min_effect`` and ``critical`` final
    standard errors (significance), i.e. ``max(min_effect, critical * se_max)``
    (:func:`livinglab.decision.criteria.improve_rule`); see
    :func:`conditional_probability` for the distribution of the final estimate.
    """
    threshold = max(min_effect, critical * se_max)
    return conditional_probability(estimate=estimate, se_now=se_now, se_max=se_max,
                                   bound=threshold, critical=0.0, effect=effect)


def predictive_probability(*, estimate: float, se_now: float, se_max: float, bound: float,
                           critical: float) -> float:
    """Predictive P(final ``estimate - critical * se >= bound``), flat prior on the truth.

    The truth is uncertain as the data say, ``N(estimate, se_now^2)``; the final estimate
    is then normal with mean ``estimate`` and variance ``se_now^2 - se_max^2``
    (Spiegelhalter, Freedman & Blackburn 1986). Used where no design effect exists
    (a survey score against its threshold).
    """
    spread = math.sqrt(max(0.0, se_now**2 - se_max**2))
    target = bound + critical * se_max
    if spread == 0.0:
        return float(estimate >= target)
    return float(special.ndtr((estimate - target) / spread))

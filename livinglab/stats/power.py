"""Power and sample size: at planning time, and for an inconclusive pilot.

:func:`power_analysis` solves for whichever of ``n``, ``effect`` or ``power``
is left as ``None`` (as ``pingouin.power_ttest`` and R's ``pwr``), two-sided.
:func:`additional_participants_needed` turns an observed SD and the smallest
worthwhile effect into "how many more participants per cohort".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

from scipy import optimize, special

from ._checks import check_choice, check_positive, check_probability
from .effects import cohen_h
from .results import MetricResult, PowerResult, SampleSizeGap

POWER_DESIGNS = ("paired", "two_sample", "did", "two_proportions")
N_BOUNDS = (2.0 + 1e-10, 1e9)
"""Search range of n, as pwr's ``uniroot`` (pairs or participants per group)."""
EFFECT_BOUNDS = (1e-7, 10.0)


def _t_power(effect: float, n: float, alpha: float, samples: int) -> float:
    df = (n - 1.0) * samples
    critical = special.stdtrit(df, 1.0 - alpha / 2.0)
    ncp = abs(effect) * math.sqrt(n / samples)
    upper = 1.0 - _noncentral_cdf(df, ncp, critical)
    lower = _noncentral_cdf(df, ncp, -critical)
    return float(upper + lower)


def _noncentral_cdf(df: float, ncp: float, t: float) -> float:
    """Noncentral t CDF; scipy returns NaN for far tails (ncp >> t), which are 0."""
    value = float(special.nctdtr(df, ncp, t))
    return value if math.isfinite(value) else 0.0


def _normal_power(effect: float, n: float, alpha: float) -> float:
    critical = special.ndtri(1.0 - alpha / 2.0)
    shift = abs(effect) * math.sqrt(n / 2.0)
    return float(special.ndtr(shift - critical) + special.ndtr(-shift - critical))


def _power_function(design: str) -> Callable[[float, float, float], float]:
    if design == "paired":
        return lambda effect, n, alpha: _t_power(effect, n, alpha, 1)
    if design == "two_proportions":
        return _normal_power
    return lambda effect, n, alpha: _t_power(effect, n, alpha, 2)


def _solve(gap: Callable[[float], float], bounds: tuple[float, float], what: str) -> float:
    low, high = bounds
    if gap(low) > 0:
        return low
    if gap(high) < 0:
        raise ValueError(
            f"The requested power cannot be reached with {what} in [{low:g}, {high:g}]."
        )
    return float(optimize.brentq(gap, low, high, xtol=1e-12, rtol=1e-14, maxiter=500))


def power_analysis(
    *,
    effect: float | None = None,
    n: float | None = None,
    power: float | None = None,
    alpha: float = 0.05,
    design: str = "two_sample",
) -> PowerResult:
    """Solve for the one of ``n``, ``effect``, ``power`` that is ``None``.

    Parameters
    ----------
    effect : float or None
        Standardised effect: Cohen's d_z (paired), d (two_sample), d of the
        change scores (did; the SD of change scores, or the ANCOVA residual SD
        for a baseline-adjusted analysis), or Cohen's h (two_proportions, see
        :func:`~livinglab.stats.effects.cohen_h`). Its sign is ignored
        (two-sided test).
    n : float or None
        Pairs (paired) or participants per group (equal groups).
    power : float or None
        Probability of a significant result, in (alpha, 1).
    alpha : float
        Two-sided significance level.
    design : {'paired', 'two_sample', 'did', 'two_proportions'}

    Returns
    -------
    PowerResult
        ``design``, ``solved_for``, ``n`` (float), ``n_ceiling`` (int, to
        recruit), ``effect``, ``effect_name``, ``power``, ``alpha``.

    Raises
    ------
    ValueError
        Not exactly one of the three is None, values out of range, or the
        power cannot be reached in the search range.

    Notes
    -----
    t designs (R ``pwr.t.test``): :math:`\\nu = (n-1)k`, :math:`\\lambda =
    d\\sqrt{n/k}` (k = 1 paired, 2 two-sample),
    :math:`\\text{power} = P(T'_{\\nu,\\lambda} > t_{1-\\alpha/2,\\nu}) +
    P(T'_{\\nu,\\lambda} < -t_{1-\\alpha/2,\\nu})` (noncentral t, both tails).
    Two proportions (``pwr.2p.test``): :math:`\\Phi(h\\sqrt{n/2} - z_{1-\\alpha/2}) +
    \\Phi(-h\\sqrt{n/2} - z_{1-\\alpha/2})`. Unknowns are solved with Brent's
    method to 1e-12 (pwr's ``uniroot`` stops at ~1e-4).

    References
    ----------
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences,
    2nd ed. Champely, S. (2020). pwr: Basic Functions for Power Analysis.
    """
    check_choice(design, "design", POWER_DESIGNS)
    check_probability(alpha, "alpha")
    missing = [name for name, v in (("n", n), ("effect", effect), ("power", power)) if v is None]
    if len(missing) != 1:
        raise ValueError(
            f"Exactly one of 'n', 'effect', 'power' must be None. Got {len(missing)} None instead."
        )
    compute = _power_function(design)
    if n is not None and (check_positive(n, "n") < N_BOUNDS[0] - 1e-9):
        raise ValueError(f"The 'n' must be >= 2. Got {n!r} instead.")
    if power is not None:
        check_probability(power, "power")
        if power <= alpha:
            raise ValueError(
                f"The 'power' must be greater than alpha ({alpha}). Got {power!r} instead."
            )
    if effect is not None and not math.isfinite(float(effect)):
        raise ValueError(f"The 'effect' must be a finite number. Got {effect!r} instead.")
    solved = missing[0]
    if effect is None:
        n_value, power_value = float(cast(float, n)), float(cast(float, power))
        effect_value = _solve(
            lambda x: compute(x, n_value, alpha) - power_value, EFFECT_BOUNDS, "effect"
        )
    elif n is None:
        effect_value, power_value = float(effect), float(cast(float, power))
        n_value = _solve(lambda x: compute(effect_value, x, alpha) - power_value, N_BOUNDS, "n")
    else:
        effect_value, n_value = float(effect), float(n)
        power_value = compute(effect_value, n_value, alpha)
    return PowerResult(
        design=design,
        solved_for=solved,
        n=n_value,
        n_ceiling=math.ceil(round(n_value, 9)),
        effect=effect_value,
        effect_name="cohen_h" if design == "two_proportions" else "cohen_d",
        power=power_value,
        alpha=alpha,
    )


def additional_participants_needed(
    *,
    design: str,
    smallest_effect: float,
    n_test: int,
    n_control: int = 0,
    sd: float | None = None,
    baseline_proportion: float | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
) -> SampleSizeGap:
    """How many more participants per cohort give ``power`` for the smallest worthwhile effect.

    Parameters
    ----------
    design : {'paired', 'two_sample', 'did', 'two_proportions'}
    smallest_effect : float
        Smallest effect worth acting on, in the metric's unit (absolute; for
        two_proportions a risk difference).
    n_test, n_control : int
        Participants already analysed (paired: pairs in ``n_test``).
    sd : float or None
        Observed SD of the compared quantity (paired: of the differences;
        two_sample: pooled; did: of the change scores or the ANCOVA residual).
    baseline_proportion : float or None
        two_proportions only: the comparison level the effect is added to.
    power, alpha : float

    Returns
    -------
    SampleSizeGap
        ``n_needed`` per cohort (ceiling), ``additional_test``,
        ``additional_control`` (``max(0, n_needed - n)``), ``additional_total``;
        all None with a ``message`` when the SD is missing or zero.

    Notes
    -----
    :math:`d = |\\delta|/\\sigma` (or :math:`h = 2\\arcsin\\sqrt{p_0+\\delta} -
    2\\arcsin\\sqrt{p_0}`), then :func:`power_analysis` solves n.
    """
    check_choice(design, "design", POWER_DESIGNS)
    smallest = check_positive(abs(smallest_effect), "smallest_effect")
    for name, count in (("n_test", n_test), ("n_control", n_control)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"The '{name}' must be an int >= 0. Got {count!r} instead.")
    standardized, message = _standardize(design, smallest, sd, baseline_proportion)
    base: dict[str, Any] = {
        "design": design,
        "smallest_effect": smallest,
        "power": power,
        "alpha": alpha,
        "n_test": n_test,
        "n_control": n_control,
    }
    if standardized is None:
        return SampleSizeGap(
            standardized_effect=None,
            n_needed=None,
            additional_test=None,
            additional_control=None,
            additional_total=None,
            message=message,
            **base,
        )
    needed = power_analysis(effect=standardized, power=power, alpha=alpha, design=design).n_ceiling
    more_test = max(0, needed - n_test)
    more_control = 0 if design == "paired" else max(0, needed - n_control)
    return SampleSizeGap(
        standardized_effect=standardized,
        n_needed=needed,
        additional_test=more_test,
        additional_control=more_control,
        additional_total=more_test + more_control,
        **base,
    )


def _standardize(
    design: str, smallest: float, sd: float | None, baseline_proportion: float | None
) -> tuple[float | None, str | None]:
    if design == "two_proportions":
        if baseline_proportion is None or not math.isfinite(baseline_proportion):
            return None, "no baseline proportion observed: cannot size the pilot"
        if not 0.0 <= baseline_proportion <= 1.0:
            raise ValueError(
                f"The 'baseline_proportion' must be in [0, 1]. Got {baseline_proportion!r} instead."
            )
        target = baseline_proportion + smallest
        if target > 1.0:
            target = baseline_proportion - smallest
        if not 0.0 <= target <= 1.0:
            raise ValueError(
                f"The 'smallest_effect' {smallest} does not fit around {baseline_proportion}."
            )
        return abs(cohen_h(target, baseline_proportion)), None
    if sd is None or not math.isfinite(sd):
        return None, "no SD observed (fewer than 2 participants per cohort): cannot size the pilot"
    if sd < 0:
        raise ValueError(f"The 'sd' must be >= 0. Got {sd!r} instead.")
    if sd == 0:
        return None, "the observed SD is zero: any effect would be detected, nothing to size"
    return smallest / sd, None


def participants_needed_for(
    result: MetricResult, smallest_effect: float, *, power: float = 0.8, alpha: float = 0.05
) -> SampleSizeGap:
    """:func:`additional_participants_needed` with the design and SD taken from a result.

    pre_post uses the SD of the testers' differences (paired; a binary
    pre_post uses the SD of the 0/±1 changes, a normal approximation); a
    binary two_group uses two proportions around the control proportion; did
    uses the ANCOVA residual SD when ``criterion_basis == 'ancova'``, else
    the pooled SD of the change scores.
    """
    if result.design == "pre_post":
        design, sd = "paired", result.sd_pooled
    elif result.design == "two_group":
        design, sd = ("two_proportions" if result.binary else "two_sample"), result.sd_pooled
    else:
        design = "did"
        sd = result.ancova_residual_sd if result.criterion_basis == "ancova" else result.sd_pooled
    return additional_participants_needed(
        design=design,
        smallest_effect=smallest_effect,
        n_test=result.n_test,
        n_control=result.n_control,
        sd=sd,
        baseline_proportion=result.baseline_mean,
        power=power,
        alpha=alpha,
    )

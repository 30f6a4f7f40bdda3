"""Power and sample size: at planning time, and for an inconclusive pilot.

:func:`power_analysis` solves for whichever of ``n``, ``effect`` or ``power``
is left as ``None`` (as ``pingouin.power_ttest`` and R's ``pwr``), two-sided;
:func:`power_two_cohorts` is ``pingouin.power_ttest2n`` for cohorts of unequal size.
:func:`additional_participants_needed` turns an observed SD and the smallest
worthwhile effect into "how many more participants per cohort" for a significance
test. The decision rules need more than significance: :func:`improve_probabilities`
gives P(go), P(no_go), P(extend) of the ``improve`` rule (the estimate must reach the
smallest worthwhile effect *and* be significant) at a true effect, and
:func:`improve_sample_size` sizes an extension on them (see its notes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from scipy import integrate, optimize, special

from ._checks import check_choice, check_positive, check_probability
from .results import MetricResult, PowerResult, SampleSizeGap, _Result

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
    # statsmodels' two-sample z-test power on Cohen's h (both tails, as pwr.2p.test)
    from statsmodels.stats.power import NormalIndPower

    return float(NormalIndPower().power(effect_size=abs(effect), nobs1=n, alpha=alpha,
                                        ratio=1.0, alternative="two-sided"))


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
        from statsmodels.stats.proportion import proportion_effectsize

        # Cohen's h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2)) (statsmodels; R pwr::ES.h)
        return abs(float(proportion_effectsize(target, baseline_proportion))), None
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


def power_two_cohorts(effect: float, n_test: int, n_control: int, *,
                      alpha: float = 0.05) -> float:
    """Power of a two-sided two-sample t-test with cohorts of unequal size.

    Parameters
    ----------
    effect : float
        Cohen's d (sign ignored).
    n_test, n_control : int
        Participants per cohort, each >= 2.
    alpha : float

    Returns
    -------
    float
        ``pingouin.power_ttest2n(n_test, n_control, d=effect, alpha=alpha)``: noncentral t
        with ``df = n_t + n_c - 2`` and ``ncp = d sqrt(n_t n_c / (n_t + n_c))`` (R's
        ``pwr.t2n.test``).
    """
    import pingouin

    check_probability(alpha, "alpha")
    for name, count in (("n_test", n_test), ("n_control", n_control)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 2:
            raise ValueError(f"The '{name}' must be an int >= 2. Got {count!r} instead.")
    if not math.isfinite(float(effect)):
        raise ValueError(f"The 'effect' must be a finite number. Got {effect!r} instead.")
    return float(pingouin.power_ttest2n(n_test, n_control, d=abs(float(effect)), alpha=alpha))


# --- the improve rule's operating characteristics ------------------------------------


@dataclass(frozen=True, kw_only=True)
class RuleProbabilities(_Result):
    """P(go), P(no_go), P(extend) of the ``improve`` rule at one true effect.

    Attributes
    ----------
    effect : float
        The true effect (oriented: better is positive), in the metric's unit.
    se : float
        Standard error of the estimate.
    min_effect : float
        The smallest worthwhile effect ``m`` (> 0).
    critical : float
        Multiplier of the standard error in the confidence bound (``t`` or ``z``).
    df : float or None
        Degrees of freedom of the standard error (None: known, normal).
    go, no_go, extend : float
        They add up to 1.
    """

    effect: float
    se: float
    min_effect: float
    critical: float
    df: float | None
    go: float
    no_go: float
    extend: float


def critical_value(level: float, df: float | None) -> float:
    """Two-sided ``level`` quantile: Student's with ``df`` (finite, > 0), else normal."""
    check_probability(level, "level")
    if df is not None and math.isfinite(df) and df > 0:
        return float(special.stdtrit(df, (1.0 + level) / 2.0))
    return float(special.ndtri((1.0 + level) / 2.0))


def improve_probabilities(
    effect: float, *, se: float, min_effect: float, alpha: float = 0.05,
    df: float | None = None, conf_level: float | None = None,
) -> RuleProbabilities:
    """Probabilities of each verdict of the ``improve`` rule at a true effect.

    Parameters
    ----------
    effect : float
        True effect, oriented so that better is positive.
    se : float
        True standard error of the estimate (> 0).
    min_effect : float
        Smallest worthwhile effect ``m`` (> 0).
    alpha : float
        The CI is at ``1 - alpha`` unless ``conf_level`` is given (a sequential look's
        repeated-CI level).
    df : float or None
        Degrees of freedom of the estimated standard error; None for a known one.

    Returns
    -------
    RuleProbabilities

    Notes
    -----
    The rule (:func:`livinglab.decision.criteria.improve_rule`, CI ``est +- c se_hat``):
    ``go`` when ``est - c se_hat > 0`` and ``est >= m``; ``no_go`` when
    ``est + c se_hat < m`` (which includes ``< 0``); ``extend`` otherwise. With
    ``est ~ N(effect, se^2)``:

    * known SE (``df`` None): ``P(go) = 1 - Phi((max(m, c se) - effect) / se)`` and
      ``P(no_go) = Phi((m - c se - effect) / se)``;
    * Student (``se_hat = se sqrt(V / df)``, ``V ~ chi2_df`` independent of ``est``, exact
      for a paired or pooled t): the same, averaged over ``V`` (adaptive quadrature).

    So ``P(go | effect = m) <= 1/2`` whatever the sample size: the rule rolls out only
    an estimate that reaches ``m``, and at ``effect = m`` the estimate falls short half
    the time. It reaches 1/2 once ``c se <= m`` (significance no longer binds).
    """
    check_positive(se, "se")
    check_positive(min_effect, "min_effect")
    level = 1.0 - check_probability(alpha, "alpha") if conf_level is None else \
        check_probability(conf_level, "conf_level")
    c = critical_value(level, df)
    m = float(min_effect)

    def go(ratio: float) -> float:
        return float(special.ndtr((effect - max(m, c * se * ratio)) / se))

    def no_go(ratio: float) -> float:
        return float(special.ndtr((m - c * se * ratio - effect) / se))

    if df is None or not math.isfinite(df) or df > 1e6:
        p_go, p_no = go(1.0), no_go(1.0)
    else:
        p_go, p_no = (_over_chi(f, float(df)) for f in (go, no_go))
    p_go, p_no = min(max(p_go, 0.0), 1.0), min(max(p_no, 0.0), 1.0)
    return RuleProbabilities(effect=float(effect), se=float(se), min_effect=m, critical=c,
                             df=df, go=p_go, no_go=p_no, extend=max(0.0, 1.0 - p_go - p_no))


def _over_chi(f: Callable[[float], float], df: float) -> float:
    """``E[f(sqrt(V / df))]``, ``V ~ chi2_df``: quadrature in ``V`` with the chi2 density."""
    def density(v: float) -> float:
        return math.exp((df / 2 - 1) * math.log(v) - v / 2 - special.gammaln(df / 2)
                        - (df / 2) * math.log(2.0)) if v > 0 else 0.0

    spread = math.sqrt(2 * df)
    low, high = max(0.0, df - 12 * spread), df + 12 * spread
    value, _ = integrate.quad(lambda v: f(math.sqrt(v / df)) * density(v), low, high,
                              points=[df], limit=200, epsabs=1e-10)
    return float(value)


@dataclass(frozen=True, kw_only=True)
class ImprovePlan(_Result):
    """How large the cohorts must be for the ``improve`` rule to settle the question.

    Attributes
    ----------
    n_test, n_control : int
        Participants analysed now (``n_control`` 0 for a paired / one-sample design).
    n_needed_test, n_needed_control : int or None
        Participants per cohort the plan needs (never fewer than now); None when the
        target cannot be met within ``max_n``.
    power : float
        The target: ``P(no_go | effect = 0) >= power`` and ``P(go | effect = 2 m) >= power``.
    go_at_min_effect : float or None
        ``P(go | effect = m)`` at the planned size (at most 1/2, see
        :func:`improve_probabilities`).
    no_go_at_zero, go_at_double : float or None
        ``P(no_go | effect = 0)`` and ``P(go | effect = 2 m)`` at the planned size.
    se_needed : float or None
        Standard error of the estimate at the planned size.
    """

    n_test: int
    n_control: int
    n_needed_test: int | None
    n_needed_control: int | None
    power: float
    go_at_min_effect: float | None
    no_go_at_zero: float | None
    go_at_double: float | None
    se_needed: float | None


def scaled_se(se: float, n_test: int, n_control: int, size_test: float,
              size_control: float) -> float:
    """The standard error at other cohort sizes, the SD held: ``se sqrt(g(N) / g(n))`` with
    ``g = 1 / n_t + 1 / n_c`` (two cohorts) or ``1 / n`` (one)."""
    if n_control > 0:
        return se * math.sqrt((1 / size_test + 1 / size_control) / (1 / n_test + 1 / n_control))
    return se * math.sqrt(n_test / size_test)


def improve_sample_size(
    *, se: float, n_test: int, n_control: int, min_effect: float, power: float = 0.8,
    alpha: float = 0.05, df: float | None = None, conf_level: float | None = None,
    max_n: int = 10**7,
) -> ImprovePlan:
    """The smallest cohorts at which the ``improve`` rule settles the question with ``power``.

    Parameters
    ----------
    se : float
        Standard error of the judged estimate now (from its CI).
    n_test, n_control : int
        Participants behind it (``n_control = 0``: one sample / pairs).
    min_effect : float
        Smallest worthwhile effect ``m`` (> 0), in the estimate's unit.
    power : float
        Target probability, see Notes.
    alpha, conf_level, df
        As :func:`improve_probabilities` (``conf_level``: the final look's repeated-CI
        level under a sequential plan). ``df`` grows with the participants added.
    max_n : int
        Largest cohort considered.

    Returns
    -------
    ImprovePlan

    Notes
    -----
    Both cohorts grow to a common ``N`` (a cohort already larger keeps its size); the
    standard error scales with :func:`scaled_se`. ``P(go | effect = m)`` cannot be the
    target: it is at most 1/2 for every size (:func:`improve_probabilities`). The plan
    instead asks that the extended pilot settle the question with ``power`` on both
    sides of ``m``: ``no_go`` when the service does nothing (effect 0) and ``go`` when it
    does twice the smallest worthwhile effect (the reference points of the pilot's
    operating characteristics); ``go_at_min_effect`` then reports how close ``P(go | m)``
    is to its ceiling of 1/2. For a normal estimate the ``no_go`` side binds:
    ``m / se >= c + z_power``, the size a two-sided test of ``m`` with ``power`` needs.
    """
    check_positive(se, "se")
    check_positive(min_effect, "min_effect")
    check_probability(power, "power")
    m = float(min_effect)

    def at(size: int, effect: float) -> RuleProbabilities:
        size_t, size_c = max(n_test, size), max(n_control, size) if n_control else 0
        added = (size_t - n_test) + (size_c - n_control if n_control else 0)
        return improve_probabilities(
            effect, se=scaled_se(se, n_test, n_control, size_t, size_c), min_effect=m,
            alpha=alpha, df=None if df is None else df + added, conf_level=conf_level)

    def enough(size: int) -> bool:
        return at(size, 0.0).no_go >= power and at(size, 2 * m).go >= power

    start = max(n_test, n_control, 2)
    if not enough(max_n):
        return ImprovePlan(n_test=n_test, n_control=n_control, n_needed_test=None,
                           n_needed_control=None, power=power, go_at_min_effect=None,
                           no_go_at_zero=None, go_at_double=None, se_needed=None)
    size = start
    if not enough(start):
        low, high = start, min(max_n, 2 * start)
        while not enough(high):
            low, high = high, min(max_n, 2 * high)
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (low, middle) if enough(middle) else (middle, high)
        size = high
    zero, double, min_case = (at(size, e) for e in (0.0, 2 * m, m))
    return ImprovePlan(
        n_test=n_test, n_control=n_control, n_needed_test=max(n_test, size),
        n_needed_control=max(n_control, size) if n_control else 0, power=power,
        go_at_min_effect=min_case.go, no_go_at_zero=zero.no_go, go_at_double=double.go,
        se_needed=zero.se,
    )

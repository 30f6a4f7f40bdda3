"""Group-sequential boundaries against published values, and what futility costs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, special

from livinglab.stats.sequential import (
    FUTILITY_THRESHOLD,
    classical_boundaries,
    exit_probabilities,
    go_conditional,
    information_fraction,
    look_of,
    spending_boundaries,
    spent_alpha,
)

THIRDS = [1 / 3, 2 / 3, 1.0]


def test_classical_boundaries_are_the_published_ones():
    # O'Brien & Fleming (1979) / Pocock (1977), K = 3, two-sided alpha .05
    assert classical_boundaries(3, method="obrien_fleming") == pytest.approx(
        [3.471, 2.454, 2.004], abs=1e-3)
    assert classical_boundaries(3, method="pocock") == pytest.approx([2.289] * 3, abs=1e-3)
    # Jennison & Turnbull (2000), tables 2.1 and 2.3: the constants for K = 2, 4, 5
    for looks, pocock, obf in ((2, 2.178, 1.977), (4, 2.361, 2.024), (5, 2.413, 2.040)):
        assert classical_boundaries(looks, method="pocock")[0] == pytest.approx(pocock, abs=1e-3)
        assert classical_boundaries(looks, method="obrien_fleming")[-1] == pytest.approx(
            obf, abs=1e-3)


def test_the_engine_gives_gsdesign_one_sided_obrien_fleming_bounds():
    # gsDesign(k = 3, test.type = 1, alpha = .025, sfu = sfLDOF): 3.7103, 2.5114, 1.9930
    t = np.array(THIRDS)
    spent = 2 - 2 * special.ndtr(special.ndtri(1 - 0.025 / 2) / np.sqrt(t))
    step = np.diff(np.concatenate([[0.0], spent]))
    bounds: list[float] = []
    for k in range(3):
        def excess(c: float, k: int = k) -> float:
            return exit_probabilities(t[: k + 1], [-np.inf] * (k + 1), [*bounds, c])[0][k] \
                - step[k]
        bounds.append(optimize.brentq(excess, 0.5, 10))
    assert bounds == pytest.approx([3.7103, 2.5114, 1.9930], abs=1e-4)


@pytest.mark.parametrize("method", ["obrien_fleming", "pocock"])
def test_each_look_crosses_with_the_alpha_it_spends(method: str):
    bounds = spending_boundaries(THIRDS, method=method)
    rng = np.random.default_rng(2026)
    increments = rng.standard_normal((400_000, 3)) * np.sqrt(np.diff([0.0, *THIRDS]))
    z = np.cumsum(increments, axis=1) / np.sqrt(THIRDS)
    crossed = np.abs(z) >= bounds
    first = np.where(crossed.any(axis=1), crossed.argmax(axis=1), -1)
    simulated = [np.mean(first == k) for k in range(3)]
    spent = np.diff([0.0, *spent_alpha(np.array(THIRDS), alpha=0.05, method=method)])
    assert simulated == pytest.approx(spent, abs=0.0006)
    assert np.mean(first >= 0) == pytest.approx(0.05, abs=0.001)  # the plan's alpha


def test_a_fixed_95_interval_at_every_look_would_not_keep_alpha():
    # three looks judged at 1.96 each: P(some |Z| >= 1.96) is about 0.107, not 0.05
    up, down = exit_probabilities(THIRDS, [-1.959964] * 3, [1.959964] * 3)
    assert float(up.sum() + down.sum()) == pytest.approx(0.1073, abs=5e-4)


def test_an_evaluation_is_placed_in_the_plan():
    look = look_of(0.5, looks=3, method="obrien_fleming", alpha=0.05)
    assert (look.look, look.fractions, look.final) == (2, (1 / 3, 0.5), False)
    assert look.alpha_spent == pytest.approx(2 - 2 * special.ndtr(1.959964 / math.sqrt(0.5)))
    final = look_of(1.0, looks=3, method="obrien_fleming", alpha=0.05)
    assert final.final and final.boundary == pytest.approx(2.0152, abs=1e-3)
    # a first evaluation a little past 1/3 is look 1, with no earlier look assumed
    late = look_of(0.36, looks=3, method="obrien_fleming", alpha=0.05)
    assert (late.look, late.fractions) == (1, (0.36,))
    # the last evaluation of a pilot whose data collection is over spends all that is left,
    # so that the three looks together spend exactly alpha
    ended = look_of(0.9, looks=3, method="obrien_fleming", alpha=0.05, last=True)
    assert ended.final and ended.look == 3 and ended.alpha_spent == 0.05
    up, down = exit_probabilities(ended.fractions, [-b for b in spending_boundaries(
        ended.fractions, method="obrien_fleming", spend_all=True)],
        spending_boundaries(ended.fractions, method="obrien_fleming", spend_all=True))
    assert float(up.sum() + down.sum()) == pytest.approx(0.05, abs=1e-6)
    assert final.conf_level == pytest.approx(1 - 2 * special.ndtr(-final.boundary))
    # unequal cohorts: information is 1 / (1 / n_t + 1 / n_c)
    assert information_fraction(30, 10, max_test=60, max_control=60) == pytest.approx(
        (1 / (1 / 30 + 1 / 10)) / 30)
    assert information_fraction(20, None, max_test=40) == 0.5
    with pytest.raises(ValueError, match="The 'looks' must be an int in"):
        look_of(0.5, looks=0, method="pocock", alpha=0.05)
    with pytest.raises(ValueError, match="The 'method' must be one of"):
        look_of(0.5, looks=3, method="haybittle", alpha=0.05)


def test_conditional_power_is_what_a_simulation_of_the_rest_gives():
    rng = np.random.default_rng(4)
    n_now, n_max, m, sd = 20, 60, 0.5, 1.0
    now = 0.3  # observed mean of the first 20 (paired, SD 1)
    rest = rng.normal(m, sd, (200_000, n_max - n_now)).mean(axis=1)
    final = (n_now * now + (n_max - n_now) * rest) / n_max
    c = 1.96
    simulated = np.mean((final >= m) & (final >= c * sd / math.sqrt(n_max)))
    analytic = go_conditional(estimate=now, se_now=sd / math.sqrt(n_now),
                              se_max=sd / math.sqrt(n_max), min_effect=m, critical=c, effect=m)
    assert analytic == pytest.approx(simulated, abs=0.003)


def _sequential_pilots(effect: float, *, futility: bool, rng: np.random.Generator,
                       pilots: int = 40_000, n_max: int = 60, m: float = 0.5):
    """Paired pilots (SD 1) judged at 20, 40, 60 by the improve rule on repeated CIs.

    Returns the shares of go, no_go and extend."""
    fractions = np.array(THIRDS)
    bounds = spending_boundaries(fractions, method="obrien_fleming")
    sizes = (fractions * n_max).astype(int)
    data = rng.normal(effect, 1.0, (pilots, n_max))
    verdict = np.full(pilots, "open", dtype=object)
    se_max = 1 / math.sqrt(n_max)
    for k, (n, b) in enumerate(zip(sizes, bounds, strict=True)):
        est = data[:, :n].mean(axis=1)
        se = 1 / math.sqrt(n)
        open_ = verdict == "open"
        go = open_ & (est - b * se > 0) & (est >= m)
        stop = open_ & (est + b * se < m)
        if futility and k < 2:
            t = (se_max / se) ** 2
            mean = est + (1 - t) * (m - est)
            cp = special.ndtr((mean - max(m, bounds[-1] * se_max)) / (se_max * math.sqrt(1 - t)))
            stop |= open_ & ~go & (cp < FUTILITY_THRESHOLD)
        verdict[go] = "go"
        verdict[stop] = "no_go"
        if k == 2:
            verdict[verdict == "open"] = "no_go" if futility else "extend"
    return {v: float(np.mean(verdict == v)) for v in ("go", "no_go", "extend")}


def test_futility_costs_little_go_and_spares_useless_extensions():
    rng = np.random.default_rng(8)
    # under no effect the sequential plan says go at most alpha / 2 over three looks
    null = _sequential_pilots(0.0, futility=True, rng=rng)
    assert null["go"] <= 0.025 + 0.003
    # stopping when the conditional power under m is below 10 % loses little go ...
    plain = {e: _sequential_pilots(e, futility=False, rng=rng) for e in (0.5, 1.0)}
    stopped = {e: _sequential_pilots(e, futility=True, rng=rng) for e in (0.5, 1.0)}
    assert stopped[0.5]["go"] >= plain[0.5]["go"] - 0.03
    assert stopped[1.0]["go"] >= plain[1.0]["go"] - 0.005
    # ... and ends most pilots of a useless service instead of extending them
    assert null["no_go"] >= 0.95

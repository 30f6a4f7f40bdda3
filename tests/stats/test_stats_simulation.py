"""Seeded simulation through ``analyze_metric``: did and clustered designs at n = 10, 20.

What a statistician signs (issue 8, "Done when"): at 10 and 20 participants per
group, on skewed (lognormal) and zero-inflated count data,

* the 95 % CI covers the true mean difference in 93-97 % of pilots with a real
  effect;
* with no effect, p < alpha (0.05) in at most 6 % of pilots;
* p < alpha exactly when the CI excludes 0 (one estimand per result).

``tests/stats/test_stats_headline.py`` holds pre_post and two_group to these bars
(the paired and Welch t headline, 2,000 pilots a cell on the vectorised path that
``analyze_metric`` is checked to follow). This file adds the designs whose
inference is more than one t-test, each simulated pilot going through
:func:`livinglab.stats.analyze_metric` itself (only the data generation is
vectorised):

* ``did`` under random assignment: the change-score headline and the estimate
  the decision uses (``primary_*``: Lin's interacted ANCOVA with HC2 errors);
* whole buildings assigned (ICC 0.05), two_group and did, analysed at the
  building (``unit``: cluster-robust inference).

Why the bounds do not flake, and what they can catch. The generator is seeded:
every run sees the same pilots, so the figures are deterministic. That alone
could hide a bound passed by luck, so each seeded figure is judged with its Monte
Carlo error: it fails when it lies beyond the bound by more than two binomial
SEs, which a method exactly at the bound does with a chance of 2.3 % (one-sided)
and a method inside the band with less. With RUNS = 1,000 pilots (did) the SE at
the 6 % bound is sqrt(.06 x .94 / 1000) = 0.75 points, so a false-positive rate
above 7.5 % fails; coverage fails below 91.4 % or above 98.1 %. The clustered
cells (RUNS_CLUSTERED = 300, the wild-bootstrap-free CRV3 path still costs 17 ms
a pilot) fail above 8.7 % or below 90.1 %. That catches what the issue measured:
run on the code before it (a normality pre-test, rank p-values, BCa intervals),
every did cell fails, the p-value disagreeing with the CI in each and the
lognormal n = 10 coverage at 90.7 %; so does the naive participant-level
analysis of a clustered did (13 % false positives, asserted below). The expected
values, measured on 3,000 pilots a cell (1,500 clustered) with other seeds than
the test's:

==========================  =========  ========  ==========  ========
cell                        headline             primary (ANCOVA)
--------------------------  -------------------  --------------------
did, random assignment      false pos  coverage  false pos   coverage
==========================  =========  ========  ==========  ========
lognormal, n = 10           3.8 %      95.1 %    5.1 %       93.4 %
lognormal, n = 20           4.8 %      95.1 %    5.8 %       93.9 %
zero-inflated, n = 10       4.9 %      95.4 %    4.7 %       95.6 %
zero-inflated, n = 20       4.9 %      94.6 %    4.9 %       95.2 %
clustered two_group         5.7 %      95.5 %
clustered did               4.2 %      95.9 %    4.1 %       95.7 %
==========================  =========  ========  ==========  ========

Every expected value is inside the issue's bands (93-97 %, <= 6 %); two sit
within half a point of the 6 % bound (Lin's ANCOVA on lognormal data at n = 20,
CRV3 with 32 buildings), where a literal 6 % test on a few hundred pilots would
pass or fail by the seed alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from livinglab.stats import MetricResult, analyze_metric

ALPHA = 0.05
RUNS = 1_000
RUNS_CLUSTERED = 300
COVERAGE_BAND = (0.93, 0.97)
MAX_FALSE_POSITIVES = 0.06
MONTE_CARLO_SES = 2.0
EFFECT = -0.20
"""Testers' intervention values are multiplied by 1 + EFFECT (a 20 % saving)."""

# ----------------------------------------------------------------- data generation
# Values of one metric per participant and period, for many pilots at once:
# shape (pilots, role, period, n) with role 0 = test, 1 = control and period
# 0 = baseline, 1 = intervention. A participant's two periods share a person
# effect (the within-person correlation a pre_post or did design relies on).

PERSON_SD, PERIOD_SD = 0.5, 0.3
"""SDs on the log scale: lognormal values with a log-SD of 0.58 (skewness 2.1)."""
ZERO_SHARE = 0.3
"""Zero-inflated counts: a participant makes no trip in a period with this chance."""
COUNT_MEAN = 3.0


def _log_effects(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    person = rng.normal(0.0, PERSON_SD, (*shape[:2], 1, shape[3]))
    period = rng.normal(0.0, PERIOD_SD, shape)
    return person + period - (PERSON_SD**2 + PERIOD_SD**2) / 2  # mean of exp() is 1


def lognormal(rng: np.random.Generator, shape: tuple[int, ...], effect: float) -> np.ndarray:
    """kWh-like: mean 10, lognormal between people and between periods."""
    return 10.0 * np.exp(_log_effects(rng, shape)) * _effect_factor(shape, effect)


def zero_inflated_counts(
    rng: np.random.Generator, shape: tuple[int, ...], effect: float
) -> np.ndarray:
    """Trip-like counts: Poisson with a lognormal rate, 0 with probability ZERO_SHARE."""
    rate = COUNT_MEAN * np.exp(_log_effects(rng, shape)) * _effect_factor(shape, effect)
    counts = rng.poisson(rate).astype(float)
    return np.where(rng.random(shape) < ZERO_SHARE, 0.0, counts)


def _effect_factor(shape: tuple[int, ...], effect: float) -> np.ndarray:
    factor = np.ones((1, 2, 2, 1))
    factor[0, 0, 1, 0] = 1.0 + effect
    return np.broadcast_to(factor, shape)


@dataclass(frozen=True)
class Shape:
    """A distribution of a metric and its expected value without effect."""

    name: str
    draw: Callable[[np.random.Generator, tuple[int, ...], float], np.ndarray]
    mean: float

    def truth(self, effect: float) -> float:
        """The true mean difference: testers' intervention mean moves by effect x mean."""
        return effect * self.mean


SHAPES = {
    "lognormal": Shape("lognormal", lognormal, 10.0),
    "zero_inflated": Shape("zero_inflated", zero_inflated_counts, (1 - ZERO_SHARE) * COUNT_MEAN),
}


def template(n: int) -> pd.DataFrame:
    """The long frame's fixed columns, in the order of ``values[p].ravel()``."""
    role = np.repeat(["test", "control"], 2 * n)
    period = np.tile(np.repeat(["baseline", "intervention"], n), 2)
    ids = np.char.add(np.char.add(np.where(role == "test", "t", "c"), "-"),
                      np.tile(np.arange(n).astype(str), 4))
    return pd.DataFrame({"participant_id": ids, "cohort_role": role, "period": period})


# ----------------------------------------------------------------- running pilots


@dataclass(frozen=True)
class Runs:
    """Headline and primary p-values and CIs of many simulated pilots (NaN when absent)."""

    p: np.ndarray
    low: np.ndarray
    high: np.ndarray
    primary_p: np.ndarray
    primary_low: np.ndarray
    primary_high: np.ndarray

    def rejection(self, primary: bool = False) -> float:
        p = self.primary_p if primary else self.p
        return float(np.mean(p < ALPHA))

    def coverage(self, truth: float, primary: bool = False) -> float:
        low, high = (self.primary_low, self.primary_high) if primary else (self.low, self.high)
        return float(np.mean((low <= truth) & (truth <= high)))

    def p_agrees_with_ci(self, primary: bool = False) -> bool:
        """p < alpha exactly when the CI excludes 0, in every pilot."""
        p, low, high = (
            (self.primary_p, self.primary_low, self.primary_high)
            if primary
            else (self.p, self.low, self.high)
        )
        return bool(np.all((p < ALPHA) == ((low > 0) | (high < 0))))


def _number(value: float | None) -> float:
    return np.nan if value is None else float(value)


def simulate(design: str, shape: Shape, n: int, effect: float, seed: int,
             runs: int = RUNS) -> Runs:
    rng = np.random.default_rng(seed)
    values = shape.draw(rng, (runs, 2, 2, n), effect)
    frame = template(n)
    return _collect(
        analyze_metric(frame.assign(value=pilot.ravel()), metric="m", design=design, alpha=ALPHA)
        for pilot in values
    )


def _collect(results: Iterable[MetricResult]) -> Runs:
    rows = [
        [_number(x) for x in (r.p_value, r.ci_low, r.ci_high,
                              r.primary_p_value, r.primary_ci_low, r.primary_ci_high)]
        for r in results
    ]
    return Runs(*np.array(rows).T)


def _slack(share: float, runs: int) -> float:
    """MONTE_CARLO_SES binomial SEs of a share measured on ``runs`` pilots."""
    return MONTE_CARLO_SES * float(np.sqrt(share * (1 - share) / runs))


def assert_calibrated(null: Runs, real: Runs, truth: float, primary: bool, where: str) -> None:
    """The issue's bars, each seeded figure judged with its Monte Carlo error."""
    runs = len(null.p)
    false_positives = null.rejection(primary)
    assert false_positives <= MAX_FALSE_POSITIVES + _slack(MAX_FALSE_POSITIVES, runs), (
        where, false_positives)
    coverage = real.coverage(truth, primary)
    low, high = COVERAGE_BAND
    assert low - _slack(low, runs) <= coverage <= high + _slack(high, runs), (where, coverage)
    assert null.p_agrees_with_ci(primary) and real.p_agrees_with_ci(primary), where


CELLS = [(shape, n) for shape in SHAPES for n in (10, 20)]


@pytest.mark.parametrize(("shape", "n"), CELLS)
def test_did_covers_and_keeps_false_positives_down(shape: str, n: int) -> None:
    seed = 8_000 + CELLS.index((shape, n))
    kind = SHAPES[shape]
    null = simulate("did", kind, n, 0.0, seed)
    real = simulate("did", kind, n, EFFECT, seed + 100)
    for primary in (False, True):  # the change scores (headline), the ANCOVA (primary)
        assert_calibrated(null, real, kind.truth(EFFECT), primary, f"primary={primary}")


# ----------------------------------------------------------------- clustered assignment
# Whole buildings are assigned: CLUSTERS buildings per arm, PER_CLUSTER residents each;
# a building effect takes ICC of the variance on the outcome scale.

ICC = 0.05
CLUSTERS, PER_CLUSTER = 16, 6


def clustered_lognormal(
    rng: np.random.Generator, pilots: int, effect: float, icc: float = ICC
) -> np.ndarray:
    """Values, shape (pilots, role, period, CLUSTERS * PER_CLUSTER), buildings in blocks.

    Lognormal with a log-SD of ``s`` = 0.58 as above. A building's residents share a
    shock in each period (its heating, its caretaker), b ~ N(0, rho s^2), and keep a
    person effect across periods; rho is chosen so that the ICC of the values of a
    period is ``icc``: (exp(rho s^2) - 1) / (exp(s^2) - 1) = icc. The shock differs
    between periods, so the change scores of a did are clustered too (their ICC on
    the log scale is rho s^2 / (rho s^2 + (1 - rho) PERIOD_SD^2), about 0.14).
    The testers' intervention values are multiplied by 1 + ``effect``.
    """
    s2 = PERSON_SD**2 + PERIOD_SD**2
    rho = np.log1p(icc * np.expm1(s2)) / s2
    shape = (pilots, 2, 2, CLUSTERS * PER_CLUSTER)
    building = rng.normal(0.0, np.sqrt(rho * s2), (*shape[:3], CLUSTERS))
    person = rng.normal(0.0, np.sqrt(1 - rho) * PERSON_SD, (*shape[:2], 1, shape[3]))
    period = rng.normal(0.0, np.sqrt(1 - rho) * PERIOD_SD, shape)
    log = np.repeat(building, PER_CLUSTER, axis=3) + person + period - s2 / 2
    return 10.0 * np.exp(log) * _effect_factor(shape, effect)


def clustered_template(n_clusters: int, per_cluster: int) -> pd.DataFrame:
    n = n_clusters * per_cluster
    frame = template(n)
    building = np.tile(np.repeat(np.arange(n_clusters), per_cluster).astype(str), 4)
    return frame.assign(unit=np.char.add(np.where(frame["cohort_role"] == "test", "tb", "cb"),
                                         building))


def simulate_clustered(design: str, effect: float, seed: int, *, unit: bool = True,
                       runs: int = RUNS_CLUSTERED) -> Runs:
    frame = clustered_template(CLUSTERS, PER_CLUSTER)
    values = clustered_lognormal(np.random.default_rng(seed), runs, effect)
    return _collect(
        analyze_metric(frame.assign(value=v.ravel()), metric="m", design=design,
                       unit="unit" if unit else None, alpha=ALPHA)
        for v in values
    )


@pytest.mark.parametrize("design", ["two_group", "did"])
def test_clustered_assignment_is_analysed_at_the_building(design: str) -> None:
    seed = 8_100 + 10 * ["two_group", "did"].index(design)
    null = simulate_clustered(design, 0.0, seed)
    real = simulate_clustered(design, EFFECT, seed + 1)
    for primary in ([False, True] if design == "did" else [False]):
        assert_calibrated(null, real, EFFECT * 10.0, primary, f"primary={primary}")


def test_the_bar_catches_a_participant_level_analysis_of_clustered_did() -> None:
    # The same null pilots analysed as if residents had been assigned one by one:
    # the building shocks of each period make the change scores correlated, and the
    # naive did rejects about 13 % of the time (300 pilots of another seed), beyond what
    # the bar allows. (A naive two_group, 6.3 % there, is too close to the bar to tell.)
    naive = simulate_clustered("did", 0.0, 8_110, unit=False, runs=200)
    assert naive.rejection() > MAX_FALSE_POSITIVES + _slack(MAX_FALSE_POSITIVES, len(naive.p))

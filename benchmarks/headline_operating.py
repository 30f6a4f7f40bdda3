"""Operating characteristics of the headline test, by seeded simulation.

The headline of a continuous metric is the mean difference with the p-value
and CI of one method: the paired t-test (``pre_post``) or Welch's t-test
(``two_group``; ``did`` applies Welch to the change scores). This script
measures, for n = 10 and 20 per group and four shapes of data (normal,
lognormal, zero-inflated counts, Poisson counts):

* the coverage of the 95 % CI of the mean difference when testers' values move
  by ``EFFECT`` (a 20 % change of the intervention mean);
* the false-positive rate (p < 0.05) when nothing changes;
* the coverage of the percent-of-baseline CI (Fieller), and the coverage of
  the Hedges' g_z CI with and without the J scaling it used to have;

and, for comparison, a studentised bootstrap (bootstrap-t) interval, the only
resampling interval the issue would accept in the headline if it covered
93-97 % everywhere. The simulation calls the very functions that
:func:`livinglab.stats.analyze_metric` calls (:func:`~livinglab.stats.ttests.one_sample_t`,
:func:`~livinglab.stats.ttests.welch_t`) on all pilots of a cell at once;
``tests/stats/test_stats_headline.py`` checks that ``analyze_metric`` returns the
same numbers and runs a smaller version of this table as a test.

Data (per pilot: 2 cohorts x 2 periods x n participants; a participant's two
periods share a person effect, the within-person correlation a paired design
relies on):

* normal: 10 + N(0, 2) person + N(0, 1) period;
* lognormal: 10 x exp(person N(0, 0.5) + period N(0, 0.3)), mean 10, skewness ~2;
* zero-inflated: Poisson(3 x the lognormal factor), then 0 with probability 0.3;
* poisson: Poisson(3 x exp(person N(0, 0.3))).

Usage::

    python benchmarks/headline_operating.py                 # 4,000 pilots a cell (~10 s)
    python benchmarks/headline_operating.py --pilots 1000 --bootstrap 999
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from livinglab.stats.ttests import fieller_ratio, one_sample_t, welch_t

ALPHA = 0.05
EFFECT = -0.20
SIZES = (10, 20)
DESIGNS = ("pre_post", "two_group")

Draw = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]


def _normal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    person = rng.normal(0.0, 2.0, (*shape[:-2], 1, shape[-1]))
    return 10.0 + person + rng.normal(0.0, 1.0, shape)


def _log_factor(rng: np.random.Generator, shape: tuple[int, ...], person_sd: float,
                period_sd: float) -> np.ndarray:
    person = rng.normal(0.0, person_sd, (*shape[:-2], 1, shape[-1]))
    period = rng.normal(0.0, period_sd, shape)
    return np.exp(person + period - (person_sd**2 + period_sd**2) / 2.0)  # mean 1


def _lognormal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return 10.0 * _log_factor(rng, shape, 0.5, 0.3)


def _zero_inflated(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    counts = rng.poisson(3.0 * _log_factor(rng, shape, 0.5, 0.3)).astype(float)
    return np.where(rng.random(shape) < 0.3, 0.0, counts)


def _poisson(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.poisson(3.0 * _log_factor(rng, shape, 0.3, 0.0)).astype(float)


@dataclass(frozen=True)
class Shape:
    """A data shape: its generator (effect-free) and its expected value."""

    name: str
    draw: Draw
    mean: float


SHAPES = (
    Shape("normal", _normal, 10.0),
    Shape("lognormal", _lognormal, 10.0),
    Shape("zero_inflated", _zero_inflated, 0.7 * 3.0),
    Shape("poisson", _poisson, 3.0),
)


def pilots(shape: Shape, n: int, effect: float, count: int, seed: int) -> np.ndarray:
    """Values of ``count`` pilots, shape (count, 2 cohorts, 2 periods, n).

    Cohort 0 (testers) has its intervention values multiplied by 1 + effect, so
    the true mean difference is ``effect * shape.mean`` for both designs. For
    counts the effect thins the counts (binomial), which keeps them counts.
    """
    rng = np.random.default_rng(seed)
    values = shape.draw(rng, (count, 2, 2, n))
    if effect:
        treated = values[:, 0, 1, :]
        if shape.name in ("zero_inflated", "poisson"):
            values[:, 0, 1, :] = rng.binomial(treated.astype(np.int64), 1.0 + effect)
        else:
            values[:, 0, 1, :] = treated * (1.0 + effect)
    return values


def compared(values: np.ndarray, design: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The samples the design compares: differences (pre_post) or the two cohorts' values."""
    if design == "pre_post":
        return values[:, 0, 1, :] - values[:, 0, 0, :], None
    return values[:, 0, 1, :], values[:, 1, 1, :]


def headline(values: np.ndarray, design: str, alpha: float = ALPHA) -> tuple[np.ndarray, ...]:
    """(p, ci_low, ci_high) of the headline t-test of every pilot (NaN without variation)."""
    x, y = compared(values, design)
    if y is None:
        t = one_sample_t(x.mean(axis=1), x.std(axis=1, ddof=1), x.shape[1], alpha=alpha)
    else:
        t = welch_t(x.mean(axis=1), x.std(axis=1, ddof=1), x.shape[1],
                    y.mean(axis=1), y.std(axis=1, ddof=1), y.shape[1], alpha=alpha)
    return t.p_value, t.ci_low, t.ci_high


def bootstrap_t(values: np.ndarray, design: str, resamples: int, seed: int,
                alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Studentised bootstrap CI (Efron & Tibshirani 1993, 12.5) of every pilot."""
    rng = np.random.default_rng(seed)
    x, y = compared(values, design)
    samples = (x,) if y is None else (x, y)

    def stats_of(arrays: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        means = [a.mean(axis=-1) for a in arrays]
        variances = [a.var(axis=-1, ddof=1) / a.shape[-1] for a in arrays]
        estimate = means[0] - (means[1] if len(means) > 1 else 0.0)
        return estimate, np.sqrt(sum(variances))

    estimate, se = stats_of(samples)
    low_q, high_q = np.empty(len(x)), np.empty(len(x))
    for start in range(0, len(x), 200):
        block = slice(start, start + 200)
        draws = []
        for sample in samples:
            part = sample[block]
            index = rng.integers(0, part.shape[1], (part.shape[0], resamples, part.shape[1]))
            draws.append(np.take_along_axis(part[:, None, :], index, axis=2))
        boot_estimate, boot_se = stats_of(tuple(draws))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (boot_estimate - estimate[block, None]) / boot_se
        z = np.where(np.isfinite(z), z, np.nan)
        low_q[block] = np.nanquantile(z, 1 - alpha / 2, axis=1)
        high_q[block] = np.nanquantile(z, alpha / 2, axis=1)
    return estimate - low_q * se, estimate - high_q * se


@dataclass(frozen=True)
class Cell:
    """Measured figures of one design x shape x n."""

    design: str
    shape: str
    n: int
    coverage: float
    false_positives: float
    disagreements: int
    bootstrap_t_coverage: float | None = None


def measure(design: str, shape: Shape, n: int, count: int, seed: int,
            resamples: int = 0) -> Cell:
    """Coverage (effect EFFECT) and false positives (no effect) of one cell."""
    truth = EFFECT * shape.mean
    real = pilots(shape, n, EFFECT, count, seed)
    null = pilots(shape, n, 0.0, count, seed + 1)
    p_real, low, high = headline(real, design)
    p_null, low_null, high_null = headline(null, design)
    tested = np.isfinite(p_real)
    coverage = float(np.mean((low[tested] <= truth) & (truth <= high[tested])))
    false_positives = float(np.mean(p_null < ALPHA))  # a pilot without variation is not one
    disagree = 0
    for p, lo, hi in ((p_real, low, high), (p_null, low_null, high_null)):
        ok = np.isfinite(p)
        disagree += int(np.sum((p[ok] < ALPHA) != ((lo[ok] > 0) | (hi[ok] < 0))))
    boot = None
    if resamples:
        b_low, b_high = bootstrap_t(real, design, resamples, seed + 2)
        boot = float(np.nanmean((b_low <= truth) & (truth <= b_high)))
    return Cell(design, shape.name, n, coverage, false_positives, disagree, boot)


def table(count: int, resamples: int = 0, seed: int = 20_261_130) -> list[Cell]:
    """Every cell, each with its own seed."""
    cells = []
    for d, design in enumerate(DESIGNS):
        for s, shape in enumerate(SHAPES):
            for n in SIZES:
                cell_seed = seed + 1000 * d + 100 * s + n
                cells.append(measure(design, shape, n, count, cell_seed, resamples))
    return cells


def percent_coverage(design: str, shape: Shape, n: int, count: int,
                     seed: int) -> tuple[float, float]:
    """Coverage of the percent-of-baseline CI (Fieller) and the share left unbounded.

    The truth is ``EFFECT`` (testers' mean moves by EFFECT x the baseline mean).
    Coverage is among pilots whose baseline mean differs significantly from 0
    (the others get no percentage CI); returns (coverage, unbounded share).
    """
    values = pilots(shape, n, EFFECT, count, seed)
    x, y = compared(values, design)
    if y is None:
        before = values[:, 0, 0, :]
        moments = [np.cov(d, b) / n for d, b in zip(x, before, strict=True)]
        var_n = np.array([m[0, 0] for m in moments])
        var_d = np.array([m[1, 1] for m in moments])
        cov = np.array([m[0, 1] for m in moments])
        numerator, denominator, df = x.mean(axis=1), before.mean(axis=1), n - 1.0
    else:
        v_x, v_y = x.var(axis=1, ddof=1) / n, y.var(axis=1, ddof=1) / n
        var_n, var_d, cov = v_x + v_y, v_y, -v_y
        numerator, denominator = x.mean(axis=1) - y.mean(axis=1), y.mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            df = (v_x + v_y) ** 2 / (v_x**2 / (n - 1) + v_y**2 / (n - 1))
    ratio = fieller_ratio(numerator, denominator, var_n, var_d, cov, df)
    bounded = np.isfinite(ratio.ci_low) & (var_n > 0)
    covered = (ratio.ci_low <= EFFECT) & (EFFECT <= ratio.ci_high)
    return float(np.mean(covered[bounded])), float(1.0 - np.mean(bounded))


def effect_size_coverage(n: int, d_z: float, count: int, seed: int) -> tuple[float, float]:
    """Coverage of the paired g_z CI, with and without scaling the CI by J (normal data).

    Returns (coverage with the CI times J, coverage without): the CI of the
    noncentrality parameter divided by sqrt(n) covers d_z exactly under
    normality, and the population value of g_z is d_z (J only removes the
    small-sample bias of the point estimate), so the CI must not be shrunk by J.
    """
    from livinglab.stats.effects import hedges_j, noncentrality_ci

    rng = np.random.default_rng(seed)
    differences = rng.normal(d_z, 1.0, (count, n))
    t_values = differences.mean(axis=1) / (differences.std(axis=1, ddof=1) / np.sqrt(n))
    scaled = unscaled = 0
    j = hedges_j(n - 1)
    for t in t_values:
        low, high = noncentrality_ci(float(t), n - 1)
        low, high = low / np.sqrt(n), high / np.sqrt(n)
        unscaled += low <= d_z <= high
        scaled += low * j <= d_z <= high * j
    return scaled / count, unscaled / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pilots", type=int, default=4000)
    parser.add_argument("--bootstrap", type=int, default=0,
                        help="bootstrap-t resamples (0: skip; 999 takes a minute at 1,000 pilots)")
    args = parser.parse_args()
    print(f"{args.pilots} pilots a cell, alpha = {ALPHA}, effect = {EFFECT:+.0%} of the mean")
    header = (f"{'design':10} {'shape':14} {'n':>3} {'coverage':>9} {'false +':>8} "
              f"{'p/CI disagree':>14}")
    print(header + ("  bootstrap-t coverage" if args.bootstrap else ""))
    for cell in table(args.pilots, args.bootstrap):
        line = (f"{cell.design:10} {cell.shape:14} {cell.n:3d} {cell.coverage:9.1%} "
                f"{cell.false_positives:8.1%} {cell.disagreements:14d}")
        if cell.bootstrap_t_coverage is not None:
            line += f"  {cell.bootstrap_t_coverage:20.1%}"
        print(line)
    print("Percent of the baseline, Fieller CI (coverage among bounded CIs; unbounded share):")
    for d, design in enumerate(DESIGNS):
        for s, shape in enumerate(SHAPES):
            for n in SIZES:
                coverage, unbounded = percent_coverage(design, shape, n, args.pilots,
                                                       500 + 100 * d + 10 * s + n)
                print(f"  {design:10} {shape.name:14} {n:3d} {coverage:9.1%} {unbounded:8.1%}")
    for n in SIZES:
        for d_z in (0.5, 1.0):
            scaled, unscaled = effect_size_coverage(n, d_z, args.pilots, 7 + n)
            print(f"Hedges' g_z 95 % CI, n = {n}, d_z = {d_z}: coverage {scaled:.1%} when "
                  f"scaled by J (before), {unscaled:.1%} unscaled (now)")


if __name__ == "__main__":
    main()

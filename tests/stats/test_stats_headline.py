"""One estimand per result (issue 8, item 3): the headline's p and CI come from one method.

* ``analyze_metric`` returns, for a continuous metric, the mean difference
  with the paired t-test (pre_post) or Welch's t-test (two_group) p-value and
  CI - checked against scipy, whatever the shape of the data;
* p < alpha exactly when the CI excludes 0 (hypothesis, any data, any alpha);
* a compact version of ``benchmarks/headline_operating.py``: seeded coverage
  and false-positive rate at n = 10 and 20 on normal, lognormal,
  zero-inflated and Poisson-count data;
* the Hedges' g_z CI, no longer shrunk by J, covers d_z.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from livinglab.stats import analyze_metric

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "headline_operating.py"


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("headline_operating", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


operating = _load_benchmark()


def long_frame(values: np.ndarray) -> pd.DataFrame:
    """One simulated pilot (2 cohorts x 2 periods x n) as the store's long frame."""
    n = values.shape[-1]
    rows = [
        {"participant_id": f"{role}{i}", "cohort_role": role, "period": period,
         "value": float(values[r, p, i])}
        for r, role in enumerate(("test", "control"))
        for p, period in enumerate(("baseline", "intervention"))
        for i in range(n)
    ]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ oracle agreement


@pytest.mark.parametrize("shape", operating.SHAPES, ids=lambda shape: shape.name)
def test_analyze_metric_gives_scipys_t_test_whatever_the_shape(shape) -> None:
    # Oracle: scipy.stats.ttest_rel / ttest_ind(equal_var=False) (R's t.test); also the
    # vectorised path the simulation uses, so the simulated figures are analyze_metric's.
    values = operating.pilots(shape, 12, operating.EFFECT, 5, seed=41)
    p_fast, low_fast, high_fast = operating.headline(values, "pre_post")
    p_welch, low_welch, high_welch = operating.headline(values, "two_group")
    for k, pilot in enumerate(values):
        frame = long_frame(pilot)
        paired = analyze_metric(frame, metric="m", design="pre_post")
        groups = analyze_metric(frame, metric="m", design="two_group")
        after, before, control = pilot[0, 1], pilot[0, 0], pilot[1, 1]
        if np.ptp(after - before) == 0 or (np.ptp(after) == 0 and np.ptp(control) == 0):
            continue  # a count pilot without variation: covered by test_stats_degenerate
        rel = sps.ttest_rel(after, before)
        ind = sps.ttest_ind(after, control, equal_var=False)
        for result, expected, fast in (
            (paired, rel, (p_fast[k], low_fast[k], high_fast[k])),
            (groups, ind, (p_welch[k], low_welch[k], high_welch[k])),
        ):
            interval = expected.confidence_interval(0.95)
            assert result.ci_method == "t"
            assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
            assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high))
            assert (result.p_value, result.ci_low, result.ci_high) == pytest.approx(fast)


# ------------------------------------------------------------------ the property

finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


def _agree(result, alpha: float) -> None:
    if result.p_value is None:  # no variation: neither p nor CI
        assert result.ci_low is None and result.ci_high is None
        return
    # Exactly at the boundary p and CI come from two special functions (stdtr and its
    # inverse) that agree to ~1e-12; away from it the rule must hold without exception.
    assume(abs(result.p_value - alpha) > 1e-9)
    excludes_zero = result.ci_low > 0 or result.ci_high < 0
    assert (result.p_value < alpha) == excludes_zero


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.lists(finite, min_size=2, max_size=25),
    shift=st.lists(finite, min_size=2, max_size=25),
    alpha=st.floats(min_value=0.001, max_value=0.3),
)
def test_paired_p_is_below_alpha_exactly_when_the_ci_excludes_zero(before, shift, alpha):
    n = min(len(before), len(shift))
    before_values, after_values = np.array(before[:n]), np.array(before[:n]) + np.array(shift[:n])
    frame = pd.DataFrame({
        "participant_id": [f"p{i}" for i in range(n)] * 2,
        "cohort_role": "test",
        "period": ["baseline"] * n + ["intervention"] * n,
        "value": np.r_[before_values, after_values],
    })
    _agree(analyze_metric(frame, metric="m", design="pre_post", alpha=alpha), alpha)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    x=st.lists(finite, min_size=2, max_size=25),
    y=st.lists(finite, min_size=2, max_size=25),
    alpha=st.floats(min_value=0.001, max_value=0.3),
)
def test_welch_p_is_below_alpha_exactly_when_the_ci_excludes_zero(x, y, alpha):
    frame = pd.DataFrame({
        "participant_id": [f"t{i}" for i in range(len(x))] + [f"c{i}" for i in range(len(y))],
        "cohort_role": ["test"] * len(x) + ["control"] * len(y),
        "period": "intervention",
        "value": np.r_[x, y],
    })
    _agree(analyze_metric(frame, metric="m", design="two_group", alpha=alpha), alpha)


# ------------------------------------------------------------------ seeded simulation

PILOTS = 2_000
"""Binomial SE of a 95 % coverage: sqrt(.95 x .05 / 2000) = 0.49 points; of a 5 % rate, the
same. Measured on 10,000 pilots a cell (benchmarks/headline_operating.py): coverage 94.5-95.8 %,
false positives 3.7-5.0 %, so each bound below is at least two SEs from what is expected."""


@pytest.mark.parametrize("design", operating.DESIGNS)
def test_headline_covers_93_to_97_percent_with_at_most_6_percent_false_positives(design):
    for s, shape in enumerate(operating.SHAPES):
        for n in operating.SIZES:
            cell = operating.measure(design, shape, n, PILOTS, seed=900 + 10 * s + n)
            where = (design, shape.name, n)
            assert 0.93 <= cell.coverage <= 0.97, (where, cell.coverage)
            assert cell.false_positives <= 0.06, (where, cell.false_positives)
            assert cell.disagreements == 0, where


def test_hedges_g_z_ci_covers_d_z_now_that_j_no_longer_shrinks_it() -> None:
    # 4,000 normal pilots, n = 10, d_z = 1: the CI shrunk by J covered 94.0 % (10,000
    # pilots), the unshrunk one 95.2 %. SE at 4,000 pilots: 0.34 points.
    scaled, unscaled = operating.effect_size_coverage(10, 1.0, 4_000, seed=17)
    assert 0.94 <= unscaled <= 0.96
    assert unscaled - scaled > 0.005


def test_hedges_g_z_ci_is_the_noncentral_t_interval_over_root_n(frames) -> None:
    # Hand derivation: t = d_z sqrt(n); CI(delta_z) = CI(ncp) / sqrt(n) (Steiger & Fouladi).
    from livinglab.stats.effects import hedges_j, noncentrality_ci

    rng = np.random.default_rng(3)
    before = rng.normal(10, 2, 10)
    after = before + rng.normal(0.8, 1, 10)
    result = analyze_metric(frames.paired(before, after), metric="m", design="pre_post")
    d = after - before
    d_z = d.mean() / d.std(ddof=1)
    low, high = noncentrality_ci(d_z * math.sqrt(10), 9)
    assert result.effect_size == pytest.approx(hedges_j(9) * d_z)
    assert (result.effect_size_ci_low, result.effect_size_ci_high) == pytest.approx(
        (low / math.sqrt(10), high / math.sqrt(10))
    )
    # the noncentral t at the bounds puts alpha/2 in each tail (scipy's nct as oracle)
    t = d_z * math.sqrt(10)
    assert sps.nct.cdf(t, 9, low) == pytest.approx(0.975, abs=1e-9)
    assert sps.nct.cdf(t, 9, high) == pytest.approx(0.025, abs=1e-9)


@pytest.mark.parametrize("design", operating.DESIGNS)
def test_percent_of_baseline_ci_covers_93_to_97_percent(design) -> None:
    # Fieller's CI of mean difference / baseline mean (10,000 pilots a cell: 94.8-96.5 %
    # among bounded CIs). Zero-inflated counts at n = 10 leave the baseline mean not
    # significantly above 0 in ~20 % of pilots: no percentage CI there (honestly unbounded).
    for s, shape in enumerate(operating.SHAPES):
        for n in operating.SIZES:
            coverage, unbounded = operating.percent_coverage(design, shape, n, PILOTS,
                                                             seed=300 + 10 * s + n)
            where = (design, shape.name, n)
            assert 0.93 <= coverage <= 0.97, (where, coverage)
            assert unbounded < (0.3 if shape.name == "zero_inflated" and n == 10 else 0.01), where

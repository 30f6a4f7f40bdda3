"""Calibration by simulation: the product's own code path, seeded, 1,000 pilots each.

With no true effect, a 5% test must reject 5% +- 2 points of the time; with a
true effect, 95% CIs must cover it 93-97% of the time. Every simulated pilot
goes through ``analyze_metric`` (the function ``livinglab evaluate`` calls), so
the data preparation, the tests and the CI code are all exercised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from livinglab.stats import analyze_metric

RUNS = 1_000
NOMINAL = 0.05
REJECTION_BAND = (0.03, 0.07)
COVERAGE_BAND = (0.93, 0.97)


@dataclass(frozen=True)
class Runs:
    """p-values and CIs of many simulated pilots."""

    p_value: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    ancova_p_value: np.ndarray
    ancova_ci_low: np.ndarray
    ancova_ci_high: np.ndarray

    def rejection_rate(self, ancova: bool = False) -> float:
        p = self.ancova_p_value if ancova else self.p_value
        return float(np.mean(p < NOMINAL))

    def coverage(self, truth: float, ancova: bool = False) -> float:
        low, high = (
            (self.ancova_ci_low, self.ancova_ci_high) if ancova else (self.ci_low, self.ci_high)
        )
        return float(np.mean((low <= truth) & (truth <= high)))


def pilot_frame(test_before, test_after, control_before, control_after) -> pd.DataFrame:
    n_t, n_c = len(test_before), len(control_before)
    ids = [f"t{i}" for i in range(n_t)] + [f"c{i}" for i in range(n_c)]
    return pd.DataFrame(
        {
            "participant_id": ids * 2,
            "cohort_role": (["test"] * n_t + ["control"] * n_c) * 2,
            "period": ["baseline"] * (n_t + n_c) + ["intervention"] * (n_t + n_c),
            "value": np.concatenate([test_before, control_before, test_after, control_after]),
        }
    )


def continuous_pilot(rng, n: int, effect: float) -> pd.DataFrame:
    """kWh-like metric: after = 0.6 before + 4 + noise (+ effect for testers)."""
    before_t, before_c = rng.normal(10, 2, n), rng.normal(10, 2, n)
    after_t = 0.6 * before_t + 4 + rng.normal(0, 1, n) + effect
    after_c = 0.6 * before_c + 4 + rng.normal(0, 1, n)
    return pilot_frame(before_t, after_t, before_c, after_c)


def binary_pilot(rng, n: int, effect: float, base: float = 0.3) -> pd.DataFrame:
    """Task completed yes/no; testers' probability rises by ``effect`` after."""
    draw = lambda p: (rng.random(n) < p).astype(float)  # noqa: E731
    return pilot_frame(draw(base), draw(base + effect), draw(base), draw(base))


def simulate(design: str, effect: float, *, n: int, seed: int, binary: bool = False) -> Runs:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(RUNS):
        frame = binary_pilot(rng, n, effect) if binary else continuous_pilot(rng, n, effect)
        r = analyze_metric(frame, metric="m", design=design, binary=binary)
        rows.append(
            (r.p_value, r.ci_low, r.ci_high, r.ancova_p_value, r.ancova_ci_low, r.ancova_ci_high)
        )
    columns = np.array(rows, dtype=float).T
    return Runs(*columns)


@pytest.mark.parametrize(
    "design,effect,seed",
    [
        ("pre_post", 0.5, 11),
        ("two_group", 0.5, 12),
        ("did", 0.5, 13),
    ],
)
def test_continuous_designs_are_calibrated(design, effect, seed):
    null = simulate(design, 0.0, n=30, seed=seed)
    assert REJECTION_BAND[0] <= null.rejection_rate() <= REJECTION_BAND[1]
    assert COVERAGE_BAND[0] <= null.coverage(0.0) <= COVERAGE_BAND[1]
    true_effect = simulate(design, effect, n=30, seed=seed + 100)
    assert COVERAGE_BAND[0] <= true_effect.coverage(effect) <= COVERAGE_BAND[1]
    if design == "did":  # the ANCOVA (CUPED) estimate from the same pilots
        assert REJECTION_BAND[0] <= null.rejection_rate(ancova=True) <= REJECTION_BAND[1]
        assert COVERAGE_BAND[0] <= true_effect.coverage(effect, ancova=True) <= COVERAGE_BAND[1]
        assert true_effect.rejection_rate(ancova=True) > true_effect.rejection_rate()  # more power


def test_binary_two_group_is_calibrated():
    null = simulate("two_group", 0.0, n=100, seed=21, binary=True)
    assert REJECTION_BAND[0] <= null.rejection_rate() <= REJECTION_BAND[1]
    true_effect = simulate("two_group", 0.15, n=100, seed=22, binary=True)
    assert COVERAGE_BAND[0] <= true_effect.coverage(0.15) <= COVERAGE_BAND[1]


def test_the_paired_t_keeps_the_nominal_rate_on_small_samples():
    # n = 12: the headline is the paired t whatever the data look like (no pre-test picks
    # another test from the data), and it keeps its nominal rate.
    null = simulate("pre_post", 0.0, n=12, seed=31)
    assert REJECTION_BAND[0] <= null.rejection_rate() <= REJECTION_BAND[1]

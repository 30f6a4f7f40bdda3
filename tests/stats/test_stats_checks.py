"""The relative-tolerance judgement of "no variation" (issue 8, item 2)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from livinglab.stats._checks import no_variation, tie_rounded


def test_constant_shift_differences_have_no_variation() -> None:
    # Ten readings each lowered by exactly 0.1: on paper every difference is
    # -0.1; in binary floating point they spread by ~1e-16, which an exact
    # ptp == 0 test misses.
    before = np.array([3.2, 1.1, 5.7, 2.3, 4.4, 6.1, 0.9, 3.3, 2.8, 5.5])
    differences = (before - 0.1) - before
    assert np.ptp(differences) > 0.0
    assert no_variation(differences)
    assert no_variation(differences, scale=float(np.abs(before).max()))


def test_real_spread_is_variation_at_any_scale() -> None:
    assert not no_variation([0.1, 0.1000001])
    assert not no_variation([1e-12, 2e-12])  # tiny numbers, relative spread 50 %
    assert not no_variation([1e9, 1e9 + 10.0])


def test_spread_is_judged_against_the_given_scale() -> None:
    # differences of readings of size ~1e6 that differ by 1e-12 are noise
    assert no_variation([1e-12, 2e-12], scale=1e6)


def test_fewer_than_two_finite_values_have_no_variation() -> None:
    assert no_variation([])
    assert no_variation([np.nan, 3.0])


def test_tie_rounding_merges_float_noise_and_keeps_real_ranks() -> None:
    values = np.array([0.3 - 0.2, 0.1, 0.2, 0.1 + 1e-6])
    assert sps.rankdata(values).tolist() == [1.0, 2.0, 4.0, 3.0]  # 0.3 - 0.2 < 0.1
    assert sps.rankdata(tie_rounded(values)).tolist() == [1.5, 1.5, 4.0, 3.0]


@pytest.mark.parametrize("scale", [0.0, float("nan")])
def test_tolerance_falls_back_to_a_scale_of_one(scale: float | None) -> None:
    assert no_variation([0.0, 1e-10], scale=scale)
    assert not no_variation([0.0, 1e-8], scale=scale)

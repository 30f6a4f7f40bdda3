"""The effect-size CI by noncentral-t inversion, including very precise results."""

from __future__ import annotations

import pytest
from scipy import special

from livinglab.stats.effects import noncentrality_ci


@pytest.mark.parametrize("t_observed, df", [(2.5, 9), (30.0, 298), (-60.0, 299), (-250.0, 5000)])
def test_the_interval_solves_its_defining_tail_probabilities(t_observed, df):
    low, high = noncentrality_ci(t_observed, df, alpha=0.05)
    assert low < t_observed < high
    # P(T'(low) <= t) = 0.975 and P(T'(high) <= t) = 0.025, checked on the side where
    # nctdtr is accurate (the mirror image for negative t).
    sign = 1.0 if t_observed > 0 else -1.0
    lo, hi = (low, high) if sign > 0 else (-high, -low)
    assert special.nctdtr(df, lo, abs(t_observed)) == pytest.approx(0.975, abs=1e-6)
    assert special.nctdtr(df, hi, abs(t_observed)) == pytest.approx(0.025, abs=1e-6)


def test_a_negative_t_mirrors_the_positive_one():
    # A very precise negative effect once crashed the solver (nctdtr returned NaN).
    low, high = noncentrality_ci(-60.0, 299)
    mirror_low, mirror_high = noncentrality_ci(60.0, 299)
    assert (low, high) == pytest.approx((-mirror_high, -mirror_low), rel=1e-12)

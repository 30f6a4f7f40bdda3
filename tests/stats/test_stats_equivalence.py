"""Guardrails: non-inferiority in the direction given by ``better``."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from livinglab.stats import non_inferiority, tost


def test_non_inferiority_is_the_one_sided_test_at_the_margin(frames):
    rng = np.random.default_rng(3)
    before = rng.normal(50, 5, 40)
    after = before + rng.normal(-0.5, 2, 40)
    frame = frames.paired(before, after)
    result = non_inferiority(
        frame, metric="satisfaction", design="pre_post", margin=2.0, better="higher"
    )
    # R: t.test(after, before, paired = TRUE, mu = -2, alternative = "greater")
    expected = stats.ttest_rel(after, before + -2.0, alternative="greater")
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.shown is (result.ci_low > -2.0)
    assert result.conf_level == pytest.approx(0.90)
    lower = non_inferiority(frame, metric="seconds", design="pre_post", margin=2.0, better="lower")
    assert lower.high == 2.0 and lower.low is None and lower.p_upper == lower.p_value


def test_two_group_non_inferiority_uses_welch(frames):
    rng = np.random.default_rng(4)
    test_values, control_values = rng.normal(10, 2, 60), rng.normal(10.2, 3, 50)
    result = non_inferiority(
        frames.after_only(test_values, control_values), metric="m", design="two_group", margin=1.5
    )
    expected = stats.ttest_ind(
        test_values + 1.5, control_values, equal_var=False, alternative="greater"
    )
    assert result.test == "welch_t"
    assert result.p_value == pytest.approx(expected.pvalue)


def test_binary_non_inferiority_uses_a_wald_z(frames):
    test_values = np.array([1] * 45 + [0] * 5, float)
    control_values = np.array([1] * 44 + [0] * 6, float)
    result = non_inferiority(
        frames.after_only(test_values, control_values),
        metric="done",
        design="two_group",
        margin=0.1,
        binary=True,
    )
    assert result.test == "wald_z" and result.df is None
    se = np.sqrt(0.9 * 0.1 / 50 + 0.88 * 0.12 / 50)
    assert result.statistic == pytest.approx((0.02 + 0.1) / se)


def test_thin_data_cannot_show_non_inferiority(frames):
    result = non_inferiority(frames.paired([1.0], [1.0]), metric="m", design="pre_post", margin=1.0)
    assert result.shown is False and result.p_value is None and "cannot be shown" in result.message


def test_tost_arguments_are_checked():
    with pytest.raises(ValueError, match="'low' bound must be below 'high'"):
        tost([1.0, 2.0], low=1.0, high=-1.0)
    with pytest.raises(ValueError, match="The 'margin' must be a finite number > 0"):
        non_inferiority(None, metric="m", design="pre_post", margin=-1)


def test_a_constant_shift_up_to_float_noise_cannot_show_non_inferiority(frames):
    # Case constant_shift: every tester drops by exactly 0.1 in decimal; binary floating point
    # spreads the differences by ~9e-16, which must not pass for a measured, tiny SE.
    before = np.array([0.3, 0.7, 1.3, 2.9, 3.3, 4.1, 5.7, 6.6, 7.3, 8.2])
    after = before - 0.1
    assert np.ptp(after - before) > 0  # the float noise the guard must see through
    paired = non_inferiority(
        frames.paired(before, after), metric="kwh", design="pre_post", margin=0.5, better="higher"
    )
    assert paired.p_value is None and paired.message is not None
    assert paired.estimate == pytest.approx(-0.1)
    # Two groups, each constant up to the noise of a mean of three readings.
    x = np.full(6, (0.1 + 0.2 + 0.3) / 3) + np.array([0, 1, 0, 1, 0, 1]) * 1e-16
    y = np.full(6, 0.2)
    tost_result = tost(x, y, low=-0.05, high=0.05)
    assert tost_result.p_value is None and tost_result.message is not None

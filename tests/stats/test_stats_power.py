"""Power: solve for what is None; how many more participants an inconclusive pilot needs."""

from __future__ import annotations

import pytest

from livinglab.stats import (
    additional_participants_needed,
    analyze_metric,
    participants_needed_for,
    power_analysis,
)


@pytest.mark.parametrize("design", ["paired", "two_sample", "did", "two_proportions"])
def test_solving_round_trips(design):
    sized = power_analysis(effect=0.35, power=0.9, design=design)
    assert power_analysis(effect=0.35, n=sized.n, design=design).power == pytest.approx(
        0.9, abs=1e-9
    )
    assert power_analysis(n=sized.n, power=0.9, design=design).effect == pytest.approx(
        0.35, rel=1e-7
    )
    assert sized.solved_for == "n" and sized.n_ceiling >= sized.n


def test_power_grows_with_n_and_is_alpha_at_no_effect():
    small = power_analysis(effect=0.3, n=20, design="two_sample").power
    large = power_analysis(effect=0.3, n=200, design="two_sample").power
    assert small < large
    assert power_analysis(effect=0.0, n=50, design="paired").power == pytest.approx(0.05)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (
            {"effect": 0.5},
            "Exactly one of 'n', 'effect', 'power' must be None. Got 2 None instead.",
        ),
        ({"effect": 0.5, "n": 10, "power": 0.8}, "Got 0 None instead."),
        ({"effect": 0.5, "power": 1.5}, "The 'power' must be in (0, 1). Got 1.5 instead."),
        ({"effect": 0.5, "power": 0.8, "design": "anova"}, "The 'design' must be one of"),
        ({"effect": 0.5, "n": 1}, "The 'n' must be >= 2. Got 1 instead."),
    ],
)
def test_wrong_arguments_raise(kwargs, message):
    with pytest.raises(ValueError) as error:
        power_analysis(**kwargs)
    assert message in str(error.value)


def test_additional_participants_for_the_smallest_worthwhile_effect():
    gap = additional_participants_needed(
        design="two_sample", smallest_effect=-0.5, sd=1.0, n_test=30, n_control=70
    )
    assert gap.n_needed == 64  # pwr.t.test(d = 0.5, power = 0.8) -> 63.77
    assert (gap.additional_test, gap.additional_control, gap.additional_total) == (34, 0, 34)
    paired = additional_participants_needed(
        design="paired", smallest_effect=0.3, sd=1.0, n_test=100
    )
    assert paired.n_needed == 90 and paired.additional_test == 0 and paired.additional_total == 0
    proportions = additional_participants_needed(
        design="two_proportions",
        smallest_effect=0.1,
        baseline_proportion=0.2,
        n_test=100,
        n_control=100,
    )
    assert proportions.n_needed == 292  # pwr.2p.test(h = ES.h(0.3, 0.2), power = 0.8)


def test_missing_sd_gives_a_message():
    gap = additional_participants_needed(
        design="did", smallest_effect=1.0, sd=None, n_test=1, n_control=1
    )
    assert gap.n_needed is None and "no SD observed" in gap.message


def test_participants_needed_for_a_result(frames):
    result = analyze_metric(
        frames.cohorts([1, 2, 3, 4, 5], [2, 2, 4, 6, 5], [1, 3, 2, 4, 4], [1, 3, 3, 4, 5]),
        metric="m",
        design="did",
        assignment="volunteer",
    )
    gap = participants_needed_for(result, smallest_effect=0.5)
    expected = additional_participants_needed(
        design="did", smallest_effect=0.5, sd=result.sd_pooled, n_test=5, n_control=5
    )
    assert gap == expected and gap.additional_test > 0

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


# --- unequal cohorts, proportions, and the improve rule ---------------------------------


def test_power_for_unequal_cohorts_is_pingouins_and_pwrs():
    from scipy import stats as sps

    from livinglab.stats.power import power_two_cohorts

    # R: pwr::pwr.t2n.test(n1 = 50, n2 = 50, d = 0.4) = pwr.t.test(n = 50, d = 0.4) = 0.50819
    assert power_two_cohorts(0.4, 50, 50) == pytest.approx(0.5081857353148704, abs=1e-9)
    # by hand: noncentral t, df = 30 + 70 - 2, ncp = 0.5 sqrt(30 * 70 / 100)
    df, ncp = 98, 0.5 * (30 * 70 / 100) ** 0.5
    q = sps.t.ppf(0.975, df)
    expected = sps.nct.sf(q, df, ncp) + sps.nct.cdf(-q, df, ncp)
    assert power_two_cohorts(0.5, 30, 70) == pytest.approx(expected, abs=1e-9)
    with pytest.raises(ValueError, match="The 'n_control' must be an int >= 2. Got 1 instead."):
        power_two_cohorts(0.5, 30, 1)


@pytest.mark.parametrize("effect", [0.0, 0.5, 1.0])
def test_the_improve_rule_probabilities_match_a_simulation_of_the_rule(effect):
    import numpy as np
    from scipy import stats as sps

    from livinglab.decision.criteria import improve_rule
    from livinglab.stats.power import improve_probabilities

    # paired, n = 10, SD 1, smallest worthwhile effect 0.5: t intervals on 9 df
    rng = np.random.default_rng(3)
    n, m = 10, 0.5
    diffs = rng.normal(effect, 1.0, (40_000, n))
    est, se = diffs.mean(axis=1), diffs.std(axis=1, ddof=1) / n**0.5
    q = sps.t.ppf(0.975, n - 1)
    codes = [improve_rule(e, e - q * s, e + q * s, m) for e, s in zip(est, se, strict=True)]
    analytic = improve_probabilities(effect, se=1 / n**0.5, min_effect=m, df=n - 1)
    assert codes.count("shown_better") / len(codes) == pytest.approx(analytic.go, abs=0.008)
    failed = sum(c in ("worse", "short_of_min_effect") for c in codes) / len(codes)
    assert failed == pytest.approx(analytic.no_go, abs=0.008)
    assert analytic.go + analytic.no_go + analytic.extend == pytest.approx(1.0)


def test_go_at_the_smallest_worthwhile_effect_never_exceeds_one_half():
    from livinglab.stats.power import improve_probabilities

    for se in (1.0, 0.3, 0.1, 0.01):
        assert improve_probabilities(0.5, se=se, min_effect=0.5).go <= 0.5 + 1e-12
    # once c se <= m significance no longer binds and P(go | m) is exactly 1/2
    assert improve_probabilities(0.5, se=0.2, min_effect=0.5).go == pytest.approx(0.5)


def test_the_improve_rule_without_a_smallest_effect_is_pingouins_two_sided_power():
    # m -> 0: go = P(T' > t), no_go = P(T' < -t), T' noncentral t with ncp = d / se;
    # their sum is the two-sided power of pingouin.power_ttest2n (the quadrature over
    # the chi-square of the estimated SE is what is checked)
    import pingouin

    from livinglab.stats.power import improve_probabilities

    n_t, n_c, d = 12, 25, 0.8
    se = (1 / n_t + 1 / n_c) ** 0.5
    rule = improve_probabilities(d, se=se, min_effect=1e-12, df=n_t + n_c - 2)
    assert rule.go + rule.no_go == pytest.approx(pingouin.power_ttest2n(n_t, n_c, d=d),
                                                 abs=1e-7)

"""The test cohort against the census: fit, raking, Kish's n_eff, reweighted effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from decision_factories import PILOT, make_pilot, participants_of, values_frame
from scipy import stats as sps

from livinglab.decision.representativeness import (
    assess_representativeness,
    compare_to_margins,
    kish_n_eff,
    rake,
)


def test_kish_effective_sample_size_by_hand():
    # (1 + 1 + 2 + 4)² / (1 + 1 + 4 + 16) = 64 / 22
    assert kish_n_eff(np.array([1.0, 1.0, 2.0, 4.0])) == pytest.approx(64 / 22)
    assert kish_n_eff(np.ones(7)) == pytest.approx(7)


def test_raking_one_attribute_is_the_ratio_of_shares():
    # 3 young, 1 old; census half and half: young 0.5/0.75, old 0.5/0.25
    people = pd.DataFrame({"age": ["young", "young", "young", "old"]})
    raking = rake(people, {"age": {"young": 0.5, "old": 0.5}})
    assert raking.weights == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2.0])
    assert raking.converged
    # (4)² / (3 · 4/9 + 4) = 16 / (16/3) = 3
    assert raking.n_eff == pytest.approx(3.0)


def test_raking_reproduces_every_margin_at_once():
    rng = np.random.default_rng(0)
    people = pd.DataFrame({"age": rng.choice(["a", "b", "c"], 200, p=[0.6, 0.3, 0.1]),
                           "area": rng.choice(["n", "s"], 200, p=[0.8, 0.2])})
    margins = {"age": {"a": 0.3, "b": 0.3, "c": 0.4}, "area": {"n": 0.5, "s": 0.5}}
    raking = rake(people, margins)
    assert raking.converged and raking.weights.mean() == pytest.approx(1.0)
    for attribute, shares in margins.items():
        for label, share in shares.items():
            weighted = raking.weights[people[attribute] == label].sum() / raking.weights.sum()
            assert weighted == pytest.approx(share, abs=1e-9)


def test_fit_to_the_census_and_small_categories():
    testers = pd.DataFrame({"age_band": ["18-34"] * 20 + ["35-64"] * 30 + ["65-74"] * 6
                            + ["75+"] * 4 + [None] * 2})
    shares = PILOT["population"]["margins"]["age_band"]
    rows, fit = compare_to_margins(testers, "age_band", shares)
    observed = [20, 30, 6, 4]
    reference = sps.chisquare(observed, f_exp=np.array(list(shares.values())) * 60)
    assert (fit.chi2, fit.p_value) == pytest.approx((reference.statistic, reference.pvalue))
    assert fit.df == 3
    assert (fit.n, fit.n_unmatched) == (None, None)  # 2 testers without age: a small cell
    assert "hidden" in fit.message
    by_category = {r.category: r for r in rows}
    assert by_category["75+"].suppressed and by_category["75+"].n is None
    assert by_category["65-74"].suppressed  # complementary: 4 = 60 - 20 - 30 - 6
    young = by_category["18-34"]
    p_s, p_p = 20 / 60, 0.2
    assert young.std_difference == pytest.approx(
        (p_s - p_p) / np.sqrt((p_s * (1 - p_s) + p_p * (1 - p_p)) / 2))


def test_the_reweighted_effect_gives_each_age_band_its_census_weight():
    # seniors save 2 kWh/day, the others nothing; testers are 1/3 seniors, the city 30 %
    pilot = make_pilot(population={"size": 1000, "margins": {
        "age_band": {"18-34": 0.2, "35-64": 0.5, "65-74": 0.2, "75+": 0.1}}})
    labels = ["18-34"] * 10 + ["35-64"] * 10 + ["65-74"] * 5 + ["75+"] * 5
    rng = np.random.default_rng(1)
    values = values_frame(rng, attributes={"age_band": labels}, noise=0.0)
    senior_testers = values["cohort_role"].eq("test") & values["age_band"].isin(["65-74", "75+"])
    values.loc[senior_testers & values["period"].eq("intervention"), "value"] -= 2.0
    result = assess_representativeness(pilot, participants=participants_of(values),
                                       values_by_metric={"kwh": values})
    (estimate,) = result.estimates
    assert estimate.estimate == pytest.approx(-2.0 * 10 / 30)
    assert estimate.reweighted == pytest.approx(-2.0 * 0.3)
    # band weights 0.6, 1.5, 1.2, 0.6 -> n_eff = 30² / (10·0.36 + 10·2.25 + 5·1.44 + 5·0.36)
    assert result.n_eff == pytest.approx(900 / 35.1)
    assert result.design_effect == pytest.approx(35.1 / 30)
    assert estimate.n_eff_control == pytest.approx(900 / 35.1)


def test_margins_that_cannot_all_be_matched_fall_back_to_age_first():
    # every young tester lives in the Centre, every older one in Epinettes: no weights
    # can give 50/50 ages and 60/40 neighbourhoods at once
    labels = ["18-34"] * 10 + ["35-64"] * 10 + ["65-74"] * 5 + ["75+"] * 5
    places = ["Centre"] * 20 + ["Epinettes"] * 10
    people = pd.DataFrame({"participant_id": [f"t{i}" for i in range(30)],
                           "cohort": "feedback", "age_band": labels, "neighbourhood": places})
    pilot = make_pilot(population={"size": 1000, "margins": {
        "age_band": {"18-34": 0.25, "35-64": 0.25, "65-74": 0.25, "75+": 0.25},
        "neighbourhood": {"Centre": 0.2, "Epinettes": 0.8}}})
    result = assess_representativeness(pilot, participants=people)
    assert result.converged and result.raked_on == ("age_band",)
    assert "not on neighbourhood" in result.message
    # ages raked to a quarter each: weights 0.75, 0.75, 1.5, 1.5 -> 30² / 33.75
    assert result.n_eff == pytest.approx(900 / 33.75)

"""Maryland level, caveats, and the checks on the pilot itself."""

from __future__ import annotations

import numpy as np
import pytest
from decision_factories import (
    KWH,
    criteria,
    make_pilot,
    metric_result,
    participants_of,
    values_frame,
    volunteer_cohorts,
)

from livinglab.decision import decide
from livinglab.decision.checks import check_pilot, differential_attrition
from livinglab.decision.evidence import design_level, evidence_level, season_gap_months
from livinglab.decision.frames import share_smd, smd

IMPROVE_KWH = {"metric": "kwh", "must": "improve"}


@pytest.mark.parametrize(
    ("design", "assignment", "level"),
    [("pre_post", "random", 2), ("pre_post", "volunteer", 2), ("two_group", "volunteer", 2),
     ("two_group", "random", 5), ("did", "volunteer", 3), ("did", "random", 5)],
)
def test_design_levels(design: str, assignment: str, level: int):
    assert design_level(design, assignment) == level


def test_the_pilot_level_is_its_weakest_judged_design():
    assert evidence_level(make_pilot())[0] == 5
    assert evidence_level(make_pilot(cohorts=volunteer_cohorts()))[0] == 3
    before_after = {**KWH, "design": "pre_post"}
    pilot = make_pilot(metrics=[before_after, make_pilot().metric("cold_hours").model_dump()])
    level, label = evidence_level(pilot)
    assert level == 2 and "avant/après" in label.fr and "before/after" in label.en


def test_a_before_after_across_seasons_carries_a_caveat():
    solo = volunteer_cohorts(control=False)
    winter_summer = {"baseline": {"start": "2026-01-05", "end": "2026-02-01"},
                     "intervention": {"start": "2026-06-01", "end": "2026-06-28"}}
    pilot = make_pilot(cohorts=solo, periods=winter_summer, decision=criteria(IMPROVE_KWH))
    assert season_gap_months(pilot) > 4
    decision = decide(pilot, metric_results=[metric_result(design="pre_post", n_control=0)])
    assert decision.evidence_level == 2
    assert [c.code for c in decision.caveats] == ["seasonal_before_after", "city_wide_change"]
    # consecutive months: no season caveat (the midpoints are 4 weeks apart); a city-wide
    # change in the same weeks still cannot be told from the service's effect
    close = make_pilot(cohorts=solo, decision=criteria(IMPROVE_KWH))
    assert season_gap_months(close) < 1
    caveats = decide(close, metric_results=[metric_result(design="pre_post")]).caveats
    assert [c.code for c in caveats] == ["city_wide_change"]
    assert "comparison group followed over the same weeks" in caveats[0].reason_en
    assert "groupe de comparaison suivi sur les mêmes semaines" in caveats[0].reason_fr


@pytest.mark.parametrize(
    ("test", "control", "differs"),
    [(0.20, 0.10, False), (0.21, 0.10, True), (0.05, 0.02, True), (0.04, 0.0, False),
     (0.10, 0.10, False), (None, 0.1, None)],
)
def test_differential_attrition_thresholds(test, control, differs):
    assert differential_attrition(test, control) == differs


def test_checks_count_cohorts_and_drop_outs():
    rng = np.random.default_rng(3)
    values = values_frame(rng, n_test=25, n_control=30, drop_test=5, drop_control=1)
    checks = check_pilot(make_pilot(), values_by_metric={"kwh": values})
    test, control = checks.cohorts
    assert (test.n_enrolled, test.target_size, test.short_of_target) == (25, 30, True)
    assert (test.n_baseline, test.n_intervention, test.n_dropped) == (25, 20, 5)
    assert test.dropout_rate == pytest.approx(0.2)
    assert (control.n_dropped, control.short_of_target) == (1, False)
    assert checks.differential_attrition is True  # 20 % against 3.3 %


def test_attrition_and_imbalance_become_caveats():
    rng = np.random.default_rng(4)
    values = values_frame(rng, drop_test=9, drop_control=1)
    values.loc[values["cohort_role"] == "control", "value"] += 3.0  # richer control homes
    decision = decide(make_pilot(), metric_results=[metric_result(), metric_result(
        metric="cold_hours", baseline_mean=2.0)], values_by_metric={"kwh": values})
    codes = [c.code for c in decision.caveats]
    assert codes == ["differential_attrition", "high_attrition", "unbalanced_baseline"]
    assert "30,0" in decision.caveats[1].reason_fr  # 9 of 30 testers left
    assert decision.checks.balance[0].smd < -1


def test_standardized_mean_differences_by_hand():
    # means 2 and 3, both SDs 1: (2 - 3) / sqrt((1 + 1) / 2) = -1
    assert smd(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0])) == pytest.approx(-1.0)
    # shares 0.5 and 0.3: 0.2 / sqrt((0.25 + 0.21) / 2)
    assert share_smd(0.5, 0.3) == pytest.approx(0.2 / np.sqrt(0.23))
    assert smd(np.array([1.0]), np.array([2.0, 3.0])) is None


def test_attribute_balance_hides_small_categories():
    rng = np.random.default_rng(5)
    labels = ["35-64"] * 12 + ["18-34"] * 8 + ["65-74"] * 7 + ["75+"] * 3
    values = values_frame(rng, attributes={"age_band": labels})
    checks = check_pilot(make_pilot(), values_by_metric={"kwh": values},
                         participants=participants_of(values))
    rows = {r.category: r for r in checks.balance if r.variable == "age_band"}
    assert rows["75+"].suppressed and rows["75+"].test_value is None
    assert rows["65-74"].suppressed and rows["65-74"].smd is None  # complementary
    assert not rows["35-64"].suppressed and rows["35-64"].test_value == pytest.approx(0.4)


def test_testers_unlike_the_city_carry_a_caveat():
    rng = np.random.default_rng(6)
    young = values_frame(rng, attributes={"age_band": ["18-34"] * 9 + ["35-64"],
                                          "neighbourhood": ["Centre", "Epinettes"]})
    decision = decide(make_pilot(), metric_results=[metric_result()],
                      participants=participants_of(young))
    (caveat,) = [c for c in decision.caveats if c.code == "unrepresentative_testers"]
    assert "tranche d'âge (p < 0,001)" in caveat.reason_fr
    assert "age band (p < 0.001)" in caveat.reason_en
    assert "neighbourhood" not in caveat.reason_en  # 50/50 against 60/40: p = 0.27

"""From criteria to go / no_go / extend, the extension plan, and the decision object."""

from __future__ import annotations

import json

import numpy as np
import pytest
from decision_factories import (
    criteria,
    make_pilot,
    metric_result,
    participants_of,
    survey_result,
    values_frame,
)

from livinglab.decision import decide
from livinglab.decision.models import CriterionOutcome
from livinglab.decision.verdict import verdict_of
from livinglab.stats.power import power_analysis

PILOT = make_pilot()
PASS_KWH = metric_result(-1.0, -1.5, -0.5)
OPEN_KWH = metric_result(-0.6, -1.2, 0.0)  # CI touches zero
FAIL_KWH = metric_result(0.5, 0.2, 0.8)  # worse
PASS_COLD = metric_result(0.0, -0.12, 0.12, metric="cold_hours", baseline_mean=2.0)
OPEN_COLD = metric_result(0.3, -0.1, 0.7, metric="cold_hours", baseline_mean=2.0)


def outcome(status: str) -> CriterionOutcome:
    return CriterionOutcome(kind="metric", target="kwh", must="improve", status=status,
                            code="x", reason_fr="", reason_en="")


@pytest.mark.parametrize(
    ("statuses", "verdict"),
    [
        (["pass"], "go"),
        (["pass", "pass"], "go"),
        (["pass", "fail"], "no_go"),
        (["inconclusive", "fail"], "no_go"),
        (["pass", "inconclusive"], "extend"),
        (["inconclusive", "inconclusive"], "extend"),
    ],
)
def test_verdict_combinations(statuses: list[str], verdict: str):
    assert verdict_of([outcome(s) for s in statuses]) == verdict


def test_go_when_every_criterion_passes():
    decision = decide(PILOT, metric_results=[PASS_KWH, PASS_COLD])
    assert decision.verdict == "go"
    assert [c.status for c in decision.criteria] == ["pass", "pass"]
    assert decision.extend_plan is None
    assert decision.verdict_reason_fr.startswith("Tous les critères sont remplis (2/2)")


def test_no_go_names_the_failed_criterion():
    decision = decide(PILOT, metric_results={"kwh": FAIL_KWH, "cold_hours": OPEN_COLD})
    assert decision.verdict == "no_go"
    assert "kwh" in decision.verdict_reason_en and "cold_hours" not in decision.verdict_reason_en


def test_extend_says_how_many_more_participants_per_cohort():
    decision = decide(PILOT, metric_results=[OPEN_KWH, PASS_COLD])
    assert decision.verdict == "extend"
    plan = decision.extend_plan
    # min effect 0.5 kWh/day, observed SD 1: d = 0.5, 80 % power, two-sided 5 %
    # R: pwr::pwr.t.test(d = 0.5, power = 0.8, sig.level = 0.05)  -> n = 63.77 per group
    (item,) = plan.items
    assert (item.target, item.n_needed, item.additional_test, item.additional_control) == (
        "kwh", 64, 34, 34)
    assert plan.additional_per_cohort == 34
    assert "34 participants de plus par cohorte" in decision.verdict_reason_fr
    assert "About 34 more participants per cohort" in decision.verdict_reason_en


def test_an_inconclusive_guardrail_is_sized_for_a_one_sided_test():
    decision = decide(PILOT, metric_results=[PASS_KWH, OPEN_COLD])
    (item,) = decision.extend_plan.items
    # margin 0.5 h, SD 1, one-sided 5 % = the critical value of a two-sided 10 % test
    expected = power_analysis(effect=0.5, power=0.8, alpha=0.10, design="did").n_ceiling
    assert item.n_needed == expected and 50 <= expected <= 52
    assert item.additional_test == expected - 30


def test_a_single_treated_unit_is_never_go():
    lonely = metric_result(-3.0, -4.0, -2.0, n_test=1, n_control=40, sd_pooled=None)
    decision = decide(PILOT, metric_results=[lonely, PASS_COLD])
    assert decision.verdict == "extend"
    assert decision.criteria[0].code == "single_treated_unit"
    assert "impossible de conclure" in decision.criteria[0].reason_fr
    assert "single_treated_unit" in {c.code for c in decision.caveats}
    assert decision.extend_plan.items[0].n_needed is None  # no SD to size from


def test_survey_criteria_and_their_extension():
    pilot = make_pilot(decision=criteria({"survey": "sus", "must": "reach", "threshold": 68}))
    go = decide(pilot, metric_results={}, survey_results=[survey_result(75.0, 70.0, 80.0)])
    assert go.verdict == "go"
    open_ = decide(pilot, metric_results={},
                   survey_results={("sus", "after"): survey_result(70.0, 65.5, 74.5, sd=12.0)})
    (item,) = open_.extend_plan.items
    # distance 2 points, SD 12: d = 1/6, one-sample t
    expected = power_analysis(effect=2 / 12, power=0.8, design="paired").n_ceiling
    assert (item.n_needed, item.additional_test) == (expected, expected - 30)
    assert f"{expected - 30} more respondents" in open_.verdict_reason_en
    assert "(2.0 points)" in open_.verdict_reason_en and "(2,0 points)" in open_.verdict_reason_fr
    assert "on which side of the threshold" in open_.verdict_reason_en
    assert "times the current size" not in open_.verdict_reason_en  # 254 < 10 x 30


def test_an_extension_beyond_ten_times_the_cohort_is_called_unrealistic():
    pilot = make_pilot(decision=criteria({"survey": "sus", "must": "reach", "threshold": 68}))
    # 67.2 against 68 with SD 12: about 1,770 respondents would be needed, 40 answered.
    near = survey_result(67.2, 63.4, 71.0, n=40, sd=12.0)
    decision = decide(pilot, metric_results={}, survey_results=[near])
    assert decision.verdict == "extend"
    assert decision.extend_plan.additional_per_cohort > 10 * 40
    assert "plus de 10 fois l'effectif actuel" in decision.verdict_reason_fr
    assert "the decision must rest on what is known" in decision.verdict_reason_en


def test_to_dict_has_the_contract_shape_and_is_json():
    decision = decide(PILOT, metric_results=[OPEN_KWH, PASS_COLD])
    data = decision.to_dict()
    json.dumps(data, allow_nan=False)
    assert {"pilot", "verdict", "evidence_level", "evidence_label", "caveats", "criteria",
            "extend", "checks", "equity", "representativeness", "projection"} <= set(data)
    assert (data["pilot"], data["verdict"], data["evidence_level"]) == ("energy", "extend", 5)
    first = data["criteria"][0]
    assert {"kind", "target", "must", "status", "reason", "reason_en"} <= set(first)
    assert (first["kind"], first["target"], first["must"], first["status"]) == (
        "metric", "kwh", "improve", "inconclusive")
    assert first["reason"] == first["reason_fr"] != first["reason_en"]
    assert decision.to_dict("en")["criteria"][0]["reason"] == first["reason_en"]
    assert data["extend"]["additional_per_cohort"] == 34
    assert list(decision.to_frame()["status"]) == ["inconclusive", "pass"]


def test_english_by_default_when_asked():
    decision = decide(PILOT, metric_results=[PASS_KWH, PASS_COLD], lang="en")
    assert decision.to_dict()["verdict_reason"].startswith("Every criterion is met")
    assert "Level 5 of 5" in decision.to_text()


def test_with_data_every_section_is_filled_and_serialisable():
    rng = np.random.default_rng(8)
    ages = ["18-34", "35-64", "65-74", "75+"]
    kwh = values_frame(rng, effect=-1.0, attributes={"age_band": ages,
                                                      "neighbourhood": ["Centre", "Epinettes"]})
    cold = values_frame(rng, mean=2.0, sd=0.5, noise=0.2,
                        attributes={"age_band": ages, "neighbourhood": ["Centre", "Epinettes"]})
    decision = decide(PILOT, metric_results=[PASS_KWH, PASS_COLD],
                      values_by_metric={"kwh": kwh, "cold_hours": cold},
                      participants=participants_of(kwh))
    data = decision.to_dict()
    json.dumps(data, allow_nan=False)
    for section in ("checks", "equity", "representativeness", "projection"):
        assert data[section] is not None, section
    assert data["equity"]["effects"][0]["group"] == "65-74"  # seniors first
    assert data["representativeness"]["n"] == 30
    assert data["projection"]["tonnes_co2e"] < 0

"""From criteria to go / no_go / extend, the extension plan, and the decision object."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from decision_factories import (
    PILOT as PILOT_DATA,
)
from decision_factories import (
    criteria,
    make_pilot,
    metric_result,
    participants_of,
    survey_result,
    values_frame,
)
from scipy import stats as sps

from livinglab.decision import decide
from livinglab.decision.models import CriterionOutcome
from livinglab.decision.verdict import verdict_of
from livinglab.stats.power import improve_probabilities, power_analysis

PILOT = make_pilot()
# t intervals with SD 1 and 30 per cohort: se = sqrt(2 / 30), q = t(.975, 58)
SE = float(np.sqrt(2 / 30))
HALF = float(sps.t.ppf(0.975, 58)) * SE
PASS_KWH = metric_result(-1.0, -1.0 - HALF, -1.0 + HALF)
OPEN_KWH = metric_result(-0.5, -0.5 - HALF, -0.5 + HALF)  # CI contains zero
FAIL_KWH = metric_result(0.5, 0.5 - HALF, 0.5 + HALF)  # worse
PASS_COLD = metric_result(0.0, -0.12, 0.12, metric="cold_hours", baseline_mean=2.0)
OPEN_COLD = metric_result(0.3, 0.3 - HALF, 0.3 + HALF, metric="cold_hours", baseline_mean=2.0)


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
    # The metric by its label (a reader never meets the id "kwh"), the open one not named.
    cold = PILOT.metric("cold_hours").label.get("en")
    assert "Criterion not met: Consumption: do not roll out." == decision.verdict_reason_en
    assert cold not in decision.verdict_reason_en and "kwh" not in decision.verdict_reason_en


def test_extend_is_sized_for_the_improve_rule_not_for_significance_alone():
    decision = decide(PILOT, metric_results=[OPEN_KWH, PASS_COLD])
    assert decision.verdict == "extend"
    plan = decision.extend_plan
    (item,) = plan.items
    # min effect 0.5 kWh/day, SD 1: the extended pilot must say no_go at no effect and go
    # at twice the min effect with 80 % probability; no_go binds: m / se >= t + z_.8, the
    # size of R's pwr::pwr.t.test(d = 0.5, power = 0.8) -> 63.77, so 64 per group.
    assert (item.target, item.n_needed, item.additional_test, item.additional_control) == (
        "kwh", 64, 34, 34)
    assert item.needs == plan.needs == "participants"
    assert item.no_go_at_zero == pytest.approx(0.80, abs=0.01)
    assert item.go_at_double > 0.99
    # at exactly the smallest worthwhile effect the rule cannot do better than 1/2
    assert item.go_at_min_effect == pytest.approx(0.5, abs=0.005)
    assert plan.additional_per_cohort == 34
    assert "34 participants de plus par cohorte" in decision.verdict_reason_fr
    assert "About 34 more participants per cohort" in decision.verdict_reason_en
    assert "only about half the time (50%)" in decision.verdict_reason_en


def test_the_go_probability_at_the_planned_size_is_what_a_simulation_of_the_rule_gives():
    # 64 per cohort, SD 1, true effect = min effect 0.5: run improve_rule on t intervals
    from livinglab.decision.criteria import improve_rule

    rng = np.random.default_rng(11)
    n, pilots, m = 64, 20_000, 0.5
    test = rng.normal(m, 1.0, (pilots, n))
    control = rng.normal(0.0, 1.0, (pilots, n))
    estimate = test.mean(axis=1) - control.mean(axis=1)
    se = np.sqrt((test.var(axis=1, ddof=1) + control.var(axis=1, ddof=1)) / n)
    q = sps.t.ppf(0.975, 2 * n - 2)
    codes = [improve_rule(e, e - q * s, e + q * s, m) for e, s in zip(estimate, se, strict=True)]
    simulated = codes.count("shown_better") / pilots
    analytic = improve_probabilities(m, se=math.sqrt(2 / n), min_effect=m, df=2 * n - 2)
    assert simulated == pytest.approx(analytic.go, abs=0.01)  # both about 0.50
    assert sum(c in ("worse", "short_of_min_effect") for c in codes) / pilots == pytest.approx(
        analytic.no_go, abs=0.005)


def test_an_inconclusive_guardrail_is_sized_at_the_same_level_as_improve():
    decision = decide(PILOT, metric_results=[PASS_KWH, OPEN_COLD])
    (item,) = decision.extend_plan.items
    # margin 0.5 h, SD 1: P(upper 95 % bound < margin | no worsening) >= 0.8, the size of
    # a two-sided 5 % test of d = 0.5 at 80 % power (pwr: 63.77)
    expected = power_analysis(effect=0.5, power=0.8, alpha=0.05, design="did").n_ceiling
    assert item.n_needed == expected == 64
    assert item.additional_test == expected - 30
    assert "rule out the margin with 80% probability" in decision.verdict_reason_en


def test_only_time_is_missing_when_the_cohorts_are_already_large_enough():
    se = math.sqrt(2 / 100)
    half = float(sps.t.ppf(0.975, 198)) * se
    # a real decrease of 0.4 kWh/day, short of the 0.5 worth acting on, on 100 per cohort
    short = metric_result(-0.4, -0.4 - half, -0.4 + half, n_test=100, n_control=100, df=198.0)
    decision = decide(PILOT, metric_results=[short, PASS_COLD])
    assert decision.criteria[0].code == "below_min_effect"
    assert decision.verdict == "extend"
    plan = decision.extend_plan
    assert plan.needs == "time" and plan.additional_per_cohort is None
    assert "0 more" not in decision.verdict_reason_en
    assert "what is missing is time (readings), not participants" in decision.verdict_reason_en
    assert "il manque du temps (des relevés), pas des participants" in decision.verdict_reason_fr


def test_a_single_treated_unit_is_never_go():
    lonely = metric_result(-3.0, -4.0, -2.0, n_test=1, n_control=40, sd_pooled=None)
    decision = decide(PILOT, metric_results=[lonely, PASS_COLD])
    assert decision.verdict == "extend"
    assert decision.criteria[0].code == "single_treated_unit"
    assert "impossible de conclure" in decision.criteria[0].reason_fr
    assert "single_treated_unit" in {c.code for c in decision.caveats}
    assert decision.extend_plan.items[0].n_needed is None  # no SD to size from


def _predictive_settle_by_simulation(score, se, n, size, rng, draws=400_000):
    """Draw the truth from N(score, se^2), the new answers' mean given it, and judge the
    final t interval (the SD held at its observed value)."""
    sd = se * math.sqrt(n)
    truth = rng.normal(score, se, draws)
    new = rng.normal(truth, sd / math.sqrt(size - n))
    final = (n * score + (size - n) * new) / size
    half = sps.t.ppf(0.975, size - 1) * sd / math.sqrt(size)
    return float(np.mean((final - half >= 68) | (final + half < 68)))


def test_survey_criteria_and_their_extension():
    pilot = make_pilot(decision=criteria({"survey": "sus", "must": "reach", "threshold": 68}))
    go = decide(pilot, metric_results={}, survey_results=[survey_result(75.0, 70.0, 80.0)])
    assert go.verdict == "go"
    se = 12 / math.sqrt(30)
    half = float(sps.t.ppf(0.975, 29)) * se
    # 72 against 68, SD 12, 30 respondents: open, and the predictive chance of settling
    # it (not post-hoc power on the observed gap) sizes the extension
    open_ = decide(pilot, metric_results={},
                   survey_results={("sus", "after"): survey_result(72.0, 72 - half, 72 + half,
                                                                  sd=12.0)})
    assert open_.verdict == "extend"
    (item,) = open_.extend_plan.items
    rng = np.random.default_rng(5)
    assert item.settle_probability >= 0.8
    assert _predictive_settle_by_simulation(72.0, se, 30, item.n_needed, rng) == pytest.approx(
        item.settle_probability, abs=0.005)
    assert _predictive_settle_by_simulation(72.0, se, 30, item.n_needed - 1, rng) < 0.8 + 0.005
    assert item.additional_test == item.n_needed - 30
    assert f"{item.additional_test} more respondents" in open_.verdict_reason_en
    assert "on which side of the threshold" in open_.verdict_reason_en


def test_a_threshold_out_of_reach_even_at_ten_times_is_no_go_on_the_data_at_hand():
    pilot = make_pilot(decision=criteria({"survey": "sus", "must": "reach", "threshold": 68}))
    # 66.1 against 68, SD 12, 40 answers (CI 62.3 to 69.9): with 400 answers the lower
    # bound would reach 68 with a predictive chance of
    # Phi((66.1 - 68 - t(.975, 399) * 12 / 20) / (12 / sqrt(40) * sqrt(1 - 40 / 400))) = 4 %
    se = 12 / math.sqrt(40)
    half = float(sps.t.ppf(0.975, 39)) * se
    below = survey_result(66.1, 66.1 - half, 66.1 + half, n=40, sd=12.0)
    decision = decide(pilot, metric_results={}, survey_results=[below])
    assert decision.verdict == "no_go" and decision.extend_plan is None
    assert decision.criteria[0].code == "futile"
    expected = sps.norm.cdf((66.1 - 68 - sps.t.ppf(0.975, 399) * 12 / 20)
                            / (se * math.sqrt(1 - 40 / 400)))
    assert expected == pytest.approx(0.044, abs=0.001)
    assert f"chance of showing the threshold is reached: {round(100 * expected)}%" in (
        decision.criteria[0].reason_en)
    assert "Even with 400 respondents (ten times the current size" in (
        decision.criteria[0].reason_en)
    assert "Même avec 400 répondants" in decision.criteria[0].reason_fr
    assert "the decision rests on the data at hand" in decision.verdict_reason_en


def test_an_extension_never_asks_beyond_its_maximum():
    pilot = make_pilot(decision=criteria({"survey": "sus", "must": "reach", "threshold": 68}))
    # 67.2 against 68 with SD 12 and 40 answers: post-hoc power on the 0.8-point gap
    # asked for ~1,770 more respondents; now the plan stops at ten times (400), says
    # what that gives, and the pass chance (13 %) is above the 10 % futility line.
    near = survey_result(67.2, 63.4, 71.0, n=40, sd=12.0)
    decision = decide(pilot, metric_results={}, survey_results=[near])
    assert decision.verdict == "extend"
    (item,) = decision.extend_plan.items
    assert (item.n_needed, item.additional_test, item.capped) == (400, 360, True)
    assert 0.10 <= item.pass_probability <= 0.2 and item.settle_probability < 0.8
    assert "About 360 more respondents" in decision.verdict_reason_en
    assert "the most an extension can ask (ten times the current size)" in (
        decision.verdict_reason_en)
    assert "dix fois l'effectif actuel" in decision.verdict_reason_fr


def test_an_improvement_out_of_reach_of_the_planned_maximum_is_futile():
    sequential = {**criteria({"metric": "kwh", "must": "improve"}),
                  "sequential": {"looks": 3, "method": "obrien_fleming", "max_per_cohort": 45}}
    pilot = make_pilot(decision=sequential)
    # 30 of 45 per cohort, an estimate of -0.05 where -0.5 is worth acting on: even 45
    # per cohort give a go with conditional probability ~0 under the min effect
    flat = metric_result(-0.05, -0.05 - HALF, -0.05 + HALF)
    decision = decide(pilot, metric_results=[flat])
    assert decision.verdict == "no_go" and decision.criteria[0].code == "futile"
    assert "Even with 45 participants per cohort (the planned maximum)" in (
        decision.criteria[0].reason_en)
    # the same data with the min effect within reach stays open
    hopeful = metric_result(-0.45, -0.45 - HALF, -0.45 + HALF)
    assert decide(pilot, metric_results=[hopeful]).verdict == "extend"


def test_a_sequential_plan_judges_each_look_on_its_repeated_interval():
    plan = {**criteria({"metric": "kwh", "must": "improve"}),
            "sequential": {"looks": 3, "method": "obrien_fleming"}}
    cohorts = [{**c, "target_size": 90} for c in PILOT_DATA["cohorts"]]
    pilot = make_pilot(decision=plan, cohorts=cohorts)
    # 30 of 90 per cohort: look 1 of 3 at t = 1/3, Lan-DeMets O'Brien-Fleming boundary
    # 3.395 (alpha(1/3) = 2 - 2 Phi(1.96 / sqrt(1/3)) = 0.00069)
    clear = metric_result(-0.7, -0.7 - HALF, -0.7 + HALF)
    assert decide(PILOT, metric_results=[clear, PASS_COLD]).verdict == "go"  # fixed design
    decision = decide(pilot, metric_results=[clear])
    outcome = decision.criteria[0]
    assert outcome.ci_level == pytest.approx(1 - 0.000687, abs=2e-5)
    assert outcome.status == "inconclusive"  # -0.7 +- 0.52 passes a fixed look, not this one
    assert outcome.ci_high > 0
    assert "look 1 of 3" in outcome.reason_en and "regard 1 sur 3" in outcome.reason_fr
    # at the planned maximum, an open criterion fails: the plan ends there
    final = make_pilot(decision=plan, cohorts=[{**c, "target_size": 30}
                                               for c in PILOT_DATA["cohorts"]])
    ended = decide(final, metric_results=[OPEN_KWH])
    assert ended.verdict == "no_go" and ended.criteria[0].code == "final_look"
    assert decide(final, metric_results=[PASS_KWH]).verdict == "go"
    # a pilot whose data collection is over is at its final look, however far it got
    over = make_pilot(decision=plan, cohorts=cohorts, phase="analysis")
    last = decide(over, metric_results=[OPEN_KWH]).criteria[0]
    assert (last.code, last.status) == ("final_look", "fail")
    assert "look 3 of 3" in last.reason_en


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
    assert data["extend"]["additional_per_cohort"] == 34 and data["extend"]["needs"] == (
        "participants")
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


def test_a_sequential_plan_needs_its_maximum():
    from pydantic import ValidationError

    plan = {**criteria({"metric": "kwh", "must": "improve"}), "sequential": {"looks": 3}}
    cohorts = [{**c} for c in PILOT_DATA["cohorts"]]
    cohorts[1].pop("target_size")
    with pytest.raises(ValidationError, match="a sequential plan needs its maximum: give "
                                              "'max_per_cohort' or a 'target_size' to every "
                                              "cohort \\(missing for comparison\\)"):
        make_pilot(decision=plan, cohorts=cohorts)
    declared = make_pilot(decision={**plan, "sequential": {"looks": 3, "max_per_cohort": 80}},
                          cohorts=cohorts)
    assert declared.decision.sequential.method == "obrien_fleming"
    with pytest.raises(ValidationError, match="looks"):
        make_pilot(decision={**plan, "sequential": {"looks": 1}})

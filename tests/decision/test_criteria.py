"""Each criterion rule at its boundaries, and the reasons people read."""

from __future__ import annotations

import pytest
from decision_factories import make_pilot, metric_result, survey_result
from scipy import stats as sps

from livinglab.decision.criteria import (
    evaluate_metric_criterion,
    evaluate_survey_criterion,
    improve_rule,
    not_worsen_rule,
    reach_rule,
    rescaled_interval,
)
from livinglab.spec.models import Metric, MetricCriterion, SurveyCriterion

PILOT = make_pilot()
KWH = PILOT.metric("kwh")  # lower is better, min effect 5 % of the baseline mean
COLD = PILOT.metric("cold_hours")  # lower is better, guardrail
IMPROVE = MetricCriterion(metric="kwh", must="improve")
GUARDRAIL = MetricCriterion(metric="cold_hours", must="not_worsen", margin={"absolute": 0.5})


def plain(text: str) -> str:
    """The reason with ordinary spaces (French typography uses no-break spaces)."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def improve(estimate, low, high, *, metric: Metric = KWH, **fields):
    return evaluate_metric_criterion(IMPROVE if metric is KWH else MetricCriterion(
        metric=metric.id, must="improve"), metric=metric,
        result=metric_result(estimate, low, high, metric=metric.id, **fields), alpha=0.05)


# --- improve ------------------------------------------------------------------------


def test_improve_passes_when_the_ci_excludes_zero_and_the_estimate_reaches_the_min_effect():
    outcome = improve(-1.0, -1.5, -0.5)  # baseline 10: min effect 0.5 kWh/day
    assert (outcome.status, outcome.code) == ("pass", "shown_better")
    assert outcome.threshold == pytest.approx(0.5)
    assert outcome.estimate_pct == pytest.approx(-10.0)


def test_improve_is_inconclusive_when_the_ci_touches_zero():
    outcome = improve(-0.6, -1.2, 0.0)
    assert (outcome.status, outcome.code) == ("inconclusive", "includes_zero")


def test_improve_passes_with_the_estimate_exactly_at_the_min_effect():
    # 0.05 * 7.3 is not exactly 0.365 in binary floating point: still "reached"
    outcome = improve(-0.365, -0.6, -0.1, baseline_mean=7.3)
    assert outcome.status == "pass"
    assert improve_rule(0.5, 0.1, 0.9, 0.5) == "shown_better"


def test_improve_is_inconclusive_when_significant_but_estimated_below_the_min_effect():
    outcome = improve(-0.49, -0.8, -0.18)
    assert (outcome.status, outcome.code) == ("inconclusive", "below_min_effect")


def test_improve_fails_when_the_ci_lies_entirely_short_of_the_min_effect():
    assert improve(-0.3, -0.45, -0.15).code == "short_of_min_effect"  # significant, but small
    outcome = improve(-0.2, -0.45, 0.05)  # not even significant, and surely small
    assert (outcome.status, outcome.code) == ("fail", "short_of_min_effect")


def test_improve_upper_bound_exactly_at_the_min_effect_is_not_a_failure():
    outcome = improve(-0.3, -0.5, -0.1)
    assert (outcome.status, outcome.code) == ("inconclusive", "below_min_effect")


def test_improve_fails_when_the_ci_lies_entirely_on_the_worse_side():
    outcome = improve(0.5, 0.2, 0.8)  # consumption went up
    assert (outcome.status, outcome.code) == ("fail", "worse")


def test_improve_orients_a_higher_is_better_metric():
    metric = Metric.model_validate({**KWH.model_dump(), "better": "higher",
                                    "min_effect": {"absolute": 0.5}})
    assert improve(1.0, 0.5, 1.5, metric=metric).status == "pass"
    assert improve(-1.0, -1.5, -0.5, metric=metric).code == "worse"


def test_relative_min_effect_uses_the_absolute_baseline_mean():
    outcome = improve(-1.0, -1.5, -0.5, baseline_mean=-10.0)
    assert outcome.threshold == pytest.approx(0.5)


def test_improve_judges_the_ancova_basis_of_a_randomised_did():
    # the change-score CI contains zero; the more precise ANCOVA does not
    result = metric_result(-0.8, -1.7, 0.1, basis="ancova", primary_estimate=-0.8,
                           primary_ci_low=-1.2, primary_ci_high=-0.6)
    outcome = evaluate_metric_criterion(IMPROVE, metric=KWH, result=result, alpha=0.05)
    assert (outcome.status, outcome.basis) == ("pass", "ancova")
    assert (outcome.ci_low, outcome.ci_high) == (-1.2, -0.6)
    assert "ANCOVA" in outcome.reason_fr and "ANCOVA" in outcome.reason_en


def test_improve_reason_reads_like_a_sentence_in_french_and_english():
    outcome = improve(-0.98, -1.31, -0.64)
    assert plain(outcome.reason_fr).startswith(
        "Consommation : baisse de 9,8 % (IC 95 % : −13,1 % à −6,4 %) : tout l'intervalle est "
        "au-delà du seuil de 5 % : critère rempli."
    )
    assert outcome.reason_en.startswith(
        "Consumption: down 9.8% (95% CI: −13.1% to −6.4%): the whole interval is beyond the 5% "
        "threshold: criterion met."
    )
    assert outcome.to_dict()["reason"] == outcome.reason_fr
    assert outcome.to_dict("en")["reason"] == outcome.reason_en


def test_beyond_the_threshold_is_said_only_when_the_whole_interval_is_beyond_it():
    # baseline 10, threshold 5 %: the estimate (−9.8 %) is beyond it, the bound −3.0 % not
    outcome = improve(-0.98, -1.66, -0.30)
    assert outcome.code == "shown_better"  # the rule is unchanged: criterion met
    fr, en = plain(outcome.reason_fr), outcome.reason_en
    assert "tout l'intervalle" not in fr and "whole interval" not in en
    assert ", estimation au-delà du seuil de 5 % : l'amélioration est établie (l'intervalle " \
           "exclut zéro), pas son ampleur (borne la moins favorable : −3,0 %)" in fr
    assert "not its size (least favourable bound: −3.0%)" in en


def test_a_bound_a_hair_from_zero_is_not_called_a_shown_improvement():
    # CI −5.0 % to −0.1 %: it excludes zero, by a hair; the estimate is below 5 %
    outcome = improve(-0.3, -0.5, -0.01)
    assert outcome.code == "below_min_effect"
    fr = plain(outcome.reason_fr)
    assert "démontrée" not in fr and "real improvement" not in outcome.reason_en
    assert "l'intervalle s'arrête à −0,1 %, tout près de zéro" in fr
    assert "neither the improvement nor its size is established" in outcome.reason_en
    # well clear of zero (−1.8 %), it is a probable improvement, still not "shown"
    clear = improve(-0.49, -0.8, -0.18)
    assert "amélioration probable (l'intervalle exclut zéro, borne la moins favorable : " \
           "−1,8 %)" in plain(clear.reason_fr)


def test_absolute_min_effect_is_shown_in_the_metric_unit():
    metric = Metric.model_validate({**KWH.model_dump(), "min_effect": {"absolute": 0.4}})
    outcome = improve(-0.25, -0.35, -0.15, metric=metric)
    assert outcome.code == "short_of_min_effect"
    assert "0,4 kWh/jour" in plain(outcome.reason_fr)
    assert "(−0.35)" in outcome.reason_en  # the most favourable bound is named


# --- not_worsen (non-inferiority) -------------------------------------------------------


def guardrail(estimate: float, se: float, df: float = 58.0):
    """A t-based 95 % CI around ``estimate``; the rule uses it as it is (one-sided 2.5 %
    on the worsening side, the level at which improve's lower bound is judged)."""
    q = sps.t.ppf(0.975, df)
    result = metric_result(estimate, estimate - q * se, estimate + q * se, metric="cold_hours",
                           baseline_mean=2.0, df=df)
    return evaluate_metric_criterion(GUARDRAIL, metric=COLD, result=result, alpha=0.05)


def test_a_rescaled_interval_is_the_t_interval_at_the_new_level():
    low, high = rescaled_interval(0.2, 0.2 - sps.t.ppf(0.975, 20) * 0.1,
                                  0.2 + sps.t.ppf(0.975, 20) * 0.1, conf_level=0.95,
                                  level=0.995, df=20)
    assert (low, high) == pytest.approx(sps.t.interval(0.995, 20, loc=0.2, scale=0.1))


def test_not_worsen_passes_when_the_upper_95_bound_stays_inside_the_margin():
    se = 0.1
    estimate = 0.5 - sps.t.ppf(0.975, 58) * se - 1e-6  # worsening bound just inside 0.5
    outcome = guardrail(estimate, se)
    assert (outcome.status, outcome.code, outcome.ci_level) == ("pass", "non_inferior", 0.95)
    assert outcome.ci_high == pytest.approx(0.5 - 1e-6)
    # the 90 % bound (one-sided 5 %) was judged before: it no longer passes a guardrail
    # whose 95 % bound crosses the margin
    assert guardrail(0.5 - sps.t.ppf(0.95, 58) * se - 1e-6, se).status == "inconclusive"


def test_not_worsen_is_inconclusive_when_the_bound_reaches_the_margin():
    se = 0.1
    outcome = guardrail(0.5 - sps.t.ppf(0.975, 58) * se + 1e-6, se)
    assert (outcome.status, outcome.code) == ("inconclusive", "margin_not_excluded")
    assert not_worsen_rule(-0.5, 0.3, 0.5) == "margin_not_excluded"  # exactly at -margin


def test_not_worsen_fails_when_the_whole_interval_is_beyond_the_margin():
    outcome = guardrail(1.0, 0.1)
    assert (outcome.status, outcome.code) == ("fail", "inferior")
    assert not_worsen_rule(-0.9, -0.5, 0.5) == "margin_not_excluded"  # touching: not shown
    assert not_worsen_rule(-0.9, -0.51, 0.5) == "inferior"


def test_not_worsen_reason_names_the_margin():
    outcome = guardrail(0.0, 0.1)
    assert plain(outcome.reason_fr).startswith("Heures sous 19 °C : aucune variation (IC 95 % :")
    assert "marge de 0,5 h/jour : critère rempli" in plain(outcome.reason_fr)
    assert "within the 0.5 h/jour margin: criterion met" in outcome.reason_en


# --- reach (surveys) -------------------------------------------------------------------

SUS = SurveyCriterion(survey="sus", must="reach", threshold=68)


@pytest.mark.parametrize(
    ("low", "high", "status"),
    [
        (68.0, 80.0, "pass"),  # the lower bound on the threshold counts as reached
        (67.99, 80.0, "inconclusive"),
        (60.0, 68.0, "inconclusive"),  # the upper bound on the threshold: not below it
        (55.0, 67.99, "fail"),
    ],
)
def test_reach_at_its_boundaries(low: float, high: float, status: str):
    result = survey_result((low + high) / 2, low, high)
    assert evaluate_survey_criterion(SUS, result=result).status == status


def test_reach_reason():
    outcome = evaluate_survey_criterion(SUS, result=survey_result(72.5, 68.4, 76.6))
    assert plain(outcome.reason_fr) == (
        "SUS (après) : score 72,5 (IC 95 % : 68,4 à 76,6), au-dessus du seuil de 68 : "
        "critère rempli."
    )
    assert reach_rule(68.0, 70.0, 68.0) == "above_threshold"


# --- cannot conclude --------------------------------------------------------------------


def test_no_ci_is_inconclusive_with_the_estimate_still_given():
    outcome = improve(-0.7, None, None, n_control=1)
    assert (outcome.status, outcome.code) == ("inconclusive", "no_ci")
    assert outcome.estimate == -0.7
    assert "impossible de conclure" in outcome.reason_fr
    assert "cannot conclude" in outcome.reason_en


def test_a_single_treated_unit_is_never_conclusive_even_with_an_interval():
    # an ANCOVA can produce an interval for one treated unit; it must not count
    outcome = improve(-3.0, -4.0, -2.0, n_test=1, n_control=40)
    assert (outcome.status, outcome.code) == ("inconclusive", "single_treated_unit")
    assert "un seul testeur" in outcome.reason_fr
    assert "impossible de conclure" in outcome.reason_fr
    assert "30,0 %" in plain(outcome.reason_fr)  # its estimate is still shown


def test_a_survey_without_interval_is_inconclusive():
    outcome = evaluate_survey_criterion(SUS, result=survey_result(90.0, None, None, n=1))
    assert (outcome.status, outcome.code) == ("inconclusive", "no_ci")


def test_a_missing_result_is_inconclusive():
    outcome = evaluate_metric_criterion(IMPROVE, metric=KWH, result=None, alpha=0.05)
    assert (outcome.status, outcome.code) == ("inconclusive", "no_result")
    assert evaluate_survey_criterion(SUS, result=None).code == "no_result"


def test_a_small_subgroup_is_inconclusive_and_shows_no_number():
    criterion = MetricCriterion(metric="kwh", must="improve", subgroup={"age_band": "75+"})
    result = metric_result(-2.0, -3.0, -1.0, n_test=4, n_control=12)
    outcome = evaluate_metric_criterion(criterion, metric=KWH, result=result, alpha=0.05)
    assert (outcome.status, outcome.code) == ("inconclusive", "small_group")
    assert outcome.estimate is None and outcome.n_test is None and outcome.n_control is None
    assert "20" not in outcome.reason_fr and "tranche d'âge 75+" in outcome.reason_fr


def test_a_relative_min_effect_without_baseline_is_inconclusive():
    outcome = improve(-1.0, -1.5, -0.5, baseline_mean=None)
    assert (outcome.status, outcome.code) == ("inconclusive", "no_baseline_mean")


def test_degenerate_data_say_why_there_is_no_interval():
    message = "the change scores have zero variance in both cohorts: cannot test"
    outcome = improve(0.0, None, None, message=message)
    assert outcome.code == "no_ci" and message in outcome.reason_en
    assert "moins de 2 participants" not in outcome.reason_fr

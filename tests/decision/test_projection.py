"""The city-wide yearly impact, in the metric's unit and in tonnes CO2e."""

from __future__ import annotations

import pytest
from decision_factories import KWH, make_pilot, metric_result

from livinglab.decision import decide
from livinglab.decision.projection import project

PILOT = make_pilot()  # 30 000 households, 30 % adoption, 0.052 kg CO2e/kWh


def test_daily_effect_to_yearly_kwh_and_tonnes():
    projection = project(PILOT, result=metric_result(-0.5, -0.8, -0.2))
    assert projection.adopters == 9000
    # -0.5 kWh/day × 9 000 households × 365 days
    assert projection.yearly == pytest.approx(-1_642_500)
    assert (projection.yearly_ci_low, projection.yearly_ci_high) == pytest.approx(
        (-2_628_000, -657_000))
    # × 0.052 kg/kWh / 1000
    assert projection.tonnes_co2e == pytest.approx(-85.41)
    assert (projection.tonnes_co2e_ci_low, projection.tonnes_co2e_ci_high) == pytest.approx(
        (-136.656, -34.164))
    assert projection.emission_factor_source == "ADEME Base Empreinte 2023"
    text = projection.reason_fr.replace("\u202f", " ").replace("\u00a0", " ")
    assert "−1 640 000 kWh par an (IC 95 % : −2 630 000 à −660 000)" in text
    assert "soit −85 t CO2e par an (IC 95 % : −137 à −34)" in text
    assert "ADEME Base Empreinte 2023" in text
    assert "−1,640,000 kWh a year" in projection.reason_en


def test_weekly_effect_without_emission_factor():
    trips = {**KWH, "id": "trips", "unit": "trajets/semaine"}
    pilot = make_pilot(metrics=[trips], decision={"criteria": [{"metric": "trips",
                                                                "must": "improve"}]},
                       projection={"metric": "trips", "adoption": 0.1, "per": "week"})
    projection = project(pilot, result=metric_result(-2.0, -3.0, -1.0, metric="trips"))
    assert projection.periods_per_year == 52
    assert projection.yearly == pytest.approx(-2.0 * 3000 * 52)
    assert projection.tonnes_co2e is None and projection.emission_factor is None
    assert "t CO2e" not in projection.reason_fr


def test_the_projection_scales_the_criterion_basis():
    result = metric_result(-0.9, -2.0, 0.2, basis="ancova", primary_estimate=-0.4,
                           primary_ci_low=-0.6, primary_ci_high=-0.2)
    projection = decide(PILOT, metric_results=[result]).projection
    assert projection.basis == "ancova"
    assert projection.yearly == pytest.approx(-0.4 * 9000 * 365)


def test_no_projection_without_a_declared_one():
    assert project(make_pilot(projection=None), result=metric_result()) is None
    assert project(PILOT, result=None).yearly is None


def test_the_interval_says_it_covers_sampling_error_only():
    projection = project(PILOT, result=metric_result(-0.5, -0.8, -0.2))
    text = projection.reason_fr.replace("\u202f", " ").replace("\u00a0", " ")
    assert "L'intervalle ne couvre que l'erreur d'échantillonnage du pilote : le taux " \
           "d'adoption (30 %), la population et le facteur d'émission y sont tenus pour " \
           "certains." in text
    assert "covers the pilot's sampling error only" in projection.reason_en
    # no interval, nothing to qualify
    bare = project(PILOT, result=metric_result(-0.5, None, None))
    assert "erreur d'échantillonnage" not in bare.reason_fr


def test_a_per_day_effect_is_scaled_to_a_year_only_with_the_words_that_say_so():
    projection = project(PILOT, result=metric_result(-0.5, -0.8, -0.2))
    period = PILOT.periods.intervention
    days = (period.end - period.start).days + 1
    assert days < 365  # measured over part of the year: seasons are an assumption
    text = projection.reason_fr.replace("\u202f", " ").replace("\u00a0", " ")
    assert f"({days} jours), est multiplié par 365 : cela suppose le même effet toute " \
           "l'année, saisons comprises." in text
    assert f"({days} days), is multiplied by 365: this assumes the same effect all year " \
           "round" in projection.reason_en
    yearly = make_pilot(projection={"metric": "kwh", "adoption": 0.3, "per": "year"})
    assert "multipli" not in project(yearly, result=metric_result(-0.5, -0.8, -0.2)).reason_fr

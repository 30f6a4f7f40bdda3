"""The planning page, in AppTest against the demo store: per metric, the participants
per cohort that its smallest worthwhile effect needs, the same number as ``livinglab
power`` and R's pwr for the same inputs."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from ui_factories import open_address, signed_in_app

from livinglab import services

pytestmark = pytest.mark.xdist_group("ui")


def table_rows(at: AppTest) -> list[dict[str, str]]:
    frame = at.table[0].value
    return frame.to_dict("records")


def test_the_share_metric_needs_the_participants_of_pwr_2p_test(
    demo_store: dict[str, str],
) -> None:
    at = signed_in_app("team")
    open_address(at, "planning", pilot="senior_procedures")
    assert not at.exception
    assert at.title[0].value == "Planification : taille des cohortes"
    # The baseline proportion typed by the team: 0.6, task completed 10 points more.
    at.number_input(key="plan_baseline_task_success").set_value(0.6).run()
    assert not at.exception
    rows = {row["Mesure"]: row for row in table_rows(at)}
    share = rows["Démarche menée à bien"]
    # R: pwr.2p.test(h = ES.h(0.7, 0.6), power = 0.8, sig.level = 0.05) -> n = 355.42
    # (R not installed here: statsmodels NormalIndPower gives 355.419; ceiling 356).
    assert share["Participants nécessaires par cohorte"] == "356"
    cli = services.plan_power(pilot_id="senior_procedures", metric_id="task_success",
                              baseline=0.6)
    assert cli.n_ceiling == 356
    # The cohort's target of 40 detects h = 0.6265 (pwr.2p.test(n = 40, power = 0.8)):
    # from 0.6 to 0.868, i.e. 26.8 points.
    assert share["Effet détectable avec 40 par cohorte"] == "26,823 points"


def test_a_metric_in_units_is_standardised_by_the_sd_typed(demo_store: dict[str, str]) -> None:
    at = signed_in_app("team")
    open_address(at, "planning", pilot="senior_procedures")
    # time_on_task: min effect 10 % of the baseline mean; 100 s and SD 40 s -> d = 0.25,
    # paired. R: pwr.t.test(d = 0.25, power = 0.8, type = "paired") -> n = 127.5 (R not
    # installed: pingouin.power_ttest(d=0.25, power=0.8, contrast="paired") gives 127.5).
    at.number_input(key="plan_baseline_time_on_task").set_value(100.0)
    at.number_input(key="plan_sd_time_on_task").set_value(40.0).run()
    assert not at.exception
    rows = {row["Mesure"]: row for row in table_rows(at)}
    assert rows["Durée de la démarche"]["Participants nécessaires par cohorte"] == "128"


def test_a_decision_maker_cannot_open_the_planning_page(demo_store: dict[str, str]) -> None:
    at = signed_in_app("decision")
    open_address(at, "planning", pilot="senior_procedures")
    assert not at.exception
    assert not at.table and not at.number_input
    assert "Planification" not in " ".join(t.value for t in at.title)

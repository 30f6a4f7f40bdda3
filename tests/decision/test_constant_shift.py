"""Case ``constant_shift`` at decision level: a constant drop is never a ``go``.

Ten testers each drop by exactly 0.1 calls (tests/cases/constant_shift). The
differences have no variation on paper, so the stats layer gives the estimate
without a CI, and the ``improve`` criterion must be ``inconclusive`` - as for
a 0.5 drop - where the exact zero-variance guard gave p = 3e-132 and a pass.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from decision_factories import metric_result

from livinglab.decision.criteria import evaluate_metric_criterion
from livinglab.spec.loader import load_pilot
from livinglab.stats import analyze_metric, compare_periods

CASE = Path(__file__).resolve().parents[1] / "cases" / "constant_shift"
PILOT = load_pilot(CASE / "constant_shift.yaml")


def per_tester(shift: float | None = None) -> pd.DataFrame:
    """One value per tester and period (the case has one reading each)."""
    readings = pd.read_csv(CASE / "observations.csv", parse_dates=["timestamp"])
    day = readings["timestamp"].dt.date
    in_baseline = (day >= PILOT.periods.baseline.start) & (day <= PILOT.periods.baseline.end)
    frame = readings.assign(
        period=np.where(in_baseline, "baseline", "intervention"), cohort_role="test"
    )
    if shift is not None:
        base = frame[in_baseline].set_index("participant_id")["value"]
        after = ~in_baseline
        frame.loc[after, "value"] = frame.loc[after, "participant_id"].map(base) - shift
    return frame


@pytest.mark.parametrize("shift", [None, 0.5])
def test_a_constant_drop_leaves_the_improve_criterion_inconclusive(shift: float | None) -> None:
    metric = PILOT.metric("calls")
    result = compare_periods(per_tester(shift), metric="calls", better=metric.better)
    outcome = evaluate_metric_criterion(
        PILOT.decision.criteria[0], metric=metric, result=result, alpha=PILOT.decision.alpha
    )
    assert outcome.status == "inconclusive"
    assert outcome.code == "no_ci"
    assert outcome.estimate == pytest.approx(-0.1 if shift is None else -0.5)


def test_the_same_estimate_with_a_ci_would_pass() -> None:
    # The criterion itself is not what stops the verdict: give it a CI and it passes.
    metric = PILOT.metric("calls")
    result = metric_result(-0.1, -0.12, -0.08, metric="calls", design="pre_post",
                           baseline_mean=4.04, n_control=0)
    outcome = evaluate_metric_criterion(
        PILOT.decision.criteria[0], metric=metric, result=result, alpha=PILOT.decision.alpha
    )
    assert outcome.status == "pass"


def test_two_groups_constant_up_to_float_noise_leave_the_criterion_inconclusive() -> None:
    # Each participant's value is the mean of three readings: 0.3 for every tester and 0.5
    # for every control on paper, spread by ~1e-17 in floating point.
    readings = {
        "test": [[0.1, 0.2, 0.6], [0.3, 0.3, 0.3], [0.8, 0.05, 0.05], [0.2, 0.2, 0.5]],
        "control": [[0.5, 0.5, 0.5], [1.1, 0.3, 0.1], [0.1, 0.7, 0.7], [0.6, 0.3, 0.6]],
    }
    frame = pd.DataFrame([
        {"participant_id": f"{role}{i}", "cohort_role": role, "period": "intervention",
         "value": float(np.mean(values))}
        for role, people in readings.items() for i, values in enumerate(people)
    ])
    metric = PILOT.metric("calls")
    result = analyze_metric(frame, metric="calls", design="two_group", better=metric.better)
    outcome = evaluate_metric_criterion(
        PILOT.decision.criteria[0], metric=metric, result=result, alpha=PILOT.decision.alpha
    )
    assert result.p_value is None
    assert (outcome.status, outcome.code) == ("inconclusive", "no_ci")
    assert outcome.estimate == pytest.approx(-0.2)

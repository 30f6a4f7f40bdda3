"""Degenerate data judged with a tolerance (issue 8, item 2; case ``constant_shift``).

Ten testers each drop by exactly 0.1. In binary floating point their
differences spread by ~9e-16, which an exact ``ptp == 0`` guard misses: the
paired t-test then gives p = 3e-132 and Hedges' g_z = -3e14. On paper the
differences have no variation, exactly as with a 0.5 drop, for which the
package already said "cannot test". The case's README states the expected
result; it is reproduced here from the case's own CSV files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from livinglab.spec.loader import load_pilot
from livinglab.stats import analyze_metric, compare_groups, compare_periods

CASE = Path(__file__).resolve().parents[1] / "cases" / "constant_shift"


def case_frame(shift: float | None = None) -> pd.DataFrame:
    """The case's readings as the store gives them: one mean per tester and period.

    ``shift`` replaces the case's drop of 0.1 by another drop (same baselines).
    """
    pilot = load_pilot(CASE / "constant_shift.yaml")
    readings = pd.read_csv(CASE / "observations.csv", parse_dates=["timestamp"])
    day = readings["timestamp"].dt.date
    readings["period"] = np.select(
        [
            (day >= pilot.periods.baseline.start) & (day <= pilot.periods.baseline.end),
            (day >= pilot.periods.intervention.start) & (day <= pilot.periods.intervention.end),
        ],
        ["baseline", "intervention"],
        "outside",
    )
    frame = readings.groupby(["participant_id", "period"], as_index=False)["value"].mean()
    frame["cohort_role"] = "test"
    if shift is not None:
        base = frame[frame.period == "baseline"].set_index("participant_id")["value"]
        after = frame.period == "intervention"
        frame.loc[after, "value"] = frame.loc[after, "participant_id"].map(base) - shift
    return frame


def test_the_case_differences_do_spread_in_binary_floating_point() -> None:
    # the premise of the case: without a tolerance the guard cannot see it
    wide = case_frame().pivot(index="participant_id", columns="period", values="value")
    differences = (wide["intervention"] - wide["baseline"]).to_numpy()
    assert len(differences) == 10
    assert 0.0 < np.ptp(differences) < 1e-14


def test_constant_shift_gives_the_estimate_and_no_inference() -> None:
    result = compare_periods(case_frame(), metric="calls", better="lower")
    assert result.estimate == pytest.approx(-0.1, abs=1e-12)
    assert result.n_test == 10
    for field in ("p_value", "ci_low", "ci_high", "effect_size", "statistic"):
        assert getattr(result, field) is None, field
    assert "every tester changed by the same amount" in result.message
    assert result.test is None


def test_constant_shift_of_0_1_is_treated_as_a_shift_of_0_5() -> None:
    small = compare_periods(case_frame(), metric="calls", better="lower").to_dict()
    large = compare_periods(case_frame(shift=0.5), metric="calls", better="lower").to_dict()
    assert large["estimate"] == pytest.approx(-0.5)
    same = ("test", "p_value", "ci_low", "ci_high", "effect_size", "n_test", "ci_method")
    assert {key: small[key] for key in same} == {key: large[key] for key in same}
    assert small["message"].replace("-0.1", "-0.5") == large["message"]


def test_two_groups_constant_up_to_float_noise_cannot_be_tested() -> None:
    # Group means from several readings: each tester's three readings average to 0.3
    # and each control's to 0.5 - on paper; in floating point the means differ by ~1e-17.
    readings = {
        "test": [[0.1, 0.2, 0.6], [0.3, 0.3, 0.3], [0.8, 0.05, 0.05], [0.2, 0.2, 0.5]],
        "control": [[0.5, 0.5, 0.5], [1.1, 0.3, 0.1], [0.1, 0.7, 0.7], [0.6, 0.3, 0.6]],
    }
    rows = [
        {"participant_id": f"{role}{i}", "cohort_role": role, "period": "intervention",
         "value": float(np.mean(values))}
        for role, people in readings.items()
        for i, values in enumerate(people)
    ]
    frame = pd.DataFrame(rows)
    for role in ("test", "control"):  # the float noise the guard has to see through
        assert 0 < np.ptp(frame[frame.cohort_role == role]["value"]) < 1e-15
    result = compare_groups(frame, metric="m")
    assert result.estimate == pytest.approx(-0.2, abs=1e-12)
    assert result.p_value is None and result.ci_low is None and result.effect_size is None
    assert "neither group varies" in result.message


def test_a_real_but_tiny_spread_is_still_tested() -> None:
    # Relative, not absolute: differences of 1e-6 on readings of size 1e-3 are real.
    before = np.array([1.0, 2.0, 3.0, 4.0, 5.0]) * 1e-3
    after = before + np.array([1.0, 1.5, 0.5, 1.2, 0.8]) * 1e-6
    frame = pd.DataFrame({
        "participant_id": [f"p{i}" for i in range(5)] * 2,
        "cohort_role": "test",
        "period": ["baseline"] * 5 + ["intervention"] * 5,
        "value": np.r_[before, after],
    })
    result = analyze_metric(frame, metric="m", design="pre_post")
    assert result.message is None and result.p_value is not None
    assert result.p_value == pytest.approx(sps.ttest_rel(after, before).pvalue, rel=1e-6)


def test_ranks_see_float_noise_as_ties() -> None:
    # Mann-Whitney on two groups whose values are equal on paper: no fake ranks.
    x = np.array([0.1 + 0.2, 0.3, 0.6, 0.9])  # 0.1 + 0.2 = 0.30000000000000004
    y = np.array([0.3, 0.45, 0.9, 0.3])
    frame = pd.DataFrame({
        "participant_id": [f"t{i}" for i in range(4)] + [f"c{i}" for i in range(4)],
        "cohort_role": ["test"] * 4 + ["control"] * 4,
        "period": "intervention",
        "value": np.r_[x, y],
    })
    result = compare_groups(frame, metric="m")
    expected = sps.mannwhitneyu([0.3, 0.3, 0.6, 0.9], y, method="asymptotic")
    assert result.sensitivity.statistic == expected.statistic
    assert result.sensitivity.p_value == pytest.approx(expected.pvalue, rel=1e-9)

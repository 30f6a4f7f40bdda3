"""Pre-period placebo: the same did / before-after run on early vs late baseline weeks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from livinglab.stats import analyze_metric
from livinglab.stats.placebo import placebo_difference


def weekly(rng, *, weeks=6, n=15, trend_test=0.0, trend_control=0.0):
    rows = []
    for role, trend in (("test", trend_test), ("control", trend_control)):
        for i in range(n):
            level = rng.normal(10, 2)
            for week in range(weeks):
                value = level + trend * week + rng.normal(0, 1)
                rows.append((f"{role[0]}{i:02d}", role, week, value))
    return pd.DataFrame(rows, columns=["participant_id", "cohort_role", "week", "value"])


def test_the_placebo_is_the_did_of_early_and_late_baseline_means():
    # Hand computation: each participant's mean over weeks 0-2 is "before", over 3-5
    # "after"; the placebo is the did analysis of that frame.
    data = weekly(np.random.default_rng(1))
    result = placebo_difference(data, metric="kwh", design="did")
    data["half"] = np.where(data["week"] < 3, "baseline", "intervention")
    means = data.groupby(["participant_id", "cohort_role", "half"])["value"].mean()
    frame = means.rename("value").reset_index().rename(columns={"half": "period"})
    expected = analyze_metric(frame, metric="kwh", design="did")
    assert result.estimate == pytest.approx(expected.estimate, abs=1e-12)
    assert result.primary_p_value == pytest.approx(expected.primary_p_value, abs=1e-12)
    change = means.unstack("half").eval("intervention - baseline")
    test = change[change.index.get_level_values("cohort_role") == "test"].mean()
    control = change[change.index.get_level_values("cohort_role") == "control"].mean()
    assert result.estimate == pytest.approx(test - control, abs=1e-12)


def test_a_trend_inside_the_baseline_is_found_and_parallel_cohorts_pass():
    rng = np.random.default_rng(2)
    trending = placebo_difference(weekly(rng, trend_test=0.8), metric="m", design="did")
    parallel = placebo_difference(
        weekly(rng, trend_test=0.8, trend_control=0.8), metric="m", design="did"
    )
    assert trending.primary_ci_low > 0
    assert parallel.primary_ci_low <= 0 <= parallel.primary_ci_high
    drifting = placebo_difference(weekly(rng, trend_test=0.8), metric="m", design="pre_post")
    assert drifting.design == "pre_post" and drifting.ci_low > 0


def test_a_placebo_needs_two_baseline_weeks_and_a_before_after_design():
    data = weekly(np.random.default_rng(3), weeks=1)
    assert placebo_difference(data, metric="m", design="did") is None
    with pytest.raises(ValueError, match="'design' must be one of"):
        placebo_difference(data, metric="m", design="two_group")


def test_placebo_false_positive_rate_without_trends():
    # 200 null pilots (no trend anywhere), 6 baseline weeks, 15 + 15 participants.
    rng = np.random.default_rng(4)
    p_values = [
        placebo_difference(weekly(rng), metric="m", design="did").primary_p_value
        for _ in range(200)
    ]
    assert 0.02 <= np.mean(np.array(p_values) < 0.05) <= 0.08


def test_a_placebo_of_whole_buildings_is_analysed_at_the_building():
    data = weekly(np.random.default_rng(5), n=16)
    data["building"] = data["participant_id"].str[0] + (data["participant_id"].str[1:]
                                                        .astype(int) // 4).astype(str)
    result = placebo_difference(data, metric="m", design="did", unit="building")
    assert (result.cluster_unit, result.n_clusters_test, result.n_clusters_control) == (
        "building", 4, 4
    )
    assert result.test == "randomization_t"

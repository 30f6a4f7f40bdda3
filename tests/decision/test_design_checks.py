"""Pre-trend placebo check, the before/after caveat, and an evaluation clustered by unit."""

from __future__ import annotations

import numpy as np
import pandas as pd
from decision_factories import criteria, make_pilot, participants_of, values_frame

from livinglab.decision import decide
from livinglab.decision.checks import check_pilot
from livinglab.evaluation import evaluate
from livinglab.stats import analyze_metric


def weekly_baseline(values: pd.DataFrame, rng, *, weeks=4, trend_test=0.0) -> pd.DataFrame:
    """Four baseline weeks per participant around their baseline value (+ a testers' trend)."""
    base = values[values["period"] == "baseline"]
    rows = []
    for row in base.itertuples():
        slope = trend_test if row.cohort_role == "test" else 0.0
        for week in range(weeks):
            value = row.value + slope * (week - 1.5) + rng.normal(0, 0.5)
            rows.append((row.participant_id, row.cohort, row.cohort_role, week, "baseline", value))
    columns = ["participant_id", "cohort", "cohort_role", "week", "period", "value"]
    return pd.DataFrame(rows, columns=columns)


def test_a_pre_trend_in_the_baseline_is_a_check_and_a_caveat():
    rng = np.random.default_rng(1)
    pilot = make_pilot(decision=criteria({"metric": "kwh", "must": "improve"}))
    values = values_frame(rng)
    weekly = {"kwh": weekly_baseline(values, rng, trend_test=1.0)}
    checks = check_pilot(pilot, values_by_metric={"kwh": values}, weekly_by_metric=weekly)
    (placebo,) = checks.placebo
    assert (placebo.metric, placebo.design, placebo.weeks, placebo.basis) == (
        "kwh", "did", 4, "ancova"
    )
    assert placebo.trend is True and placebo.ci_low > 0
    decision = decide(
        pilot,
        metric_results=[analyze_metric(values, metric="kwh", design="did")],
        values_by_metric={"kwh": values},
        weekly_by_metric=weekly,
    )
    codes = [c.code for c in decision.caveats]
    assert "pre_trend" in codes
    caveat = next(c for c in decision.caveats if c.code == "pre_trend")
    assert "4 weeks" in caveat.reason_en and "4 semaines" in caveat.reason_fr


def test_parallel_baselines_pass_the_placebo_and_no_weekly_data_means_no_check():
    rng = np.random.default_rng(2)
    pilot = make_pilot()
    values = values_frame(rng)
    weekly = {"kwh": weekly_baseline(values, rng)}
    checks = check_pilot(pilot, values_by_metric={"kwh": values}, weekly_by_metric=weekly)
    assert [p.trend for p in checks.placebo] == [False]
    assert check_pilot(pilot, values_by_metric={"kwh": values}).placebo == ()


def test_the_evaluation_analyses_a_declared_assignment_unit():
    rng = np.random.default_rng(3)
    buildings = [f"b{i}" for i in range(6)]
    pilot = make_pilot(
        attributes=["age_band", "neighbourhood", "building"],
        assignment_unit="building",
        surveys=[],
        decision=criteria({"metric": "kwh", "must": "improve"}),
    )
    values = values_frame(rng, n_test=30, n_control=30)
    # testers live in buildings b0-b2, the control in b3-b5 (whole buildings assigned)
    index = values["participant_id"].str[1:].astype(int) % 3
    offset = np.where(values["cohort_role"] == "test", 0, 3)
    values["building"] = [buildings[i] for i in index + offset]
    people = participants_of(values)
    cold = values.assign(value=rng.normal(2.0, 0.5, len(values)))
    evaluation = evaluate(
        pilot,
        values_by_metric={"kwh": values.drop(columns="building"), "cold_hours": cold},
        answers_by_instrument={},
        instruments={},
        participants=people,
    )
    result = evaluation.metric("kwh")
    assert (result.cluster_unit, result.n_clusters_test, result.n_clusters_control) == (
        "building", 3, 3
    )
    assert result.test == "randomization_c"  # 3 buildings an arm: 20 possible assignments
    assert result.p_value >= 1 / 20
    # the unit read from the values frame itself (cold_hours) gives the same clustering
    assert evaluation.metric("cold_hours").n_clusters_test == 3


def test_a_did_whose_two_estimates_disagree_carries_a_caveat():
    # Volunteers recruited after a high baseline: the change score regresses to the mean.
    from decision_factories import volunteer_cohorts

    rng = np.random.default_rng(4)
    pool = rng.normal(10.0, 2.0, 600)
    before, after = pool + rng.normal(0, 2, 600), pool + rng.normal(0, 2, 600)
    high = np.flatnonzero(before > 12.0)[:30]
    rest = np.setdiff1d(np.arange(600), high)[:30]
    rows = []
    for role, cohort, index in (("test", "feedback", high), ("control", "comparison", rest)):
        for i, k in enumerate(index):
            common = {"participant_id": f"{role[0]}{i:03d}", "cohort": cohort, "cohort_role": role}
            rows += [{**common, "period": "baseline", "value": before[k]},
                     {**common, "period": "intervention", "value": after[k]}]
    values = pd.DataFrame(rows)
    pilot = make_pilot(cohorts=volunteer_cohorts(),
                       decision=criteria({"metric": "kwh", "must": "improve"}))
    result = analyze_metric(values, metric="kwh", design="did", assignment="volunteer")
    assert result.estimates_disagree is True and result.criterion_basis == "change_score"
    caveats = decide(pilot, metric_results=[result]).caveats
    caveat = next(c for c in caveats if c.code == "estimates_disagree")
    assert "moved in parallel" in caveat.reason_en and "en parallèle" in caveat.reason_fr
    # Both numbers are shown, so a reader sees that the ANCOVA finds no effect.
    from livinglab.decision.text import number

    assert result.ci_high < 0 and result.ancova_ci_low < 0 < result.ancova_ci_high
    assert f"l'ANCOVA ({number(result.ancova_estimate, 'fr')} kWh" in caveat.reason_fr
    assert f"(IC 95 % : {number(result.ci_low, 'fr')} à" in caveat.reason_fr
    assert f"95% CI: {number(result.ancova_ci_low, 'en')} to" in caveat.reason_en

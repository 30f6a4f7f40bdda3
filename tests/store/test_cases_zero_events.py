"""Absent events are zeros, not missing values (issue 8, item 1).

A trip diary stores one reading per trip (``aggregate: count``): a tester who made no
trip in a period has no reading there, and is enrolled and still in the pilot, so
counts 0. Only a participant who has left (``left_on`` in the participants file, or
the pilot's ``dropout_after_days`` rule) is a drop-out. Every test here goes through
the real import into a real store (SQLite; PostgreSQL too where configured) and the
real evaluation.

Case ``zero_events`` (tests/cases/zero_events, a copy of ../shared/cases/zero_events):
the values its README states were computed with scipy.stats.ttest_1samp and by hand;
scipy is also called here on the README's own changes, as the outside oracle.
"""

from __future__ import annotations

import filecmp
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from store_factories import make_pilot

from livinglab.errors import ImportRejected
from livinglab.evaluation import PilotEvaluation, evaluate
from livinglab.spec.loader import load_pilot
from livinglab.spec.models import Pilot
from livinglab.store import departures, import_files, pseudonymize, reductions

CASE = Path(__file__).resolve().parents[1] / "cases" / "zero_events"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "cases" / "zero_events"
SECRET = "case-secret"
TESTERS = [f"M{i:03d}" for i in range(1, 11)]
# The case README: per-tester change in trips (intervention - baseline), M001..M010;
# M006..M009 made no trip at all in the intervention.
CHANGES = [-8, -3, -5, -4, -4, -16, -19, -21, -17, -9]
NO_TRIP = ["M006", "M007", "M008", "M009"]


def store_case(engine, pilot: Pilot, participants: Path | str) -> None:
    import_files(
        engine=engine,
        pilot=pilot,
        secret_key=SECRET,
        participants=participants,
        observations=CASE / "observations.csv",
    )


def evaluate_store(engine, pilot: Pilot) -> PilotEvaluation:
    """What ``services.evaluate_pilot`` does, on the test's engine."""
    return evaluate(
        pilot,
        values_by_metric=reductions.participant_values_by_metric(engine=engine, pilot=pilot),
        answers_by_instrument={},
        instruments={},
        participants=reductions.participants(engine=engine, pilot=pilot),
    )


def changes_by_tester(frame: pd.DataFrame) -> dict[str, float]:
    raw = {pseudonymize(t, SECRET): t for t in TESTERS}
    wide = frame.pivot(index="participant_id", columns="period", values="value")
    change = (wide["intervention"] - wide["baseline"]).dropna()
    return {raw[p]: float(v) for p, v in change.items()}


def with_left_on(tmp_path: Path, left: dict[str, str]) -> Path:
    """The case's participants file with a left_on column (empty but for ``left``)."""
    lines = (CASE / "participants.csv").read_text().splitlines()
    rows = [f"{lines[0]},left_on"]
    rows += [f"{line},{left.get(line.split(',')[0], '')}" for line in lines[1:]]
    path = tmp_path / "participants_left.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.fixture
def case_pilot() -> Pilot:
    return load_pilot(CASE / "car_trips.yaml")


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/cases is not there (CI)")
def test_the_copied_case_is_the_shared_one():
    names = sorted(p.name for p in SHARED.iterdir() if p.is_file())
    assert names == sorted(p.name for p in CASE.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(SHARED, CASE, names, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_zero_events_gives_the_values_of_the_case_readme(engine, case_pilot):
    store_case(engine, case_pilot, CASE / "participants.csv")

    values = reductions.participant_values(engine=engine, pilot=case_pilot, metric="trips")
    assert changes_by_tester(values) == dict(zip(TESTERS, CHANGES, strict=True))
    filled = values[values["filled"]]
    assert sorted(pseudonymize(t, SECRET) for t in NO_TRIP) == sorted(filled["participant_id"])
    assert set(filled["period"]) == {"intervention"} and (filled["value"] == 0).all()

    evaluation = evaluate_store(engine, case_pilot)
    trips = evaluation.metric("trips")
    oracle = stats.ttest_1samp(CHANGES, 0.0)
    oracle_ci = oracle.confidence_interval(0.95)
    # The README's values, and scipy on the README's changes.
    assert trips.estimate == pytest.approx(-10.6)
    assert trips.n_test == 10 and trips.excluded == ()
    assert trips.statistic == pytest.approx(-4.8248, abs=5e-5)
    assert trips.statistic == pytest.approx(oracle.statistic, rel=1e-12)
    assert trips.df == 9
    assert trips.p_value == pytest.approx(0.00094064, abs=5e-9)
    assert trips.p_value == pytest.approx(oracle.pvalue, rel=1e-9)
    assert (trips.ci_low, trips.ci_high) == pytest.approx((-15.570, -5.630), abs=5e-4)
    assert (trips.ci_low, trips.ci_high) == pytest.approx(
        (oracle_ci.low, oracle_ci.high), rel=1e-12
    )
    assert trips.n_zero_filled == 4
    # rate_per_day over the 28-day periods: -10.6 / 28
    rate = evaluation.metric("trips_rate")
    assert rate.estimate == pytest.approx(-0.37857, abs=5e-6)
    assert rate.estimate == pytest.approx(-10.6 / 28)
    assert rate.n_test == 10 and rate.n_zero_filled == 4


def test_zero_events_says_how_many_zeros_were_filled_and_counts_no_drop_out(
    engine, case_pilot
):
    store_case(engine, case_pilot, CASE / "participants.csv")

    evaluation = evaluate_store(engine, case_pilot)

    record = evaluation.to_dict("en")
    trips = next(m for m in record["metrics"] if m["metric"] == "trips")
    assert trips["n_zero_filled"] == 4 and trips["excluded"] == []
    assert any("4 values counted as 0" in note for note in trips["notes"])
    assert "trips: 4 values counted as 0" in evaluation.to_text("en")
    assert "trips: 4 valeurs comptées comme 0" in evaluation.to_text("fr")
    # The four testers without a trip are not drop-outs: nobody left.
    checks = evaluation.decision.checks
    assert checks is not None
    (testers,) = checks.cohorts
    assert (testers.n_baseline, testers.n_intervention, testers.n_dropped) == (10, 10, 0)
    assert not [c for c in evaluation.decision.caveats if c.code == "high_attrition"]
    # -10.6 trips (CI -15.6 to -5.6) against a baseline of 19.5: beyond the 10 %
    # smallest worthwhile effect (1.95 trips), so the `improve` criterion passes.
    assert [c.status for c in evaluation.decision.criteria] == ["pass"]


def test_a_tester_who_left_before_the_intervention_is_a_drop_out_not_a_zero(
    engine, case_pilot, tmp_path
):
    # M007 made no trip in the intervention because they left on its first day.
    store_case(engine, case_pilot, with_left_on(tmp_path, {"M007": "2026-03-02"}))

    values = reductions.participant_values(engine=engine, pilot=case_pilot, metric="trips")
    m007 = values[values["participant_id"] == pseudonymize("M007", SECRET)]
    assert m007["period"].tolist() == ["baseline"]  # a complete baseline, no intervention
    trips = evaluate_store(engine, case_pilot).metric("trips")
    kept = [c for t, c in zip(TESTERS, CHANGES, strict=True) if t != "M007"]
    assert trips.n_test == 9 and trips.n_zero_filled == 3
    assert trips.estimate == pytest.approx(np.mean(kept))
    assert [(e.reason, e.count) for e in trips.excluded] == [
        ("left the pilot before the end of the intervention period", 1)
    ]
    left = departures(engine=engine, pilot=case_pilot)
    assert left[["left_on", "source"]].values.tolist() == [[date(2026, 3, 2), "left_on"]]
    checks = evaluate_store(engine, case_pilot).decision.checks
    assert checks is not None and checks.cohorts[0].n_dropped == 1  # M007 only


def test_a_tester_who_left_during_the_intervention_is_missing_for_it_despite_readings(
    engine, case_pilot, tmp_path
):
    # M001 has 12 trips in the intervention; leaving on 2026-03-15 makes that total
    # incomplete: the intervention is missing for M001, the baseline still counts.
    store_case(engine, case_pilot, with_left_on(tmp_path, {"M001": "2026-03-15"}))

    values = reductions.participant_values(engine=engine, pilot=case_pilot, metric="trips")
    m001 = values[values["participant_id"] == pseudonymize("M001", SECRET)]
    assert m001[["period", "value"]].values.tolist() == [["baseline", 20.0]]
    trips = evaluate_store(engine, case_pilot).metric("trips")
    assert trips.n_test == 9 and trips.estimate == pytest.approx(np.mean(CHANGES[1:]))


def test_the_declared_drop_out_rule_makes_long_silences_departures(engine, tmp_path):
    # The same case with `dropout_after_days: 14`: no reading of any metric for the
    # whole 28-day intervention means the four testers left, on the day after their
    # last trip; the estimate is then the six others' (the README's -5.5 on n = 6).
    yaml = (CASE / "car_trips.yaml").read_text() + "dropout_after_days: 14\n"
    (tmp_path / "car_trips.yaml").write_text(yaml)
    pilot = load_pilot(tmp_path / "car_trips.yaml")
    store_case(engine, pilot, CASE / "participants.csv")

    left = departures(engine=engine, pilot=pilot)
    readings = pd.read_csv(CASE / "observations.csv")
    last_day = readings.groupby("participant_id")["timestamp"].max().str[:10]
    expected = {
        pseudonymize(t, SECRET): date.fromisoformat(last_day[t]) + timedelta(days=1)
        for t in NO_TRIP
    }
    assert dict(zip(left["participant_id"], left["left_on"], strict=True)) == expected
    assert set(left["source"]) == {"dropout_rule"}
    trips = evaluate_store(engine, pilot).metric("trips")
    assert trips.n_test == 6 and trips.n_zero_filled == 0
    assert trips.estimate == pytest.approx(-5.5)


def test_a_drop_out_rule_longer_than_the_silence_keeps_the_zeros(engine, tmp_path):
    # Silences are counted up to the last day observed: the intervention's last day,
    # or the day of the latest reading of anyone if earlier (the pilot may still run).
    # With the rule set to the longest of the four silent testers' silences, only that
    # tester left; whoever's silence is shorter than the rule still counts 0.
    readings = pd.read_csv(CASE / "observations.csv")
    last = pd.to_datetime(readings.groupby("participant_id")["timestamp"].max()).dt.date
    horizon = min(date(2026, 3, 29), max(last))
    silences = {t: (horizon - last[t]).days for t in NO_TRIP}
    rule = max(silences.values())  # only the longest silence reaches it
    yaml = (CASE / "car_trips.yaml").read_text() + f"dropout_after_days: {rule}\n"
    (tmp_path / "car_trips.yaml").write_text(yaml)
    pilot = load_pilot(tmp_path / "car_trips.yaml")
    store_case(engine, pilot, CASE / "participants.csv")

    left = departures(engine=engine, pilot=pilot)
    longest = [t for t, days in silences.items() if days == rule]
    assert sorted(left["participant_id"]) == sorted(pseudonymize(t, SECRET) for t in longest)
    trips = evaluate_store(engine, pilot).metric("trips")
    assert trips.n_zero_filled == 4 - len(longest)


def test_once_the_pilot_is_over_silences_run_to_the_intervention_end(engine, tmp_path):
    # dropout_after_days: 20. Last readings (observations.csv): M001 03-09, M004 03-08,
    # M002 03-11, M003 03-15, M005 03-13, M010 03-11, the four silent testers in
    # February. While the pilot runs, the last day observed is the latest reading's,
    # 03-15: only the four silent testers reach 20 days (28 to 31). Once it is over
    # (phase: analysis) it is 03-29: M001 (silent 03-10..03-29, 20 days) and M004
    # (21 days) have left too; M002 and M010 (18 days) have not.
    def who_left(phase: str) -> set[str]:
        yaml = (CASE / "car_trips.yaml").read_text() + f"dropout_after_days: 20\nphase: {phase}\n"
        (tmp_path / phase).mkdir()
        (tmp_path / phase / "car_trips.yaml").write_text(yaml)
        pilot = load_pilot(tmp_path / phase / "car_trips.yaml")
        left = departures(engine=engine, pilot=pilot)
        raw = {pseudonymize(t, SECRET): t for t in TESTERS}
        return {raw[p] for p in left["participant_id"]}

    store_case(engine, load_pilot(CASE / "car_trips.yaml"), CASE / "participants.csv")

    assert who_left("running") == set(NO_TRIP)
    assert who_left("analysis") == {*NO_TRIP, "M001", "M004"}


# --- testers who should make MORE trips, true change about 0 -----------------------

# One reading per trip. Nine testers make about 3 more trips a month; three stopped
# making trips altogether (baseline 9, 10, 11 -> 0). All twelve are enrolled and none
# left. Hand computation: changes 2, 4, 3, 3, 2, 4, 3, 3, 3 (sum 27) and -9, -10, -11
# (sum -30): mean -3 / 12 = -0.25 trips on n = 12. Dropping the three zero-trip testers,
# as a "no reading = missing" rule does, gives +3.0 on n = 9 (sd 0.707, t = 12.7).
MORE_TRIPS = {
    "b01": (12, 14), "b02": (15, 19), "b03": (9, 12), "b04": (11, 14), "b05": (14, 16),
    "b06": (10, 14), "b07": (13, 16), "b08": (16, 19), "b09": (12, 15),
    "b10": (9, 0), "b11": (10, 0), "b12": (11, 0),
}


def bike_pilot() -> Pilot:
    """The store tests' pilot (store_factories) as a bike-trip diary: more is better."""
    trips = {
        "id": "bike_trips",
        "label": {"fr": "Trajets à vélo", "en": "Bike trips"},
        "unit": "trajets",
        "aggregate": "count",
        "better": "higher",
        "min_effect": {"relative": 0.10},
        "role": "primary",
        "design": "pre_post",
    }
    return make_pilot(
        metrics=[trips],
        cohorts=[{"id": "testers", "role": "test", "assignment": "volunteer"}],
        surveys=[],
        decision={"criteria": [{"metric": "bike_trips", "must": "improve"}]},
    )


def trip_files(tmp_path: Path) -> tuple[Path, Path]:
    people = ["participant_id,cohort,age_band"] + [f"{p},testers,30-44" for p in MORE_TRIPS]
    lines = ["participant_id,metric,timestamp,value"]
    for person, counts in MORE_TRIPS.items():
        for start, n in zip((date(2024, 1, 1), date(2024, 2, 1)), counts, strict=True):
            lines += [
                f"{person},bike_trips,{start + timedelta(days=day)}T08:00:00Z,1"
                for day in range(n)
            ]
    (tmp_path / "p.csv").write_text("\n".join(people) + "\n")
    (tmp_path / "o.csv").write_text("\n".join(lines) + "\n")
    return tmp_path / "p.csv", tmp_path / "o.csv"


def test_testers_who_stop_making_trips_are_zeros_and_the_verdict_is_not_go(engine, tmp_path):
    pilot = bike_pilot()
    participants, observations = trip_files(tmp_path)
    import_files(
        engine=engine, pilot=pilot, secret_key=SECRET,
        participants=participants, observations=observations,
    )
    values = reductions.participant_values_by_metric(engine=engine, pilot=pilot)

    evaluation = evaluate(pilot, values_by_metric=values, answers_by_instrument={},
                          instruments={})
    trips = evaluation.metric("bike_trips")
    changes = [after - before for before, after in MORE_TRIPS.values()]
    oracle = stats.ttest_1samp(changes, 0.0)
    assert trips.estimate == pytest.approx(-0.25) and trips.n_test == 12
    assert trips.n_zero_filled == 3
    assert trips.p_value == pytest.approx(oracle.pvalue, rel=1e-9)
    assert trips.p_value > 0.5
    assert evaluation.verdict != "go"

    # The fault this guards against: without the filled zeros the same data says go.
    dropped = {k: v[~v["filled"]] for k, v in values.items()}
    wrong = evaluate(pilot, values_by_metric=dropped, answers_by_instrument={}, instruments={})
    assert wrong.metric("bike_trips").estimate == pytest.approx(3.0)
    assert wrong.verdict == "go"


def simulated_trips(rng: np.random.Generator, n: int, stop: float = 0.2) -> pd.DataFrame:
    """One pilot's per-tester trip counts as the store gives them (``filled`` where a
    period has no trip): lognormal trip rates, Poisson counts; in the intervention a
    share ``stop`` of testers stop making trips and the others make 1 / (1 - stop) times
    as many, so that the true mean change is exactly 0."""
    rate = rng.lognormal(np.log(10.0), 0.5, n)
    before = rng.poisson(rate)
    after = np.where(rng.random(n) < stop, 0, rng.poisson(rate / (1 - stop)))
    ids = [f"t{i:02d}" for i in range(n)]
    return pd.DataFrame(
        [(i, "test", period, float(v), v == 0)
         for period, counts in (("baseline", before), ("intervention", after))
         for i, v in zip(ids, counts, strict=True)],
        columns=["participant_id", "cohort_role", "period", "value", "filled"],
    )


def test_seeded_simulation_zero_trip_testers_kept_rarely_pass_a_null_effect():
    # 200 pilots of 20 testers, true change 0 (zero-inflated counts). Measured with
    # 1,000 pilots: the `improve` criterion passes in 4.1 % of them with the zeros
    # (6.2 % at n = 10), in 51.8 % when testers without trips are dropped (27.6 % at
    # n = 10): the fault of issue 8, item 1, turned into a rate.
    from livinglab.decision.criteria import evaluate_metric_criterion
    from livinglab.stats import analyze_metric

    pilot = bike_pilot()
    metric, criterion = pilot.metrics[0], pilot.decision.criteria[0]
    rng = np.random.default_rng(8)
    passed = {"zeros": 0, "dropped": 0}
    for _ in range(200):
        frame = simulated_trips(rng, 20)
        for name, data in (("zeros", frame), ("dropped", frame[~frame["filled"]])):
            result = analyze_metric(data, metric=metric.id, design="pre_post", better="higher")
            outcome = evaluate_metric_criterion(criterion, metric=metric, result=result,
                                                alpha=0.05)
            passed[name] += outcome.status == "pass"
    assert passed["zeros"] / 200 <= 0.08
    assert passed["dropped"] / 200 >= 0.35


# --- mean and share keep "no reading = missing" -------------------------------------


def test_a_mean_metric_keeps_no_reading_as_missing(engine, tmp_path):
    pilot = bike_pilot()
    kwh = {**pilot.metrics[0].model_dump(mode="json"), "id": "speed", "aggregate": "mean"}
    pilot = make_pilot(
        metrics=[kwh],
        cohorts=[{"id": "testers", "role": "test", "assignment": "volunteer"}],
        surveys=[],
        decision={"criteria": [{"metric": "speed", "must": "improve"}]},
    )
    (tmp_path / "p.csv").write_text("participant_id,cohort\nb01,testers\nb02,testers\n"
                                    "b03,testers\n")
    (tmp_path / "o.csv").write_text(
        "participant_id,metric,timestamp,value\n"
        "b01,speed,2024-01-03,14\nb01,speed,2024-02-03,16\n"
        "b02,speed,2024-01-03,12\nb02,speed,2024-02-05,15\n"
        "b03,speed,2024-01-04,13\n"  # no reading in the intervention: missing, not 0
    )
    import_files(engine=engine, pilot=pilot, secret_key=SECRET,
                 participants=tmp_path / "p.csv", observations=tmp_path / "o.csv")

    values = reductions.participant_values(engine=engine, pilot=pilot, metric="speed")
    assert len(values) == 5 and not values["filled"].any()
    result = evaluate(pilot, values_by_metric={"speed": values}, answers_by_instrument={},
                      instruments={}).metric("speed")
    assert result.n_test == 2 and result.n_zero_filled == 0
    assert result.estimate == pytest.approx(2.5)  # (2 + 3) / 2
    assert [(e.reason, e.count) for e in result.excluded] == [
        ("no reading in the intervention period", 1)
    ]


# --- the participants file's left_on column -----------------------------------------


def test_left_on_is_checked_line_by_line(engine, case_pilot, tmp_path):
    (tmp_path / "p.csv").write_text(
        "participant_id,cohort,left_on\nM001,app_users,2026-03-40\nM002,app_users,15/03/2026\n"
        "M003,app_users,\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_files(engine=engine, pilot=case_pilot, secret_key=SECRET,
                     participants=tmp_path / "p.csv")
    problems = [(p.line, p.field) for p in caught.value.problems]
    # 15/03/2026 is a date since the file's dates are read day first (a day above 12)
    assert problems == [(2, "left_on")]
    assert "'2026-03-40' is not a date (expected dd/mm/yyyy" in caught.value.problems[0].message


def test_a_later_import_records_who_left_and_never_overwrites_it(engine, case_pilot, tmp_path):
    store_case(engine, case_pilot, CASE / "participants.csv")
    assert departures(engine=engine, pilot=case_pilot).empty

    (tmp_path / "p.csv").write_text(
        "participant_id,cohort,left_on\nM007,app_users,2026-03-02\nM008,app_users,\n"
    )
    report = import_files(engine=engine, pilot=case_pilot, secret_key=SECRET,
                          participants=tmp_path / "p.csv")
    assert report.participants.inserted == 0
    again = import_files(engine=engine, pilot=case_pilot, secret_key=SECRET,
                         participants=tmp_path / "p.csv")
    assert again.participants.inserted == 0
    left = departures(engine=engine, pilot=case_pilot)
    assert left[["participant_id", "left_on"]].values.tolist() == [
        [pseudonymize("M007", SECRET), date(2026, 3, 2)]
    ]
    assert evaluate_store(engine, case_pilot).metric("trips").n_test == 9

    (tmp_path / "p2.csv").write_text("participant_id,cohort,left_on\nM007,app_users,2026-03-09\n")
    with pytest.raises(ImportRejected, match="already stored with left_on 2026-03-02"):
        import_files(engine=engine, pilot=case_pilot, secret_key=SECRET,
                     participants=tmp_path / "p2.csv")


@pytest.mark.parametrize(("design", "expected"), [("pre_post", 2), ("two_group", 2), ("did", 3)])
def test_n_zero_filled_counts_only_the_values_the_design_analyses(design, expected):
    # t1: filled baseline; t2: filled intervention; t3: filled baseline but no
    # intervention row (left: excluded); c1: filled intervention; c2, t4: readings.
    # pre_post uses testers' pairs: t1, t2 -> 2. two_group uses the intervention only:
    # t2, c1 -> 2. did uses both cohorts' pairs: t1, t2, c1 -> 3. t3 never counts.
    from livinglab.stats import analyze_metric

    rows = [
        ("t1", "test", "baseline", 0.0, True), ("t1", "test", "intervention", 4.0, False),
        ("t2", "test", "baseline", 3.0, False), ("t2", "test", "intervention", 0.0, True),
        ("t3", "test", "baseline", 0.0, True),
        ("t4", "test", "baseline", 5.0, False), ("t4", "test", "intervention", 7.0, False),
        ("c1", "control", "baseline", 2.0, False), ("c1", "control", "intervention", 0.0, True),
        ("c2", "control", "baseline", 6.0, False), ("c2", "control", "intervention", 5.0, False),
    ]
    frame = pd.DataFrame(
        rows, columns=["participant_id", "cohort_role", "period", "value", "filled"]
    )

    result = analyze_metric(frame, metric="trips", design=design)

    assert result.n_zero_filled == expected
    assert analyze_metric(frame.drop(columns="filled"), metric="trips",
                          design=design).n_zero_filled == 0


def test_a_period_nobody_has_readings_for_is_not_imported_yet_not_zeros(engine, case_pilot,
                                                                        tmp_path):
    # Only the baseline's trips are imported so far: the intervention's absence of readings
    # is data not yet imported, not ten testers who stopped travelling.
    lines = (CASE / "observations.csv").read_text().splitlines()
    baseline_only = [lines[0]] + [line for line in lines[1:] if line.split(",")[2] < "2026-03-02"]
    assert 1 < len(baseline_only) < len(lines)
    (tmp_path / "o.csv").write_text("\n".join(baseline_only) + "\n")
    import_files(engine=engine, pilot=case_pilot, secret_key=SECRET,
                 participants=CASE / "participants.csv", observations=tmp_path / "o.csv")

    values = reductions.participant_values(engine=engine, pilot=case_pilot, metric="trips")
    assert set(values["period"]) == {"baseline"} and not values["filled"].any()
    result = evaluate_store(engine, case_pilot).metric("trips")
    assert result.n_test == 0 and result.n_zero_filled == 0 and result.estimate is None

"""The seeded demo data: reproducible, in the public formats, consistent with the
demo pilots, and carrying the effects it claims to carry."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from livinglab.demo import DEMO_PILOTS, DemoFiles, generate_demo, true_effects
from livinglab.spec.loader import load_instruments, load_pilot
from livinglab.spec.models import Instrument, Pilot

ROOT = Path(__file__).resolve().parents[1]
PILOTS_DIR = ROOT / "pilots"
SURVEYS_DIR = ROOT / "surveys"
SEED = 20260101


def _generate(out_dir: Path, **options: object) -> dict[str, DemoFiles]:
    return generate_demo(out_dir, pilots_dir=PILOTS_DIR, surveys_dir=SURVEYS_DIR, **options)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DemoFiles]:
    return _generate(tmp_path_factory.mktemp("demo"), seed=SEED)


@pytest.fixture(scope="module")
def pilots() -> dict[str, Pilot]:
    return {pilot_id: load_pilot(PILOTS_DIR / f"{pilot_id}.yaml") for pilot_id in DEMO_PILOTS}


@pytest.fixture(scope="module")
def instruments() -> dict[str, Instrument]:
    return load_instruments(SURVEYS_DIR)


@pytest.fixture(scope="module")
def frames(files: dict[str, DemoFiles]) -> dict[str, dict[str, pd.DataFrame]]:
    return {
        pilot_id: {
            "participants": pd.read_csv(f.participants, dtype=str, keep_default_na=False),
            "observations": pd.read_csv(f.observations, dtype={"participant_id": str}),
            "responses": pd.read_csv(f.responses, dtype={"participant_id": str}),
        }
        for pilot_id, f in files.items()
    }


def _per_period(pilot: Pilot, data: dict[str, pd.DataFrame], metric: str) -> pd.DataFrame:
    """One row per participant: cohort role, baseline and intervention mean of ``metric``."""
    obs = data["observations"]
    obs = obs[obs["metric"] == metric]
    start = pd.Timestamp(pilot.periods.intervention.start, tz="UTC")
    period = np.where(pd.to_datetime(obs["timestamp"]) >= start, "intervention", "baseline")
    wide = obs.assign(period=period).pivot_table(
        index="participant_id", columns="period", values="value", aggfunc="mean"
    )
    roles = (
        data["participants"]
        .set_index("participant_id")["cohort"]
        .map({c.id: c.role for c in pilot.cohorts})
    )
    return wide.join(roles.rename("role")).dropna()


def _did(table: pd.DataFrame) -> float:
    change = table["intervention"] - table["baseline"]
    return float(change[table["role"] == "test"].mean() - change[table["role"] == "control"].mean())


# --- reproducibility and formats ---------------------------------------------------


def test_the_same_seed_writes_identical_bytes(tmp_path: Path, files: dict[str, DemoFiles]) -> None:
    again = _generate(tmp_path, seed=SEED)
    for pilot_id in DEMO_PILOTS:
        for kind in ("participants", "observations", "responses"):
            first = getattr(files[pilot_id], kind).read_bytes()
            assert getattr(again[pilot_id], kind).read_bytes() == first, (pilot_id, kind)


def test_another_seed_writes_other_data(tmp_path: Path, files: dict[str, DemoFiles]) -> None:
    other = _generate(tmp_path, seed=SEED + 1, scale=0.2)
    assert other["energy_feedback"].observations.read_bytes() != (
        files["energy_feedback"].observations.read_bytes()
    )


def test_files_follow_the_public_header_contracts(
    files: dict[str, DemoFiles], pilots: dict[str, Pilot]
) -> None:
    assert list(files) == list(DEMO_PILOTS)
    for pilot_id, f in files.items():
        assert f.participants.read_text(encoding="utf-8").splitlines()[0] == ",".join(
            ["participant_id", "cohort", *pilots[pilot_id].attributes]
        )
        first_line = f.observations.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line == "participant_id,metric,timestamp,value"
        first_line = f.responses.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line == "participant_id,instrument,wave,item,answer"


def test_timestamps_are_iso_utc_and_inside_a_period_of_their_pilot(
    frames: dict[str, dict[str, pd.DataFrame]], pilots: dict[str, Pilot]
) -> None:
    for pilot_id, data in frames.items():
        stamps = data["observations"]["timestamp"]
        assert stamps.str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all(), pilot_id
        moments = pd.to_datetime(stamps, utc=True)
        inside = np.zeros(len(moments), dtype=bool)
        for period in (pilots[pilot_id].periods.baseline, pilots[pilot_id].periods.intervention):
            # The store's rule: start 00:00 UTC <= t < (end + 1 day) 00:00 UTC.
            start = datetime.combine(period.start, datetime.min.time(), tzinfo=UTC)
            end = start + timedelta(days=period.days)
            inside |= ((moments >= start) & (moments < end)).to_numpy()
        assert inside.all(), stamps[~inside].head().tolist()


def test_values_are_numbers_in_range(frames: dict[str, dict[str, pd.DataFrame]]) -> None:
    ranges = {
        "kwh_per_day": (0.5, 60),
        "evening_peak_share": (0, 1),
        "cold_hours": (0, 24),
        "car_trips": (0, 30),
        "shared_trips": (0, 30),
        "task_success": (0, 1),
        "time_on_task": (10, 7200),
    }
    for data in frames.values():
        for metric, values in data["observations"].groupby("metric")["value"]:
            low, high = ranges[metric]
            assert values.between(low, high).all(), metric
    task = frames["senior_procedures"]["observations"]
    assert set(task.loc[task["metric"] == "task_success", "value"]) == {0.0, 1.0}


def test_everything_referenced_is_declared(
    frames: dict[str, dict[str, pd.DataFrame]],
    pilots: dict[str, Pilot],
    instruments: dict[str, Instrument],
) -> None:
    for pilot_id, data in frames.items():
        pilot = pilots[pilot_id]
        people = data["participants"]
        assert people["participant_id"].is_unique
        assert set(people["cohort"]) == {c.id for c in pilot.cohorts}
        assert set(data["observations"]["participant_id"]) <= set(people["participant_id"])
        assert set(data["observations"]["metric"]) == {m.id for m in pilot.metrics}
        responses = data["responses"]
        assert set(responses["participant_id"]) <= set(people["participant_id"])
        cohort_of = people.set_index("participant_id")["cohort"]
        for (instrument_id, wave), answers in responses.groupby(["instrument", "wave"]):
            plans = [p for p in pilot.surveys if p.instrument == instrument_id and wave in p.waves]
            assert plans, (pilot_id, instrument_id, wave)
            assert set(cohort_of[answers["participant_id"]]) <= set(plans[0].cohorts)
            instrument = instruments[instrument_id]
            assert set(answers["item"]) == set(instrument.item_ids)
            assert answers["answer"].between(instrument.scale.min, instrument.scale.max).all()
            # Whole questionnaires: every respondent answered every item once.
            per_person = answers.groupby("participant_id")["item"].nunique()
            assert (per_person == len(instrument.item_ids)).all()
        planned = {(p.instrument, w) for p in pilot.surveys for w in p.waves}
        assert (
            set(map(tuple, responses[["instrument", "wave"]].drop_duplicates().values)) == planned
        )


def test_cohorts_have_their_target_sizes_and_scale_shrinks_them(
    tmp_path: Path, frames: dict[str, dict[str, pd.DataFrame]], pilots: dict[str, Pilot]
) -> None:
    for pilot_id, data in frames.items():
        sizes = data["participants"]["cohort"].value_counts()
        for cohort in pilots[pilot_id].cohorts:
            assert sizes[cohort.id] == cohort.target_size
    small = _generate(tmp_path, seed=SEED, scale=0.1)
    people = pd.read_csv(small["energy_feedback"].participants)
    assert people["cohort"].value_counts().to_dict() == {"feedback": 15, "comparison": 15}


def test_a_scale_that_is_not_positive_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        _generate(tmp_path, scale=0)


def test_demo_stays_small_enough_to_load_in_seconds(
    frames: dict[str, dict[str, pd.DataFrame]],
) -> None:
    rows = {pilot_id: len(data["observations"]) for pilot_id, data in frames.items()}
    assert 100_000 < sum(rows.values()) <= 300_000
    assert len(frames["energy_feedback"]["participants"]) == 300
    assert len(frames["shared_mobility"]["participants"]) == 200
    assert len(frames["senior_procedures"]["participants"]) == 40


# --- realism -------------------------------------------------------------------------


def test_readings_go_missing_and_some_participants_drop_out(
    frames: dict[str, dict[str, pd.DataFrame]], pilots: dict[str, Pilot]
) -> None:
    for pilot_id in ("energy_feedback", "shared_mobility"):
        pilot, data = pilots[pilot_id], frames[pilot_id]
        obs = data["observations"][data["observations"]["metric"] == pilot.metrics[0].id]
        days = obs.groupby("participant_id")["timestamp"].agg(["count", "min", "max"])
        span = (pd.to_datetime(days["max"]) - pd.to_datetime(days["min"])).dt.days + 1
        gap_days = pilot.periods.intervention.start - pilot.periods.baseline.end - timedelta(1)
        missing = 1 - days["count"].sum() / (span - gap_days.days).sum()
        assert 0.015 < missing < 0.05, (pilot_id, missing)
        last = pd.to_datetime(days["max"]).dt.date
        dropped = last[last < pilot.periods.intervention.end - timedelta(days=7)].index
        share = len(dropped) / len(days)
        assert 0.04 < share < 0.15, (pilot_id, share)
        # Drop-outs are more frequent among testers than in the comparison group.
        cohorts = data["participants"].set_index("participant_id")["cohort"]
        test_cohort = next(c.id for c in pilot.cohorts if c.role == "test")
        in_test = (cohorts[dropped] == test_cohort).sum()
        assert in_test > len(dropped) - in_test, pilot_id
    seniors = frames["senior_procedures"]["observations"]
    after = (
        pd.to_datetime(seniors["timestamp"]).dt.date
        >= pilots["senior_procedures"].periods.intervention.start
    )
    assert seniors.loc[after, "participant_id"].nunique() < seniors["participant_id"].nunique()


def test_about_a_third_of_those_asked_do_not_answer_the_survey(
    frames: dict[str, dict[str, pd.DataFrame]], pilots: dict[str, Pilot]
) -> None:
    pilot, data = pilots["energy_feedback"], frames["energy_feedback"]
    plan = next(p for p in pilot.surveys if p.instrument == "trust")
    asked = data["participants"]["cohort"].isin(plan.cohorts).sum()
    answered = data["responses"].query("instrument == 'trust' and wave == 'baseline'")
    assert 0.6 < answered["participant_id"].nunique() / asked < 0.8


def test_a_third_or_more_of_the_senior_pilot_testers_are_over_65(
    frames: dict[str, dict[str, pd.DataFrame]],
) -> None:
    ages = frames["senior_procedures"]["participants"]["age_band"]
    assert ages.isin(["65-74", "75+"]).mean() >= 1 / 3
    assert set(ages) <= {"18-34", "35-49", "50-64", "65-74", "75+"}


def test_energy_use_falls_with_the_season_for_everyone(
    frames: dict[str, dict[str, pd.DataFrame]], pilots: dict[str, Pilot]
) -> None:
    table = _per_period(pilots["energy_feedback"], frames["energy_feedback"], "kwh_per_day")
    control = table[table["role"] == "control"]
    seasonal = control["intervention"].mean() / control["baseline"].mean() - 1
    assert -0.30 < seasonal < -0.10
    # Before/after alone would more than double the effect: the comparison group matters.
    test = table[table["role"] == "test"]
    naive = (test["intervention"] - test["baseline"]).mean()
    assert naive < 2 * _did(table) < 0


def test_weekends_differ_from_weekdays(frames: dict[str, dict[str, pd.DataFrame]]) -> None:
    obs = frames["shared_mobility"]["observations"].query("metric == 'car_trips'")
    sunday = pd.to_datetime(obs["timestamp"]).dt.day_of_week == 6
    assert obs.loc[sunday, "value"].mean() < 0.75 * obs.loc[~sunday, "value"].mean()


# --- the effects built in ------------------------------------------------------------


def test_true_effects_name_the_demo_pilots_metrics_and_verdicts(pilots: dict[str, Pilot]) -> None:
    effects = true_effects()
    assert list(effects) == list(DEMO_PILOTS)
    assert {pilot_id: e["verdict"] for pilot_id, e in effects.items()} == {
        "energy_feedback": "go",
        "shared_mobility": "no_go",
        "senior_procedures": "extend",
    }
    for pilot_id, effect in effects.items():
        assert set(effect["metrics"]) == {m.id for m in pilots[pilot_id].metrics}
        assert set(effect["surveys"]) == {s.instrument for s in pilots[pilot_id].surveys}
    effects["energy_feedback"]["metrics"]["kwh_per_day"]["effect"] = 0
    assert true_effects()["energy_feedback"]["metrics"]["kwh_per_day"]["effect"] == -0.10


def test_energy_feedback_saves_about_ten_percent(
    frames: dict[str, dict[str, pd.DataFrame]], pilots: dict[str, Pilot]
) -> None:
    pilot, data = pilots["energy_feedback"], frames["energy_feedback"]
    table = _per_period(pilot, data, "kwh_per_day")
    # Relative to the counterfactual: the comparison group's level in the same months.
    control_after = table.loc[table["role"] == "control", "intervention"].mean()
    relative = _did(table) / control_after
    assert -0.14 < relative < -0.06
    # Beyond the 5 % of the baseline worth acting on.
    baseline = table.loc[table["role"] == "test", "baseline"].mean()
    assert -_did(table) > pilot.metric("kwh_per_day").min_effect.in_units(baseline)
    peak = _did(_per_period(pilot, data, "evening_peak_share"))
    assert -0.04 < peak < -0.01
    cold = _did(_per_period(pilot, data, "cold_hours"))
    assert abs(cold) < 0.25  # far inside the guardrail's 0.5 h/day margin


def test_shared_mobility_does_not_cut_car_trips(
    frames: dict[str, dict[str, pd.DataFrame]], pilots: dict[str, Pilot]
) -> None:
    pilot, data = pilots["shared_mobility"], frames["shared_mobility"]
    assert _did(_per_period(pilot, data, "car_trips")) > 0
    shared = _did(_per_period(pilot, data, "shared_trips"))
    assert 0.2 < shared < 0.5
    # Volunteers drove less to begin with: a two-group comparison would flatter the app.
    car = _per_period(pilot, data, "car_trips")
    by_role = car.groupby("role")["baseline"].mean()
    assert by_role["test"] < by_role["control"]


def test_senior_procedures_gain_is_modest_and_its_sus_close_to_68(
    frames: dict[str, dict[str, pd.DataFrame]],
    pilots: dict[str, Pilot],
    instruments: dict[str, Instrument],
) -> None:
    pilot, data = pilots["senior_procedures"], frames["senior_procedures"]
    task = _per_period(pilot, data, "task_success")
    gain = (task["intervention"] - task["baseline"]).mean()
    assert 0 < gain < 0.25
    assert len(task) < 40  # drop-outs have no after session
    time = _per_period(pilot, data, "time_on_task")
    assert (time["intervention"] - time["baseline"]).mean() < 0
    sus = data["responses"].query("instrument == 'sus'")
    answers = sus.pivot(index="participant_id", columns="item", values="answer")
    reversed_items = instruments["sus"].reversed_items
    contribution = answers.apply(
        lambda column: 5 - column if column.name in reversed_items else column - 1
    )
    scores = 2.5 * contribution.sum(axis=1)
    assert 15 <= len(scores) <= 35
    assert 60 < scores.mean() < 76
    half_width = 2.07 * scores.std() / np.sqrt(len(scores))
    assert scores.mean() - half_width < 68 < scores.mean() + half_width


def test_generating_imports_neither_the_store_nor_the_statistics() -> None:
    code = (
        "import sys, livinglab.demo\n"
        "heavy = {'scipy', 'pingouin', 'streamlit', 'altair', 'sqlalchemy', 'sqlmodel'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"

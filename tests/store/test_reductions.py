"""SQL reductions give the hand-computed numbers, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlmodel import Session
from store_factories import OBSERVATIONS, PARTICIPANTS, RESPONSES, SECRET

from livinglab.errors import NotFoundError
from livinglab.store import (
    cohort_counts,
    data_version,
    import_files,
    latest_data,
    participant_values,
    pseudonymize,
    survey_answers,
)


def values_of(engine, pilot, metric) -> dict[tuple[str, str], float]:
    frame = participant_values(engine=engine, pilot=pilot, metric=metric)
    names = {pseudonymize(raw, SECRET): raw for raw in ("h1", "h2", "h3", "h4")}
    return {(names[row.participant_id], row.period): row.value for row in frame.itertuples()}


ZEROS = {(p, period): 0.0 for p in ("h1", "h2", "h3", "h4")
         for period in ("baseline", "intervention")}


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        # mean: h1 (10 + 12) / 2 and 8; h3 9 and (9 + 11) / 2
        (
            "kwh",
            {
                ("h1", "baseline"): 11.0,
                ("h1", "intervention"): 8.0,
                ("h3", "baseline"): 9.0,
                ("h3", "intervention"): 10.0,
            },
        ),
        # sum, count, rate_per_day count events: everyone enrolled who has not left counts
        # 0 in a period without readings (h1..h4 enrolled, nobody left)
        (
            "kwh_total",
            {**ZEROS, ("h1", "baseline"): 4.0, ("h1", "intervention"): 3.0},
        ),
        ("logins", {**ZEROS, ("h2", "baseline"): 3.0, ("h2", "intervention"): 1.0}),
        # rate_per_day: the sum over the period's declared days (31 in January, 29 in February)
        (
            "trips",
            {
                **ZEROS,
                ("h2", "baseline"): 62 / 31,
                ("h2", "intervention"): 29 / 29,
                ("h4", "intervention"): 58 / 29,
            },
        ),
        ("task_done", {("h1", "baseline"): 0.75, ("h1", "intervention"): 0.5}),
    ],
)
def test_each_aggregate_gives_the_hand_computed_value(loaded, pilot, metric, expected):
    assert values_of(loaded, pilot, metric) == pytest.approx(expected)


def test_participant_values_carry_cohort_role_and_attributes(loaded, pilot):
    frame = participant_values(engine=loaded, pilot=pilot, metric="kwh")

    assert list(frame.columns) == [
        "participant_id",
        "cohort",
        "cohort_role",
        "period",
        "value",
        "n_readings",
        "filled",
        "age_band",
        "neighbourhood",
    ]
    h3 = frame[frame["participant_id"] == pseudonymize("h3", SECRET)]
    assert h3[
        ["cohort", "cohort_role", "age_band", "neighbourhood"]
    ].drop_duplicates().values.tolist() == [["neighbours", "control", "65+", "Centre"]]
    assert h3["n_readings"].tolist() == [1, 2]


def test_a_participant_without_an_attribute_gets_a_missing_value(loaded, pilot):
    frame = participant_values(engine=loaded, pilot=pilot, metric="trips")

    h4 = frame[frame["participant_id"] == pseudonymize("h4", SECRET)].iloc[0]
    assert h4["age_band"] == "45-64"
    assert pd.isna(h4["neighbourhood"])


def test_readings_at_the_boundaries_fall_on_the_right_side(engine, pilot, instruments, write):
    observations = (
        "participant_id,metric,timestamp,value\n"
        "h1,kwh,2024-01-31T23:59:59,1\n"  # last second of the baseline
        "h1,kwh,2024-02-01T00:00:00,2\n"  # first instant of the intervention
        "h2,kwh,2024-02-01T00:59:59.999999+01:00,3\n"  # 2024-01-31T23:59:59.999999Z
        "h2,kwh,2024-02-01T01:00:00+01:00,4\n"  # 2024-02-01T00:00:00Z
        "h3,kwh,2024-01-01,5\n"  # first day of the baseline, midnight
        "h3,kwh,2024-02-29T23:59:59,6\n"  # last second of the intervention
    )
    import_files(
        engine=engine,
        pilot=pilot,
        instruments=instruments,
        secret_key=SECRET,
        participants=write("p.csv", PARTICIPANTS),
        observations=write("o.csv", observations),
    )

    assert values_of(engine, pilot, "kwh") == {
        ("h1", "baseline"): 1.0,
        ("h1", "intervention"): 2.0,
        ("h2", "baseline"): 3.0,
        ("h2", "intervention"): 4.0,
        ("h3", "baseline"): 5.0,
        ("h3", "intervention"): 6.0,
    }


def test_a_metric_without_readings_gives_an_empty_frame(engine, pilot):
    frame = participant_values(engine=engine, pilot=pilot, metric="kwh")

    assert frame.empty and "value" in frame.columns and "age_band" in frame.columns


def test_an_unknown_metric_is_an_error(loaded, pilot):
    with pytest.raises(NotFoundError, match="no metric 'gas'"):
        participant_values(engine=loaded, pilot=pilot, metric="gas")


def test_reductions_run_inside_the_callers_session(loaded, pilot):
    with Session(loaded) as session:
        frame = participant_values(session=session, pilot=pilot, metric="kwh")
    assert len(frame) == 4


def test_survey_answers_in_long_form(loaded, pilot):
    frame = survey_answers(engine=loaded, pilot=pilot, instrument="satisfaction", wave="after")

    assert list(frame.columns) == [
        "participant_id",
        "cohort",
        "cohort_role",
        "wave",
        "item",
        "answer",
        "age_band",
        "neighbourhood",
    ]
    h1 = pseudonymize("h1", SECRET)
    assert frame[frame["participant_id"] == h1][["item", "answer"]].values.tolist() == [
        ["q1", 4],
        ["q2", 5],
    ]
    assert frame["answer"].sum() == 11
    assert survey_answers(
        engine=loaded, pilot=pilot, instrument="satisfaction", wave="baseline"
    ).empty


def test_cohort_counts_show_attrition(loaded, pilot):
    frame = cohort_counts(engine=loaded, pilot=pilot)

    assert frame.to_dict("records") == [
        {
            "cohort": "testers",
            "cohort_role": "test",
            "participants": 2,
            "baseline": 2,
            "intervention": 2,
        },
        # h4 has no baseline reading
        {
            "cohort": "neighbours",
            "cohort_role": "control",
            "participants": 2,
            "baseline": 1,
            "intervention": 2,
        },
    ]
    kwh = cohort_counts(engine=loaded, pilot=pilot, metric="kwh")
    assert kwh[["baseline", "intervention"]].values.tolist() == [[1, 1], [1, 1]]


def test_latest_data_and_data_version(engine, pilot, instruments, write):
    assert data_version(engine=engine, pilot=pilot) == 0
    assert latest_data(engine=engine, pilot=pilot).observation is None

    before = datetime.now(UTC)
    import_files(
        engine=engine,
        pilot=pilot,
        instruments=instruments,
        secret_key=SECRET,
        participants=write("p.csv", PARTICIPANTS),
        observations=write("o.csv", OBSERVATIONS),
        responses=write("r.csv", RESPONSES),
    )
    version = data_version(engine=engine, pilot=pilot)
    latest = latest_data(engine=engine, pilot=pilot)

    assert latest.observation == datetime(2024, 2, 11, 12, 0, tzinfo=UTC)
    assert latest.answer is not None and latest.answer >= before.replace(microsecond=0)
    assert version > 0
    assert data_version(engine=engine, pilot="other") == 0

    import_files(
        engine=engine,
        pilot=pilot,
        instruments=instruments,
        secret_key=SECRET,
        observations=write("o2.csv", OBSERVATIONS + "h2,kwh,2024-01-03,1\n"),
    )
    assert data_version(engine=engine, pilot=pilot) > version


def test_participants_lists_everyone_enrolled_even_without_data(loaded, pilot):
    from livinglab.store import participants

    frame = participants(engine=loaded, pilot=pilot)

    assert list(frame.columns) == [
        "participant_id",
        "cohort",
        "cohort_role",
        "age_band",
        "neighbourhood",
    ]
    assert frame.groupby("cohort").size().to_dict() == {"neighbours": 2, "testers": 2}
    assert latest_data(engine=loaded, pilot=pilot).latest is not None

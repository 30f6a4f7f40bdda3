"""Importing files: everything lands, or nothing does and every bad line is named."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from store_factories import OBSERVATIONS, PARTICIPANTS, RESPONSES, SECRET

from livinglab.errors import ImportRejected
from livinglab.store import import_files, participant_values, pseudonymize
from livinglab.store.importer import _ImportRun


def count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def counts(engine: sa.Engine) -> dict[str, int]:
    tables = [
        "participant",
        "participant_attribute",
        "observation",
        "survey_response",
        "import_batch",
    ]
    return {table: count(engine, table) for table in tables}


def run(engine, pilot, instruments, **files):
    return import_files(
        engine=engine, pilot=pilot, instruments=instruments, secret_key=SECRET, **files
    )


def rejected(engine, pilot, instruments, **files) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        run(engine, pilot, instruments, **files)
    return caught.value


def test_a_valid_import_lands_every_row(engine, pilot, instruments, write):
    report = run(
        engine,
        pilot,
        instruments,
        participants=write("p.csv", PARTICIPANTS),
        observations=write("o.csv", OBSERVATIONS),
        responses=write("r.csv", RESPONSES),
    )

    assert (report.participants.read, report.participants.inserted) == (4, 4)
    assert (report.observations.read, report.observations.inserted) == (6, 6)
    assert (report.responses.read, report.responses.inserted) == (3, 3)
    assert len(set(report.batch_ids)) == 3
    assert counts(engine) == {
        "participant": 4,
        "participant_attribute": 7,  # h4 has no neighbourhood
        "observation": 6,
        "survey_response": 3,
        "import_batch": 3,
    }


def test_raw_ids_are_never_stored_only_their_keyed_hash(engine, pilot, instruments, write):
    run(engine, pilot, instruments, participants=write("p.csv", PARTICIPANTS))

    with engine.connect() as connection:
        stored = set(
            connection.execute(sa.text("SELECT participant_id FROM participant")).scalars()
        )
    assert stored == {pseudonymize(raw, SECRET) for raw in ("h1", "h2", "h3", "h4")}
    assert not stored & {"h1", "h2", "h3", "h4"}
    assert pseudonymize("h1", "another key") not in stored


def test_the_same_import_twice_stores_each_row_once(engine, pilot, instruments, write):
    files = {
        "participants": write("p.csv", PARTICIPANTS),
        "observations": write("o.csv", OBSERVATIONS),
        "responses": write("r.csv", RESPONSES),
    }
    run(engine, pilot, instruments, **files)
    before = counts(engine)

    again = run(engine, pilot, instruments, **files)

    assert [(k.read, k.inserted, k.already_present) for k in again.kinds] == [
        (4, 0, 4),
        (6, 0, 6),
        (3, 0, 3),
    ]
    # Each file, stored whole before and unchanged, is recognised by its hash and not
    # imported again: no new batch, the report names the batch that stored it.
    assert counts(engine) == before
    first = run(engine, pilot, instruments, observations=files["observations"])
    assert first.observations.batch_id == again.observations.batch_id


def test_unchanged_participants_and_responses_files_are_known_by_their_hash(
    engine, pilot, instruments, write
):
    files = {"participants": write("p.csv", PARTICIPANTS), "responses": write("r.csv", RESPONSES)}
    first = run(engine, pilot, instruments, **files)
    before = counts(engine)

    again = run(engine, pilot, instruments, **files)

    assert again.batch_ids == first.batch_ids  # no new batch: the stored ones named
    assert [(k.unchanged, k.read_as) for k in again.kinds] == [(True, ""), (True, "")]
    assert not any(k.unchanged for k in first.kinds)
    assert [(k.read, k.inserted, k.already_present) for k in again.kinds] == [
        (4, 0, 4),
        (3, 0, 3),
    ]
    assert counts(engine) == before
    # One byte more (a trailing blank line) is another file: checked row by row again.
    changed = write("p2.csv", PARTICIPANTS + "\n")
    third = run(engine, pilot, instruments, participants=changed)
    assert third.participants.batch_id not in first.batch_ids
    assert (third.participants.inserted, third.participants.already_present) == (0, 4)


def test_an_unchanged_answers_file_is_checked_again_against_an_edited_instrument(
    engine, pilot, instruments, write
):
    # The instruments are not part of the pilot's spec: narrowed to 1..4 since, the
    # stored answer 5 would now be refused, so the file is read again and refused.
    from store_factories import INSTRUMENT

    from livinglab.spec.models import Instrument

    files = {"participants": write("p.csv", PARTICIPANTS), "responses": write("r.csv", RESPONSES)}
    run(engine, pilot, instruments, **files)
    narrowed = {"satisfaction": Instrument.model_validate(
        {**INSTRUMENT, "scale": {**INSTRUMENT["scale"], "max": 4}})}

    error = rejected(engine, pilot, narrowed, **files)

    assert [(p.line, p.field) for p in error.problems] == [(3, "answer")]
    assert "not on the scale" in error.problems[0].message
    assert run(engine, pilot, instruments, **files).responses.unchanged


def test_an_unchanged_participants_file_does_not_bring_back_an_erased_person(
    engine, pilot, instruments, write
):
    # The file's hash is known, but an erasure came since: the file is read again and the
    # erased person, whose tombstone is kept, is skipped and says so, never stored again.
    from sqlmodel import Session

    from livinglab.store import erase_participant

    files = {"participants": write("p.csv", PARTICIPANTS), "responses": write("r.csv", RESPONSES)}
    first = run(engine, pilot, instruments, **files)
    with Session(engine) as session:
        erase_participant(session=session, pilot_id=pilot.id,
                          participant_id=pseudonymize("h1", SECRET))
        session.commit()
    before = counts(engine)

    again = run(engine, pilot, instruments, **files)

    assert again.participants.batch_id != first.participants.batch_id
    assert not again.participants.unchanged
    assert again.participants.skipped_erased == 1
    assert (again.participants.inserted, again.participants.already_present) == (0, 3)
    assert count(engine, "participant") == before["participant"] == 3
    assert count(engine, "survey_response") == before["survey_response"]
    with engine.connect() as connection:
        stored = set(connection.execute(sa.text("SELECT participant_id FROM participant"))
                     .scalars())
    assert pseudonymize("h1", SECRET) not in stored


def test_a_file_seen_before_an_erasure_is_imported_again(engine, pilot, instruments, write):
    # An erasure since the first import: the hash shortcut must not decide on its own.
    # The file is read again, and the erased participant's rows are skipped (their
    # tombstone), counted as such, never stored again.
    from sqlmodel import Session

    from livinglab.store import erase_participant, pseudonymize

    files = {"participants": write("p.csv", PARTICIPANTS),
             "observations": write("o.csv", OBSERVATIONS)}
    run(engine, pilot, instruments, **files)
    with Session(engine) as session:
        erase_participant(session=session, pilot_id=pilot.id,
                          participant_id=pseudonymize("h1", SECRET))
        session.commit()
    again = run(engine, pilot, instruments, **files)
    observations = again.observations
    assert (observations.inserted, observations.already_present) == (0, 3)
    assert observations.skipped_erased == 3


def test_a_file_read_with_given_settings_is_imported_again(engine, pilot, instruments, write):
    from livinglab.store.dialects import CsvOptions

    files = {"participants": write("p.csv", PARTICIPANTS),
             "observations": write("o.csv", OBSERVATIONS)}
    first = run(engine, pilot, instruments, **files)
    again = import_files(engine=engine, pilot=pilot, instruments=instruments, secret_key=SECRET,
                         csv_options=CsvOptions(sep=","), **files)
    assert again.observations.batch_id != first.observations.batch_id
    assert (again.observations.inserted, again.observations.already_present) == (0, 6)


def test_an_overlapping_file_adds_only_the_new_rows(engine, pilot, instruments, write):
    run(engine, pilot, instruments, participants=write("p.csv", PARTICIPANTS))
    run(engine, pilot, instruments, observations=write("o.csv", OBSERVATIONS))
    more = OBSERVATIONS + "h2,kwh,2024-01-06,7\n"

    report = run(engine, pilot, instruments, observations=write("o2.csv", more))

    assert (report.observations.inserted, report.observations.already_present) == (1, 6)
    assert count(engine, "observation") == 7


def test_one_bad_row_among_good_ones_lands_nothing(engine, pilot, instruments, write):
    bad = OBSERVATIONS + "h1,kwh,2024-01-07,lots\n" + "h1,kwh,2024-01-08,3\n"

    error = rejected(
        engine,
        pilot,
        instruments,
        participants=write("p.csv", PARTICIPANTS),
        observations=write("o.csv", bad),
        responses=write("r.csv", RESPONSES),
    )

    assert [(p.file.endswith("o.csv"), p.line, p.field) for p in error.problems] == [
        (True, 8, "value")
    ]
    assert "'lots' is not a number" in error.problems[0].message
    assert "nothing was written" in str(error)
    assert counts(engine) == dict.fromkeys(
        ["participant", "participant_attribute", "observation", "survey_response", "import_batch"],
        0,
    )


def test_a_failure_while_inserting_leaves_nothing(engine, pilot, instruments, write, monkeypatch):
    def fail(self, sql):
        raise RuntimeError("disk full")

    monkeypatch.setattr(_ImportRun, "_insert_staged", fail)

    with pytest.raises(RuntimeError, match="disk full"):
        run(
            engine,
            pilot,
            instruments,
            participants=write("p.csv", PARTICIPANTS),
            observations=write("o.csv", OBSERVATIONS),
        )

    assert counts(engine)["participant"] == counts(engine)["import_batch"] == 0


def test_line_numbers_count_blank_lines_and_multiline_fields(engine, pilot, instruments, write):
    participants = (
        "participant_id,cohort,age_band,neighbourhood\n"  # line 1
        'h1,testers,65+,"Centre\nNord"\n'  # lines 2-3
        "\n"  # line 4
        "h2,nobody,30-44,Ouest\n"  # line 5
    )
    observations = (
        "participant_id,metric,timestamp,value\n"
        "h1,kwh,2024-01-05,10\n"
        "\n"
        "\n"
        "h1,kwh,2024-01-06,x\n"  # line 5
    )

    error = rejected(
        engine,
        pilot,
        instruments,
        participants=write("p.csv", participants),
        observations=write("o.csv", observations),
    )

    assert [(p.file[-5:], p.line, p.field) for p in error.problems] == [
        ("o.csv", 5, "value"),
        ("p.csv", 5, "cohort"),
    ]


def test_windows_line_endings_and_a_bom_are_read(engine, pilot, instruments, write):
    text = "\ufeff" + PARTICIPANTS.replace("\n", "\r\n")
    observations = (
        "participant_id,metric,timestamp,value\r\nh1,kwh,2024-01-05,10\r\nh9,kwh,2024-01-05,1\r\n"
    )

    error = rejected(
        engine,
        pilot,
        instruments,
        participants=write("p.csv", text),
        observations=write("o.csv", observations),
    )

    assert [(p.line, p.field) for p in error.problems] == [(3, "participant_id")]


OBS_HEAD = "participant_id,metric,timestamp,value\n"
RESP_HEAD = "participant_id,instrument,wave,item,answer\n"


@pytest.mark.parametrize(
    ("kind", "text", "line", "field", "message"),
    [
        (
            "observations",
            "participant_id,metric,timestamp\nh1,kwh,2024-01-05\n",
            1,
            "value",
            "missing column 'value'",
        ),
        (
            "observations",
            "participant_id,metric,timestamp,value,unit\n",
            1,
            "unit",
            "unexpected column 'unit'",
        ),
        ("participants", "participant_id,cohort,income\n", 1, "income", "unexpected column"),
        ("observations", "", 1, "", "the file is empty"),
        (
            "observations",
            OBS_HEAD + "h1,kwh,2024-01-05,1\nh1,kwh,2024-01-06,1,2\n",
            3,
            "",
            "has 5 fields (expected 4",
        ),
        (
            "observations",
            OBS_HEAD + "h1,kwh,2024-01-05,\n",
            2,
            "value",
            "an empty cell is not a number",
        ),
        ("observations", OBS_HEAD + "h1,kwh,2024-01-05,1,5\n", 2, "", "has 5 fields"),
        (
            "observations",
            OBS_HEAD + 'h1,kwh,2024-01-05,"1,5"\n',
            2,
            "value",
            "use a dot as decimal separator",
        ),
        ("observations", OBS_HEAD + "h1,kwh,2024-01-05,inf\n", 2, "value", "is not a number"),
        (
            "observations",
            OBS_HEAD + "h1,kwh,2024-01-05,1\nzz,kwh,2024-01-05,1\n",
            3,
            "participant_id",
            "unknown participant 'zz'",
        ),
        ("observations", OBS_HEAD + "h1,gas,2024-01-05,1\n", 2, "metric", "unknown metric 'gas'"),
        (
            "observations",
            OBS_HEAD + "h1,task_done,2024-01-05,0.5\n",
            2,
            "value",
            "is binary: expected 0 or 1",
        ),
        (
            "observations",
            OBS_HEAD + "h1,kwh,2024-03-01T00:00:00,1\n",
            2,
            "timestamp",
            "is in neither period",
        ),
        (
            "observations",
            OBS_HEAD + "h1,kwh,2023-12-31T23:59:59,1\n",
            2,
            "timestamp",
            "is in neither period",
        ),
        (
            "observations",
            OBS_HEAD + "h1,kwh,05/01/2024,1\n",
            2,
            "timestamp",
            "can be read day first (5 January) or month first (1 May)",
        ),
        ("observations", OBS_HEAD + "h1,kwh,32/01/2024,1\n", 2, "timestamp", "is not a date"),
        ("observations", OBS_HEAD + "h1,kwh,2024-02-30,1\n", 2, "timestamp", "is not an ISO 8601"),
        (
            "observations",
            OBS_HEAD + "h1,kwh,2024-01-05,1\nh2,kwh,2024-01-05,2\nh1,kwh,2024-01-05,3\n",
            4,
            "",
            "duplicate of line 2",
        ),
        (
            "participants",
            "participant_id,cohort\nh1,testers\nh1,testers\n",
            3,
            "participant_id",
            "already on line 2",
        ),
        (
            "participants",
            "participant_id,cohort\nh1,testers\nh7,walkers\n",
            3,
            "cohort",
            "unknown cohort 'walkers'",
        ),
        ("participants", "participant_id,cohort\n,testers\n", 2, "participant_id", "is empty"),
        (
            "responses",
            RESP_HEAD + "h1,satisfaction,after,q1,4\nh1,sus,after,q1,4\n",
            3,
            "instrument",
            "unknown instrument 'sus'",
        ),
        (
            "responses",
            RESP_HEAD + "h1,satisfaction,baseline,q1,4\n",
            2,
            "wave",
            "wave 'baseline' is not planned",
        ),
        ("responses", RESP_HEAD + "h1,satisfaction,after,q9,4\n", 2, "item", "unknown item 'q9'"),
        (
            "responses",
            RESP_HEAD + "h1,satisfaction,after,q1,6\n",
            2,
            "answer",
            "'6' is not on the scale of 'satisfaction' (expected a whole number in 1..5)",
        ),
        (
            "responses",
            RESP_HEAD + "h1,satisfaction,after,q1,3.5\n",
            2,
            "answer",
            "not on the scale",
        ),
        ("responses", RESP_HEAD + "h1,satisfaction,after,q1,\n", 2, "answer", "an empty cell"),
        (
            "responses",
            RESP_HEAD + "h3,satisfaction,after,q1,3\n",
            2,
            "participant_id",
            "is in cohort 'neighbours', which is not surveyed",
        ),
        (
            "responses",
            RESP_HEAD + "h1,satisfaction,after,q1,3\nh1,satisfaction,after,q1,4\n",
            3,
            "",
            "duplicate of line 2",
        ),
        (
            "responses",
            RESP_HEAD + "nobody,satisfaction,after,q1,3\n",
            2,
            "participant_id",
            "unknown participant 'nobody'",
        ),
    ],
)
def test_each_rejection_names_its_line(
    engine, pilot, instruments, write, kind, text, line, field, message
):
    run(engine, pilot, instruments, participants=write("known.csv", PARTICIPANTS))
    before = counts(engine)

    error = rejected(engine, pilot, instruments, **{kind: write("bad.csv", text)})

    assert [(p.line, p.field) for p in error.problems] == [(line, field)]
    assert message in error.problems[0].message
    assert str(error.problems[0]).startswith(f"{write('x', '').parent / 'bad.csv'}:{line}: ")
    assert counts(engine) == before


def test_every_problem_is_counted_and_the_list_is_capped(
    engine, pilot, instruments, write, monkeypatch
):
    monkeypatch.setattr("livinglab.store.import_problems.MAX_PROBLEMS", 5)
    text = OBS_HEAD + "".join(f"h1,kwh,2024-01-{day:02d},bad\n" for day in range(1, 21))

    error = rejected(
        engine,
        pilot,
        instruments,
        participants=write("p.csv", PARTICIPANTS),
        observations=write("o.csv", text),
    )

    assert [p.line for p in error.problems] == [2, 3, 4, 5, 6]
    assert "20 problems" in error.summary and "first 5" in error.summary


def test_a_missing_file_is_a_problem_not_a_traceback(engine, pilot, instruments, tmp_path):
    error = rejected(engine, pilot, instruments, observations=tmp_path / "nope.csv")

    assert error.problems[0].message == "file not found"


def test_a_stored_reading_is_never_overwritten_by_another_value(engine, pilot, instruments, write):
    run(
        engine,
        pilot,
        instruments,
        participants=write("p.csv", PARTICIPANTS),
        observations=write("o.csv", OBSERVATIONS),
        responses=write("r.csv", RESPONSES),
    )
    changed = OBSERVATIONS.replace("h1,kwh,2024-01-05T08:00:00,10", "h1,kwh,2024-01-05T08:00:00,11")
    answers = RESPONSES.replace("h2,satisfaction,after,q1,2", "h2,satisfaction,after,q1,3")

    error = rejected(
        engine,
        pilot,
        instruments,
        observations=write("o2.csv", changed),
        responses=write("r2.csv", answers),
    )

    assert [(p.file[-6:], p.line, p.field) for p in error.problems] == [
        ("o2.csv", 2, "value"),
        ("r2.csv", 4, "answer"),
    ]
    assert "already stored with 10.0 (got 11.0" in error.problems[0].message


def test_a_stored_participant_cannot_change_cohort(engine, pilot, instruments, write):
    run(engine, pilot, instruments, participants=write("p.csv", PARTICIPANTS))
    moved = PARTICIPANTS.replace("h3,neighbours", "h3,testers")

    error = rejected(engine, pilot, instruments, participants=write("p2.csv", moved))

    assert [(p.line, p.field) for p in error.problems] == [(4, "cohort")]
    assert "already stored in cohort 'neighbours'" in error.problems[0].message


def test_parquet_observations_are_imported(engine, pilot, instruments, write, tmp_path):
    frame = pd.read_csv(write("o.csv", OBSERVATIONS))
    typed = frame.assign(timestamp=pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601"))
    pq.write_table(pa.Table.from_pandas(typed, preserve_index=False), tmp_path / "o.parquet")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "text.parquet")

    first = run(
        engine,
        pilot,
        instruments,
        participants=write("p.csv", PARTICIPANTS),
        observations=tmp_path / "o.parquet",
    )
    second = run(engine, pilot, instruments, observations=tmp_path / "text.parquet")

    assert (first.observations.inserted, second.observations.already_present) == (6, 6)
    values = participant_values(engine=engine, pilot=pilot, metric="kwh")
    assert sorted(values["value"]) == [8.0, 9.0, 10.0, 11.0]


def test_a_bad_parquet_row_is_named_by_its_row_number(engine, pilot, instruments, write, tmp_path):
    frame = pd.DataFrame(
        {
            "participant_id": ["h1", "h1", "h1"],
            "metric": ["kwh", "kwh", "gas"],
            "timestamp": ["2024-01-05", "2024-01-06", "2024-01-07"],
            "value": [1.0, 2.0, 3.0],
        }
    )
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "o.parquet")

    error = rejected(
        engine,
        pilot,
        instruments,
        participants=write("p.csv", PARTICIPANTS),
        observations=tmp_path / "o.parquet",
    )

    assert [(p.line, p.field) for p in error.problems] == [(3, "metric")]
    assert error.problems[0].message.startswith("row 3: unknown metric 'gas'")


def test_parquet_dates_and_integer_values_are_read(engine, pilot, instruments, write, tmp_path):
    table = pa.table(
        {
            "participant_id": ["h1", "h1"],
            "metric": ["logins", "logins"],
            "timestamp": pa.array([date(2024, 1, 31), date(2024, 2, 1)], pa.date32()),
            "value": pa.array([1, 1], pa.int64()),
        }
    )
    pq.write_table(table, tmp_path / "o.parquet")

    run(
        engine,
        pilot,
        instruments,
        participants=write("p.csv", PARTICIPANTS),
        observations=tmp_path / "o.parquet",
    )

    frame = participant_values(engine=engine, pilot=pilot, metric="logins")
    read = frame[~frame["filled"]]  # the others, without readings, count 0 logins
    assert read[["period", "value"]].values.tolist() == [["baseline", 1.0], ["intervention", 1.0]]


def test_a_participant_erased_while_importing_stops_the_import(
    engine, pilot, instruments, write, monkeypatch
):
    run(engine, pilot, instruments, participants=write("p.csv", PARTICIPANTS))
    lock = _ImportRun._lock_stored_participants

    def erase_then_lock(self, sources):  # an erasure between checking and inserting
        key = {"k": self.participants.resolve("h1")[0]}
        self.connection.execute(
            sa.text("DELETE FROM participant_attribute WHERE participant_key = :k"), key
        )
        self.connection.execute(sa.text('DELETE FROM participant WHERE "key" = :k'), key)
        lock(self, sources)

    monkeypatch.setattr(_ImportRun, "_lock_stored_participants", erase_then_lock)

    error = rejected(engine, pilot, instruments, observations=write("o.csv", OBSERVATIONS))

    assert "1 participant(s) were erased while the import ran" in error.problems[0].message
    assert (count(engine, "observation"), count(engine, "participant")) == (0, 4)

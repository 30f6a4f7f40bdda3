"""Survey submissions, erasure and concurrent writers."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from store_factories import OBSERVATIONS, PARTICIPANTS, SECRET

from livinglab.errors import SurveyError
from livinglab.store import (
    add_survey_answers,
    data_version,
    erase_participant,
    find_participant,
    import_files,
    participant_values,
    pseudonymize,
    survey_answers,
)


def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def submit(engine, pilot, instrument, raw_id, answers, wave="after"):
    with Session(engine) as session:
        batch = add_survey_answers(
            session=session,
            pilot=pilot,
            instrument=instrument,
            participant_id=pseudonymize(raw_id, SECRET),
            wave=wave,
            answers=answers,
        )
        session.commit()
    return batch


@pytest.fixture
def enrolled(engine, pilot, instruments, write):
    import_files(
        engine=engine,
        pilot=pilot,
        instruments=instruments,
        secret_key=SECRET,
        participants=write("p.csv", PARTICIPANTS),
        observations=write("o.csv", OBSERVATIONS),
    )
    return engine


def test_a_submission_is_stored_once(enrolled, pilot, instruments):
    satisfaction = instruments["satisfaction"]
    submit(enrolled, pilot, satisfaction, "h2", {"q1": 5, "q2": 4})

    with pytest.raises(SurveyError, match="already answered"):
        submit(enrolled, pilot, satisfaction, "h2", {"q1": 1})

    frame = survey_answers(engine=enrolled, pilot=pilot, instrument="satisfaction")
    assert frame[["item", "answer"]].values.tolist() == [["q1", 5], ["q2", 4]]


@pytest.mark.parametrize(
    ("raw_id", "wave", "answers", "message"),
    [
        ("h2", "baseline", {"q1": 3}, "plans no 'baseline' wave"),
        ("h3", "after", {"q1": 3}, "Cohort 'neighbours' is not surveyed"),
        ("h2", "after", {"q7": 3}, "'q7' is not an item"),
        ("h2", "after", {"q1": 9}, "whole number in 1..5. Got 9"),
    ],
)
def test_a_wrong_submission_is_refused(
    enrolled, pilot, instruments, raw_id, wave, answers, message
):
    with pytest.raises(SurveyError, match=message):
        submit(enrolled, pilot, instruments["satisfaction"], raw_id, answers, wave=wave)

    assert count(enrolled, "survey_response") == 0


def test_erasure_removes_everything_about_a_participant(enrolled, pilot, instruments):
    submit(enrolled, pilot, instruments["satisfaction"], "h1", {"q1": 4})
    version = data_version(engine=enrolled, pilot=pilot)

    with Session(enrolled) as session:
        deleted = erase_participant(
            session=session, pilot_id=pilot.id, participant_id=pseudonymize("h1", SECRET)
        )
        session.commit()
        assert (
            find_participant(session=session, pilot_id=pilot.id, raw_id="h1", secret_key=SECRET)
            is None
        )

    # 3 readings (on 3 days: 3 daily roll-ups), an answer, 2 attributes, the participant
    assert deleted == 3 + 3 + 1 + 2 + 1
    frame = participant_values(engine=enrolled, pilot=pilot, metric="kwh")
    assert pseudonymize("h1", SECRET) not in set(frame["participant_id"])
    assert data_version(engine=enrolled, pilot=pilot) > version


def test_concurrent_writers_on_sqlite_lose_nothing(sqlite_engine, pilot, instruments, write):
    engine = sqlite_engine
    raw_ids = [f"t{i}" for i in range(40)]
    participants = "participant_id,cohort\n" + "".join(f"{r},testers\n" for r in raw_ids)
    import_files(
        engine=engine,
        pilot=pilot,
        instruments=instruments,
        secret_key=SECRET,
        participants=write("p.csv", participants),
    )
    files = [
        write(
            f"o{day}.csv",
            "participant_id,metric,timestamp,value\n"
            + "".join(
                f"{r},kwh,2024-01-{day:02d}T{h:02d}:00:00,{h}\n" for r in raw_ids for h in range(24)
            ),
        )
        for day in range(1, 7)
    ]
    errors: list[BaseException] = []

    def guarded(work):
        def run():
            try:
                work()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)

        return threading.Thread(target=run)

    def importer(mine):
        def work():
            for path in mine:
                import_files(
                    engine=engine,
                    pilot=pilot,
                    instruments=instruments,
                    secret_key=SECRET,
                    observations=path,
                )

        return work

    def submitter():
        for raw_id in raw_ids:
            submit(engine, pilot, instruments["satisfaction"], raw_id, {"q1": 3, "q2": 4})

    threads = [guarded(importer(files[0::2])), guarded(importer(files[1::2])), guarded(submitter)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert count(engine, "observation") == 6 * 40 * 24
    assert count(engine, "survey_response") == 40 * 2


def test_syncing_a_pilot_twice_keeps_its_metric_keys(engine, pilot):
    from store_factories import make_pilot

    from livinglab.store import sync_pilot

    with Session(engine) as session:
        first = sync_pilot(session=session, pilot=pilot)
        session.commit()
    extended = make_pilot(
        metrics=[
            *pilot.model_dump(mode="json")["metrics"],
            {**pilot.model_dump(mode="json")["metrics"][0], "id": "gas"},
        ]
    )
    with Session(engine) as session:
        second = sync_pilot(session=session, pilot=extended)
        session.commit()

    assert {k: second[k] for k in first} == first
    assert set(second) == set(first) | {"gas"}

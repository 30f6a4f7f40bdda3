"""Erasure, tombstones, purge and consent withdrawal in the store, on SQLite and
PostgreSQL: rows are counted table by table, and a withdrawn person's absence is
compared with a store that never held them."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session
from store_factories import (
    MORE_OBSERVATIONS,
    OBSERVATIONS,
    PARTICIPANTS,
    RESPONSES,
    SECRET,
)

from livinglab.evaluation import evaluate
from livinglab.store import import_files, pseudonymize, reductions
from livinglab.store import models as db
from livinglab.store.audit import record_event
from livinglab.store.consents import record_consent, text_version, withdraw_consent
from livinglab.store.erasure import erase_participant_key, participant_tables, purge_pilot
from livinglab.store.invitations import create_invitations


def key_of(engine: sa.Engine, pilot_id: str, raw_id: str) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT key FROM participant WHERE pilot_id = :p AND participant_id = :i"),
            {"p": pilot_id, "i": pseudonymize(raw_id, SECRET)},
        ).scalar_one()


def rows_of(engine: sa.Engine, participant_key: int) -> dict[str, int]:
    """Rows naming the participant, table by table (every table with a participant key)."""
    counts = {}
    with engine.connect() as connection:
        for table, column in participant_tables():
            counts[table.name] = connection.execute(
                sa.select(sa.func.count()).select_from(table).where(column == participant_key)
            ).scalar_one()
        counts["participant"] = connection.execute(
            sa.text("SELECT count(*) FROM participant WHERE key = :k"), {"k": participant_key}
        ).scalar_one()
    return counts


def rows_of_pilot(engine: sa.Engine, pilot_id: str) -> dict[str, int]:
    """Rows of the pilot in every table (by pilot_id, or by a participant of the pilot)."""
    counts = {}
    keys = "SELECT key FROM participant WHERE pilot_id = :p"
    with engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name == "audit_event":
                continue
            if "participant_key" in table.columns:
                where = f"participant_key IN ({keys})"
            elif "pilot_id" in table.columns:
                where = "pilot_id = :p"
            elif table.name == "pilot":
                where = "id = :p"
            else:
                continue
            counts[table.name] = connection.execute(
                sa.text(f"SELECT count(*) FROM {table.name} WHERE {where}"), {"p": pilot_id}
            ).scalar_one()
    return counts


def with_consents_and_invitations(engine, pilot, instruments) -> None:
    keys = [key_of(engine, pilot.id, "h1"), key_of(engine, pilot.id, "h2")]
    with Session(engine) as session:
        for key in keys:
            record_consent(
                session=session,
                pilot_id=pilot.id,
                participant_key=key,
                version=text_version("consent text"),
                channel="import",
            )
        create_invitations(
            session=session,
            pilot=pilot,
            instrument=instruments["satisfaction"],
            wave="after",
            participant_keys=keys,
        )
        session.commit()


def test_the_tables_of_a_person_are_found_in_the_metadata_including_future_ones() -> None:
    found = {table.name: column.name for table, column in participant_tables()}
    assert found == {
        "observation": "participant_key",
        "survey_response": "participant_key",
        "participant_attribute": "participant_key",
        "invitation": "participant_key",
        "consent": "participant_key",
        "daily_rollup": "participant_key",  # added by the roll-ups, found with no change here
    }
    # A table another branch adds (a table keyed by participant_key, a table pointing to
    # participant.key under another name) is found without a change to the erasure.
    meta = sa.MetaData()
    for table in db.metadata.tables.values():
        table.to_metadata(meta)
    sa.Table("sms_log", meta, sa.Column("participant_key", sa.BigInteger, primary_key=True))
    sa.Table(
        "reminder",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person", sa.Integer, sa.ForeignKey("participant.key")),
    )
    more = {table.name: column.name for table, column in participant_tables(meta)}
    assert more["sms_log"] == "participant_key" and more["reminder"] == "person"


def test_erasure_leaves_no_row_of_the_person_in_any_table(loaded, pilot, instruments) -> None:
    with_consents_and_invitations(loaded, pilot, instruments)
    h1, h2 = key_of(loaded, pilot.id, "h1"), key_of(loaded, pilot.id, "h2")
    before = rows_of(loaded, h1)
    # h1: 12 readings (on 12 days: 12 daily roll-ups), 2 answers, 2 attributes, 1
    # invitation, 1 consent, the row itself.
    assert before == {
        "observation": 12,
        "daily_rollup": 12,
        "survey_response": 2,
        "participant_attribute": 2,
        "invitation": 1,
        "consent": 1,
        "participant": 1,
    }
    other = rows_of(loaded, h2)
    with Session(loaded) as session:
        deleted = erase_participant_key(session=session, pilot_id=pilot.id, participant_key=h1)
        session.commit()
    assert {k: v for k, v in deleted.items() if v} == before
    assert set(rows_of(loaded, h1).values()) == {0}
    assert rows_of(loaded, h2) == other  # nobody else lost anything
    with loaded.connect() as connection:
        tombstones = connection.execute(
            sa.text("SELECT pilot_id, participant_id FROM erased_participant")
        ).all()
    assert tombstones == [(pilot.id, pseudonymize("h1", SECRET))]  # the pseudonym only


def test_a_re_import_of_old_files_skips_the_erased_person_and_says_so(
    loaded, pilot, instruments, write
) -> None:
    h1 = key_of(loaded, pilot.id, "h1")
    with Session(loaded) as session:
        erase_participant_key(session=session, pilot_id=pilot.id, participant_key=h1)
        session.commit()
    report = import_files(
        engine=loaded,
        pilot=pilot,
        instruments=instruments,
        secret_key=SECRET,
        participants=write("p.csv", PARTICIPANTS),
        observations=write("o.csv", OBSERVATIONS + MORE_OBSERVATIONS),
        responses=write("r.csv", RESPONSES),
    )
    assert report.participants is not None and report.observations is not None
    assert report.responses is not None
    assert (report.participants.skipped_erased, report.participants.inserted) == (1, 0)
    assert (report.observations.skipped_erased, report.observations.inserted) == (12, 0)
    assert (report.responses.skipped_erased, report.responses.inserted) == (2, 0)
    assert report.participants.already_present == 3  # the three others
    with loaded.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT count(*) FROM participant WHERE participant_id = :p"),
            {"p": pseudonymize("h1", SECRET)},
        ).scalar_one()
    assert stored == 0


def test_purge_deletes_every_row_of_the_pilot_and_keeps_the_log_and_other_pilots(
    loaded, pilot, instruments, write
) -> None:
    with_consents_and_invitations(loaded, pilot, instruments)
    other = pilot.model_copy(update={"id": "energy2"})
    import_files(
        engine=loaded,
        pilot=other,
        instruments=instruments,
        secret_key=SECRET,
        participants=write("p2.csv", PARTICIPANTS),
        observations=write("o2.csv", OBSERVATIONS),
    )
    h2 = key_of(loaded, pilot.id, "h2")
    with Session(loaded) as session:
        erase_participant_key(session=session, pilot_id=pilot.id, participant_key=h2)
        record_event(session=session, actor="cli:dpo", action="erase", pilot_id=pilot.id)
        session.commit()
    before = rows_of_pilot(loaded, pilot.id)
    kept = rows_of_pilot(loaded, other.id)
    assert before["observation"] > 0 and before["erased_participant"] == 1
    with Session(loaded) as session:
        deleted = purge_pilot(session=session, pilot_id=pilot.id)
        session.commit()
    assert set(rows_of_pilot(loaded, pilot.id).values()) == {0}
    assert rows_of_pilot(loaded, other.id) == kept
    assert deleted["observation"] == before["observation"]
    assert deleted["pilot"] == 1
    with loaded.connect() as connection:
        log = connection.execute(sa.text("SELECT count(*) FROM audit_event")).scalar_one()
        fingerprints = set(connection.execute(sa.text("SELECT name FROM store_setting")).scalars())
    assert log == 1  # the log outlives the pilot
    assert fingerprints == {"pseudonym_key_fingerprint:energy2"}


def _evaluation(engine, pilot, instruments) -> dict[str, Any]:
    result = evaluate(
        pilot,
        values_by_metric=reductions.participant_values_by_metric(engine=engine, pilot=pilot),
        answers_by_instrument={
            "satisfaction": reductions.survey_answers(
                engine=engine, pilot=pilot, instrument="satisfaction"
            )
        },
        instruments=instruments,
        participants=reductions.participants(engine=engine, pilot=pilot),
    )
    facts = result.to_dict()
    facts.pop("data_version")
    return facts


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_a_withdrawn_person_leaves_every_number_as_if_never_imported(
    loaded, pilot, instruments, write, tmp_path
) -> None:
    from livinglab.store.engine import make_engine, migrate

    never = make_engine(f"sqlite:///{tmp_path / 'never.db'}")
    migrate(never)
    without_h2 = "\n".join(line for line in PARTICIPANTS.splitlines() if not line.startswith("h2"))
    more = "\n".join(line for line in MORE_OBSERVATIONS.splitlines() if not line.startswith("h2"))
    answers = "\n".join(line for line in RESPONSES.splitlines() if not line.startswith("h2"))
    import_files(
        engine=never,
        pilot=pilot,
        instruments=instruments,
        secret_key=SECRET,
        participants=write("p.csv", without_h2 + "\n"),
        observations=write("o.csv", OBSERVATIONS + more + "\n"),
        responses=write("r.csv", answers + "\n"),
    )
    before = _evaluation(loaded, pilot, instruments)
    with_consents_and_invitations(loaded, pilot, instruments)
    h2 = key_of(loaded, pilot.id, "h2")
    assert _same(_evaluation(loaded, pilot, instruments), before)  # consenting changes nothing
    with Session(loaded) as session:
        assert withdraw_consent(session=session, pilot_id=pilot.id, participant_key=h2) == 1
        session.commit()
    assert reductions.withdrawn_count(engine=loaded, pilot=pilot) == 1
    assert _same(_evaluation(loaded, pilot, instruments), _evaluation(never, pilot, instruments))
    # Table by table of what the evaluation reads: the same frames.
    for reduce in (reductions.cohort_counts, reductions.participants):
        pd.testing.assert_frame_equal(
            reduce(engine=loaded, pilot=pilot), reduce(engine=never, pilot=pilot)
        )
    from livinglab.store.weekly import weekly_means

    pd.testing.assert_frame_equal(
        weekly_means(engine=loaded, pilot=pilot, metric="logins"),
        weekly_means(engine=never, pilot=pilot, metric="logins"),
    )
    never.dispose()

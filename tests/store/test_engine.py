"""The engine and the migrations."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from livinglab.store import make_engine, migrate, schema_differences
from livinglab.store.engine import HEAD_REVISION, alembic_config, normalise_url


def test_the_migrated_schema_matches_the_models(engine):
    assert schema_differences(engine) == []


def test_migrating_twice_changes_nothing(engine):
    migrate(engine)

    assert schema_differences(engine) == []


def test_the_head_revision_the_engine_knows_is_alembics_head(tmp_path):
    # migrate() skips Alembic for a store at HEAD_REVISION: a new migration must move it
    from alembic.script import ScriptDirectory

    assert HEAD_REVISION == ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = make_engine(f"sqlite:///{tmp_path / 'older.db'}")
    migrate(engine, "0014")
    migrate(engine)  # a store behind the head is still brought to it
    with engine.connect() as connection:
        found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    assert found == [(HEAD_REVISION,)]
    assert schema_differences(engine) == []


def test_observation_is_keyed_by_its_natural_key(engine):
    primary_key = sa.inspect(engine).get_pk_constraint("observation")

    assert primary_key["constrained_columns"] == ["metric_key", "participant_key", "ts"]


def test_sqlite_runs_in_wal_with_a_busy_timeout_and_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as connection:
        pragmas = [
            connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        ]
        table = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'observation'"
        ).scalar()

    assert pragmas == ["wal", 60_000, 1]
    assert table.rstrip().endswith("WITHOUT ROWID")  # the key is a covering index


def test_sqlite_write_transactions_begin_immediate(sqlite_engine):
    statements: list[str] = []
    sa.event.listen(
        sqlite_engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *args: statements.append(statement),
    )
    with sqlite_engine.begin() as connection:
        connection.exec_driver_sql("SELECT 1")

    assert statements[0] == "BEGIN IMMEDIATE"


def test_a_plain_postgresql_url_uses_psycopg_3():
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert make_engine("postgresql://u@h/db").dialect.driver == "psycopg"


def test_sqlite_readers_do_not_wait_for_a_writer(sqlite_engine):
    from livinglab.store import read_connection

    with sqlite_engine.begin() as writer:  # holds the write lock (BEGIN IMMEDIATE)
        writer.exec_driver_sql(
            "INSERT INTO pilot (id, title, spec_hash, spec_json, loaded_at) "
            "VALUES ('p', 't', 'h', '{}', 0)"
        )
        with read_connection(sqlite_engine) as reader:
            seen = reader.exec_driver_sql("SELECT count(*) FROM pilot").scalar()

    assert seen == 0  # the snapshot before the writer commits, at once


def test_migration_0003_keeps_stored_participants_as_still_taking_part(tmp_path):
    # A store made before left_on existed: its participants get left_on NULL (nobody
    # has left), and a downgrade removes the column again.
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0002")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO pilot (id, title, spec_hash, spec_json, loaded_at) "
            "VALUES ('p', 'P', 'h', '{}', 0)"
        )
        connection.exec_driver_sql(
            "INSERT INTO cohort (pilot_id, id, role, assignment) "
            "VALUES ('p', 'c', 'test', 'random')"
        )
        connection.exec_driver_sql(
            "INSERT INTO participant (pilot_id, participant_id, cohort_id) VALUES ('p', 'x', 'c')"
        )

    migrate(engine)

    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT left_on FROM participant").all() == [(None,)]
    assert schema_differences(engine) == []
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0002")
    columns = {c["name"] for c in sa.inspect(engine).get_columns("participant")}
    assert "left_on" not in columns and "cohort_id" in columns
    engine.dispose()

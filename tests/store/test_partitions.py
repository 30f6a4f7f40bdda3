"""The readings partitioned by metric and month on the real PostgreSQL server
(:mod:`livinglab.store.partitions`, migration 0014); SQLite keeps one table."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session
from store_factories import MORE_OBSERVATIONS, OBSERVATIONS, PARTICIPANTS, RESPONSES, SECRET

from livinglab.evaluation import evaluate
from livinglab.store import import_files, reductions, schema_differences
from livinglab.store.engine import alembic_config, migrate
from livinglab.store.erasure import erase_participant_key
from livinglab.store.partitions import ensure_partitions

READINGS = (OBSERVATIONS + MORE_OBSERVATIONS).count("\n") - 1  # 23, header left out


@pytest.fixture(params=["postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """These tests are about PostgreSQL only (the store's own fixtures, that server)."""
    if not (os.environ.get("LIVINGLAB_TEST_POSTGRES_URL") or os.environ.get("PGHOST")):
        pytest.skip("PostgreSQL not configured: run under `pg_virtualenv -- pytest`")
    return str(request.param)


def _import(engine: sa.Engine, pilot: Any, instruments: Any, write: Any) -> None:
    import_files(
        engine=engine, pilot=pilot, instruments=instruments, secret_key=SECRET,
        participants=write("p.csv", PARTICIPANTS),
        observations=write("o.csv", OBSERVATIONS + MORE_OBSERVATIONS),
        responses=write("r.csv", RESPONSES),
    )


def _tree(engine: sa.Engine) -> dict[str, list[str]]:
    """Each partition of ``observation`` -> its own partitions, from pg_partition_tree."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT relid::regclass::text, parentrelid::regclass::text, level "
            "FROM pg_partition_tree('observation') WHERE level > 0 ORDER BY 1"
        )).all()
    tree: dict[str, list[str]] = {name: [] for name, _, level in rows if level == 1}
    for name, parent, level in rows:
        if level == 2:
            tree[parent].append(name)
    return tree


def _keys(engine: sa.Engine, pilot_id: str) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.text(
            "SELECT metric_id, key FROM metric WHERE pilot_id = :p"), {"p": pilot_id}).all())


def _per_partition(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.text(
            "SELECT tableoid::regclass::text, count(*) FROM observation GROUP BY 1")).all())


def test_an_import_makes_a_partition_per_metric_and_its_months(loaded, pilot):
    keys = _keys(loaded, pilot.id)

    tree = _tree(loaded)

    # The pilot runs 2024-01-01..2024-02-29 (UTC): two months and a default per metric.
    assert tree == {
        f"observation_{key}_energy_{metric}": [
            f"observation_{key}_energy_{metric}_202401",
            f"observation_{key}_energy_{metric}_202402",
            f"observation_{key}_energy_{metric}_default",
        ]
        for metric, key in keys.items()
    }
    assert schema_differences(loaded) == []


def test_readings_land_in_their_month_not_in_the_default(loaded, pilot):
    key = _keys(loaded, pilot.id)["kwh"]

    counts = _per_partition(loaded)

    # kwh: 3 readings in January (one at 23:59:59 on the 31st), 3 in February (one at
    # 13:00+01:00 on the 11th, so 12:00 UTC).
    assert counts[f"observation_{key}_energy_kwh_202401"] == 3
    assert counts[f"observation_{key}_energy_kwh_202402"] == 3
    assert sum(counts.values()) == READINGS
    assert not [name for name in counts if name.endswith("_default")]


def test_a_reading_query_of_one_metric_and_month_reads_that_partition_only(
    loaded, pilot, write
):
    other = pilot.model_copy(update={"id": "energy2"})
    import_files(engine=loaded, pilot=other, instruments={}, secret_key=SECRET,
                 participants=write("p2.csv", PARTICIPANTS),
                 observations=write("o2.csv", OBSERVATIONS + MORE_OBSERVATIONS))
    key = _keys(loaded, pilot.id)["kwh"]
    january = (1_704_067_200_000_000, 1_706_745_600_000_000)  # 2024-01-01, 2024-02-01 UTC

    with loaded.connect() as connection:
        plan = connection.execute(sa.text(
            "EXPLAIN (FORMAT JSON) SELECT participant_key, avg(value) FROM observation "
            "WHERE metric_key = :key AND ts >= :low AND ts < :high GROUP BY participant_key"
        ), {"key": key, "low": january[0], "high": january[1]}).scalar_one()
        whole = connection.execute(sa.text(
            "EXPLAIN (FORMAT JSON) SELECT count(*) FROM observation WHERE metric_key = :key"
        ), {"key": key}).scalar_one()

    assert _relations(plan) == {f"observation_{key}_energy_kwh_202401"}
    assert _relations(whole) == {
        f"observation_{key}_energy_kwh_{part}" for part in ("202401", "202402", "default")}


def test_an_evaluation_reads_no_partition_of_another_pilot(loaded, pilot, instruments, write):
    other = pilot.model_copy(update={"id": "energy2"})
    import_files(engine=loaded, pilot=other, instruments={}, secret_key=SECRET,
                 participants=write("p2.csv", PARTICIPANTS),
                 observations=write("o2.csv", OBSERVATIONS + MORE_OBSERVATIONS))
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    sa.event.listen(loaded, "before_cursor_execute", record)
    try:
        verdict = _evaluation(loaded, pilot, instruments)["verdict"]
    finally:
        sa.event.remove(loaded, "before_cursor_execute", record)
    scanned: set[str] = set()
    with loaded.connect() as connection:
        driver = connection.connection.driver_connection
        for statement, parameters in statements:
            with driver.cursor() as cursor:
                cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
                scanned |= _relations(cursor.fetchone()[0])

    other_keys = set(_keys(loaded, other.id).values())
    assert verdict in ("go", "no_go", "extend") and "daily_rollup" in scanned
    assert not {name for name in scanned if name.startswith("observation_")
                and int(name.split("_")[1]) in other_keys}


def test_reimport_and_erasure_work_across_partitions(loaded, pilot, instruments,
                                                                 write):
    from livinglab.store import pseudonymize

    _import(loaded, pilot, instruments, write)  # unchanged: recognised, nothing stored twice
    assert sum(_per_partition(loaded).values()) == READINGS
    with loaded.connect() as connection:
        h1 = connection.execute(sa.text(
            "SELECT key FROM participant WHERE participant_id = :p"),
            {"p": pseudonymize("h1", SECRET)}).scalar_one()
        of_h1 = connection.execute(sa.text(
            "SELECT count(*) FROM observation WHERE participant_key = :k"), {"k": h1}).scalar()

    with Session(loaded) as session:
        deleted = erase_participant_key(session=session, pilot_id=pilot.id, participant_key=h1)
        session.commit()

    assert deleted["observation"] == of_h1 == 12
    assert sum(_per_partition(loaded).values()) == READINGS - 12


def test_rows_in_a_default_partition_move_into_a_month_made_later(loaded, pilot):
    # A reading outside the months made lands in the metric's default partition; when its
    # month is made (the pilot's periods extended), it moves there.
    key = _keys(loaded, pilot.id)["kwh"]
    march = 1_709_251_200_000_000 + 3_600_000_000  # 2024-03-01 01:00 UTC
    with loaded.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO observation VALUES (:k, 1, :ts, 4.0, 1)"), {"k": key, "ts": march})
    assert _per_partition(loaded)[f"observation_{key}_energy_kwh_default"] == 1

    with loaded.begin() as connection:
        made = ensure_partitions(connection, [key], march, march)
        again = ensure_partitions(connection, [key], march, march)

    counts = _per_partition(loaded)
    assert (made, again) == (1, 0)
    assert counts[f"observation_{key}_energy_kwh_202403"] == 1
    assert f"observation_{key}_energy_kwh_default" not in counts


def test_the_migration_partitions_a_store_with_readings_and_keeps_its_verdict(
    engine, pilot, instruments, write
):
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0013")
    assert _relkind(engine) == "r"
    _import(engine, pilot, instruments, write)  # into the plain table of 0013
    before = (_counts(engine), _evaluation(engine, pilot, instruments))

    migrate(engine)

    assert _relkind(engine) == "p"
    assert sum(_per_partition(engine).values()) == READINGS
    assert not [name for name in _per_partition(engine) if name.endswith("_default")]
    assert len(_tree(engine)) == 5  # a partition per metric
    assert (_counts(engine), _evaluation(engine, pilot, instruments)) == before
    assert schema_differences(engine) == []
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0013")
    assert _relkind(engine) == "r"
    assert _counts(engine) == before[0]


def test_sqlite_keeps_one_table_and_makes_no_partition(sqlite_engine):
    with sqlite_engine.begin() as connection:
        made = ensure_partitions(connection, [1, 2], 0, 10**15)
        tables = connection.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE 'observation%'").scalar()

    assert (made, tables) == (0, 1)


def _relkind(engine: sa.Engine) -> str:
    with engine.connect() as connection:
        return str(connection.execute(sa.text(
            "SELECT relkind FROM pg_class WHERE oid = to_regclass('observation')")).scalar())


def _counts(engine: sa.Engine) -> tuple[int, float, int]:
    with engine.connect() as connection:
        row = connection.execute(sa.text(
            "SELECT count(*), sum(value), count(DISTINCT participant_key) FROM observation"
        )).one()
    return int(row[0]), float(row[1]), int(row[2])


def _relations(plan: Any) -> set[str]:
    """The tables an EXPLAIN (FORMAT JSON) plan reads."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "Relation Name" in node:
                found.add(node["Relation Name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(plan) if isinstance(plan, str) else plan)
    return found


def _evaluation(engine: sa.Engine, pilot: Any, instruments: Any) -> dict[str, Any]:
    result = evaluate(
        pilot,
        values_by_metric=reductions.participant_values_by_metric(engine=engine, pilot=pilot),
        answers_by_instrument={"satisfaction": reductions.survey_answers(
            engine=engine, pilot=pilot, instrument="satisfaction")},
        instruments=instruments,
        participants=reductions.participants(engine=engine, pilot=pilot),
    )
    facts = result.to_dict()
    facts.pop("data_version")
    return json.loads(json.dumps(facts, default=str))



def test_a_metric_being_partitioned_blocks_no_reader_and_is_made_once(loaded, pilot):
    # An import making a new metric's partitions (not committed yet): another pilot's
    # readings can still be read at once, and a second import making the same partitions
    # waits for the first, then finds them made.
    import threading

    new_key, kwh = 999, _keys(loaded, pilot.id)["kwh"]
    january = (1_704_067_200_000_000, 1_706_745_599_999_999)
    second: dict[str, Any] = {}

    def make_again() -> None:
        with loaded.begin() as connection:
            second["made"] = ensure_partitions(connection, [new_key], *january)

    with loaded.begin() as first:
        made = ensure_partitions(first, [new_key], *january)
        with loaded.connect() as reader:
            reader.execute(sa.text("SET lock_timeout = '2s'"))
            read = reader.execute(sa.text(
                "SELECT count(*) FROM observation WHERE metric_key = :k"), {"k": kwh}).scalar()
        waiting = threading.Thread(target=make_again)
        waiting.start()
        waiting.join(timeout=1.0)
        assert waiting.is_alive()  # queued behind the first transaction
    waiting.join(timeout=30)

    assert (made, read, second["made"]) == (3, 6, 0)  # itself, January, default; kwh's 6
    assert _tree(loaded)[f"observation_{new_key}"] == [
        f"observation_{new_key}_202401", f"observation_{new_key}_default"]

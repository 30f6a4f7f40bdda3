"""The readings on PostgreSQL: ``observation`` partitioned by metric, then by month.

On PostgreSQL (migration 0014) ``observation`` is a declaratively partitioned table:

- LIST on ``metric_key``: one partition per metric, so each belongs to one pilot,
  named ``observation_<key>_<pilot>_<metric>`` (lower case, other characters turned
  into ``_``, cut so that every name fits PostgreSQL's 63 bytes; the key keeps it unique);
- inside it, RANGE on ``ts`` by UTC month (``..._202401`` holds the instants from
  2024-01-01 00:00 UTC to 2024-02-01 00:00 UTC, as epoch microseconds), and a
  ``..._default`` partition as a safety net for an instant outside the months made.

Every query of the store filters by metric key (and the reductions by time), so an
evaluation reads only its pilot's partitions (partition pruning) and an old month can be
detached or dropped on its own. The primary key (metric_key, participant_key, ts)
contains both partition keys, so it stays one key across the partitions and the
importer's ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` works unchanged.

Partitions are made by :func:`ensure_partitions` before rows go in (the importer, the
migration). A new partition is built apart and then attached (``ATTACH PARTITION``),
which takes a SHARE UPDATE EXCLUSIVE lock on its parent: unlike ``CREATE TABLE ...
PARTITION OF`` (ACCESS EXCLUSIVE), it does not block the evaluations, erasures and
imports of other pilots until the import that made it commits (two imports that both make
partitions queue on it). On SQLite nothing changes: the table
is one ``WITHOUT ROWID`` table and :func:`ensure_partitions` does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

PARENT = "observation"
COLUMNS = "metric_key, participant_key, ts, value, batch_id"
_MAX_BASE = 63 - len("_default")
_LOCK_SPACE = 0x4C4C0014
"""First half of the advisory lock taken per metric while its partitions are made."""
_NUMBER = re.compile(r"'?(-?\d+)'?")


def ensure_partitions(
    connection: Connection, metric_keys: Iterable[int], low_ts: int, high_ts: int
) -> int:
    """Make sure each metric has its partition of ``observation``, with one partition per
    UTC month from ``low_ts``'s to ``high_ts``'s and a default one (PostgreSQL; a no-op
    on SQLite or on a table not partitioned).

    Idempotent, and meant to run in the transaction that then writes the rows (the
    importer's write transaction, a migration): what it makes is rolled back with it.
    Two transactions making the same metric's partitions queue on an advisory lock per
    metric. Readings already in a metric's default partition that fall in a new month
    are moved into it.

    Parameters
    ----------
    connection : Connection
        In a transaction.
    metric_keys : iterable of int
        ``metric.key`` values; a key with no ``metric`` row gets ``observation_<key>``.
    low_ts, high_ts : int
        The first and last instant to hold (epoch microseconds, UTC), both included.

    Returns
    -------
    int
        How many partitions were made (metric, month and default partitions).
    """
    if connection.dialect.name != "postgresql":
        return 0
    schema = _partitioned_schema(connection)
    if schema is None:
        return 0
    keys = sorted({int(k) for k in metric_keys})
    if not keys:
        return 0
    made = 0
    months = _months(int(low_ts), int(high_ts))
    for key in keys:  # in key order: two imports never wait on each other crosswise
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:space, :key)"),
                           {"space": _LOCK_SPACE, "key": key})
        metric_table = _children(connection, schema, PARENT).get(str(key))
        if metric_table is None:
            metric_table = _base_name(connection, key)
            made += _new_metric_partition(connection, schema, key, metric_table, months)
            continue
        have = _children(connection, schema, metric_table)
        default = have.get("DEFAULT")
        for start, end in months:
            if str(start) not in have:
                made += _new_month(connection, schema, metric_table, default, start, end)
    return made


def partition_names(connection: Connection) -> set[str]:
    """The names of the partitions (tables that are a partition of another) in the
    schema ``observation`` lives in: the models do not declare them, so a comparison of
    the models with the database leaves them out (:func:`~livinglab.store.engine.
    schema_differences`). Empty on SQLite."""
    if connection.dialect.name != "postgresql":
        return set()
    return set(connection.execute(sa.text(
        "SELECT c.relname FROM pg_class c WHERE c.relispartition AND c.relnamespace = "
        "(SELECT relnamespace FROM pg_class WHERE oid = to_regclass(:parent))"
    ), {"parent": PARENT}).scalars())


def _partitioned_schema(connection: Connection) -> str | None:
    """The schema of ``observation`` when it is partitioned, else None."""
    row = connection.execute(sa.text(
        "SELECT n.nspname, c.relkind FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE c.oid = to_regclass(:parent)"
    ), {"parent": PARENT}).one_or_none()
    return str(row[0]) if row is not None and row[1] == "p" else None


def _children(connection: Connection, schema: str, parent: str) -> dict[str, str]:
    """A partitioned table's partitions by their bound: the listed value or the range's
    lower bound as text, or ``DEFAULT`` -> name."""
    rows = connection.execute(sa.text(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
        "JOIN pg_namespace n ON n.oid = p.relnamespace "
        "WHERE p.relname = :parent AND n.nspname = :schema"
    ), {"parent": parent, "schema": schema}).all()
    found: dict[str, str] = {}
    for name, bound in rows:
        if bound == "DEFAULT":
            found["DEFAULT"] = name
        elif match := _NUMBER.search(bound.split("(", 1)[1]):
            found[match[1]] = name
    return found


def _base_name(connection: Connection, key: int) -> str:
    """``observation_<key>_<pilot>_<metric>``, sanitised and cut to leave room for a
    month's or the default's suffix."""
    row = connection.execute(
        sa.text("SELECT pilot_id, metric_id FROM metric WHERE key = :key"), {"key": key}
    ).one_or_none()
    name = f"{PARENT}_{key}"
    if row is not None:
        name += "_" + re.sub(r"[^a-z0-9]+", "_", f"{row[0]}_{row[1]}".lower()).strip("_")
    return name[:_MAX_BASE].rstrip("_")


def _months(low_ts: int, high_ts: int) -> list[tuple[int, int]]:
    """The UTC months from ``low_ts``'s to ``high_ts``'s, as [start, end) microseconds."""
    if high_ts < low_ts:
        return []
    low = datetime.fromtimestamp(low_ts // 1_000_000, UTC)
    high = datetime.fromtimestamp(high_ts // 1_000_000, UTC)
    year, month = low.year, low.month
    spans = []
    while (year, month) <= (high.year, high.month):
        after = (year + month // 12, month % 12 + 1)
        spans.append((_micros(year, month), _micros(*after)))
        year, month = after
    return spans


def _micros(year: int, month: int) -> int:
    return int(datetime(year, month, 1, tzinfo=UTC).timestamp()) * 1_000_000


def _month_suffix(start: int) -> str:
    return datetime.fromtimestamp(start // 1_000_000, UTC).strftime("_%Y%m")


def _quoted(connection: Connection, schema: str, name: str) -> str:
    quote = connection.dialect.identifier_preparer.quote
    return f"{quote(schema)}.{quote(name)}"


def _new_metric_partition(connection: Connection, schema: str, key: int, name: str,
                          months: list[tuple[int, int]]) -> int:
    """Build a metric's partition with its months and default apart, then attach it."""
    table = _quoted(connection, schema, name)
    run = connection.exec_driver_sql
    run(f"CREATE TABLE {table} (LIKE {_quoted(connection, schema, PARENT)} "
        "INCLUDING DEFAULTS) PARTITION BY RANGE (ts)")
    run(f"CREATE TABLE {_quoted(connection, schema, name + '_default')} "
        f"PARTITION OF {table} DEFAULT")
    for start, end in months:
        run(f"CREATE TABLE {_quoted(connection, schema, name + _month_suffix(start))} "
            f"PARTITION OF {table} FOR VALUES FROM ({start}) TO ({end})")
    run(f"ALTER TABLE {_quoted(connection, schema, PARENT)} ATTACH PARTITION {table} "
        f"FOR VALUES IN ({int(key)})")
    return 2 + len(months)


def _new_month(connection: Connection, schema: str, metric_table: str, default: str | None,
               start: int, end: int) -> int:
    """Build a month's partition apart (with the readings of that month the metric's
    default partition held), then attach it."""
    table = _quoted(connection, schema, metric_table + _month_suffix(start))
    run = connection.exec_driver_sql
    run(f"CREATE TABLE {table} (LIKE {_quoted(connection, schema, PARENT)} INCLUDING DEFAULTS)")
    if default is not None:
        run(f"WITH moved AS (DELETE FROM {_quoted(connection, schema, default)} "
            f"WHERE ts >= {start} AND ts < {end} RETURNING {COLUMNS}) "
            f"INSERT INTO {table} ({COLUMNS}) SELECT {COLUMNS} FROM moved")
    run(f"ALTER TABLE {_quoted(connection, schema, metric_table)} ATTACH PARTITION {table} "
        f"FOR VALUES FROM ({start}) TO ({end})")
    return 1

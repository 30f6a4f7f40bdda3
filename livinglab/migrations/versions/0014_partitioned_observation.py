"""observation partitioned by metric and month on PostgreSQL (SQLite: nothing changes)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 16:00:00

The readings are moved into a new ``observation`` partitioned by LIST on
``metric_key`` and by RANGE on ``ts`` (UTC months), with a partition for each metric
and month that holds readings (:mod:`livinglab.store.partitions`), in the migration's
one transaction: the old table is renamed, its rows copied with one INSERT ... SELECT,
then dropped. The downgrade copies them back into a plain table.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = "observation_before_0014"
_KEY = "CONSTRAINT pk_observation PRIMARY KEY (metric_key, participant_key, ts)"


def _relkind() -> str | None:
    return op.get_bind().exec_driver_sql(
        "SELECT relkind FROM pg_class WHERE oid = to_regclass('observation')"
    ).scalar()


def _move_aside() -> None:
    run = op.get_bind().exec_driver_sql
    run(f"ALTER TABLE observation RENAME TO {_OLD}")
    run(f"ALTER TABLE {_OLD} RENAME CONSTRAINT pk_observation TO pk_{_OLD}")


def upgrade() -> None:
    from livinglab.store.partitions import COLUMNS, ensure_partitions

    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or _relkind() != "r":
        return
    _move_aside()
    run = bind.exec_driver_sql
    run(f"CREATE TABLE observation (LIKE {_OLD} INCLUDING DEFAULTS, {_KEY}) "
        "PARTITION BY LIST (metric_key)")
    spans = run(f"SELECT metric_key, min(ts), max(ts) FROM {_OLD} GROUP BY metric_key").all()
    for key, low, high in spans:
        ensure_partitions(bind, [key], low, high)
    run(f"INSERT INTO observation ({COLUMNS}) SELECT {COLUMNS} FROM {_OLD}")
    run(f"DROP TABLE {_OLD}")
    run("ANALYZE observation")


def downgrade() -> None:
    from livinglab.store.partitions import COLUMNS

    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or _relkind() != "p":
        return
    _move_aside()
    run = bind.exec_driver_sql
    run(f"CREATE TABLE observation (LIKE {_OLD} INCLUDING DEFAULTS, {_KEY})")
    run(f"INSERT INTO observation ({COLUMNS}) SELECT {COLUMNS} FROM {_OLD}")
    run(f"DROP TABLE {_OLD}")  # and every partition with it
    run("ANALYZE observation")

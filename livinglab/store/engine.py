"""The database engine (SQLite or PostgreSQL, same code) and its migrations.

SQLite is set up for several writers in one process or several (the app's survey
submissions while an import runs):

- WAL journal: readers never block the writer and the writer never blocks readers;
- ``busy_timeout``: a writer waits for the lock instead of failing at once;
- ``BEGIN IMMEDIATE``: a write transaction takes the write lock when it begins, so
  two writers queue on ``busy_timeout`` instead of deadlocking when both try to
  upgrade a read lock (SQLAlchemy's documented recipe: the driver's own transaction
  handling is switched off and the ``begin`` event emits the BEGIN);
- foreign keys enforced.

A connection that only reads can ask for a deferred ``BEGIN`` with the execution
option ``sqlite_begin="DEFERRED"`` (see :func:`read_connection`): it then reads a
snapshot without waiting for a writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from livinglab.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
BUSY_TIMEOUT_MS = 60_000


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` URLs use psycopg 3, the installed driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(
    url: str | None = None, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS, **kwargs: Any
) -> Engine:
    """An engine for ``url`` (default: ``Settings.database_url``).

    Parameters
    ----------
    url : str, optional
        ``sqlite:///path.db`` or ``postgresql+psycopg://user:pw@host/db``.
    busy_timeout_ms : int
        SQLite only: how long a writer waits for another writer's lock.
    **kwargs
        Passed to :func:`sqlalchemy.create_engine`.
    """
    url = normalise_url(url or get_settings().database_url)
    if sa.engine.make_url(url).get_backend_name() == "sqlite":
        connect_args = {"check_same_thread": False, **kwargs.pop("connect_args", {})}
        engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let the begin event below emit BEGIN: pysqlite's own BEGIN is deferred.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable in WAL mode except against power loss at commit.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode not in ("IMMEDIATE", "DEFERRED", "EXCLUSIVE"):
            raise ValueError(
                f"sqlite_begin must be IMMEDIATE, DEFERRED or EXCLUSIVE. Got {mode!r}."
            )
        connection.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "sqlite"


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for reading only: one consistent snapshot, never waits for writers."""
    with engine.connect() as connection:
        connection.execution_options(sqlite_begin="DEFERRED")
        with connection.begin():
            yield connection


def alembic_config(connection: Connection | None = None) -> Any:
    """Alembic's configuration, built in code (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


HEAD_REVISION = "0015"
"""The newest migration's revision. A store already there is not handed to Alembic,
whose import and scan of the migration scripts take 0.15-0.2 s of every process that
opens the store (``livinglab evaluate``); ``tests/store/test_engine.py`` checks that it
is Alembic's head."""


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (Alembic upgrade); safe to run every start.

    A store whose ``alembic_version`` already says :data:`HEAD_REVISION` is left as it
    is without loading Alembic."""
    if revision == "head" and _at_head(engine):
        return
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def _at_head(engine: Engine) -> bool:
    """Whether the store's recorded revision is :data:`HEAD_REVISION` (False when it has
    none yet)."""
    try:
        with read_connection(engine) as connection:
            found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except sa.exc.DBAPIError:  # no alembic_version table: a new store
        return False
    return [row[0] for row in found] == [HEAD_REVISION]


def schema_differences(engine: Engine) -> list[Any]:
    """What the database schema lacks or has more than the models (empty when in sync).

    The partitions of ``observation`` on PostgreSQL are left out: the models declare
    the partitioned table, the partitions are data (:mod:`livinglab.store.partitions`)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from livinglab.store.models import metadata
    from livinglab.store.partitions import partition_names

    with engine.connect() as connection:
        partitions = partition_names(connection)
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_name": lambda name, kind, _: not (kind == "table" and name in partitions),
        })
        return list(compare_metadata(context, metadata))

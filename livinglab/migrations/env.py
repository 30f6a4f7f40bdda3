"""Alembic environment: the connection is handed over by ``migrate`` (or made from settings)."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context

from livinglab.store.engine import make_engine
from livinglab.store.models import metadata
from livinglab.store.partitions import partition_names

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _run(connection: Any) -> None:
    partitions = partition_names(connection)  # data, not schema: see livinglab.store.partitions
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        include_name=lambda name, kind, _: not (kind == "table" and name in partitions),
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or "sqlite:///livinglab.db",
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.begin() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

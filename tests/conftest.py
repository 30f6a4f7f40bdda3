"""Shared fixtures: ``engine`` runs each store test on SQLite and on PostgreSQL.

PostgreSQL is used when ``LIVINGLAB_TEST_POSTGRES_URL`` is set, or else when the
libpq variables are (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``,
``PGDATABASE``: what Debian's ``pg_virtualenv`` exports). Each test gets its own
schema (``search_path`` set on every connection), dropped afterwards. Without a
server the PostgreSQL parameters are skipped, saying how to run them::

    pg_virtualenv -- /work/venv/bin/pytest tests/store
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from livinglab.store.engine import make_engine, migrate, normalise_url

# The suite runs in demo mode (the demo's public key and accounts); the production
# checks are tested by setting LIVINGLAB_ENVIRONMENT=production where they matter.
# Subprocesses (the CLI, streamlit) inherit it.
os.environ.setdefault("LIVINGLAB_ENVIRONMENT", "demo")


def postgres_url() -> str | None:
    """The test server's URL, from LIVINGLAB_TEST_POSTGRES_URL or the PG* variables."""
    if url := os.environ.get("LIVINGLAB_TEST_POSTGRES_URL"):
        return normalise_url(url)
    if not os.environ.get("PGHOST"):
        return None
    return sa.engine.URL.create(
        "postgresql+psycopg",
        username=os.environ.get("PGUSER"),
        password=os.environ.get("PGPASSWORD"),
        host=os.environ["PGHOST"],
        port=int(os.environ["PGPORT"]) if os.environ.get("PGPORT") else None,
        database=os.environ.get("PGDATABASE", "postgres"),
    ).render_as_string(hide_password=False)


NO_POSTGRES = (
    "PostgreSQL not configured: set LIVINGLAB_TEST_POSTGRES_URL, or run under "
    "`pg_virtualenv -- pytest` (CI does)"
)
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(postgres_url() is None, reason=NO_POSTGRES),
        ],
    ),
]


CHROMIUM = Path("/usr/bin/chromium")


def pytest_configure(config: pytest.Config) -> None:
    """On CI the real PostgreSQL server and Chromium must be there: never a silent skip."""
    if os.environ.get("CI", "").lower() not in ("true", "1"):
        return
    missing = []
    if postgres_url() is None:
        missing.append(NO_POSTGRES)
    if not CHROMIUM.exists():
        missing.append(f"Debian's chromium is not installed ({CHROMIUM})")
    if missing:
        raise pytest.UsageError("CI runs against the real services: " + "; ".join(missing))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty store on the backend of the test's parameter."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    yield from _postgres_schema_engine()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def _postgres_schema_engine() -> Iterator[Engine]:
    url = postgres_url()
    assert url is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    scoped = sa.engine.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(scoped.render_as_string(hide_password=False))
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

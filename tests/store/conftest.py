"""Fixtures of the store tests (their data lives in store_factories.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from store_factories import (
    INSTRUMENT,
    MORE_OBSERVATIONS,
    OBSERVATIONS,
    PARTICIPANTS,
    RESPONSES,
    SECRET,
    make_pilot,
)

from livinglab.spec.models import Instrument, Pilot
from livinglab.store import import_files


@pytest.fixture
def pilot() -> Pilot:
    return make_pilot()


@pytest.fixture
def instruments() -> dict[str, Instrument]:
    return {"satisfaction": Instrument.model_validate(INSTRUMENT)}


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a file under the test's directory (exact bytes: no newline translation)."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode())
        return path

    return _write


@pytest.fixture
def loaded(engine, pilot, instruments, write):
    """The engine with the factories' participants, readings and answers imported."""
    import_files(
        engine=engine,
        pilot=pilot,
        instruments=instruments,
        secret_key=SECRET,
        participants=write("p.csv", PARTICIPANTS),
        observations=write("o.csv", OBSERVATIONS + MORE_OBSERVATIONS),
        responses=write("r.csv", RESPONSES),
    )
    return engine

"""Fixtures of the store tests (their data lives in store_factories.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from store_factories import INSTRUMENT, make_pilot

from livinglab.spec.models import Instrument, Pilot


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

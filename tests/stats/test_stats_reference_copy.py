"""The copy of the R reference in tests/ is the workplace's shared one, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

COPIED_REFERENCE = Path(__file__).resolve().parent / "reference"
SHARED_REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"


def test_the_copied_reference_is_the_shared_one():
    shared = SHARED_REFERENCE / "reference.json"
    if not shared.exists():
        pytest.skip(f"no shared reference beside this checkout ({shared}): nothing to compare")
    assert (COPIED_REFERENCE / "reference.json").read_bytes() == shared.read_bytes()
    for data in sorted((SHARED_REFERENCE / "data").iterdir()):
        assert (COPIED_REFERENCE / "data" / data.name).read_bytes() == data.read_bytes()

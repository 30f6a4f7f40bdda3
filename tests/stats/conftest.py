"""Fixtures of the stats tests: the R reference (outside oracle) and frame factories.

The R reference results are copied into ``tests/stats/reference/`` (from the
workplace's ``shared/reference/``, with their README) so that the oracle runs on
any clone and can never be skipped; ``LIVINGLAB_REFERENCE_DIR`` points elsewhere,
and ``test_the_copied_reference_is_the_shared_one`` catches a stale copy.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


COPIED_REFERENCE = Path(__file__).resolve().parent / "reference"
SHARED_REFERENCE = REPO_ROOT.parent / "shared" / "reference"


def reference_dir() -> Path:
    """Folder holding reference.json and data/ (env override first)."""
    override = os.environ.get("LIVINGLAB_REFERENCE_DIR")
    return Path(override) if override else COPIED_REFERENCE


@pytest.fixture(scope="session")
def reference() -> dict[str, dict[str, Any]]:
    """The reference cases by id (R values under ``case['r']``)."""
    path = reference_dir() / "reference.json"
    if not path.exists():
        pytest.fail(f"R reference not found at {path} (set LIVINGLAB_REFERENCE_DIR)")
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return {case["id"]: case for case in cases}


@pytest.fixture(scope="session")
def reference_data() -> Callable[[str], pd.DataFrame]:
    """Read one of the reference data sets, e.g. ``reference_data('r_sleep.csv')``."""

    def read(name: str) -> pd.DataFrame:
        path = reference_dir() / "data" / name
        if not path.exists():
            pytest.fail(f"reference data {path} not found")
        return pd.read_csv(path)

    return read


def paired_frame(
    before: Sequence[float], after: Sequence[float], role: str = "test", prefix: str = "p"
) -> pd.DataFrame:
    """Store-shaped frame: one row per participant and period, same participants in both."""
    ids = [f"{prefix}{i:04d}" for i in range(len(before))]
    return pd.DataFrame(
        {
            "participant_id": ids * 2,
            "cohort_role": role,
            "period": ["baseline"] * len(ids) + ["intervention"] * len(ids),
            "value": np.concatenate([np.asarray(before, float), np.asarray(after, float)]),
        }
    )


def cohorts_frame(
    test_before: Sequence[float],
    test_after: Sequence[float],
    control_before: Sequence[float],
    control_after: Sequence[float],
) -> pd.DataFrame:
    """Store-shaped frame with a test and a control cohort, both periods."""
    return pd.concat(
        [
            paired_frame(test_before, test_after, "test", "t"),
            paired_frame(control_before, control_after, "control", "c"),
        ],
        ignore_index=True,
    )


def after_only_frame(test: Sequence[float], control: Sequence[float]) -> pd.DataFrame:
    """Store-shaped frame with intervention-period values only."""
    return pd.DataFrame(
        {
            "participant_id": [f"t{i}" for i in range(len(test))]
            + [f"c{i}" for i in range(len(control))],
            "cohort_role": ["test"] * len(test) + ["control"] * len(control),
            "period": "intervention",
            "value": np.concatenate([np.asarray(test, float), np.asarray(control, float)]),
        }
    )


@pytest.fixture(scope="session")
def frames() -> Any:
    """The frame factories (``frames.paired``, ``frames.cohorts``, ``frames.after_only``)."""

    class Factories:
        paired = staticmethod(paired_frame)
        cohorts = staticmethod(cohorts_frame)
        after_only = staticmethod(after_only_frame)

    return Factories

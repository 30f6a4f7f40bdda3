"""The temporary staging tables an import writes its checked rows to (on the import's
own connection), and the background writer that fills them while the next chunk is
read: SQLite, multi-row INSERT statements; PostgreSQL, a binary COPY."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

STAGE_OBSERVATION = "ll_stage_observation"
STAGE_RESPONSE = "ll_stage_response"
KEY_MAP = "ll_stage_key_map"


class OneBehind:
    """Runs submitted calls in order on one background thread, at most one at a time:
    ``submit`` waits for the previous call first, so at most one chunk is being written
    while the next is prepared (memory stays flat). Leaving the block waits for the
    last call; an error of a call is raised in the submitting thread."""

    def __init__(self, *, background: bool = True) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="livinglab-stage")
            if background
            else None
        )
        self._pending: Any = None

    def submit(self, function: Any, *args: Any) -> None:
        self.wait()
        if self._executor is None:  # no background thread: run it now
            function(*args)
            return
        self._pending = self._executor.submit(function, *args)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __enter__(self) -> OneBehind:
        return self

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        try:
            if kind is None:
                self.wait()
            elif self._pending is not None:
                self._pending.exception()  # let it finish; the first error wins
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)


STAGE_COLUMNS: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    STAGE_OBSERVATION: (
        [
            ("metric_key", "INTEGER"),
            ("participant_key", "INTEGER"),
            ("ts", "INTEGER"),
            ("value", "REAL"),
        ],
        ["metric_key", "participant_key", "ts"],
    ),
    STAGE_RESPONSE: (
        [
            ("participant_key", "INTEGER"),
            ("instrument_id", "TEXT"),
            ("wave", "TEXT"),
            ("item_id", "TEXT"),
            ("answer", "INTEGER"),
        ],
        ["participant_key", "instrument_id", "wave", "item_id"],
    ),
}
ALONE_ON_ITS_DAY = "line < 0"
"""SQLite's observation stage: a reading that is the only one of its metric and
participant on its local day in its chunk is staged with its line negated (its daily
roll-up is the reading itself, added to the store straight from the stage: see
:class:`livinglab.store.rollups.StagedRollups`); ``abs(line)`` is its line."""


KEY_WORDS = {
    STAGE_OBSERVATION: "participant, metric and timestamp",
    STAGE_RESPONSE: "participant, instrument, wave and item",
}


def pg_binary_copy(columns: Sequence[np.ndarray]) -> bytes:
    """Rows of 8-byte columns (bigint, or double precision for a float column) in
    PostgreSQL's binary COPY format: signature, rows, trailer."""
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for j, column in enumerate(columns):
        kind = ">f8" if column.dtype.kind == "f" else ">i8"
        fields += [(f"size{j}", ">i4"), (f"value{j}", kind)]
    rows = np.empty(len(columns[0]), dtype=np.dtype(fields))
    rows["count"] = len(columns)
    for j, column in enumerate(columns):
        rows[f"size{j}"] = 8
        rows[f"value{j}"] = column
    return b"PGCOPY\n\xff\r\n\x00" + bytes(8) + rows.tobytes() + b"\xff\xff"

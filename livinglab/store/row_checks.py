"""Checking and converting the cells of a chunk's rows: numbers (either decimal
mark), timestamps (ISO 8601 or day/month-first dates, local time of the pilot, the
daylight-saving change's skipped and repeated hours found), ids and codes trimmed of
white space. Each function takes a column (a chunk's distinct cells, see
:class:`livinglab.store.readers.Column`) and returns arrays, so that the importer's
checks convert every distinct cell once."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from livinglab.spec.models import Pilot
from livinglab.store.import_problems import shown
from livinglab.store.readers import Column


def as_float(column: pd.Series, decimal: str = ".") -> np.ndarray:
    """Numbers of a column; NaN where a cell is not a number. With a decimal comma, a
    cell with a dot is not a number (it could be a thousands separator)."""
    if pd.api.types.is_bool_dtype(column):
        column = column.astype("float64")
    if pd.api.types.is_numeric_dtype(column):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    if decimal == ",":
        text = column.astype(object).where(column.notna(), None)
        has_dot = text.str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool)
        column = text.str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(column, errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan, copy=True
        )
        numbers[has_dot] = np.nan
        return numbers
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


FINE, SKIPPED, REPEATED = 0, 1, 2
"""Why a timestamp is invalid: not at all (or not a timestamp), a local time the
daylight-saving change skips, or one it repeats."""
_SLASH_DATE = (
    r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2})(:\d{2}(?::\d{2}(?:[.,]\d*)?)?))?\s*$"
)
_WITH_OFFSET = r"\d:\d{2}(?::\d{2}(?:[.,]\d*)?)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"


def as_micros(
    column: pd.Series, date_order: str = "iso", timezone: str = "UTC"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Epoch microseconds (UTC) of a column of timestamps, which cells were valid, and
    why not (:data:`SKIPPED`, :data:`REPEATED` or :data:`FINE`).

    A timestamp without an offset is local time in ``timezone``; ``date_order`` 'dmy'
    or 'mdy' reads ``nn/nn/yyyy [hh:mm[:ss]]`` dates (ISO ones are read too)."""
    why = np.full(len(column), FINE, dtype=np.int8)
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return (*_micros_of(column), why)
    if pd.api.types.is_datetime64_dtype(column):
        return _localized(column, timezone)
    text = column.astype(object).where(column.notna(), None)
    if date_order != "iso":
        text = slash_dates_as_iso(text, date_order)
    micros, valid = _micros_of(pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce"))
    if timezone != "UTC":
        with_offset = text.str.contains(_WITH_OFFSET, regex=True).fillna(False)
        naive = np.flatnonzero(valid & ~with_offset.to_numpy(dtype=bool))
        if len(naive):
            # read as UTC above: the same digits are the wall-clock time
            wall = pd.Series(micros[naive].astype("datetime64[us]"))
            micros[naive], valid[naive], why[naive] = _localized(wall, timezone)
    return micros, valid, why


def _micros_of(moments: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Epoch microseconds of aware timestamps, and which are not NaT."""
    valid = moments.notna().to_numpy().copy()
    micros = moments.dt.tz_convert(None).to_numpy(dtype="datetime64[us]").view(np.int64)
    return micros.copy(), valid


def _localized(wall: pd.Series, timezone: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Naive wall-clock times of ``timezone`` as epoch microseconds (UTC), which are
    valid, and why not: the daylight-saving change skips the time or repeats it."""
    why = np.full(len(wall), FINE, dtype=np.int8)
    local = wall.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
    micros, valid = _micros_of(local)
    failed = ~valid & wall.notna().to_numpy()
    if failed.any():
        shifted = wall.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward")
        gap = shifted.notna().to_numpy() & failed  # exists once shifted: in the gap
        why[gap] = SKIPPED
        why[failed & ~gap] = REPEATED
    return micros, valid, why


def slash_dates_as_iso(text: pd.Series, date_order: str) -> pd.Series:
    """``dd/mm/yyyy [hh:mm[:ss]]`` (or month first) cells rewritten as ISO 8601; other
    cells as they are."""
    parts = text.str.extract(_SLASH_DATE)
    matched = parts[2].notna()
    if not matched.any():
        return text
    day, month = (parts[0], parts[1]) if date_order == "dmy" else (parts[1], parts[0])
    iso = parts[2] + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)
    clock = ("T" + parts[3].str.zfill(2) + parts[4].str.replace(",", ".")).fillna("")
    return text.where(~matched, iso + clock)


def skipped_hour(cell: object, timezone: str) -> str:
    return (
        f"{shown(cell)} does not exist in {timezone}: the clocks went forward that night "
        "(daylight-saving change) (expected a time outside the skipped hour, or the "
        "timestamp with its UTC offset)"
    )


def repeated_hour(
    cell: object, timezone: str, date_order: str, other_lines: Sequence[int]
) -> str:
    text = pd.Series([str(cell)], dtype=object)
    if date_order != "iso":
        text = slash_dates_as_iso(text, date_order)
    moment = pd.to_datetime(text.iat[0], format="ISO8601", errors="coerce")
    instants = ""
    if not pd.isna(moment):
        from datetime import UTC
        from zoneinfo import ZoneInfo

        wall = moment.to_pydatetime().replace(tzinfo=ZoneInfo(timezone))
        first, second = (wall.replace(fold=f).astimezone(UTC) for f in (0, 1))
        instants = f" ({first:%Y-%m-%d %H:%M} UTC, then {second:%H:%M} UTC)"
    also = (
        f"; the same local time is also on line {', '.join(map(str, other_lines))}"
        if other_lines
        else ""
    )
    return (
        f"{shown(cell)} happened twice in {timezone}{instants}: the clocks went back one "
        f"hour that night (daylight-saving change){also} (expected the timestamp with its "
        "UTC offset, e.g. +02:00 for the first and +01:00 for the second)"
    )


def trim_cells(column: Column) -> tuple[Column, int]:
    """A column of ids or codes without white space around its cells, and how many of
    its rows had some."""
    cells = column.cells
    if cells.dtype != object or not len(cells):
        return column, 0
    stripped = cells.map(lambda c: c.strip() if isinstance(c, str) else c)
    changed = (stripped != cells).to_numpy(dtype=bool)
    if not changed.any():
        return column, 0
    return Column(stripped, column.codes), int(column.per_row(changed).sum())


def period_dates(pilot: Pilot) -> list[tuple[str, str]]:
    return [
        (p.start.isoformat(), p.end.isoformat())
        for p in (pilot.periods.baseline, pilot.periods.intervention)
    ]


def to_number(cell: str) -> float | None:
    try:
        number = float(cell)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None

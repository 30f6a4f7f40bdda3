"""Reading an Excel workbook's sheet (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``) as rows of
text, each with its Excel row number.

The reader is python-calamine (the Rust calamine library; pandas' ``engine="calamine"``
is the same reader). It is called directly rather than through ``pandas.read_excel``
because every problem must name the Excel row: ``read_excel`` drops blank rows and the
empty area above the table, which would shift the numbers, while calamine's
``iter_rows`` starts at the sheet's first row and keeps blank rows.

Cells become the text a CSV file would hold, so that one set of checks serves both: a
number as its shortest repr (a whole number without ``.0``, so that id 1001 stays
``1001``), a date or date-time in ISO 8601 (naive: local time of the pilot; a
date-time at midnight as its date, so that ``left_on`` reads as a day), a boolean
as 1 or 0, an empty cell as an empty string.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import cast

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


class SheetError(Exception):
    """The workbook cannot be read, or has no such sheet."""


def is_excel(path: Path) -> bool:
    return path.suffix.lower() in EXCEL_SUFFIXES


def sheet_rows(path: Path, sheet: str | None) -> tuple[str, Iterator[tuple[int, list[object]]]]:
    """The sheet's name (the first one when ``sheet`` is None) and its non-blank rows,
    each with its Excel row number (1-based)."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for a file that is not a workbook
        raise SheetError(f"is not a readable Excel workbook ({exc})") from exc
    names = list(workbook.sheet_names)
    name = sheet if sheet is not None else (names[0] if names else "")
    if name not in names:
        raise SheetError(f"has no sheet {name!r} (expected one of {names})")
    worksheet = workbook.get_sheet_by_name(name)

    def rows() -> Iterator[tuple[int, list[object]]]:
        # iter_rows starts at the sheet's first row (and at its first used column)
        for index, row in enumerate(worksheet.iter_rows()):
            if row.count("") != len(row):  # not a blank row
                yield index + 1, cast("list[object]", row)

    return name, rows()


def cell_text(value: object, decimal: str = ".") -> str:
    """A cell as the text a CSV file would hold (see the module's docstring)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        return text.replace(".", ",") if decimal == "," else text
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        # A date typed in a date-time cell (Excel keeps dates as date-times): its day
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return "" if value is None else str(value)

"""KoboToolbox data exports (CSV or XLSX, one row per submission).

Kobo names a question's column by its group path, ``confiance/t1`` (the group
separator is ``/``, or ``.`` or ``:`` when chosen so), and writes the choice's name (its
"XML value": ``1`` .. ``5``) when exported with XML values and headers. A column whose
last path segment is one of the instrument's item ids is that item; the column whose
last segment is ``participant_id`` holds the participant's id. An empty cell is no
answer (counted); Kobo's own columns (``_id``, ``_uuid``, ``_submission_time``...) are
ignored. A CSV is read in any dialect of :mod:`livinglab.store.dialects` (Kobo's
default is ``;``); a workbook's first sheet is read, named by its Excel rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from livinglab.errors import Problem
from livinglab.spec.models import Instrument
from livinglab.store import dialects, excel
from livinglab.store.adapters import Converted

PARTICIPANT = "participant_id"
_SEGMENT = re.compile(r"[/.:]")


def convert(path: Path, *, instrument: Instrument, wave: str, out: Path) -> Converted:
    """Write the export's answers to ``out`` (the common responses CSV)."""
    converted = Converted(path=out)
    name = str(path)
    try:
        rows = _rows(path, instrument)
        header_line, header = next(rows)
    except (ValueError, excel.SheetError, StopIteration) as exc:
        converted.problems.append(Problem(name, None, "", str(exc) or "is empty"))
        return converted
    leaf = [_SEGMENT.split(str(h).strip())[-1] for h in header]
    items = {i: leaf.index(i) for i in instrument.item_ids if i in leaf}
    if PARTICIPANT not in leaf or not items:
        converted.problems.append(
            Problem(
                name,
                header_line,
                "",
                f"expected a column '{PARTICIPANT}' and columns named after the items of "
                f"'{instrument.id}' {instrument.item_ids} (with or without their group path; "
                f"got {header})",
            )
        )
        return converted
    who = leaf.index(PARTICIPANT)
    unanswered = 0
    with open(out, "w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["participant_id", "instrument", "wave", "item", "answer"])
        for line, row in rows:
            row = list(row) + [""] * (len(header) - len(row))
            participant = excel.cell_text(row[who]).strip()
            for item, at in items.items():
                cell = excel.cell_text(row[at]).strip()
                if cell == "":
                    unanswered += 1
                    continue
                if not re.fullmatch(r"-?\d+", cell):
                    converted.problems.append(
                        Problem(
                            name,
                            line,
                            str(header[at]),
                            f"{cell!r} is not a choice's name (expected a whole number on the "
                            "scale: export from Kobo with 'XML values and headers')",
                        )
                    )
                    continue
                writer.writerow([participant, instrument.id, wave, item, int(cell)])
                converted.origins.append((name, line))
    converted.note = (
        f"KoboToolbox export: {len(items)} question(s) read as items of '{instrument.id}', "
        f"wave {wave}; {unanswered} unanswered"
    )
    return converted


def _rows(path: Path, instrument: Instrument) -> Iterator[tuple[int, list[object]]]:
    """The header, then every non-blank row, each with its physical line (CSV) or Excel
    row (workbook)."""
    if excel.is_excel(path):
        _, rows = excel.sheet_rows(path, None)
        yield from rows
        return
    scan = dialects.scan_file(path)
    encoding = dialects.choose_encoding(scan, None)
    if isinstance(encoding, dialects.DialectProblem):
        raise ValueError(f"line {encoding.line}: {encoding.message}")
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    with open(path, encoding=codec, newline="") as handle:
        first = handle.readline()
        sep = max(dialects.SEPARATORS, key=first.count)
        handle.seek(0)
        reader = csv.reader(handle, delimiter=sep)
        previous_end = 0
        for row in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if any(cell.strip() for cell in row):
                yield line, list(row)

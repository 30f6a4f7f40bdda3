"""Load curves exported by the French distribution operator's customer portal (Enedis).

One file per meter: a few lines about the meter, then a header ``Début;Fin;Valeur (en
Kw)`` (accents and case vary) and one row per interval: its local start and end as
``dd/mm/yyyy hh:mm:ss`` and the **average power** over it in kW, with a decimal comma,
in Windows-1252 or UTF-8. A day has 48 half-hours, 46 on the spring daylight-saving
day and 50 on the autumn one.

Each row becomes one reading of the pilot's metric: the **energy** of the interval,
``kWh = kW x hours`` (30 minutes: ``kW x 0.5``), at the interval's start. The
repeated autumn hour's two occurrences are told apart by their order in the file (the
first is summer time), and written with their UTC offset, so that both land. The
meter is mapped to a participant by the file name (``H0001.csv`` -> ``H0001``), or by
a ``meter,participant_id`` file (``--meters``) for the PRM under the export's
``Identifiant PRM`` heading (the meters' ids are never stored). An
empty value (a reading the meter did not send) is left out and counted.

Use a ``sum`` metric (energy over the period) or ``rate_per_day`` (kWh per day).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from livinglab.errors import Problem
from livinglab.store import dialects
from livinglab.store.adapters import Converted

_STAMP = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_HEADER = re.compile(r"^\s*d[ée]but\s*$", re.IGNORECASE)
_PRM = re.compile(r"^\s*identifiant\s+prm\s*$", re.IGNORECASE)


def curve_files(path: Path) -> list[Path]:
    """The curve files given: a file, or every ``.csv`` of a folder (sorted)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    return [path]


def convert(
    paths: Sequence[Path],
    *,
    metric: str,
    timezone: str,
    out: Path,
    meters: Path | None = None,
) -> Converted:
    """Write the readings of every curve file to ``out`` (the common observations CSV).

    Without ``meters`` a file's participant is its name (``H0001.csv``); with it, the
    meter (the PRM under the file's ``Identifiant PRM`` heading, else the file's name)
    is looked up in that CSV's ``meter,participant_id`` columns, which are never
    stored."""
    converted = Converted(path=out)
    zone = ZoneInfo(timezone)
    owners = _meter_map(meters, converted.problems) if meters is not None else None
    empty = 0
    hours_seen: set[float] = set()
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["participant_id", "metric", "timestamp", "value"])
        for path in paths:
            meter, readings = _readings(path, zone, converted.problems)
            participant = path.stem.strip()
            if owners is not None:
                if meter[0] not in owners:
                    converted.problems.append(
                        Problem(
                            str(path),
                            meter[1],
                            "",
                            f"meter {meter[0]!r} is not in {meters} (expected a row "
                            "meter,participant_id for it)",
                        )
                    )
                    continue
                participant = owners[meter[0]]
            for line, when, kwh, hours in readings:
                if kwh is None:
                    empty += 1
                    continue
                hours_seen.add(hours)
                writer.writerow([participant, metric, when.isoformat(), repr(kwh)])
                converted.origins.append((str(path), line))
    steps = ", ".join(f"{round(h * 60)} min" for h in sorted(hours_seen)) or "none"
    converted.note = (
        f"Enedis load curves of {len(paths)} meter(s): average power in kW x the interval "
        f"({steps}) = kWh per interval"
        + (f"; {empty} interval(s) without a value left out" if empty else "")
    )
    return converted


def _meter_map(path: Path, problems: list[Problem]) -> dict[str, str]:
    """The ``meter,participant_id`` file as {meter: participant}."""
    rows = _csv_rows(path, problems, expected=("meter", "participant_id"))
    if not rows:
        if not problems:
            problems.append(Problem(str(path), 1, "", "is empty (expected meter,participant_id)"))
        return {}
    header = [h.strip() for h in rows[0]]
    if "meter" not in header or "participant_id" not in header:
        problems.append(
            Problem(str(path), 1, "", f"expected the columns meter,participant_id (got {header})")
        )
        return {}
    meter_at, owner_at = header.index("meter"), header.index("participant_id")
    owners: dict[str, str] = {}
    for index, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(str(path), index, "", f"has {len(row)} fields"))
            continue
        meter, owner = row[meter_at].strip(), row[owner_at].strip()
        if meter in owners and owners[meter] != owner:
            problems.append(
                Problem(str(path), index, "meter", f"meter {meter!r} is listed twice")
            )
        owners[meter] = owner
    return owners


def _csv_rows(path: Path, problems: list[Problem], expected: Sequence[str]) -> list[list[str]]:
    scan = dialects.scan_file(path)
    encoding = dialects.choose_encoding(scan, None)
    if isinstance(encoding, dialects.DialectProblem):
        problems.append(Problem(str(path), encoding.line, "", encoding.message))
        return []
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    with open(path, encoding=codec, newline="") as handle:
        sep = dialects.choose_separator(handle.readline(), expected, None)
        handle.seek(0)
        return list(csv.reader(handle, delimiter=sep))


def _readings(
    path: Path, zone: ZoneInfo, problems: list[Problem]
) -> tuple[tuple[str, int | None], list[tuple[int, datetime, float | None, float]]]:
    """The file's meter (its PRM and the line it is on, else its name) and readings."""
    meter: tuple[str, int | None] = (path.stem.strip(), None)
    scan = dialects.scan_file(path)
    encoding = dialects.choose_encoding(scan, None)
    if isinstance(encoding, dialects.DialectProblem):
        problems.append(Problem(str(path), encoding.line, "", encoding.message))
        return meter, []
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    with open(path, encoding=codec, newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    start = next((i for i, row in enumerate(rows) if row and _HEADER.match(row[0])), None)
    prm = next(
        (i for i, row in enumerate(rows[:start]) if row and _PRM.match(row[0])), None
    )
    if prm is not None and prm + 1 < len(rows) and rows[prm + 1] and rows[prm + 1][0].strip():
        meter = (rows[prm + 1][0].strip(), prm + 2)
    if start is None or len(rows[start]) < 3:
        problems.append(
            Problem(
                str(path),
                None,
                "",
                "has no header 'Début;Fin;Valeur' (expected an Enedis load curve export)",
            )
        )
        return meter, []
    seen: dict[datetime, int] = {}  # a local start time -> how many times it came
    out: list[tuple[int, datetime, float | None, float]] = []
    previous_hours = 0.5
    for index in range(start + 1, len(rows)):
        row, line = rows[index], index + 1  # no quoted line breaks in these exports
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            problems.append(Problem(str(path), line, "", f"has {len(row)} fields (expected 3)"))
            continue
        begin, end = _wall(row[0]), _wall(row[1])
        if begin is None or end is None:
            bad = row[0] if begin is None else row[1]
            field = "Début" if begin is None else "Fin"
            problems.append(
                Problem(
                    str(path), line, field, f"{bad!r} is not a date (expected dd/mm/yyyy hh:mm:ss)"
                )
            )
            continue
        hours = (end - begin).total_seconds() / 3600
        if not 0 < hours <= 1:  # the autumn change: the end's wall time goes back
            hours = previous_hours
        previous_hours = hours
        occurrence = seen.get(begin, 0)
        seen[begin] = occurrence + 1
        instant = _instant(begin, zone, occurrence)
        if instant is None:
            problems.append(
                Problem(
                    str(path),
                    line,
                    "Début",
                    f"{row[0].strip()!r} does not exist in {zone.key}: the clocks went forward "
                    "that night (daylight-saving change) (expected no interval in the "
                    "skipped hour)",
                )
            )
            continue
        text = row[2].strip()
        if text == "":
            out.append((line, instant, None, hours))
            continue
        try:
            power = float(text.replace(",", "."))
        except ValueError:
            problems.append(
                Problem(
                    str(path),
                    line,
                    "Valeur",
                    f"{text!r} is not a power in kW (expected e.g. 0,452)",
                )
            )
            continue
        out.append((line, instant, round(power * hours, 9), hours))
    return meter, out


def _wall(text: str) -> datetime | None:
    match = _STAMP.match(text)
    if not match:
        return None
    day, month, year, hour, minute, second = (int(g or 0) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _instant(wall: datetime, zone: ZoneInfo, occurrence: int) -> datetime | None:
    """The UTC instant of a local wall time; the ``occurrence``-th (0 or 1) of a time
    the autumn change repeats; None for a time the spring change skips."""
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        skipped = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall
        if skipped:
            return None
        chosen = second if occurrence else first
    else:
        chosen = first
    return chosen.astimezone(UTC)

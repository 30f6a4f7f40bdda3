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
meter is mapped to a participant by the file name (``H0001.csv`` -> ``H0001``). An
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


def curve_files(path: Path) -> list[Path]:
    """The curve files given: a file, or every ``.csv`` of a folder (sorted)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    return [path]


def convert(
    paths: Sequence[Path], *, metric: str, timezone: str, out: Path
) -> Converted:
    """Write the readings of every curve file to ``out`` (the common observations CSV)."""
    converted = Converted(path=out)
    zone = ZoneInfo(timezone)
    empty = 0
    hours_seen: set[float] = set()
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["participant_id", "metric", "timestamp", "value"])
        for path in paths:
            for line, when, kwh, hours in _readings(path, zone, converted.problems):
                if kwh is None:
                    empty += 1
                    continue
                hours_seen.add(hours)
                writer.writerow([path.stem.strip(), metric, when.isoformat(), repr(kwh)])
                converted.origins.append((str(path), line))
    steps = ", ".join(f"{round(h * 60)} min" for h in sorted(hours_seen)) or "none"
    converted.note = (
        f"Enedis load curves of {len(paths)} meter(s): average power in kW x the interval "
        f"({steps}) = kWh per interval"
        + (f"; {empty} interval(s) without a value left out" if empty else "")
    )
    return converted


def _readings(
    path: Path, zone: ZoneInfo, problems: list[Problem]
) -> list[tuple[int, datetime, float | None, float]]:
    scan = dialects.scan_file(path)
    encoding = dialects.choose_encoding(scan, None)
    if isinstance(encoding, dialects.DialectProblem):
        problems.append(Problem(str(path), encoding.line, "", encoding.message))
        return []
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    with open(path, encoding=codec, newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    start = next((i for i, row in enumerate(rows) if row and _HEADER.match(row[0])), None)
    if start is None or len(rows[start]) < 3:
        problems.append(
            Problem(
                str(path),
                None,
                "",
                "has no header 'Début;Fin;Valeur' (expected an Enedis load curve export)",
            )
        )
        return []
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
    return out


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

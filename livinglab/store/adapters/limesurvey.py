"""LimeSurvey response exports: one row per response, one column per question code.

The export (``Responses > Export > CSV``, answer codes, question codes as headings)
has columns such as ``id, submitdate, lastpage, startlanguage, token`` and one per
sub-question, ``SUS[SQ001]``, holding an answer code (``A1`` .. ``A5``), ``N/A`` or
nothing when not answered. The instrument's YAML says how to read it (its
``limesurvey`` mapping, :class:`livinglab.spec.models.LimeSurveyMapping`): which column
holds the participant's id, which question code is which item, which answer code is
which scale value. Each answered question becomes one common response row of the
given wave; an unanswered one is a missing answer (counted), and a response without a
``submitdate`` (not completed) is left out (counted).
"""

from __future__ import annotations

import csv
from pathlib import Path

from livinglab.errors import Problem
from livinglab.spec.models import Instrument, LimeSurveyMapping
from livinglab.store import dialects
from livinglab.store.adapters import Converted

NO_ANSWER = ("", "N/A")


def convert(path: Path, *, instrument: Instrument, wave: str, out: Path) -> Converted:
    """Write the export's answers to ``out`` (the common responses CSV)."""
    converted = Converted(path=out)
    mapping = instrument.limesurvey
    if mapping is None:
        converted.problems.append(
            Problem(
                str(path),
                None,
                "",
                f"instrument '{instrument.id}' has no limesurvey mapping (expected one in its "
                "YAML: limesurvey: {participant: token, items: {'SUS[SQ001]': s1, ...}, "
                "answers: {A1: 1, ...}})",
            )
        )
        return converted
    scan = dialects.scan_file(path)
    encoding = dialects.choose_encoding(scan, None)
    if isinstance(encoding, dialects.DialectProblem):
        converted.problems.append(Problem(str(path), encoding.line, "", encoding.message))
        return converted
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    with open(path, encoding=codec, newline="") as handle:
        header_line = handle.readline()
        expected = [mapping.participant, *mapping.items]
        sep = dialects.choose_separator(header_line, expected, None)
        handle.seek(0)
        reader = csv.reader(handle, delimiter=sep)
        header = [h.strip() for h in next(reader, [])]
        if not _has_columns(path, header, mapping, converted):
            return converted
        with open(out, "w", encoding="utf-8", newline="") as target:
            writer = csv.writer(target)
            writer.writerow(["participant_id", "instrument", "wave", "item", "answer"])
            counts = _write(path, reader, header, mapping, instrument, wave, writer, converted)
    unanswered, incomplete = counts
    converted.note = (
        f"LimeSurvey export: {len(mapping.items)} question code(s) read as items of "
        f"'{instrument.id}', wave {wave}; {unanswered} unanswered (N/A or empty)"
        + (f"; {incomplete} incomplete response(s) left out" if incomplete else "")
    )
    return converted


def _has_columns(
    path: Path, header: list[str], mapping: LimeSurveyMapping, converted: Converted
) -> bool:
    missing = [c for c in (mapping.participant, *mapping.items) if c not in header]
    for column in missing:
        converted.problems.append(
            Problem(
                str(path),
                1,
                column,
                f"missing column '{column}' (expected the columns the instrument's "
                "limesurvey mapping names)",
            )
        )
    return not missing


def _write(
    path: Path,
    reader: csv.Reader,  # type: ignore[name-defined]
    header: list[str],
    mapping: LimeSurveyMapping,
    instrument: Instrument,
    wave: str,
    writer: csv.Writer,  # type: ignore[name-defined]
    converted: Converted,
) -> tuple[int, int]:
    at = {name: i for i, name in enumerate(header)}
    submitted = at.get("submitdate")
    unanswered = incomplete = 0
    previous_end = reader.line_num
    for row in reader:
        line, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            converted.problems.append(
                Problem(str(path), line, "", f"has {len(row)} fields (expected {len(header)})")
            )
            continue
        if submitted is not None and row[submitted].strip() == "":
            incomplete += 1
            continue
        participant = row[at[mapping.participant]].strip()
        for code, item in mapping.items.items():
            cell = row[at[code]].strip()
            if cell in NO_ANSWER:
                unanswered += 1
                continue
            value = mapping.answers.get(cell)
            if value is None and cell.lstrip("-").isdigit():
                value = int(cell)
            if value is None:
                codes = ", ".join(mapping.answers) or "numbers"
                converted.problems.append(
                    Problem(
                        str(path),
                        line,
                        code,
                        f"answer code {cell!r} is not in the limesurvey mapping of "
                        f"'{instrument.id}' (expected one of {codes}, or N/A)",
                    )
                )
                continue
            writer.writerow([participant, instrument.id, wave, item, value])
            converted.origins.append((str(path), line))
    return unanswered, incomplete

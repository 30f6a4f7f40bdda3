"""How a CSV file is written: its encoding, separator, decimal mark and date order.

A city's files come from Excel in French as often as from a script: ``;`` between
fields, ``11,8`` for eleven point eight, ``02/03/2026 00:30`` for the 2nd of March, and
Windows-1252 bytes. Each of these is detected from the file, or set by the user
(:class:`CsvOptions`, the CLI's ``--sep --decimal --encoding --dayfirst``), and the
import report says what was read (:meth:`Dialect.describe`). What cannot be told from
the file is refused with the choice to make, never guessed:

- **encoding**: UTF-8 (with or without a BOM) when every byte decodes; otherwise
  Windows-1252, unless the file also holds valid UTF-8 accents before its first bad
  byte (two encodings mixed: refused at that byte's physical line).
- **separator**: the one of ``,`` ``;`` tab that splits the header into the expected
  column names.
- **decimal mark**: a dot, or a comma when the separator is not a comma and the
  sample's numbers use commas only (both seen: refused, naming a line of each).
- **date order**: ISO dates need none; ``dd/mm/yyyy`` or ``mm/dd/yyyy`` is told by a
  first or second number above 12 in the sample (both seen: refused); a sample with
  only dates like ``03/04/2026`` is refused, asking for ``--dayfirst`` or
  ``--monthfirst``.

The decimal mark and date order are decided from the first :data:`SAMPLE_BYTES` (1 MB) of
the file; a later cell that does not fit is refused with its line.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

SCAN_BLOCK_BYTES = 1 << 22
"""Bytes hashed and scanned at a time."""
SAMPLE_BYTES = 1 << 20
"""Bytes read to detect the separator, the decimal mark and the date order."""

Encoding = Literal["utf-8", "cp1252", "latin-1"]
ENCODING_NAMES: dict[str, str] = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1"}
_ENCODING_ALIASES = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "win1252": "cp1252",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
}
SEPARATORS = (",", ";", "\t")
_SEPARATOR_NAMES = {",": "','", ";": "';'", "\t": "tab"}
DateOrder = Literal["iso", "dmy", "mdy"]

_SLASH_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})")
_COMMA_NUMBER = re.compile(r"^\s*[+-]?\d*,\d+\s*$")
_DOT_NUMBER = re.compile(r"^\s*[+-]?\d*\.\d+\s*$")


@dataclass(frozen=True)
class CsvOptions:
    """What the user says about a file's dialect; None: detect it from the file."""

    sep: str | None = None
    decimal: str | None = None
    encoding: str | None = None
    dayfirst: bool | None = None
    sheet: str | None = None
    """An Excel workbook's sheet (None: the first one)."""


@dataclass(frozen=True)
class Dialect:
    """How a CSV file was read."""

    encoding: Encoding = "utf-8"
    sep: str = ","
    decimal: str | None = "."
    """None: the file has no column of decimal numbers."""
    date_order: DateOrder = "iso"

    @property
    def python_encoding(self) -> str:
        """The codec to open the file with (UTF-8 drops a BOM)."""
        return "utf-8-sig" if self.encoding == "utf-8" else self.encoding

    def describe(self) -> str:
        """What was read, for the import report: ``';', decimal comma, Windows-1252,
        dd/mm/yyyy``."""
        parts = [_SEPARATOR_NAMES.get(self.sep, repr(self.sep))]
        if self.decimal is not None:
            parts.append("decimal comma" if self.decimal == "," else "decimal dot")
        parts.append(ENCODING_NAMES[self.encoding])
        if self.date_order != "iso":
            parts.append("dd/mm/yyyy" if self.date_order == "dmy" else "mm/dd/yyyy")
        return ", ".join(parts)


class Scan(NamedTuple):
    """What one pass over a file's bytes tells (see :func:`scan_file`)."""

    sha256: str
    plain: bool
    """UTF-8 and simple: the fast reader may read it as UTF-8."""
    simple: bool
    """Not empty; no quote, no NUL, no carriage return other than in ``\\r\\n``."""
    bad_utf8_line: int | None
    """The physical line of the first byte that is not UTF-8 (None: all UTF-8)."""
    utf8_before_bad: bool
    """Valid multi-byte UTF-8 came before that byte: two encodings are mixed."""
    bad_cp1252_line: int | None
    """The physical line of the first byte Windows-1252 leaves undefined."""


_CP1252_UNDEFINED = re.compile(b"[\x81\x8d\x8f\x90\x9d]")


def scan_file(path: Path, block_bytes: int | None = None) -> Scan:
    """The file's SHA-256, whether it is plain, and where its encoding breaks, in one
    pass over its bytes.

    Simple: not empty, no quote character, no NUL, and no carriage return other than in
    ``\\r\\n``; in a simple file every physical line is one row or a blank line, so the
    fast reader (pyarrow) numbers rows as the csv module does (it sends a file with a
    blank line back to the csv module). Plain: simple and UTF-8 (an optional BOM).
    A decoding error is located by its physical line (newlines counted up to its byte),
    not by the decoder's block.
    """
    size = block_bytes or SCAN_BLOCK_BYTES
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    simple = True
    empty = True
    pending_cr = False  # the previous block ended with b"\r"
    newlines = 0  # newlines before the current block
    bad_utf8: int | None = None
    multibyte_before = False
    bad_cp1252: int | None = None
    with open(path, "rb") as handle:
        while block := handle.read(size):
            digest.update(block)
            empty = False
            if simple:
                if b'"' in block or b"\x00" in block:
                    simple = False
                if pending_cr and not block.startswith(b"\n"):
                    simple = False  # a lone carriage return
                pending_cr = block.endswith(b"\r")
                if b"\r" in block and block.count(b"\r") - block.count(b"\r\n") != pending_cr:
                    simple = False
            if not block.isascii():
                if bad_utf8 is None:
                    buffered = decoder.getstate()[0]
                    try:
                        decoder.decode(block)
                        multibyte_before = True
                    except UnicodeDecodeError as error:
                        offset = error.start - len(buffered)  # may be negative: an earlier block
                        if offset < 0:
                            bad_utf8 = newlines + 1 - buffered.count(b"\n")
                        else:
                            bad_utf8 = newlines + block.count(b"\n", 0, offset) + 1
                        multibyte_before = multibyte_before or not block[: max(offset, 0)].isascii()
                if bad_cp1252 is None and (found := _CP1252_UNDEFINED.search(block)):
                    bad_cp1252 = newlines + block.count(b"\n", 0, found.start()) + 1
            newlines += block.count(b"\n")
    if bad_utf8 is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad_utf8 = newlines + 1
    simple = simple and not pending_cr and not empty
    return Scan(
        digest.hexdigest(),
        simple and bad_utf8 is None,
        simple,
        bad_utf8,
        multibyte_before,
        bad_cp1252,
    )


class DialectProblem(NamedTuple):
    """Why a dialect could not be decided: the line and field at fault, and the choice."""

    line: int | None
    field: str
    message: str


def choose_encoding(scan: Scan, asked: str | None) -> Encoding | DialectProblem:
    """The encoding to read with: asked for, or detected (see the module's docstring)."""
    if asked is not None:
        encoding = _ENCODING_ALIASES.get(asked.strip().lower())
        if encoding is None:
            return DialectProblem(
                None,
                "",
                f"unknown encoding {asked!r} (expected utf-8, cp1252 (Windows-1252) or latin-1)",
            )
        if encoding == "utf-8" and scan.bad_utf8_line is not None:
            return DialectProblem(
                scan.bad_utf8_line,
                "",
                "is not UTF-8 text (the file was read as UTF-8 as asked; if it was saved by "
                "Excel in French, give --encoding cp1252)",
            )
        if encoding == "cp1252" and scan.bad_cp1252_line is not None:
            return DialectProblem(
                scan.bad_cp1252_line,
                "",
                "has a byte Windows-1252 does not define (expected Windows-1252 text as asked;"
                " try --encoding utf-8 or latin-1)",
            )
        return encoding  # type: ignore[return-value]
    if scan.bad_utf8_line is None:
        return "utf-8"
    if scan.utf8_before_bad:
        return DialectProblem(
            scan.bad_utf8_line,
            "",
            "is not UTF-8 text, though the lines before it are: the file mixes two encodings "
            "(expected one; save the file again as CSV UTF-8)",
        )
    if scan.bad_cp1252_line is not None:
        return "latin-1"
    return "cp1252"


def choose_separator(header_line: str, expected: Sequence[str], asked: str | None) -> str:
    """The separator: asked for, else the one that splits the header into expected
    column names (the most of them), else a comma (the header check then names what it
    got)."""
    if asked is not None:
        return "\t" if asked in ("tab", "\\t") else asked
    best, best_hits = ",", 0
    for sep in SEPARATORS:
        names = {c.strip().strip('"') for c in header_line.split(sep)}
        hits = len(names & set(expected))
        if hits > best_hits:
            best, best_hits = sep, hits
    return best


def sample_rows(path: Path, dialect: Dialect) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the rows (with their physical line) of the file's first
    :data:`SAMPLE_BYTES`; the last, maybe cut, row is left out."""
    with open(path, "rb") as handle:
        data = handle.read(SAMPLE_BYTES)
        whole = not handle.read(1)
    if not whole:
        data = data[: data.rfind(b"\n") + 1]
    text = data.decode(dialect.python_encoding, errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.sep)
    header = [h.strip() for h in next(reader, [])]
    rows: list[tuple[int, list[str]]] = []
    previous_end = reader.line_num
    try:
        for row in reader:
            rows.append((previous_end + 1, row))
            previous_end = reader.line_num
    except csv.Error:
        pass  # the reader proper reports it with its line
    return header, rows


def choose_decimal(
    column: Sequence[tuple[int, str]], sep: str, asked: str | None, field: str
) -> str | DialectProblem:
    """The decimal mark of a column of numbers ((line, cell) pairs of the sample)."""
    if asked is not None:
        if asked not in (".", ","):
            return DialectProblem(None, field, f"unknown decimal mark {asked!r} (expected . or ,)")
        return asked
    if sep == ",":
        return "."  # a comma-separated file with decimal commas must say so
    comma = next(((line, c) for line, c in column if _COMMA_NUMBER.match(c)), None)
    dot = next(((line, c) for line, c in column if _DOT_NUMBER.match(c)), None)
    if comma and dot:
        return DialectProblem(
            comma[0],
            field,
            f"{comma[1]!r} has a decimal comma but line {dot[0]} ({dot[1]!r}) a decimal dot "
            "(expected one decimal mark: give --decimal , or --decimal .)",
        )
    return "," if comma else "."


def choose_date_order(
    column: Sequence[tuple[int, str]], asked: bool | None, field: str
) -> DateOrder | DialectProblem:
    """The order of ``nn/nn/yyyy`` dates in a column ((line, cell) pairs of the sample)."""
    slashed = [(line, c, _SLASH_DATE.match(c)) for line, c in column]
    found = [(line, c, int(m[1]), int(m[2])) for line, c, m in slashed if m]
    if not found:
        return "iso" if asked is None else ("dmy" if asked else "mdy")
    if asked is not None:
        return "dmy" if asked else "mdy"
    day_first = next(((line, c) for line, c, a, _ in found if a > 12), None)
    month_first = next(((line, c) for line, c, _, b in found if b > 12), None)
    if day_first and month_first:
        return DialectProblem(
            month_first[0],
            field,
            f"{month_first[1]!r} has its day second, but line {day_first[0]} "
            f"({day_first[1]!r}) has it first (expected one date order in the file)",
        )
    if day_first:
        return "dmy"
    if month_first:
        return "mdy"
    line, cell = found[0][0], found[0][1]
    a, b = found[0][2], found[0][3]
    return DialectProblem(
        line,
        field,
        f"dates like {cell.strip()!r} can be read day first ({a} {_MONTHS[b - 1]}) or month "
        f"first ({b} {_MONTHS[a - 1]}), and no date in the file's first lines tells which "
        "(expected --dayfirst or --monthfirst)",
    )


_MONTHS = (
    "January February March April May June July August September October November December"
).split()

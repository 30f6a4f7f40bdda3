"""Reading an import's files, streaming, in chunks of rows with the physical line of
each: CSV (any dialect of :mod:`livinglab.store.dialects`, by Python's csv module or,
for a plain file, by pyarrow), Excel sheets (:mod:`livinglab.store.excel`) and
Parquet. A reader reports what is wrong with the file itself (its header, a row with
the wrong number of fields, an encoding it cannot decode); the checks of the cells are
:mod:`livinglab.store.row_checks`'.
"""

from __future__ import annotations

import bisect
import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from livinglab.store import dialects, excel
from livinglab.store.dialects import CsvOptions, Dialect, DialectProblem
from livinglab.store.import_problems import Problems

CHUNK_ROWS = 100_000
"""Rows read, checked and staged at a time."""
SCAN_BLOCK_BYTES = dialects.SCAN_BLOCK_BYTES
"""Bytes hashed and scanned at a time."""
CSV_BLOCK_BYTES = 1 << 18
"""Bytes pyarrow parses at a time (its streaming reader holds some 36 blocks ahead: a
small block keeps memory low, and is as fast)."""

PARTICIPANT_COLUMNS = ("participant_id", "cohort")
LEFT_ON = "left_on"
"""The participants file's optional column: the first day out of the pilot (ISO date)."""
OBSERVATION_COLUMNS = ("participant_id", "metric", "timestamp", "value")
RESPONSE_COLUMNS = ("participant_id", "instrument", "wave", "item", "answer")


@dataclass
class Chunk:
    """Rows of a file: their line numbers and one Series per column."""

    lines: np.ndarray
    columns: dict[str, pd.Series | Column]

    def __len__(self) -> int:
        return len(self.lines)


@dataclass
class Source:
    path: Path
    name: str
    rows_read: int = 0
    sha256: str = ""
    parquet: bool = False
    plain: bool = False  # see scan_source: the fast CSV reader may read it
    dialect: Dialect = field(default_factory=Dialect)
    trimmed: int = 0  # id and code cells with surrounding white space removed
    excel: bool = False  # an Excel workbook: lines are the sheet's Excel rows
    kind: str = ""  # participants, observations or responses
    options: CsvOptions = field(default_factory=CsvOptions)
    header_line: int = 1

    @property
    def where(self) -> str:
        return "row" if self.parquet or self.excel else "line"


def check_header(
    source: Source,
    header: Sequence[str],
    required: Sequence[str],
    optional: Sequence[str],
    problems: Problems,
) -> bool:
    line = None if source.parquet else source.header_line
    ok = True
    expected = ",".join(required) + ("[," + ",".join(optional) + "]" if optional else "")
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.add(
                source.name, line, column, f"column '{column}' appears twice in the header"
            )
            ok = False
        seen.add(column)
        if column not in required and column not in optional:
            problems.add(
                source.name,
                line,
                column,
                f"unexpected column '{column}' (expected the columns {expected})",
            )
            ok = False
    for column in required:
        if column not in seen:
            problems.add(
                source.name,
                line,
                column,
                f"missing column '{column}' (expected the columns {expected})",
            )
            ok = False
    return ok


def csv_chunks(
    source: Source, required: Sequence[str], optional: Sequence[str], problems: Problems
) -> Iterator[Chunk]:
    """The rows of a CSV file, in chunks, with the physical line where each starts."""
    try:
        handle = open(  # noqa: SIM115
            source.path, encoding=source.dialect.python_encoding, newline=""
        )
    except OSError as exc:
        problems.add(source.name, None, "", f"cannot be read: {exc.strerror}")
        return
    with handle:
        reader = csv.reader(handle, delimiter=source.dialect.sep)
        try:
            header = next(reader, None)
            if header is None:
                problems.add(
                    source.name,
                    1,
                    "",
                    f"the file is empty (expected a header line {','.join(required)})",
                )
                return
            header = [h.strip() for h in header]
            if not check_header(source, header, required, optional, problems):
                return
            width = len(header)
            lines: list[int] = []
            rows: list[list[str]] = []
            previous_end = reader.line_num
            for row in reader:
                start = previous_end + 1  # a quoted field may span lines: report the first
                previous_end = reader.line_num
                if len(row) == width:
                    lines.append(start)
                    rows.append(row)
                    if len(rows) >= CHUNK_ROWS:
                        source.rows_read += len(rows)
                        yield make_chunk(lines, header, rows)
                        lines, rows = [], []
                elif row:  # not a blank line
                    source.rows_read += 1
                    problems.add(
                        source.name,
                        start,
                        "",
                        f"has {len(row)} fields (expected {width}, as in the header)",
                    )
            if rows:
                source.rows_read += len(rows)
                yield make_chunk(lines, header, rows)
        except UnicodeDecodeError:
            problems.add(
                source.name,
                reader.line_num + 1,
                "",
                "is not UTF-8 text (save the file as CSV UTF-8)",
            )
        except csv.Error as exc:
            problems.add(source.name, reader.line_num, "", f"is not valid CSV: {exc}")


def rows_chunks(
    source: Source, required: Sequence[str], optional: Sequence[str], problems: Problems
) -> Iterator[Chunk]:
    """The rows of a CSV file or an Excel sheet, in chunks of text cells."""
    if source.excel:
        return excel_chunks(source, required, optional, problems)
    return csv_chunks(source, required, optional, problems)


def excel_chunks(
    source: Source, required: Sequence[str], optional: Sequence[str], problems: Problems
) -> Iterator[Chunk]:
    """The rows of an Excel sheet (:mod:`livinglab.store.excel`), in chunks of text
    cells, each with its Excel row. The problems name the file with its sheet,
    ``releves.xlsx[Feuil1]``, and the row. The decimal mark and date order of cells
    typed as text are decided from the first chunk, as for a CSV file."""
    try:
        sheet, rows = excel.sheet_rows(source.path, source.options.sheet)
    except excel.SheetError as exc:
        problems.add(source.name, None, "", str(exc))
        return
    source.name = f"{source.name}[{sheet}]"
    first = next(rows, None)
    if first is None:
        problems.add(
            source.name, 1, "", f"the sheet is empty (expected a header row {','.join(required)})"
        )
        return
    source.header_line, cells = first
    header = [excel.cell_text(c).strip() for c in cells]
    while header and header[-1] == "":
        header.pop()
    if not check_header(source, header, required, optional, problems):
        return
    width = len(header)
    lines: list[int] = []
    batch: list[list[object]] = []
    decided = False

    def chunk() -> Chunk | None:
        nonlocal decided
        if not decided:
            decided = True
            if not decide_excel_dialect(source, header, batch, lines, problems):
                return None
        decimal = source.dialect.decimal or "."
        source.rows_read += len(batch)
        if source.kind == "observations":
            # Each distinct cell is converted to text once (readings repeat ids,
            # metrics and timestamps), then checked once: see Column.
            return Chunk(
                lines=np.asarray(lines, dtype=np.int64),
                columns={
                    name: excel_column(list(values), decimal)
                    for name, values in zip(header, zip(*batch, strict=True), strict=True)
                },
            )
        text = [[excel.cell_text(c, decimal) for c in row] for row in batch]
        return make_chunk(lines, header, text)

    for line, row in rows:
        if len(row) != width:
            if row[width:].count("") != len(row[width:]):
                source.rows_read += 1
                problems.add(
                    source.name,
                    line,
                    "",
                    f"has a value beyond the header's {width} columns (expected {width} cells)",
                )
                continue
            row = row[:width] + [""] * (width - len(row))
        lines.append(line)
        batch.append(row)
        if len(batch) >= CHUNK_ROWS:
            made = chunk()
            if made is None:
                return
            yield made
            lines, batch = [], []
    if batch:
        made = chunk()
        if made is not None:
            yield made


def excel_column(values: list[object], decimal: str) -> Column:
    """A sheet's column as its distinct cells' texts and one code per row."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    texts = [excel.cell_text(value, decimal) for value in distinct]
    return Column(pd.Series(texts, dtype=object), np.asarray(codes))


def decide_excel_dialect(
    source: Source,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    lines: Sequence[int],
    problems: Problems,
) -> bool:
    """The decimal mark and date order of an Excel sheet's cells typed as text (numbers
    and dates typed as such need neither); False, with the problem, if undecidable."""
    options = source.options

    def texts(column: str | None) -> list[tuple[int, str]]:
        if column is None or column not in header:
            return []
        at = header.index(column)
        return [
            (line, str(row[at]))
            for line, row in zip(lines, rows, strict=True)
            if isinstance(row[at], str)
        ]

    number_column = NUMBER_COLUMNS.get(source.kind)
    date_column = DATE_COLUMNS.get(source.kind)
    decimal: str | DialectProblem | None = None
    if number_column in header:
        decimal = dialects.choose_decimal(texts(number_column), ";", options.decimal, "value")
    order: dialects.DateOrder | DialectProblem = "iso"
    if date_column is not None and date_column in header:
        order = dialects.choose_date_order(texts(date_column), options.dayfirst, date_column)
    for decided in (decimal, order):
        if isinstance(decided, DialectProblem):
            problems.add(source.name, decided.line, decided.field, decided.message)
    if isinstance(decimal, DialectProblem) or isinstance(order, DialectProblem):
        return False
    source.dialect = Dialect(encoding="utf-8", sep=",", decimal=decimal, date_order=order)
    return True


class NotPlain(Exception):
    """The fast reader met something the scan did not foresee: read with the csv module."""


def fast_csv_chunks(
    source: Source, required: Sequence[str], problems: Problems
) -> Iterator[Chunk]:
    """The rows of a plain CSV file (see :func:`scan_source`), parsed by pyarrow.

    Yields the same chunks, rows, line numbers, problems and ``rows_read`` as
    :func:`csv_chunks`, in the same order, but each column comes as its distinct
    cells and one code per row (a :class:`Column`), so that the checks convert each
    distinct cell once. A row with a wrong number of fields is reported by the line
    pyarrow gives it, which is its physical line since a plain file has one row per
    line. Raises :class:`NotPlain` (nothing reported) if pyarrow fails.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(source.path, encoding=source.dialect.python_encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=source.dialect.sep)
        header = next(reader, None)
        if header is None or len(header) == 0:
            raise NotPlain("no header")
        header = [h.strip() for h in header]
        if not check_header(source, header, required, (), problems):
            return
        if next(reader, None) is None:
            return  # a header and no rows
    width = len(header)
    # The rows pyarrow skipped (wrong number of fields), in line order: their lines and
    # field counts, from the first one not yet reported or not yet passed by next_line.
    skipped_lines: list[int] = []
    skipped_fields: list[int] = []
    reported = 0  # how many of them are reported
    next_line = 2  # the physical line of the next row pyarrow returns, skips aside

    def on_invalid(row: Any) -> str:
        if row.number is None or row.text == "":
            raise NotPlain("a row pyarrow could not number, or a blank line")
        skipped_lines.append(row.number)
        skipped_fields.append(row.actual_columns)
        return "skip"

    def report_skipped(before: int | None) -> None:
        """Report the skipped rows on lines < ``before`` (all: None), as the csv module
        path reports them: when the reader passes them, before the chunk they precede;
        then forget those that are reported and behind."""
        nonlocal reported
        while reported < len(skipped_lines) and (
            before is None or skipped_lines[reported] < before
        ):
            source.rows_read += 1
            problems.add(
                source.name,
                skipped_lines[reported],
                "",
                f"has {skipped_fields[reported]} fields (expected {width}, as in the header)",
            )
            reported += 1
        done = min(reported, bisect.bisect_left(skipped_lines, next_line))
        del skipped_lines[:done], skipped_fields[:done]
        reported -= done

    pending: list[Any] = []
    pending_rows = 0

    def make(batches: list[Any], count: int) -> Chunk:
        nonlocal next_line
        table = pa.Table.from_batches(batches)
        # the k-th row is on line next_line + k + (rows skipped on lines before it)
        first = bisect.bisect_left(skipped_lines, next_line)
        skipped = np.asarray(skipped_lines[first:], dtype=np.int64)
        before_skip = skipped - next_line - np.arange(len(skipped))  # rows kept before each
        ordinal = np.arange(count, dtype=np.int64)
        lines = next_line + ordinal + np.searchsorted(before_skip, ordinal, side="right")
        next_line = int(lines[-1]) + 1 if count else next_line
        columns = {c: Column.encode(table.column(c)) for c in required}
        if empty_rows(columns.values()).any():
            # A blank line (pyarrow reads it as a row of empty cells) or a line of
            # commas only: only the csv module tells them apart.
            raise NotPlain("a row of empty cells")
        return Chunk(lines=lines, columns=columns)

    try:
        batches = pacsv.open_csv(
            source.path,
            read_options=pacsv.ReadOptions(
                use_threads=False,  # rows must be numbered in order
                block_size=CSV_BLOCK_BYTES,
                encoding="utf8" if source.dialect.encoding == "utf-8" else source.dialect.encoding,
                skip_rows=1,
                column_names=header,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=source.dialect.sep,
                quote_char=False,
                double_quote=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,  # a blank line must not go unseen (see make)
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                include_columns=list(required),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in batches:
            pending.append(batch)
            pending_rows += batch.num_rows
            while pending_rows >= CHUNK_ROWS:
                table = pa.Table.from_batches(pending)
                head, rest = table.slice(0, CHUNK_ROWS), table.slice(CHUNK_ROWS)
                chunk = make(head.to_batches(), CHUNK_ROWS)
                pending, pending_rows = rest.to_batches(), rest.num_rows
                report_skipped(int(chunk.lines[-1]))
                source.rows_read += len(chunk)
                yield chunk
        report_skipped(None)
        if pending_rows:
            chunk = make(pending, pending_rows)
            source.rows_read += len(chunk)
            yield chunk
    except (pa.ArrowException, UnicodeDecodeError) as exc:
        raise NotPlain(str(exc)) from exc


def empty_rows(columns: Iterable[Column]) -> np.ndarray:
    """Which rows have an empty string in every column (none: an empty array)."""
    empty: np.ndarray | bool = True
    for column in columns:
        is_empty = column.cells.to_numpy() == ""
        if not is_empty.any():
            return np.zeros(0, dtype=bool)
        empty = empty & column.per_row(is_empty)
    return np.asarray(empty, dtype=bool)


@dataclass
class Column:
    """One column of a chunk: its distinct cells and, per row, the index of its cell.

    Without ``codes`` the cells are the rows themselves (one cell per row).
    """

    cells: pd.Series
    codes: np.ndarray | None = None

    @classmethod
    def encode(cls, array: Any) -> Column:
        """A pyarrow string column, as its distinct strings (Python str) and codes."""
        encoded = array.combine_chunks().dictionary_encode()
        cells = encoded.dictionary.to_numpy(zero_copy_only=False)
        return cls(pd.Series(cells, dtype=object), encoded.indices.to_numpy())

    @classmethod
    def of(cls, column: pd.Series | Column) -> Column:
        return column if isinstance(column, Column) else cls(column.reset_index(drop=True))

    def __len__(self) -> int:
        return len(self.cells) if self.codes is None else len(self.codes)

    def at(self, row: int) -> Any:
        """The cell of a row."""
        return self.cells.iat[row if self.codes is None else int(self.codes[row])]

    def per_row(self, per_cell: np.ndarray) -> np.ndarray:
        """Spread an array of one value per cell to one value per row."""
        return per_cell if self.codes is None else per_cell[self.codes]


def make_chunk(lines: list[int], header: Sequence[str], rows: list[list[str]]) -> Chunk:
    columns = zip(*rows, strict=True)
    return Chunk(
        lines=np.asarray(lines, dtype=np.int64),
        columns={
            name: pd.Series(values, dtype=object)
            for name, values in zip(header, columns, strict=True)
        },
    )


def parquet_chunks(
    source: Source, required: Sequence[str], problems: Problems
) -> Iterator[Chunk]:
    """The rows of a Parquet file in record batches; a row's "line" is its 1-based number."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source.path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        problems.add(source.name, None, "", f"is not a readable Parquet file: {exc}")
        return
    header = list(parquet.schema_arrow.names)
    if not check_header(source, header, required, (), problems):
        return
    offset = 0
    for batch in parquet.iter_batches(batch_size=CHUNK_ROWS, columns=list(required)):
        frame = batch.to_pandas(date_as_object=False)  # a date column reads as midnight UTC
        count = len(frame)
        source.rows_read += count
        lines = np.arange(offset + 1, offset + count + 1, dtype=np.int64)
        offset += count
        yield Chunk(lines=lines, columns={c: frame[c].reset_index(drop=True) for c in required})


def described(source: Source) -> str:
    if source.parquet:
        return ""
    if source.excel:
        extra = [
            *(["decimal comma"] if source.dialect.decimal == "," else []),
            *([] if source.dialect.date_order == "iso" else [
                "dd/mm/yyyy" if source.dialect.date_order == "dmy" else "mm/dd/yyyy"
            ]),
        ]
        return ", ".join(["Excel sheet", *extra])
    return source.dialect.describe()


COLUMNS_OF_KIND = {
    "participants": PARTICIPANT_COLUMNS,
    "observations": OBSERVATION_COLUMNS,
    "responses": RESPONSE_COLUMNS,
}
NUMBER_COLUMNS = {"observations": "value"}
DATE_COLUMNS = {"observations": "timestamp", "participants": LEFT_ON}


def choose_dialect(
    source: Source, kind: str, scan: dialects.Scan, options: CsvOptions, problems: Problems
) -> None:
    """Decide how to read a CSV file (see :mod:`livinglab.store.dialects`): its
    encoding, separator, decimal mark and date order; report what cannot be decided."""

    def refuse(problem: DialectProblem) -> None:
        problems.add(source.name, problem.line, problem.field, problem.message)

    encoding = dialects.choose_encoding(scan, options.encoding)
    if isinstance(encoding, DialectProblem):
        refuse(encoding)
        return
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    with open(source.path, encoding=codec, errors="replace", newline="") as handle:
        header_line = handle.readline()
    sep = dialects.choose_separator(header_line, COLUMNS_OF_KIND[kind], options.sep)
    dialect = Dialect(encoding=encoding, sep=sep)
    number_column, date_column = NUMBER_COLUMNS.get(kind), DATE_COLUMNS.get(kind)
    header, rows = dialects.sample_rows(source.path, dialect)

    def cells(column: str | None) -> list[tuple[int, str]]:
        """The column's distinct cells in the sample, each with its first line."""
        if column is None or column not in header:
            return []
        at, width = header.index(column), len(header)
        first: dict[str, int] = {}
        for line, row in rows:
            if len(row) == width and row[at] not in first:
                first[row[at]] = line
        return [(line, cell) for cell, line in first.items()]

    decimal: str | DialectProblem | None = None
    if number_column in header:
        decimal = dialects.choose_decimal(cells(number_column), sep, options.decimal, "value")
    order: dialects.DateOrder | DialectProblem = "iso"
    if date_column is not None and date_column in header:
        order = dialects.choose_date_order(cells(date_column), options.dayfirst, date_column)
    for decided in (decimal, order):
        if isinstance(decided, DialectProblem):
            refuse(decided)
    if isinstance(decimal, DialectProblem) or isinstance(order, DialectProblem):
        return
    source.dialect = Dialect(encoding=encoding, sep=sep, decimal=decimal, date_order=order)
    # The fast reader takes any single-byte encoding as well as UTF-8.
    source.plain = scan.simple and (encoding != "utf-8" or scan.plain)


def scan_source(path: Path) -> dialects.Scan:
    """The file's SHA-256, whether it is plain, and where its encoding breaks, in one
    pass over its bytes (:func:`livinglab.store.dialects.scan_file`)."""
    return dialects.scan_file(path, SCAN_BLOCK_BYTES)

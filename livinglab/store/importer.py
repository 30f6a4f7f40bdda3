"""Bulk import of participants, observations and survey responses: all or nothing.

File formats (the public data contract)
---------------------------------------
Participants CSV
    ``participant_id,cohort[,attribute columns...]``. The attribute columns are
    some of the pilot's declared ``attributes`` (age_band, neighbourhood...); an
    empty cell means "not known".
Observations CSV or Parquet (``.parquet``/``.pq``)
    ``participant_id,metric,timestamp,value``. ``timestamp`` is ISO 8601
    (``2024-03-01``, ``2024-03-01T08:30:00``, ``2024-03-01T08:30:00+01:00``,
    ``...Z``); a timestamp without an offset is UTC. ``value`` is a number with a
    dot as decimal separator; a binary metric (aggregate ``share``) takes 0 or 1.
    In Parquet, ``timestamp`` may also be a timestamp column (naive = UTC).
Survey responses CSV
    ``participant_id,instrument,wave,item,answer``: one answer per line, a whole
    number on the instrument's scale.

Columns may come in any order. CSV files are UTF-8 (a BOM is accepted); blank
lines are ignored; quoted fields may span lines.

Which period a reading belongs to is decided by :mod:`livinglab.store.periods`:
``start 00:00 UTC <= t < (end + 1 day) 00:00 UTC``, so every instant of the end
date counts. A reading in neither period is refused.

How an import runs
------------------
1. Every file is read once, streaming, in chunks of :data:`CHUNK_ROWS` rows, and
   every row is checked. Valid rows go to a temporary staging table on the same
   connection (SQLite: ``executemany``; PostgreSQL: ``COPY``), so memory does not
   grow with the file and the store is not touched, nor locked.
2. Duplicates within a file, and rows that contradict what the store already holds
   (another value for the same reading), are found in SQL on the staging tables.
3. If anything is wrong, nothing is written: :class:`~livinglab.errors.ImportRejected`
   lists every problem as ``file:line: field: message`` (the physical line in the
   file, counting the header as line 1; for Parquet, the row number).
4. Otherwise ONE write transaction (SQLite: ``BEGIN IMMEDIATE``) inserts
   everything with set-based ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` on
   the natural keys: a row already stored is counted as ``already_present`` and
   never stored twice, so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import math
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

from livinglab.errors import ImportRejected, Problem
from livinglab.spec.models import Instrument, Pilot
from livinglab.store import models as db
from livinglab.store.periods import period_bounds
from livinglab.store.pseudonym import pseudonymize
from livinglab.store.repository import sync_pilot

CHUNK_ROWS = 100_000
"""Rows read, checked and staged at a time."""
MAX_PROBLEMS = 1_000
"""Problems kept to report; all of them are counted."""
NEW_KEY_OFFSET = 1 << 40
"""Staged participants new in this import get ``NEW_KEY_OFFSET + i`` until inserted."""

PARTICIPANT_COLUMNS = ("participant_id", "cohort")
OBSERVATION_COLUMNS = ("participant_id", "metric", "timestamp", "value")
RESPONSE_COLUMNS = ("participant_id", "instrument", "wave", "item", "answer")

StrPath = str | PathLike[str]


# --- report ---------------------------------------------------------------------


@dataclass(frozen=True)
class KindReport:
    """What one file brought.

    Attributes
    ----------
    kind : {'participants', 'observations', 'responses'}
    file : str
        The file as given.
    read : int
        Data rows read.
    inserted : int
        Rows new to the store.
    already_present : int
        Rows the store held already (same natural key, same value): not stored again.
    batch_id : int
        The import batch recording this file.
    sha256 : str
        Hash of the file's content.
    """

    kind: str
    file: str
    read: int
    inserted: int
    already_present: int
    batch_id: int
    sha256: str


@dataclass(frozen=True)
class ImportReport:
    """The result of :func:`import_files`: one :class:`KindReport` per file given."""

    pilot: str
    participants: KindReport | None = None
    observations: KindReport | None = None
    responses: KindReport | None = None
    seconds: float = 0.0

    @property
    def kinds(self) -> tuple[KindReport, ...]:
        return tuple(k for k in (self.participants, self.observations, self.responses) if k)

    @property
    def batch_ids(self) -> tuple[int, ...]:
        return tuple(k.batch_id for k in self.kinds)

    @property
    def inserted(self) -> int:
        return sum(k.inserted for k in self.kinds)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([k.__dict__ for k in self.kinds])


# --- problems -------------------------------------------------------------------


class _Problems:
    """Collects problems: keeps the first :data:`MAX_PROBLEMS`, counts them all."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.total = 0

    def add(self, file: str, line: int | None, column: str, message: str) -> None:
        self.total += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(Problem(file, line, column, message))

    def raise_if_any(self) -> None:
        if not self.total:
            return
        files = sorted({p.file for p in self.kept})
        order = {name: i for i, name in enumerate(files)}
        kept = sorted(self.kept, key=lambda p: (order[p.file], p.line or 0))
        summary = (
            f"Import refused, nothing was written: {self.total} problem"
            f"{'s' if self.total > 1 else ''} in {', '.join(files)}."
        )
        if self.total > len(kept):
            summary += f" The first {len(kept)} are listed."
        raise ImportRejected(kept, summary)


def _shown(value: object) -> str:
    return "an empty cell" if value is None or value == "" else repr(value)


# --- reading files in chunks ----------------------------------------------------


@dataclass
class _Chunk:
    """Rows of a file: their line numbers and one Series per column."""

    lines: np.ndarray
    columns: dict[str, pd.Series]

    def __len__(self) -> int:
        return len(self.lines)


@dataclass
class _Source:
    path: Path
    name: str
    rows_read: int = 0
    sha256: str = ""
    parquet: bool = False

    @property
    def where(self) -> str:
        return "row" if self.parquet else "line"


def _check_header(
    source: _Source,
    header: Sequence[str],
    required: Sequence[str],
    optional: Sequence[str],
    problems: _Problems,
) -> bool:
    line = None if source.parquet else 1
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


def _csv_chunks(
    source: _Source, required: Sequence[str], optional: Sequence[str], problems: _Problems
) -> Iterator[_Chunk]:
    """The rows of a CSV file, in chunks, with the physical line where each starts."""
    try:
        handle = open(source.path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as exc:
        problems.add(source.name, None, "", f"cannot be read: {exc.strerror}")
        return
    with handle:
        reader = csv.reader(handle)
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
            if not _check_header(source, header, required, optional, problems):
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
                        yield _make_chunk(lines, header, rows)
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
                yield _make_chunk(lines, header, rows)
        except UnicodeDecodeError:
            problems.add(
                source.name,
                reader.line_num + 1,
                "",
                "is not UTF-8 text (save the file as CSV UTF-8)",
            )
        except csv.Error as exc:
            problems.add(source.name, reader.line_num, "", f"is not valid CSV: {exc}")


def _make_chunk(lines: list[int], header: Sequence[str], rows: list[list[str]]) -> _Chunk:
    columns = zip(*rows, strict=True)
    return _Chunk(
        lines=np.asarray(lines, dtype=np.int64),
        columns={
            name: pd.Series(values, dtype=object)
            for name, values in zip(header, columns, strict=True)
        },
    )


def _parquet_chunks(
    source: _Source, required: Sequence[str], problems: _Problems
) -> Iterator[_Chunk]:
    """The rows of a Parquet file in record batches; a row's "line" is its 1-based number."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source.path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        problems.add(source.name, None, "", f"is not a readable Parquet file: {exc}")
        return
    header = list(parquet.schema_arrow.names)
    if not _check_header(source, header, required, (), problems):
        return
    offset = 0
    for batch in parquet.iter_batches(batch_size=CHUNK_ROWS, columns=list(required)):
        frame = batch.to_pandas(date_as_object=False)  # a date column reads as midnight UTC
        count = len(frame)
        source.rows_read += count
        lines = np.arange(offset + 1, offset + count + 1, dtype=np.int64)
        offset += count
        yield _Chunk(lines=lines, columns={c: frame[c].reset_index(drop=True) for c in required})


# --- context of one import ------------------------------------------------------


@dataclass
class _Participants:
    """Resolves raw participant ids to store keys (or placeholders for new ones)."""

    secret_key: str
    stored: dict[str, tuple[int, str]]  # pseudonym -> (key, cohort)
    new: dict[str, tuple[int, str]] = field(
        default_factory=dict
    )  # pseudonym -> (placeholder, cohort)
    cache: dict[str, tuple[int, str] | None] = field(default_factory=dict)  # raw id -> ...
    uses_stored: bool = False

    def resolve(self, raw_id: str) -> tuple[int, str] | None:
        """(key, cohort) of a raw id, from the store or this import's participants file."""
        if raw_id in self.cache:
            return self.cache[raw_id]
        pseudonym = pseudonymize(raw_id, self.secret_key)
        found = self.new.get(pseudonym) or self.stored.get(pseudonym)
        if found and found[0] < NEW_KEY_OFFSET:
            self.uses_stored = True
        self.cache[raw_id] = found
        return found

    def keys_of(self, raw_ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Keys of a column of raw ids (-1 where unknown), and the cohort of each row."""
        codes, uniques = pd.factorize(raw_ids.astype(str), use_na_sentinel=False)
        resolved = [self.resolve(str(u)) for u in uniques]
        keys = np.array([r[0] if r else -1 for r in resolved], dtype=np.int64)
        cohorts = np.array([r[1] if r else "" for r in resolved], dtype=object)
        return keys[codes], cohorts[codes]


# --- the public function --------------------------------------------------------


def import_files(
    *,
    engine: Engine,
    pilot: Pilot,
    instruments: Mapping[str, Instrument] | Iterable[Instrument] = (),
    participants: StrPath | None = None,
    observations: StrPath | None = None,
    responses: StrPath | None = None,
    secret_key: str,
) -> ImportReport:
    """Import a pilot's data files, all or nothing.

    Parameters
    ----------
    engine : Engine
        The store (SQLite or PostgreSQL), migrated.
    pilot : Pilot
        The pilot's spec: its cohorts, metrics, periods and planned surveys decide
        what is valid. It is recorded in the store (``sync_pilot``) first.
    instruments : mapping or iterable of Instrument
        The instruments the pilot's surveys name (needed for ``responses``).
    participants, observations, responses : path, optional
        The files, in the formats of this module's docstring. Rows of the
        observations and responses files may name participants of the store or of
        the participants file given in the same call.
    secret_key : str
        Key of the pseudonymising hash (``Settings.secret_key``).

    Returns
    -------
    ImportReport
        Per file: rows read, inserted, already present; the batch ids; the seconds.

    Raises
    ------
    ImportRejected
        Anything is wrong in any file: every problem is listed (file, line, column,
        message) and nothing was written.

    Notes
    -----
    A reading belongs to a period when ``start 00:00 UTC <= t < (end + 1 day) 00:00
    UTC`` (:mod:`livinglab.store.periods`); a timestamp without offset is UTC.
    """
    started = time.perf_counter()
    instrument_map = (
        dict(instruments) if isinstance(instruments, Mapping) else {i.id: i for i in instruments}
    )
    sources = {
        kind: _Source(
            Path(path), str(path), parquet=Path(path).suffix.lower() in (".parquet", ".pq")
        )
        for kind, path in (
            ("participants", participants),
            ("observations", observations),
            ("responses", responses),
        )
        if path is not None
    }
    problems = _Problems()
    for kind, source in sources.items():
        if not source.path.is_file():
            problems.add(source.name, None, "", "file not found")
        elif source.parquet and kind != "observations":
            problems.add(source.name, None, "", f"the {kind} file must be CSV (got a Parquet file)")
        else:
            source.sha256 = _file_sha256(source.path)
    problems.raise_if_any()

    with Session(engine) as session:
        metric_keys = sync_pilot(session=session, pilot=pilot)
        session.commit()

    with engine.connect() as connection, _without_cyclic_gc():
        run = _ImportRun(connection, pilot, instrument_map, metric_keys, secret_key, problems)
        try:
            counts = run.execute(sources)
        finally:
            run.drop_staging()
    if engine.dialect.name == "postgresql" and "observations" in sources:
        with engine.connect() as connection:  # fresh statistics for the planner
            connection.execute(sa.text("ANALYZE observation"))
            connection.commit()
    reports = {
        kind: KindReport(
            kind=kind,
            file=source.name,
            read=counts[kind][0],
            inserted=counts[kind][1],
            already_present=counts[kind][0] - counts[kind][1],
            batch_id=counts[kind][2],
            sha256=source.sha256,
        )
        for kind, source in sources.items()
    }
    return ImportReport(pilot=pilot.id, seconds=time.perf_counter() - started, **reports)


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of row objects come and go.

    The rows hold no reference cycles (reference counting frees them), but their
    sheer number triggers the collector over and over: reading a CSV runs ~3x faster
    without it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# --- one import run on one connection -------------------------------------------


_STAGE_OBSERVATION = "ll_stage_observation"
_STAGE_RESPONSE = "ll_stage_response"
_KEY_MAP = "ll_stage_key_map"


class _ImportRun:
    def __init__(
        self,
        connection: Connection,
        pilot: Pilot,
        instruments: dict[str, Instrument],
        metric_keys: dict[str, int],
        secret_key: str,
        problems: _Problems,
    ) -> None:
        self.connection = connection
        self.sqlite = connection.dialect.name == "sqlite"
        self.pilot = pilot
        self.instruments = instruments
        self.metric_keys = metric_keys
        self.binary_metric_keys = {metric_keys[m.id] for m in pilot.metrics if m.binary}
        self.problems = problems
        self.participants = _Participants(secret_key, {})
        self.new_participants: list[tuple[int, str, str, dict[str, str], int]] = []
        self.key_map: dict[int, int] = {}

    # -- the whole run

    def execute(self, sources: dict[str, _Source]) -> dict[str, tuple[int, int, int]]:
        connection = self.connection
        # Phase 1: read, check and stage, in a read transaction (SQLite: no write lock).
        connection.execution_options(sqlite_begin="DEFERRED")
        transaction = connection.begin()
        try:
            self.participants.stored = self._stored_participants()
            stored_attributes = self._stored_attributes()
            if "participants" in sources:
                self._read_participants(sources["participants"], stored_attributes)
            if "observations" in sources:
                self._create_stage(_STAGE_OBSERVATION)
                self._stage_observations(sources["observations"])
                self._find_duplicates(sources["observations"], _STAGE_OBSERVATION)
                self._find_contradictions(sources["observations"], _STAGE_OBSERVATION)
            if "responses" in sources:
                self._create_stage(_STAGE_RESPONSE)
                self._stage_responses(sources["responses"])
                self._find_duplicates(sources["responses"], _STAGE_RESPONSE)
                self._find_contradictions(sources["responses"], _STAGE_RESPONSE)
            self.problems.raise_if_any()
            transaction.commit()
        except BaseException:
            transaction.rollback()
            raise
        # Phase 2: one write transaction (SQLite: BEGIN IMMEDIATE) inserts everything.
        connection.execution_options(sqlite_begin="IMMEDIATE")
        with connection.begin():
            return self._insert(sources)

    def drop_staging(self) -> None:
        try:
            if self.connection.in_transaction():
                self.connection.rollback()
            self.connection.execution_options(sqlite_begin="DEFERRED")
            with self.connection.begin():
                for table in (_STAGE_OBSERVATION, _STAGE_RESPONSE, _KEY_MAP):
                    self.connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        except sa.exc.DBAPIError:
            self.connection.invalidate()  # a broken connection must not go back to the pool

    # -- store lookups

    def _stored_participants(self) -> dict[str, tuple[int, str]]:
        rows = self.connection.execute(
            sa.select(
                col(db.Participant.participant_id),
                col(db.Participant.key),
                col(db.Participant.cohort_id),
            ).where(col(db.Participant.pilot_id) == self.pilot.id)
        )
        return {pseudonym: (key, cohort) for pseudonym, key, cohort in rows if key is not None}

    def _stored_attributes(self) -> dict[int, dict[str, str]]:
        rows = self.connection.execute(
            sa.select(
                col(db.ParticipantAttribute.participant_key),
                col(db.ParticipantAttribute.name),
                col(db.ParticipantAttribute.value),
            )
            .join(
                db.Participant,
                col(db.Participant.key) == col(db.ParticipantAttribute.participant_key),
            )
            .where(col(db.Participant.pilot_id) == self.pilot.id)
        )
        attributes: dict[int, dict[str, str]] = {}
        for key, name, value in rows:
            attributes.setdefault(key, {})[name] = value
        return attributes

    # -- participants

    def _read_participants(
        self, source: _Source, stored_attributes: dict[int, dict[str, str]]
    ) -> None:
        cohorts = {c.id for c in self.pilot.cohorts}
        seen: dict[str, int] = {}
        for chunk in _csv_chunks(source, PARTICIPANT_COLUMNS, self.pilot.attributes, self.problems):
            attribute_columns = [c for c in self.pilot.attributes if c in chunk.columns]
            rows = zip(
                chunk.lines.tolist(),
                chunk.columns["participant_id"],
                chunk.columns["cohort"],
                *(chunk.columns[c] for c in attribute_columns),
                strict=True,
            )
            for line, raw_id, cohort, *values in rows:
                attributes = {
                    name: v for name, v in zip(attribute_columns, values, strict=True) if v != ""
                }
                self._participant_row(
                    source, line, raw_id, cohort, attributes, cohorts, seen, stored_attributes
                )

    def _participant_row(
        self,
        source: _Source,
        line: int,
        raw_id: str,
        cohort: str,
        attributes: dict[str, str],
        cohorts: set[str],
        seen: dict[str, int],
        stored_attributes: dict[int, dict[str, str]],
    ) -> None:
        add = self.problems.add
        if raw_id.strip() == "":
            add(source.name, line, "participant_id", "is empty (expected the participant's id)")
            return
        if raw_id in seen:
            add(
                source.name,
                line,
                "participant_id",
                f"participant {raw_id!r} is already on line {seen[raw_id]} "
                "(expected one line each)",
            )
            return
        seen[raw_id] = line
        if cohort not in cohorts:
            add(
                source.name,
                line,
                "cohort",
                f"unknown cohort {_shown(cohort)} "
                f"(expected one of {sorted(cohorts)}, as declared by pilot '{self.pilot.id}')",
            )
        for name, value in attributes.items():
            if len(value) > 200:
                add(
                    source.name,
                    line,
                    name,
                    f"is {len(value)} characters long (expected at most 200)",
                )
        pseudonym = pseudonymize(raw_id, self.participants.secret_key)
        stored = self.participants.stored.get(pseudonym)
        if stored is None:
            placeholder = NEW_KEY_OFFSET + len(self.new_participants)
            self.participants.new[pseudonym] = (placeholder, cohort)
            self.new_participants.append((placeholder, pseudonym, cohort, attributes, line))
            return
        key, stored_cohort = stored
        if cohort in cohorts and cohort != stored_cohort:
            add(
                source.name,
                line,
                "cohort",
                f"participant {raw_id!r} is already stored in cohort "
                f"'{stored_cohort}' (got {cohort!r}; a participant cannot change cohort)",
            )
        known = stored_attributes.get(key, {})
        for name, value in attributes.items():
            if name in known and known[name] != value:
                add(
                    source.name,
                    line,
                    name,
                    f"participant {raw_id!r} is already stored with "
                    f"{name} {known[name]!r} (got {value!r})",
                )

    # -- staging tables

    def _create_stage(self, table: str) -> None:
        columns, key = _STAGE_COLUMNS[table]
        if self.sqlite:
            # The natural key as the table's key: duplicates within the file are
            # caught on insert (their lines are appended to dup_lines), and the
            # staged rows come out in the order of observation's own key.
            ddl = (
                f"CREATE TEMP TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns)}, "
                f"line INTEGER NOT NULL, dup_lines TEXT, PRIMARY KEY ({', '.join(key)})) "
                "WITHOUT ROWID"
            )
        else:
            types = {"INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION"}
            ddl = (
                f"CREATE TEMP TABLE {table} ("
                f"{', '.join(f'{c} {types.get(t, t)} NOT NULL' for c, t in columns)}, "
                "line BIGINT NOT NULL)"
            )
        self.connection.execute(sa.text(ddl))

    def _stage(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        """Write checked rows (their last field is the line) to a staging table."""
        if not rows:
            return
        columns, key = _STAGE_COLUMNS[table]
        names = [c for c, _ in columns] + ["line"]
        driver = self.connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            if self.sqlite:
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) "
                    f"VALUES ({', '.join('?' * len(names))}) "
                    f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
                    "dup_lines = COALESCE(dup_lines || ',', '') || excluded.line",
                    rows,
                )
            else:
                with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        finally:
            cursor.close()

    # -- observations

    def _stage_observations(self, source: _Source) -> None:
        bounds = period_bounds(self.pilot)
        chunks = (
            _parquet_chunks(source, OBSERVATION_COLUMNS, self.problems)
            if source.parquet
            else _csv_chunks(source, OBSERVATION_COLUMNS, (), self.problems)
        )
        for chunk in chunks:
            rows = self._check_observations(source, chunk, bounds)
            self._stage(_STAGE_OBSERVATION, rows)
        if not self.sqlite:
            self.connection.execute(sa.text(f"ANALYZE {_STAGE_OBSERVATION}"))

    def _check_observations(
        self, source: _Source, chunk: _Chunk, bounds: Sequence[Any]
    ) -> list[tuple]:
        cols = chunk.columns
        bad: list[tuple[Any, str, str]] = []  # (row index, column, message)

        participant_keys, _ = self.participants.keys_of(cols["participant_id"])
        for i in np.flatnonzero(participant_keys < 0):
            bad.append(
                (
                    i,
                    "participant_id",
                    f"unknown participant {_shown(cols['participant_id'].iat[i])} "
                    "(not in the participants file nor in the store)",
                )
            )

        metric_codes, metric_names = pd.factorize(cols["metric"].astype(str), use_na_sentinel=False)
        metric_of_code = np.array(
            [self.metric_keys.get(str(m), -1) for m in metric_names], dtype=np.int64
        )
        metric_keys = metric_of_code[metric_codes] if len(metric_names) else np.empty(0, np.int64)
        for i in np.flatnonzero(metric_keys < 0):
            bad.append(
                (
                    i,
                    "metric",
                    f"unknown metric {_shown(cols['metric'].iat[i])} "
                    f"(expected one of {sorted(self.metric_keys)})",
                )
            )

        values = _as_float(cols["value"])
        finite = np.isfinite(values)
        for i in np.flatnonzero(~finite):
            cell = cols["value"].iat[i]
            hint = (
                " (use a dot as decimal separator)" if isinstance(cell, str) and "," in cell else ""
            )
            bad.append((i, "value", f"{_shown(cell)} is not a number{hint}"))
        binary = np.isin(metric_keys, list(self.binary_metric_keys))
        for i in np.flatnonzero(binary & finite & (values != 0) & (values != 1)):
            bad.append(
                (
                    i,
                    "value",
                    f"metric {cols['metric'].iat[i]!r} is binary: expected 0 or 1, "
                    f"got {cols['value'].iat[i]!r}",
                )
            )

        micros, valid_time = _as_micros(cols["timestamp"])
        for i in np.flatnonzero(~valid_time):
            bad.append(
                (
                    i,
                    "timestamp",
                    f"{_shown(cols['timestamp'].iat[i])} is not an ISO 8601 "
                    "timestamp (expected e.g. 2024-03-01T08:30:00 or 2024-03-01)",
                )
            )
        in_period = np.zeros(len(chunk), dtype=bool)
        for period in bounds:
            in_period |= (micros >= period.start_us) & (micros < period.end_us)
        periods_text = " or ".join(
            f"{p.name} {_day(p.start_us)}..{_day(p.end_us - 1)}" for p in bounds
        )
        for i in np.flatnonzero(valid_time & ~in_period):
            bad.append(
                (
                    i,
                    "timestamp",
                    f"{cols['timestamp'].iat[i]!r} is in neither period of "
                    f"pilot '{self.pilot.id}' (expected {periods_text}, UTC)",
                )
            )

        ok = np.ones(len(chunk), dtype=bool)
        for i, column, message in sorted(bad, key=lambda b: b[0]):
            ok[i] = False
            self.problems.add(
                source.name,
                int(chunk.lines[i]),
                column,
                message if not source.parquet else f"row {chunk.lines[i]}: {message}",
            )
        return list(
            zip(
                metric_keys[ok].tolist(),
                participant_keys[ok].tolist(),
                micros[ok].tolist(),
                values[ok].tolist(),
                chunk.lines[ok].tolist(),
                strict=True,
            )
        )

    # -- survey responses

    def _stage_responses(self, source: _Source) -> None:
        for chunk in _csv_chunks(source, RESPONSE_COLUMNS, (), self.problems):
            rows = []
            columns = [chunk.columns[c] for c in RESPONSE_COLUMNS]
            for line, *cells in zip(chunk.lines.tolist(), *columns, strict=True):
                row = self._check_response(source, line, *cells)
                if row is not None:
                    rows.append(row)
            self._stage(_STAGE_RESPONSE, rows)

    def _check_response(
        self,
        source: _Source,
        line: int,
        raw_id: str,
        instrument_id: str,
        wave: str,
        item: str,
        answer: str,
    ) -> tuple[Any, ...] | None:
        add = self.problems.add
        before = self.problems.total
        participant = self.participants.resolve(raw_id)
        if participant is None:
            add(
                source.name,
                line,
                "participant_id",
                f"unknown participant {_shown(raw_id)} "
                "(not in the participants file nor in the store)",
            )
        plans = [p for p in self.pilot.surveys if p.instrument == instrument_id]
        instrument = self.instruments.get(instrument_id)
        if not plans:
            planned = sorted({p.instrument for p in self.pilot.surveys})
            add(
                source.name,
                line,
                "instrument",
                f"unknown instrument {_shown(instrument_id)} "
                f"(expected one of {planned}, as planned by pilot '{self.pilot.id}')",
            )
            return None
        if instrument is None:
            add(
                source.name,
                line,
                "instrument",
                f"instrument '{instrument_id}' is planned but "
                "its definition was not given to the import (expected it among the instruments)",
            )
            return None
        waves = sorted({w for p in plans for w in p.waves})
        if wave not in waves:
            add(
                source.name,
                line,
                "wave",
                f"wave {_shown(wave)} is not planned for "
                f"'{instrument_id}' (expected one of {waves})",
            )
        if participant is not None and not any(participant[1] in p.cohorts for p in plans):
            add(
                source.name,
                line,
                "participant_id",
                f"participant {raw_id!r} is in cohort "
                f"'{participant[1]}', which is not surveyed with '{instrument_id}' (expected a "
                f"participant of {sorted({c for p in plans for c in p.cohorts})})",
            )
        if item not in instrument.item_ids:
            add(
                source.name,
                line,
                "item",
                f"unknown item {_shown(item)} of '{instrument_id}' "
                f"(expected one of {instrument.item_ids})",
            )
        value = _to_number(answer)
        if value is None or not instrument.scale.contains(value):
            add(
                source.name,
                line,
                "answer",
                f"{_shown(answer)} is not on the scale of "
                f"'{instrument_id}' (expected a whole number in "
                f"{instrument.scale.min}..{instrument.scale.max})",
            )
        if self.problems.total > before or participant is None or value is None:
            return None
        return (participant[0], instrument_id, wave, item, int(value), line)

    # -- checks in SQL on the staged rows

    def _find_duplicates(self, source: _Source, table: str) -> None:
        _, key = _STAGE_COLUMNS[table]
        what = _KEY_WORDS[table]
        if self.sqlite:
            rows = self.connection.execute(
                sa.text(
                    f"SELECT line, dup_lines FROM {table} WHERE dup_lines IS NOT NULL ORDER BY line"
                )
            )
            pairs = [(first, int(dup)) for first, dups in rows for dup in dups.split(",")]
        else:
            rows = self.connection.execute(
                sa.text(
                    f"SELECT array_agg(line ORDER BY line) FROM {table} "
                    f"GROUP BY {', '.join(key)} HAVING count(*) > 1"
                )
            )
            pairs = [(lines[0], dup) for (lines,) in rows for dup in lines[1:]]
        for first, duplicate in sorted(pairs, key=lambda p: p[1]):
            self.problems.add(
                source.name, duplicate, "", f"duplicate of {source.where} {first} (same {what})"
            )

    def _find_contradictions(self, source: _Source, table: str) -> None:
        """Rows whose natural key is stored already with another value."""
        if not self.participants.uses_stored:
            return  # only participants already stored can have stored rows
        if table == _STAGE_OBSERVATION:
            sql = (
                f"SELECT s.line, s.value, o.value FROM {table} s JOIN observation o "
                "ON o.metric_key = s.metric_key AND o.participant_key = s.participant_key "
                f"AND o.ts = s.ts WHERE s.participant_key < {NEW_KEY_OFFSET} AND o.value <> s.value"
            )
            column, what = "value", "a reading for this participant, metric and timestamp"
        else:
            sql = (
                f"SELECT s.line, s.answer, r.answer FROM {table} s JOIN survey_response r "
                "ON r.participant_key = s.participant_key AND r.instrument_id = s.instrument_id "
                f"AND r.wave = s.wave AND r.item_id = s.item_id "
                f"WHERE s.participant_key < {NEW_KEY_OFFSET} AND r.answer <> s.answer"
            )
            column, what = "answer", "an answer of this participant to this item in this wave"
        for line, new, old in self.connection.execute(sa.text(sql + " ORDER BY s.line")):
            self.problems.add(
                source.name,
                line,
                column,
                f"{what} is already stored with {old!r} (got {new!r}; a stored "
                "value is never overwritten: erase it first)",
            )

    # -- phase 2: insert

    def _insert(self, sources: dict[str, _Source]) -> dict[str, tuple[int, int, int]]:
        now = db.to_micros(db.utc_now())
        batches = {kind: self._new_batch(kind, source, now) for kind, source in sources.items()}
        counts: dict[str, tuple[int, int, int]] = {}
        if "participants" in sources:
            inserted = self._insert_participants(batches["participants"])
            counts["participants"] = (
                sources["participants"].rows_read,
                inserted,
                batches["participants"],
            )
        self._write_key_map()
        self._lock_stored_participants(sources)
        if "observations" in sources:
            inserted = self._insert_staged(
                f"INSERT INTO observation (metric_key, participant_key, ts, value, batch_id) "
                f"SELECT s.metric_key, COALESCE(m.key, s.participant_key), s.ts, s.value, "
                f"{batches['observations']} FROM {_STAGE_OBSERVATION} s LEFT JOIN {_KEY_MAP} m "
                "ON m.placeholder = s.participant_key WHERE true ON CONFLICT DO NOTHING"
            )
            counts["observations"] = (
                sources["observations"].rows_read,
                inserted,
                batches["observations"],
            )
        if "responses" in sources:
            inserted = self._insert_staged(
                "INSERT INTO survey_response (participant_key, instrument_id, wave, item_id, "
                "answer, batch_id, submitted_at) "
                "SELECT COALESCE(m.key, s.participant_key), s.instrument_id, s.wave, s.item_id, "
                f"s.answer, {batches['responses']}, {now} FROM {_STAGE_RESPONSE} s "
                f"LEFT JOIN {_KEY_MAP} m ON m.placeholder = s.participant_key WHERE true "
                "ON CONFLICT DO NOTHING"
            )
            counts["responses"] = (sources["responses"].rows_read, inserted, batches["responses"])
        for _, inserted, batch_id in counts.values():
            self.connection.execute(
                sa.update(db.ImportBatch)
                .where(col(db.ImportBatch.id) == batch_id)
                .values(inserted=inserted)
            )
        return counts

    def _lock_stored_participants(self, sources: dict[str, _Source]) -> None:
        """Make sure the stored participants that rows point to are still there, and
        keep them there until commit (observation has no foreign keys to do it)."""
        used = {f[0] for f in self.participants.cache.values() if f and f[0] < NEW_KEY_OFFSET}
        if not used:
            return
        participant = db.Participant.__table__  # type: ignore[attr-defined]
        query = sa.select(participant.c.key).where(participant.c.pilot_id == self.pilot.id)
        if not self.sqlite:  # SQLite: the write lock already keeps every writer out
            query = query.with_for_update(key_share=True)
        gone = used - set(self.connection.execute(query).scalars())
        if gone:
            name = next(s.name for k, s in sources.items() if k != "participants")
            raise ImportRejected(
                [
                    Problem(
                        name,
                        None,
                        "participant_id",
                        f"{len(gone)} participant(s) were erased "
                        "while the import ran (expected them in the store): import again",
                    )
                ],
                "Import refused, nothing was written.",
            )

    def _new_batch(self, kind: str, source: _Source, now: int) -> int:
        table = db.ImportBatch.__table__  # type: ignore[attr-defined]
        return self.connection.execute(
            table.insert().returning(table.c.id),
            {
                "pilot_id": self.pilot.id,
                "kind": kind,
                "file_name": source.name[-500:],
                "sha256": source.sha256,
                "rows": source.rows_read,
                "inserted": 0,
                "created_at": now,
            },
        ).scalar_one()

    def _insert_participants(self, batch_id: int) -> int:
        if not self.new_participants:
            return 0
        participant = db.Participant.__table__  # type: ignore[attr-defined]
        attribute = db.ParticipantAttribute.__table__  # type: ignore[attr-defined]
        insert = _insert_ignore(self.connection, participant).returning(participant.c.key)
        inserted = len(
            self.connection.execute(
                insert,
                [
                    {
                        "pilot_id": self.pilot.id,
                        "participant_id": pseudonym,
                        "cohort_id": cohort,
                        "batch_id": batch_id,
                    }
                    for _, pseudonym, cohort, _, _ in self.new_participants
                ],
            ).all()
        )
        keys = self._stored_participants()
        self.key_map = {
            placeholder: keys[pseudonym][0]
            for placeholder, pseudonym, _, _, _ in self.new_participants
        }
        attributes = [
            {"participant_key": self.key_map[placeholder], "name": name, "value": value}
            for placeholder, _, _, values, _ in self.new_participants
            for name, value in values.items()
        ]
        if attributes:
            self.connection.execute(_insert_ignore(self.connection, attribute), attributes)
        return inserted

    def _write_key_map(self) -> None:
        key_type = "INTEGER PRIMARY KEY" if self.sqlite else "BIGINT PRIMARY KEY"
        self.connection.execute(
            sa.text(f"CREATE TEMP TABLE {_KEY_MAP} (placeholder {key_type}, key BIGINT NOT NULL)")
        )
        pairs = sorted(self.key_map.items())
        if pairs:
            self.connection.execute(
                sa.text(f"INSERT INTO {_KEY_MAP} (placeholder, key) VALUES (:placeholder, :key)"),
                [{"placeholder": p, "key": k} for p, k in pairs],
            )

    def _insert_staged(self, sql: str) -> int:
        return max(self.connection.execute(sa.text(sql)).rowcount, 0)


def _insert_ignore(connection: Connection, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, in the connection's dialect."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    return dialect.insert(table).on_conflict_do_nothing()


_STAGE_COLUMNS: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    _STAGE_OBSERVATION: (
        [
            ("metric_key", "INTEGER"),
            ("participant_key", "INTEGER"),
            ("ts", "INTEGER"),
            ("value", "REAL"),
        ],
        ["metric_key", "participant_key", "ts"],
    ),
    _STAGE_RESPONSE: (
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
_KEY_WORDS = {
    _STAGE_OBSERVATION: "participant, metric and timestamp",
    _STAGE_RESPONSE: "participant, instrument, wave and item",
}


# --- cell conversions -----------------------------------------------------------


def _as_float(column: pd.Series) -> np.ndarray:
    """Numbers of a column; NaN where a cell is not a number."""
    if pd.api.types.is_bool_dtype(column):
        column = column.astype("float64")
    if pd.api.types.is_numeric_dtype(column):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _as_micros(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Epoch microseconds (UTC) of a column of timestamps, and which cells were valid."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        moments = column.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(column):
        moments = column.dt.tz_localize("UTC")  # a naive timestamp is UTC
    else:
        text = column.astype(object).where(column.notna(), None)
        moments = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    valid = moments.notna().to_numpy()
    micros = moments.dt.tz_convert(None).to_numpy(dtype="datetime64[us]").view(np.int64)
    return micros, valid


def _to_number(cell: str) -> float | None:
    try:
        number = float(cell)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _day(micros: int) -> str:
    return db.from_micros(micros).date().isoformat()

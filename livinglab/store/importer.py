"""Bulk import of participants, observations and survey responses: all or nothing.

File formats (the public data contract)
---------------------------------------
Participants CSV
    ``participant_id,cohort[,left_on][,attribute columns...]``. The attribute columns
    are some of the pilot's declared ``attributes`` (age_band, neighbourhood...); an
    empty cell means "not known". ``left_on`` (optional, reserved) is the ISO date
    (``2024-03-15``) of the first day the participant no longer takes part; empty
    while they do. A participant already stored without it gets it from a later
    import; a stored date is never overwritten.
Observations CSV or Parquet (``.parquet``/``.pq``)
    ``participant_id,metric,timestamp,value``. ``timestamp`` is ISO 8601
    (``2024-03-01``, ``2024-03-01T08:30:00``, ``2024-03-01T08:30:00+01:00``,
    ``...Z``) or ``dd/mm/yyyy [hh:mm[:ss]]`` (or month first, see below); a
    timestamp without an offset is local time of the pilot's ``timezone``: a time
    the daylight-saving change skips, or repeats, is refused (the file must give the
    offset). ``value`` is a number; a binary metric (aggregate ``share``) takes 0 or 1.
    In Parquet, ``timestamp`` may also be a timestamp column (naive = local time).
Survey responses CSV
    ``participant_id,instrument,wave,item,answer``: one answer per line, a whole
    number on the instrument's scale.

Columns may come in any order; blank lines are ignored; quoted fields may span
lines. A CSV file's encoding (UTF-8, a BOM accepted, or Windows-1252), separator
(``,`` ``;`` tab), decimal mark and date order are detected or given
(:mod:`livinglab.store.dialects`, :class:`CsvOptions`), and the report says what was
read. White space around every id and code is removed (counted in the report).

Which period a reading belongs to is decided by :mod:`livinglab.store.periods`:
``start 00:00 <= t < (end + 1 day) 00:00``, local days of the pilot's time zone, so
every instant of the end date counts. A reading in neither period is refused.

The stages, one module each
---------------------------
:mod:`~livinglab.store.dialects` (how a CSV file is written: encoding, separator,
decimal mark, date order) and :mod:`~livinglab.store.excel` (a workbook's sheet as
text rows) feed :mod:`~livinglab.store.readers` (files as chunks of rows with their
lines); :mod:`~livinglab.store.row_checks` converts and checks cells;
:mod:`~livinglab.store.staging` holds the staging tables and their background
writer; this module runs the stages on one connection, checks rows against the pilot
and the store, and writes to the store; :mod:`~livinglab.store.import_problems`
collects every problem. Adapters (:mod:`livinglab.store.adapters`) turn a tool's
export into the common files.

How an import runs
------------------
0. Each file is hashed (SHA-256, recorded with its batch) in one pass that also
   finds the physical line of its first byte that is not UTF-8 and tells whether an
   observations CSV is *plain* (:func:`~livinglab.store.readers.scan_source`: no
   quote, no NUL, no lone
   carriage return). A file stored whole before, byte for byte, with nothing since
   that could change what its rows mean or bring back what was removed (the same spec
   and key, detected settings, no erasure nor withdrawal since: see
   :func:`_unchanged_files`), is not read: its report names the batch that stored it.
   Then each other file's dialect is decided from its first MB.
1. Every file is read once, streaming, in chunks of :data:`CHUNK_ROWS` rows, and
   every row is checked. A plain observations file is parsed by pyarrow (about ten
   times faster than the csv module), each column dictionary-encoded so that every
   distinct cell (timestamp, value, id) is converted and checked once; it yields the
   same rows, line numbers and problems as the csv module, which reads every other
   file (and a plain file again from the start should pyarrow meet something the
   scan did not foresee, such as a blank line). Valid rows go to a temporary staging
   table on the same connection (SQLite: multi-row ``INSERT`` statements;
   PostgreSQL: binary ``COPY``), written on a background thread while the next
   chunk is parsed, so memory does not grow with the file and the store is not
   touched, nor locked. The readings' daily roll-ups are summed up per chunk with
   numpy and staged beside them (SQLite: a reading alone on its day in its chunk, a
   daily metric's, is its own roll-up and only marked, see
   :data:`~livinglab.store.staging.ALONE_ON_ITS_DAY`).
2. Duplicates within a file, and rows that contradict what the store already holds
   (another value for the same reading), are found in SQL on the staging tables.
   (PostgreSQL, observations of participants all new in this import: none can be
   stored already, so the GROUP BY that finds duplicates runs only when it is
   needed; see ``_ImportRun._find_deferred_duplicates``.)
3. If anything is wrong, nothing is written: :class:`~livinglab.errors.ImportRejected`
   lists every problem as ``file:line: field: message`` (the physical line in the
   file, counting the header as line 1; for Parquet, the row number).
4. Otherwise ONE write transaction (SQLite: ``BEGIN IMMEDIATE``) inserts
   everything with set-based ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` on
   the natural keys: a row already stored is counted as ``already_present`` and
   never stored twice, so importing the same file again changes nothing. The
   roll-ups are added in the same transaction (the days a partly stored file touches
   are recomputed from the readings instead, :func:`~livinglab.store.rollups.refresh_rollups`).

Speed (``benchmarks/bench_import.py``, 2 cores): 10 million readings import in
about 12 s on SQLite and 19 s on PostgreSQL, in under 300 MB whatever the size.
"""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

from livinglab.errors import ImportRejected, Problem
from livinglab.spec.loader import CONTROL_CHARACTERS
from livinglab.spec.models import Instrument, Pilot
from livinglab.store import excel
from livinglab.store import models as db
from livinglab.store.dialects import CsvOptions
from livinglab.store.erasure import erased_pseudonyms
from livinglab.store.import_consents import CONSENT_ON, read_consent_days, write_consents
from livinglab.store.import_problems import Problems, shown
from livinglab.store.keys import check_key, stored_fingerprint
from livinglab.store.partitions import ensure_partitions
from livinglab.store.periods import local_text, period_bounds
from livinglab.store.plans import note_plan, register_plan
from livinglab.store.pseudonym import pseudonymize
from livinglab.store.readers import (
    LEFT_ON,
    OBSERVATION_COLUMNS,
    PARTICIPANT_COLUMNS,
    RESPONSE_COLUMNS,
    Chunk,
    Column,
    NotPlain,
    Source,
    choose_dialect,
    described,
    fast_csv_chunks,
    parquet_chunks,
    rows_chunks,
    scan_source,
)
from livinglab.store.repository import metric_keys, spec_hash, sync_pilot
from livinglab.store.rollups import STAGE_ROLLUP, StagedRollups, refresh_rollups
from livinglab.store.row_checks import (
    REPEATED,
    SKIPPED,
    as_float,
    as_micros,
    period_dates,
    repeated_hour,
    skipped_hour,
    slash_dates_as_iso,
    to_number,
    trim_cells,
)
from livinglab.store.staging import (
    KEY_MAP,
    KEY_WORDS,
    STAGE_COLUMNS,
    STAGE_OBSERVATION,
    STAGE_RESPONSE,
    OneBehind,
    pg_binary_copy,
)

FAST_CSV = True
"""Read plain observation CSV files with pyarrow (see :func:`scan_source`); False: always
with the csv module (the two give the same rows, line numbers and problems)."""
SQLITE_ROWS_PER_INSERT = 50
"""Rows per INSERT statement when staging on SQLite (fewer statements to step)."""
NEW_KEY_OFFSET = 1 << 40
"""Staged participants new in this import get ``NEW_KEY_OFFSET + i`` until inserted."""
DUPLICATES = "ll_stage_duplicates"
"""SQLite: the staging tables in which some row's key came twice (see _create_stage)."""
ERASED_KEY = -2
"""The key a raw id resolves to when its person was erased: their rows are skipped."""

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
    read_as : str
        How the file was read (``';', decimal comma, Windows-1252, dd/mm/yyyy``).
    trimmed : int
        Cells of ids and codes whose surrounding white space was removed.
    skipped_erased : int
        Rows of people erased on request (a tombstone holds their pseudonym): skipped,
        never stored again.
    unchanged : bool
        The file is one stored whole before (``batch_id`` names that import), known by
        its hash: scanned, not read again (``read_as`` empty), nothing written.
    """

    kind: str
    file: str
    read: int
    inserted: int
    already_present: int
    batch_id: int
    sha256: str
    read_as: str = ""
    trimmed: int = 0
    skipped_erased: int = 0
    unchanged: bool = False


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
    erased: set[str] = field(default_factory=set)  # pseudonyms of the tombstones

    def resolve(self, raw_id: str) -> tuple[int, str] | None:
        """(key, cohort) of a raw id, from the store or this import's participants file."""
        if raw_id in self.cache:
            return self.cache[raw_id]
        pseudonym = pseudonymize(raw_id, self.secret_key)
        found = self.new.get(pseudonym) or self.stored.get(pseudonym)
        if found is None and pseudonym in self.erased:
            found = (ERASED_KEY, "")
        if found and 0 <= found[0] < NEW_KEY_OFFSET:
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
    csv_options: CsvOptions | None = None,
    actor: str | None = None,
    progress: Progress | None = None,
    in_write: InWrite | None = None,
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
    csv_options : CsvOptions, optional
        The CSV files' separator, decimal mark, encoding and date order, where the user
        gives them; the others are detected (:mod:`livinglab.store.dialects`).
    actor : str, optional
        Who imports (the signed-in user, ``cli:<user>``). The pilot's analysis plan is
        registered with the first import's rows, under this name
        (:func:`livinglab.store.plans.register_plan`); a later import under a changed
        plan records the change (:func:`livinglab.store.plans.note_plan`). The audit
        log's entry is written in the import's own write transaction (none without an
        actor).
    progress : callable, optional
        ``progress(stage, rows)``: called after every chunk checked (``stage`` the kind
        of file, ``rows`` its data rows read so far) and once with ``'write'`` before
        the write transaction (for a progress bar).
    in_write : callable, optional
        ``in_write(connection, counts)``, called at the end of the write transaction,
        on its connection (``counts``: kind -> (read, inserted, batch id)): what it
        writes (an audit entry) commits or rolls back with the import. Given, it writes
        the audit entry in place of the one ``actor`` would get.

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
    A reading belongs to a period when ``start 00:00 <= t < (end + 1 day) 00:00``,
    local time of the pilot's ``timezone`` (:mod:`livinglab.store.periods`); a timestamp
    without offset is local time.
    """
    started = time.perf_counter()
    instrument_map = (
        dict(instruments) if isinstance(instruments, Mapping) else {i.id: i for i in instruments}
    )
    sources = {
        kind: Source(
            Path(path),
            str(path),
            parquet=Path(path).suffix.lower() in (".parquet", ".pq"),
            excel=excel.is_excel(Path(path)),
            kind=kind,
            options=csv_options or CsvOptions(),
        )
        for kind, path in (
            ("participants", participants),
            ("observations", observations),
            ("responses", responses),
        )
        if path is not None
    }
    problems = Problems()
    scans: dict[str, Any] = {}
    for kind, source in sources.items():
        if not source.path.is_file():
            problems.add(source.name, None, "", "file not found")
        elif source.parquet and kind != "observations":
            problems.add(source.name, None, "", f"the {kind} file must be CSV (got a Parquet file)")
        else:
            scans[kind] = scan = scan_source(source.path)
            source.sha256, source.plain = scan.sha256, scan.plain
    # A file stored whole before, byte for byte, with nothing since that could make its
    # rows read differently or bring back what was removed: a scan (its hash) and no
    # import; not even its dialect is decided (it is not read).
    counts = {} if problems.total else _unchanged_files(
        engine, pilot, sources, secret_key, csv_options, instrument_map)
    for kind, scan in scans.items():
        source = sources[kind]
        if source.excel:
            source.plain = False
        elif not source.parquet and kind not in counts:
            choose_dialect(source, kind, scan, source.options, problems)
    problems.raise_if_any()
    written = {k: s for k, s in sources.items() if k not in counts}

    # The pilot, its cohorts and metrics are recorded in the write transaction, with the
    # rows (phase 2): a refused import writes nothing at all. Until then a metric not yet
    # in the store has a placeholder key.
    planned: dict[str, int] = {}
    if written:
        with Session(engine) as session:
            stored = metric_keys(session=session, pilot_id=pilot.id)
        planned = {m.id: stored.get(m.id, NEW_KEY_OFFSET + i) for i, m in enumerate(pilot.metrics)}
    if written:
        with engine.connect() as connection, _without_cyclic_gc():
            run = _ImportRun(connection, pilot, instrument_map, planned, secret_key, problems)
            run.actor = actor
            run.progress, run.in_write = progress, in_write
            try:
                counts.update(run.execute(written))
            finally:
                run.drop_staging()
    if engine.dialect.name == "postgresql" and written:
        # Fresh statistics for the planner: without them, right after a first import
        # it takes the new participants' tables for near-empty ones and joins the
        # reductions' attributes in nested loops (10,000 participants: 5 s a metric).
        analyzed = {
            "participants": "participant, participant_attribute",
            "observations": "observation",
            "responses": "survey_response",
        }
        tables = ", ".join(analyzed[kind] for kind in written)
        with engine.connect() as connection:
            connection.execute(sa.text(f"ANALYZE {tables}"))
            connection.commit()
    skipped = run.skipped if written else {}
    unchanged = set(sources) - set(written)
    reports = {
        kind: KindReport(
            kind=kind,
            file=source.name,
            read=counts[kind][0],
            inserted=counts[kind][1],
            already_present=counts[kind][0] - counts[kind][1] - skipped.get(kind, 0),
            batch_id=counts[kind][2],
            sha256=source.sha256,
            read_as="" if kind in unchanged else described(source),
            trimmed=source.trimmed,
            skipped_erased=skipped.get(kind, 0),
            unchanged=kind in unchanged,
        )
        for kind, source in sources.items()
    }
    return ImportReport(pilot=pilot.id, seconds=time.perf_counter() - started, **reports)


ADDING_KINDS = frozenset({"participants", "observations", "responses", "submission"})
"""Batches that only add rows. Any other kind (an erasure, a withdrawal...) recorded for
a pilot after a file's import means that importing the file again might bring back
what was removed: the file is then imported again, never skipped."""


def _unchanged_files(
    engine: Engine, pilot: Pilot, sources: Mapping[str, Source], secret_key: str,
    csv_options: CsvOptions | None, instruments: Mapping[str, Instrument],
) -> dict[str, tuple[int, int, int]]:
    """``kind -> (rows, 0, batch id)`` for each file whose every row is stored already,
    known without reading it: a batch of this pilot stored a file of the same kind with
    the same SHA-256, every dialect setting was detected (the same bytes then read the
    same), the pilot's spec has not changed since (its cohorts, attributes, metrics,
    periods and surveys decide what a row means), the store's key is this one (recorded
    for the pilot), and no batch of the pilot since then removed anything (only
    :data:`ADDING_KINDS`: an erasure, a withdrawal, is followed by a real import, which
    skips the erased people's rows and respects the withdrawal). Other files are
    imported as usual.

    A participants file is such a file too: its participants, attributes, ``left_on``
    and consent dates were all stored by that batch (a stored value is never
    overwritten, only an erasure or a withdrawal removes one). So is a responses file:
    survey submissions only add answers (a participant answers a wave once), so the
    file's answers are still stored as they were; the instruments are not part of the
    spec, so the pilot's stored answers are checked against the instruments given
    (:func:`_answers_fit`): an instrument edited since they were stored, which would
    refuse some, means a real import, which lists the file's rows it refuses."""
    if not any(s.sha256 for s in sources.values()) or (
            (csv_options or CsvOptions()) != CsvOptions()):
        return {}
    batch, pilot_row = db.ImportBatch.__table__, db.Pilot.__table__  # type: ignore[attr-defined]
    unchanged: dict[str, tuple[int, int, int]] = {}
    with engine.connect() as connection:
        # Another key: refused, as an import would be. A pilot without a fingerprint of
        # its own (a store filled before keys were per pilot) gets it from an import.
        check_key(connection, secret_key, pilot_id=pilot.id)
        if stored_fingerprint(connection, pilot.id) is None:
            return {}
        stored = connection.execute(
            sa.select(pilot_row.c.spec_hash, pilot_row.c.loaded_at)
            .where(pilot_row.c.id == pilot.id)).one_or_none()
        if stored is None or stored.spec_hash != spec_hash(pilot):
            return {}
        for kind, source in sources.items():
            if not source.sha256:
                continue
            found = connection.execute(
                sa.select(batch.c.id, batch.c.rows, batch.c.created_at)
                .where(batch.c.pilot_id == pilot.id, batch.c.kind == kind,
                       batch.c.sha256 == source.sha256)
                .order_by(batch.c.id.desc()).limit(1)).one_or_none()
            if found is None or stored.loaded_at > found.created_at:
                continue
            removed_since = connection.execute(
                sa.select(sa.func.count()).select_from(batch)
                .where(batch.c.pilot_id == pilot.id, batch.c.id > found.id,
                       batch.c.kind.not_in(sorted(ADDING_KINDS)))).scalar_one()
            if removed_since or (kind == "responses" and not _answers_fit(
                    connection, pilot, instruments)):
                continue
            source.rows_read = int(found.rows)
            unchanged[kind] = (int(found.rows), 0, int(found.id))
    return unchanged


def _answers_fit(connection: Connection, pilot: Pilot,
                 instruments: Mapping[str, Instrument]) -> bool:
    """Whether every answer stored for the pilot is one the import would accept now: its
    instrument planned and given, its wave planned, its item the instrument's, its
    answer on the instrument's scale (one row per distinct combination is read)."""
    response = db.SurveyResponse.__table__  # type: ignore[attr-defined]
    participant = db.Participant.__table__  # type: ignore[attr-defined]
    rows = connection.execute(
        sa.select(response.c.instrument_id, response.c.wave, response.c.item_id,
                  response.c.answer).distinct()
        .join(participant, participant.c.key == response.c.participant_key)
        .where(participant.c.pilot_id == pilot.id))
    for instrument_id, wave, item, answer in rows:
        instrument = instruments.get(instrument_id)
        waves = {w for p in pilot.surveys if p.instrument == instrument_id for w in p.waves}
        if (instrument is None or wave not in waves or item not in instrument.item_ids
                or not instrument.scale.contains(answer)):
            return False
    return True


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


class _AlreadyThere(Exception):
    """The plain INSERT of deferred-duplicate observations met a row already there."""


# --- one import run on one connection -------------------------------------------


def _replaced(column: str, keys: dict[int, int]) -> str:
    """SQL for ``column`` with each placeholder key replaced by its stored key."""
    if not keys:
        return column
    cases = " ".join(f"WHEN {int(old)} THEN {int(new)}" for old, new in keys.items())
    return f"CASE {column} {cases} ELSE {column} END"


Progress = Callable[[str, int], None]
InWrite = Callable[[Connection, dict[str, tuple[int, int, int]]], None]


class _ImportRun:
    progress: Progress | None = None
    in_write: InWrite | None = None

    def _report_progress(self, stage: str, rows: int) -> None:
        if self.progress is not None:
            self.progress(stage, rows)

    def __init__(
        self,
        connection: Connection,
        pilot: Pilot,
        instruments: dict[str, Instrument],
        metric_keys: dict[str, int],
        secret_key: str,
        problems: Problems,
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
        self.left_on: dict[int, date] = {}  # key or placeholder -> left_on to write
        self._pending_left: dict[str, date] = {}  # raw id -> left_on of a new participant
        self.key_map: dict[int, int] = {}
        self.deferred: tuple[Source, tuple[int, int]] | None = None
        self.actor: str | None = None
        self.skipped: dict[str, int] = {}  # kind -> rows of erased people skipped
        self.consent_days: dict[str, date] = {}  # raw id -> consent_on
        self.rollups: StagedRollups | None = None

    # -- the whole run

    def execute(self, sources: dict[str, Source]) -> dict[str, tuple[int, int, int]]:
        connection = self.connection
        # Phase 1: read, check and stage, in a read transaction (SQLite: no write lock).
        connection.execution_options(sqlite_begin="DEFERRED")
        transaction = connection.begin()
        try:
            # Before reading a line: a store filled under another key is refused at once.
            check_key(connection, self.participants.secret_key, pilot_id=self.pilot.id)
            self.participants.stored = self._stored_participants()
            self.participants.erased = erased_pseudonyms(
                connection=connection, pilot_id=self.pilot.id
            )
            stored_attributes = self._stored_attributes()
            if "participants" in sources:
                self._read_participants(sources["participants"], stored_attributes)
            if "observations" in sources:
                self._create_stage(STAGE_OBSERVATION)
                self._stage_observations(sources["observations"])
                if not self.sqlite and not self.participants.uses_stored:
                    # Only this import's new participants: see _find_deferred_duplicates.
                    self.deferred = (sources["observations"], self.problems.mark())
                else:
                    self._find_duplicates(sources["observations"], STAGE_OBSERVATION)
                self._find_contradictions(sources["observations"], STAGE_OBSERVATION)
            if "responses" in sources:
                self._create_stage(STAGE_RESPONSE)
                self._stage_responses(sources["responses"])
                self._find_duplicates(sources["responses"], STAGE_RESPONSE)
                self._find_contradictions(sources["responses"], STAGE_RESPONSE)
            if self.problems.total:
                self._find_deferred_duplicates()
            self.problems.raise_if_any()
            transaction.commit()
        except BaseException:
            transaction.rollback()
            raise
        # Phase 2: one write transaction (SQLite: BEGIN IMMEDIATE) inserts everything.
        self._report_progress("write", 0)
        connection.execution_options(sqlite_begin="IMMEDIATE")
        try:
            with connection.begin():
                return self._insert(sources)
        except _AlreadyThere:
            pass  # rolled back: nothing was written
        with connection.begin():
            self._find_deferred_duplicates()
            self.problems.raise_if_any()
        with connection.begin():  # a concurrent import stored some rows: skip them
            return self._insert(sources)

    def _find_deferred_duplicates(self) -> None:
        """PostgreSQL, observations of new participants only: the rows within the file
        with the same key, which the staging (a plain COPY) did not look for.

        Finding them takes a GROUP BY over every staged row (about as long as the
        insert itself), and nothing else can make a row of such a file collide: so the
        search runs only if the import is refused anyway (to list every problem), or if
        the plain INSERT of phase 2 met a row already there (then ``_AlreadyThere``
        rolled it back). Their problems take the place in the list they would have had
        if found right after staging."""
        if self.deferred is None:
            return
        source, mark = self.deferred
        self.deferred = None
        later = self.problems.cut(mark)
        self._find_duplicates(source, STAGE_OBSERVATION)
        self.problems.paste(later)

    def drop_staging(self) -> None:
        """Remove the staging tables. A SQLite file store's connection is closed instead
        (its temporary tables go with it, file and all): dropping a million staged rows
        frees every page one by one (0.1-0.2 s a million readings)."""
        try:
            if self.connection.in_transaction():
                self.connection.rollback()
            if self.sqlite and _file_database(self.connection):
                self.connection.invalidate()  # the pool opens a new one when needed
                return
            self.connection.execution_options(sqlite_begin="DEFERRED")
            with self.connection.begin():
                for table in (STAGE_OBSERVATION, STAGE_RESPONSE, KEY_MAP, STAGE_ROLLUP,
                              DUPLICATES):
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
        self, source: Source, stored_attributes: dict[int, dict[str, str]]
    ) -> None:
        cohorts = {c.id for c in self.pilot.cohorts}
        seen: dict[str, int] = {}
        optional = [
            LEFT_ON,
            CONSENT_ON,
            *(a for a in self.pilot.attributes if a not in (LEFT_ON, CONSENT_ON)),
        ]
        stored_left: dict[int, date] | None = None
        for chunk in rows_chunks(source, PARTICIPANT_COLUMNS, optional, self.problems):
            self._report_progress("participants", source.rows_read)
            series = cast("dict[str, pd.Series]", chunk.columns)  # the csv module's: Series
            attribute_columns = [
                c for c in self.pilot.attributes if c in series and c not in (LEFT_ON, CONSENT_ON)
            ]
            for name in (*PARTICIPANT_COLUMNS, *attribute_columns):
                series[name] = self._trim(source, Column(series[name])).cells
            if LEFT_ON in series:
                if stored_left is None:
                    stored_left = self._stored_left_on()
                self._read_left_on(source, chunk.lines, series, stored_left)
            if CONSENT_ON in series:
                self.consent_days.update(
                    read_consent_days(
                        file=source.name,
                        date_order=source.dialect.date_order,
                        lines=chunk.lines.tolist(),
                        raw_ids=series["participant_id"],
                        cells=series[CONSENT_ON],
                        problems=self.problems,
                    )
                )
            rows = zip(
                chunk.lines.tolist(),
                series["participant_id"],
                series["cohort"],
                *(series[c] for c in attribute_columns),
                strict=True,
            )
            for line, raw_id, cohort, *values in rows:
                attributes = {
                    name: v for name, v in zip(attribute_columns, values, strict=True) if v != ""
                }
                self._participant_row(
                    source, line, raw_id, cohort, attributes, cohorts, seen, stored_attributes
                )

    def _read_left_on(
        self,
        source: Source,
        lines: np.ndarray,
        series: Mapping[str, pd.Series],
        stored: dict[int, date],
    ) -> None:
        """Check each ``left_on`` cell; keep the dates to write (new participants, and
        stored ones without a date yet). Run before the rows' own checks so that a
        participant's placeholder is known: see :meth:`_participant_row`."""
        for line, raw_id, text in zip(
            lines.tolist(), series["participant_id"], series[LEFT_ON], strict=True
        ):
            text = text.strip()
            if text == "" or raw_id.strip() == "":
                continue
            order = source.dialect.date_order
            iso = slash_dates_as_iso(pd.Series([text], dtype=object), order).iat[0]
            try:
                day = date.fromisoformat(iso)
            except ValueError:
                day = None
            if day is None or len(iso) != 10:
                shape = {"iso": "YYYY-MM-DD", "dmy": "dd/mm/yyyy", "mdy": "mm/dd/yyyy"}[order]
                self.problems.add(
                    source.name,
                    line,
                    LEFT_ON,
                    f"{shown(text)} is not a date (expected {shape}, the first day "
                    "the participant no longer takes part, or an empty cell)",
                )
                continue
            found = self.participants.stored.get(
                pseudonymize(raw_id, self.participants.secret_key)
            )
            if found is None:
                self._pending_left[raw_id] = day
                continue
            key = found[0]
            if key in stored and stored[key] != day:
                self.problems.add(
                    source.name,
                    line,
                    LEFT_ON,
                    f"participant {raw_id!r} is already stored with left_on "
                    f"{stored[key].isoformat()} (got {text}; a stored value is never "
                    "overwritten: erase it first)",
                )
            elif key not in stored:
                self.left_on[key] = day

    def _stored_left_on(self) -> dict[int, date]:
        participant = db.Participant.__table__  # type: ignore[attr-defined]
        rows = self.connection.execute(
            sa.select(participant.c.key, participant.c.left_on).where(
                participant.c.pilot_id == self.pilot.id, participant.c.left_on.is_not(None)
            )
        )
        return {key: day for key, day in rows}

    def _participant_row(
        self,
        source: Source,
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
        for column, value in (("participant_id", raw_id), *attributes.items()):
            if bad := CONTROL_CHARACTERS.search(value):
                add(
                    source.name,
                    line,
                    column,
                    f"contains the control character U+{ord(bad[0]):04X} "
                    "(expected printable text: a NUL often means a file saved as UTF-16 or "
                    "a corrupted export)",
                )
        if cohort not in cohorts:
            add(
                source.name,
                line,
                "cohort",
                f"unknown cohort {shown(cohort)} "
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
        if stored is None and pseudonym in self.participants.erased:
            self._skip("participants", 1)
            return
        if stored is None:
            placeholder = NEW_KEY_OFFSET + len(self.new_participants)
            self.participants.new[pseudonym] = (placeholder, cohort)
            self.new_participants.append((placeholder, pseudonym, cohort, attributes, line))
            if raw_id in self._pending_left:
                self.left_on[placeholder] = self._pending_left.pop(raw_id)
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
        columns, key = STAGE_COLUMNS[table]
        if self.sqlite:
            # The natural key as the table's key: duplicates within the file are
            # caught on insert (their lines are appended to dup_lines), and the
            # staged rows come out in the order of observation's own key.
            ddl = (
                f"CREATE TEMP TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns)}, "
                f"line INTEGER NOT NULL, dup_lines TEXT, PRIMARY KEY ({', '.join(key)})) "
                "WITHOUT ROWID"
            )
            self.connection.execute(sa.text(ddl))
            # A duplicate's upsert notes its table: the search for duplicates then reads
            # the staged rows only when there are some (a million rows: 0.05-0.1 s).
            self.connection.execute(sa.text(
                f"CREATE TEMP TABLE IF NOT EXISTS {DUPLICATES} (staged TEXT NOT NULL)"))
            self.connection.execute(sa.text(
                f"CREATE TEMP TRIGGER {table}_duplicate AFTER UPDATE OF dup_lines ON {table} "
                f"BEGIN INSERT INTO {DUPLICATES} VALUES ('{table}'); END"))
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
        columns, key = STAGE_COLUMNS[table]
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
                    "dup_lines = COALESCE(dup_lines || ',', '') || abs(excluded.line)",
                    rows,
                )
            else:
                with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        finally:
            cursor.close()

    def _stage_columns(self, table: str, columns: Sequence[np.ndarray]) -> None:
        """Write checked rows, given as columns (the last one is the line), to a staging
        table: SQLite, many rows per INSERT statement; PostgreSQL, a binary COPY."""
        count = len(columns[-1])
        if not count:
            return
        typed_columns, key = STAGE_COLUMNS[table]
        names = [c for c, _ in typed_columns] + ["line"]
        driver = self.connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            if self.sqlite:
                width = len(names)
                flat: list[Any] = [None] * (count * width)
                for j, column in enumerate(columns):
                    flat[j::width] = column.tolist()
                upsert = (
                    f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
                    "dup_lines = COALESCE(dup_lines || ',', '') || abs(excluded.line)"
                )
                one = "(" + ", ".join("?" * width) + ")"
                head = f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                step = SQLITE_ROWS_PER_INSERT * width
                whole = count - count % SQLITE_ROWS_PER_INSERT
                if whole:
                    cursor.executemany(
                        head + ", ".join([one] * SQLITE_ROWS_PER_INSERT) + upsert,
                        (flat[i : i + step] for i in range(0, whole * width, step)),
                    )
                if count > whole:
                    cursor.executemany(
                        head + one + upsert,
                        (flat[i : i + width] for i in range(whole * width, count * width, width)),
                    )
            else:
                with cursor.copy(
                    f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
                ) as copy:
                    copy.write(pg_binary_copy(columns))
        finally:
            cursor.close()

    # -- observations

    def _stage_observations(self, source: Source) -> None:
        bounds = period_bounds(self.pilot)
        self.rollups = StagedRollups(self.connection, timezone=self.pilot.timezone,
                                     start_us=bounds[0].start_us, end_us=bounds[1].end_us)
        if source.parquet:
            chunks = parquet_chunks(source, OBSERVATION_COLUMNS, self.problems)
            self._stage_observation_chunks(source, chunks, bounds)
        elif not (FAST_CSV and source.plain and self._staged_fast(source, bounds)):
            chunks = rows_chunks(source, OBSERVATION_COLUMNS, (), self.problems)
            self._stage_observation_chunks(source, chunks, bounds)
        if not self.sqlite:
            self.connection.execute(sa.text(f"ANALYZE {STAGE_OBSERVATION}"))

    def _staged_fast(self, source: Source, bounds: Sequence[Any]) -> bool:
        """Stage a plain file read by pyarrow; False (nothing staged, nothing reported)
        if pyarrow met something the scan did not foresee."""
        mark = self.problems.mark()
        try:
            chunks = fast_csv_chunks(source, OBSERVATION_COLUMNS, self.problems)
            self._stage_observation_chunks(source, chunks, bounds)
            return True
        except NotPlain:
            self.connection.execute(sa.text(f"DELETE FROM {STAGE_OBSERVATION}"))
            if self.sqlite:
                self.connection.execute(sa.text(f"DELETE FROM {DUPLICATES}"))
            assert self.rollups is not None
            self.rollups.clear()
            self.problems.restore(mark)
            source.rows_read = 0
            self.skipped.pop("observations", None)
            return False

    def _stage_observation_chunks(
        self, source: Source, chunks: Iterable[Chunk], bounds: Sequence[Any]
    ) -> None:
        """Check each chunk and stage its good rows; the staging of one chunk (on a
        background thread, which has the connection to itself meanwhile) overlaps the
        reading and checking of the next."""
        with OneBehind(background=self._writable_from_another_thread()) as writer:
            for chunk in chunks:
                columns = self._check_observations(source, chunk, bounds)
                writer.submit(self._stage_observation_columns, columns)
                self._report_progress("observations", source.rows_read)

    def _stage_observation_columns(self, columns: Sequence[np.ndarray]) -> None:
        """Stage checked readings, and their sums per local day (the roll-ups; SQLite:
        a reading alone on its day is its own, see
        :data:`~livinglab.store.staging.ALONE_ON_ITS_DAY`)."""
        assert self.rollups is not None
        alone = self.rollups.stage(*columns[:4])
        if alone is not None:  # SQLite: marked by their line's sign (ALONE_ON_ITS_DAY)
            *readings, line = columns
            columns = (*readings, np.where(alone, -line, line))
        self._stage_columns(STAGE_OBSERVATION, columns)

    def _writable_from_another_thread(self) -> bool:
        """False for a SQLite connection made with ``check_same_thread=True`` (sqlite3's
        default, which SQLAlchemy and :func:`make_engine` turn off for a file)."""
        if not self.sqlite:
            return True
        driver = self.connection.connection.driver_connection
        if driver is None:  # no DBAPI connection: the probe below could only fail
            return False
        answer: list[bool] = []

        def probe() -> None:
            try:
                driver.cursor().close()  # sqlite3 checks the thread here
                answer.append(True)
            except sqlite3.ProgrammingError:  # created in another thread
                answer.append(False)

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        return answer == [True]

    def _trim(self, source: Source, column: Column) -> Column:
        """The column with white space around each id or code removed; counted."""
        trimmed, count = trim_cells(column)
        source.trimmed += count
        return trimmed

    def _check_observations(
        self, source: Source, chunk: Chunk, bounds: Sequence[Any]
    ) -> tuple[np.ndarray, ...]:
        """Check a chunk; report its bad rows; return the columns of the good ones:
        metric_key, participant_key, ts (epoch microseconds), value, line.

        Every conversion runs once per distinct cell of a column (its ``Column``
        cells), then spreads to the rows."""
        cols = {name: Column.of(column) for name, column in chunk.columns.items()}
        bad: list[tuple[Any, str, str]] = []  # (row index, column, message)

        ids = self._trim(source, cols["participant_id"])
        participant_keys = ids.per_row(self.participants.keys_of(ids.cells)[0])
        erased = participant_keys == ERASED_KEY
        self._skip("observations", int(erased.sum()))
        for i in np.flatnonzero(participant_keys == -1):
            bad.append(
                (
                    i,
                    "participant_id",
                    f"unknown participant {shown(ids.at(int(i)))} "
                    "(not in the participants file nor in the store)",
                )
            )

        metric = self._trim(source, cols["metric"])
        metric_codes, metric_names = pd.factorize(
            metric.cells.astype(str), use_na_sentinel=False
        )
        metric_of_code = np.array(
            [self.metric_keys.get(str(m), -1) for m in metric_names], dtype=np.int64
        )
        metric_keys = metric.per_row(
            metric_of_code[metric_codes] if len(metric_names) else np.empty(0, np.int64)
        )
        for i in np.flatnonzero(metric_keys < 0):
            bad.append(
                (
                    i,
                    "metric",
                    f"unknown metric {shown(metric.at(int(i)))} "
                    f"(expected one of {sorted(self.metric_keys)})",
                )
            )

        value = cols["value"]
        values = value.per_row(as_float(value.cells, source.dialect.decimal or "."))
        finite = np.isfinite(values)
        for i in np.flatnonzero(~finite):
            cell = value.at(int(i))
            hint = ""
            if isinstance(cell, str) and "," in cell and source.dialect.decimal != ",":
                hint = " (use a dot as decimal separator, or give --decimal ,)"
            elif isinstance(cell, str) and "." in cell and source.dialect.decimal == ",":
                hint = " (the file's decimal mark is a comma)"
            bad.append((i, "value", f"{shown(cell)} is not a number{hint}"))
        binary = np.isin(metric_keys, list(self.binary_metric_keys))
        for i in np.flatnonzero(binary & finite & (values != 0) & (values != 1)):
            bad.append(
                (
                    i,
                    "value",
                    f"metric {metric.at(int(i))!r} is binary: "
                    f"expected 0 or 1, got {value.at(int(i))!r}",
                )
            )

        timestamp = cols["timestamp"]
        zone = self.pilot.timezone
        cell_micros, cell_valid, cell_why = as_micros(
            timestamp.cells, source.dialect.date_order, zone
        )
        micros, valid_time = timestamp.per_row(cell_micros), timestamp.per_row(cell_valid)
        why = timestamp.per_row(cell_why)
        expected_time = (
            "an ISO 8601 timestamp (expected e.g. 2024-03-01T08:30:00 or 2024-03-01)"
            if source.dialect.date_order == "iso"
            else "a date as in the rest of the file (expected "
            + ("dd/mm/yyyy" if source.dialect.date_order == "dmy" else "mm/dd/yyyy")
            + " [hh:mm[:ss]] or ISO 8601)"
        )
        repeated: dict[tuple[Any, Any, Any], list[int]] = {}
        for i in np.flatnonzero(~valid_time & (why == REPEATED)):
            key = (ids.at(int(i)), metric.at(int(i)), timestamp.at(int(i)))
            repeated.setdefault(key, []).append(int(chunk.lines[i]))
        for i in np.flatnonzero(~valid_time):
            cell = timestamp.at(int(i))
            if why[i] == SKIPPED:
                message = skipped_hour(cell, zone)
            elif why[i] == REPEATED:
                key = (ids.at(int(i)), metric.at(int(i)), cell)
                others = [line for line in repeated[key] if line != chunk.lines[i]]
                message = repeated_hour(cell, zone, source.dialect.date_order, others)
            else:
                message = f"{shown(cell)} is not {expected_time}"
            bad.append((i, "timestamp", message))
        in_period = np.zeros(len(chunk), dtype=bool)
        for period in bounds:
            in_period |= (micros >= period.start_us) & (micros < period.end_us)
        days = "UTC days" if zone == "UTC" else f"local days in {zone}"
        periods_text = " or ".join(
            f"{p.name} {p_start}..{p_end}"
            for p, (p_start, p_end) in zip(bounds, period_dates(self.pilot), strict=True)
        )
        for i in np.flatnonzero(valid_time & ~in_period):
            bad.append(
                (
                    i,
                    "timestamp",
                    f"{timestamp.at(int(i))!r} ({local_text(int(micros[i]), zone)}) is in "
                    f"neither period of pilot '{self.pilot.id}' (expected {periods_text}, "
                    f"{days})",
                )
            )

        if erased.any():  # the erased people's rows: skipped whatever else they hold
            bad = [b for b in bad if not erased[b[0]]]
        if not bad and not erased.any():
            return metric_keys, participant_keys, micros, values, chunk.lines
        ok = ~erased
        for i, column, message in sorted(bad, key=lambda b: b[0]):
            ok[i] = False
            self.problems.add(
                source.name,
                int(chunk.lines[i]),
                column,
                message if not source.parquet else f"row {chunk.lines[i]}: {message}",
            )
        return (
            metric_keys[ok],
            participant_keys[ok],
            micros[ok],
            values[ok],
            chunk.lines[ok],
        )

    # -- survey responses

    def _stage_responses(self, source: Source) -> None:
        for chunk in rows_chunks(source, RESPONSE_COLUMNS, (), self.problems):
            self._report_progress("responses", source.rows_read)
            rows: list[tuple[Any, ...]] = []
            series = cast("dict[str, pd.Series]", chunk.columns)  # the csv module's: Series
            columns = [self._trim(source, Column(series[c])).cells for c in RESPONSE_COLUMNS]
            for line, *cells in zip(chunk.lines.tolist(), *columns, strict=True):
                row = self._check_response(source, line, *cells)
                if row is not None:
                    rows.append(row)
            self._stage(STAGE_RESPONSE, rows)

    def _check_response(
        self,
        source: Source,
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
        if participant is not None and participant[0] == ERASED_KEY:
            self._skip("responses", 1)
            return None
        if participant is None:
            add(
                source.name,
                line,
                "participant_id",
                f"unknown participant {shown(raw_id)} "
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
                f"unknown instrument {shown(instrument_id)} "
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
                f"wave {shown(wave)} is not planned for "
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
                f"unknown item {shown(item)} of '{instrument_id}' "
                f"(expected one of {instrument.item_ids})",
            )
        value = to_number(answer)
        if value is None or not instrument.scale.contains(value):
            add(
                source.name,
                line,
                "answer",
                f"{shown(answer)} is not on the scale of "
                f"'{instrument_id}' (expected a whole number in "
                f"{instrument.scale.min}..{instrument.scale.max})",
            )
        if self.problems.total > before or participant is None or value is None:
            return None
        return (participant[0], instrument_id, wave, item, int(value), line)

    def _skip(self, kind: str, rows: int) -> None:
        """Count ``rows`` of erased people skipped in the ``kind`` file."""
        if rows:
            self.skipped[kind] = self.skipped.get(kind, 0) + rows

    # -- checks in SQL on the staged rows

    def _find_duplicates(self, source: Source, table: str) -> None:
        _, key = STAGE_COLUMNS[table]
        what = KEY_WORDS[table]
        if self.sqlite:
            if not self.connection.execute(
                sa.text(f"SELECT EXISTS (SELECT 1 FROM {DUPLICATES} WHERE staged = :table)"),
                {"table": table},
            ).scalar_one():
                return  # no upsert met a staged key twice
            rows = self.connection.execute(
                sa.text(
                    f"SELECT abs(line), dup_lines FROM {table} WHERE dup_lines IS NOT NULL "
                    "ORDER BY abs(line)"
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

    def _find_contradictions(self, source: Source, table: str) -> None:
        """Rows whose natural key is stored already with another value."""
        if not self.participants.uses_stored:
            return  # only participants already stored can have stored rows
        if table == STAGE_OBSERVATION:
            sql = (
                f"SELECT abs(s.line), s.value, o.value FROM {table} s JOIN observation o "
                "ON o.metric_key = s.metric_key AND o.participant_key = s.participant_key "
                f"AND o.ts = s.ts WHERE s.participant_key < {NEW_KEY_OFFSET} AND o.value <> s.value"
            )
            column, what = "value", "a reading for this participant, metric and timestamp"
        else:
            sql = (
                f"SELECT abs(s.line), s.answer, r.answer FROM {table} s JOIN survey_response r "
                "ON r.participant_key = s.participant_key AND r.instrument_id = s.instrument_id "
                f"AND r.wave = s.wave AND r.item_id = s.item_id "
                f"WHERE s.participant_key < {NEW_KEY_OFFSET} AND r.answer <> s.answer"
            )
            column, what = "answer", "an answer of this participant to this item in this wave"
        for line, new, old in self.connection.execute(sa.text(sql + " ORDER BY abs(s.line)")):
            self.problems.add(
                source.name,
                line,
                column,
                f"{what} is already stored with {old!r} (got {new!r}; a stored "
                "value is never overwritten: erase it first)",
            )

    # -- phase 2: insert

    def _insert(self, sources: dict[str, Source]) -> dict[str, tuple[int, int, int]]:
        check_key(
            self.connection, self.participants.secret_key, record=True, pilot_id=self.pilot.id
        )
        with Session(bind=self.connection) as session:  # joins this transaction
            stored = sync_pilot(session=session, pilot=self.pilot)
            if register_plan(session=session, pilot=self.pilot, actor=self.actor) is None:
                note_plan(session=session, pilot=self.pilot, actor=self.actor)
        placeholders = {
            key: stored[metric] for metric, key in self.metric_keys.items() if key >= NEW_KEY_OFFSET
        }
        now = db.to_micros(db.utc_now())
        batches = {kind: self._new_batch(kind, source, now) for kind, source in sources.items()}
        counts: dict[str, tuple[int, int, int]] = {}
        if "participants" in sources:
            inserted = self._insert_participants(batches["participants"])
            self._update_left_on()
            counts["participants"] = (
                sources["participants"].rows_read,
                inserted,
                batches["participants"],
            )
        self._write_key_map()
        self._write_consents()
        self._lock_stored_participants(sources)
        if "observations" in sources:
            span = period_bounds(self.pilot)  # every reading is in a period: partitions first
            ensure_partitions(self.connection, stored.values(), span[0].start_us,
                              span[-1].end_us - 1)  # PostgreSQL only
            # Deferred duplicates (PostgreSQL): no staged row can be in the store, so a
            # plain INSERT, twice as fast as ON CONFLICT's speculative insertion on a
            # big table; a row already there (a duplicate within the file, or a row a
            # concurrent import stored) makes it fail, and the import starts phase 2
            # again after looking for duplicates (see execute).
            sql = (
                f"INSERT INTO observation (metric_key, participant_key, ts, value, batch_id) "
                f"SELECT {_replaced('s.metric_key', placeholders)}, "
                "COALESCE(m.key, s.participant_key), s.ts, s.value, "
                f"{batches['observations']} FROM {STAGE_OBSERVATION} s LEFT JOIN {KEY_MAP} m "
                "ON m.placeholder = s.participant_key WHERE true"
            )
            if self.deferred is None:
                inserted = self._insert_staged(sql + " ON CONFLICT DO NOTHING")
            else:
                try:
                    inserted = self._insert_staged(sql)
                except sa.exc.IntegrityError as error:
                    raise _AlreadyThere from error
            assert self.rollups is not None
            if inserted and inserted == self.rollups.readings:  # every staged reading is new
                self.rollups.add_to_store(
                    metric_sql=_replaced("s.metric_key", placeholders),
                    participant_sql="COALESCE(m.key, s.participant_key)", key_map=KEY_MAP)
            elif inserted:  # some were stored already: recompute the days they touch
                self._refresh_rollups(placeholders)
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
                f"s.answer, {batches['responses']}, {now} FROM {STAGE_RESPONSE} s "
                f"LEFT JOIN {KEY_MAP} m ON m.placeholder = s.participant_key WHERE true "
                "ON CONFLICT DO NOTHING"
            )
            counts["responses"] = (sources["responses"].rows_read, inserted, batches["responses"])
        for _, inserted, batch_id in counts.values():
            self.connection.execute(
                sa.update(db.ImportBatch)
                .where(col(db.ImportBatch.id) == batch_id)
                .values(inserted=inserted)
            )
        if self.actor is not None and self.in_write is None:  # in_write writes its own
            self._audit(sources, counts)
        if self.in_write is not None:
            self.in_write(self.connection, counts)
        return counts

    def _audit(self, sources: dict[str, Source], counts: dict[str, tuple[int, int, int]]) -> None:
        """The import's entry in the audit log, in its write transaction."""
        from livinglab.store.audit import record_event

        detail = "; ".join(
            f"{kind} {Path(sources[kind].name).name}: {read} read, {inserted} new"
            for kind, (read, inserted, _) in counts.items()
        )
        assert self.actor is not None
        with Session(bind=self.connection) as session:
            record_event(
                session=session,
                actor=self.actor,
                action="import",
                pilot_id=self.pilot.id,
                detail=detail,
            )

    def _refresh_rollups(self, placeholders: dict[int, int]) -> None:
        """Recompute the daily roll-ups of the days the staged readings fall on, in this
        transaction (:mod:`livinglab.store.rollups`)."""
        touched = sa.text(
            f"SELECT {_replaced('s.metric_key', placeholders)} AS metric_key, "
            "COALESCE(m.key, s.participant_key) AS participant_key, "
            f"MIN(s.ts) AS low_ts, MAX(s.ts) AS high_ts FROM {STAGE_OBSERVATION} s "
            f"LEFT JOIN {KEY_MAP} m ON m.placeholder = s.participant_key GROUP BY "
            f"{_replaced('s.metric_key', placeholders)}, COALESCE(m.key, s.participant_key)"
        ).columns(
            sa.column("metric_key", sa.BigInteger), sa.column("participant_key", sa.BigInteger),
            sa.column("low_ts", sa.BigInteger), sa.column("high_ts", sa.BigInteger),
        )
        refresh_rollups(self.connection, timezone=self.pilot.timezone, touched=touched)

    def _lock_stored_participants(self, sources: dict[str, Source]) -> None:
        """Make sure the stored participants that rows point to are still there, and
        keep them there until commit (observation has no foreign keys to do it)."""
        used = {
            f[0] for f in self.participants.cache.values() if f and 0 <= f[0] < NEW_KEY_OFFSET
        }
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

    def _new_batch(self, kind: str, source: Source, now: int) -> int:
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
                        "left_on": self.left_on.get(placeholder),
                    }
                    for placeholder, pseudonym, cohort, _, _ in self.new_participants
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

    def _update_left_on(self) -> None:
        """Stored participants who left since their last import: set ``left_on`` where
        it is still NULL (a stored date is never overwritten)."""
        updates = [
            {"k": key, "day": day} for key, day in self.left_on.items() if key < NEW_KEY_OFFSET
        ]
        if not updates:
            return
        participant = db.Participant.__table__  # type: ignore[attr-defined]
        self.connection.execute(
            participant.update()
            .where(participant.c.key == sa.bindparam("k"), participant.c.left_on.is_(None))
            .values(left_on=sa.bindparam("day")),
            updates,
        )

    def _write_consents(self) -> None:
        """The participants file's ``consent_on`` dates, as consents (erased people's
        skipped: they have no key)."""
        if not self.consent_days:
            return
        keys = self._stored_participants()
        days = {}
        for raw_id, day in self.consent_days.items():
            found = keys.get(pseudonymize(raw_id, self.participants.secret_key))
            if found is not None:
                days[found[0]] = day
        write_consents(connection=self.connection, pilot=self.pilot, days_by_key=days)

    def _write_key_map(self) -> None:
        key_type = "INTEGER PRIMARY KEY" if self.sqlite else "BIGINT PRIMARY KEY"
        self.connection.execute(
            sa.text(f"CREATE TEMP TABLE {KEY_MAP} (placeholder {key_type}, key BIGINT NOT NULL)")
        )
        pairs = sorted(self.key_map.items())
        if pairs:
            self.connection.execute(
                sa.text(f"INSERT INTO {KEY_MAP} (placeholder, key) VALUES (:placeholder, :key)"),
                [{"placeholder": p, "key": k} for p, k in pairs],
            )

    def _insert_staged(self, sql: str) -> int:
        return max(self.connection.execute(sa.text(sql)).rowcount, 0)


def _file_database(connection: Connection) -> bool:
    """Whether a SQLite connection's database is a file (closing it loses nothing)."""
    url = connection.engine.url
    return url.database not in (None, "", ":memory:") and "memory" not in str(url)


def _insert_ignore(connection: Connection, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, in the connection's dialect."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    return dialect.insert(table).on_conflict_do_nothing()

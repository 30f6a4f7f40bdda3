"""Daily roll-ups: each participant's readings of a metric summed up per local day.

``daily_rollup`` holds, per metric, participant and local day (the pilot's time zone),
the count, sum, sum of squares, smallest and largest value and the latest instant of
the readings. Every aggregate a pilot declares is exact from them (``mean`` = sum of
totals / sum of counts, ``sum``, ``count``, ``rate_per_day`` = sum / days, ``share``
= the mean of 0/1 readings), and so is every weekly series, since a period and a
local week are whole local days. The evaluation's cost then follows participant-days
(a smart meter's 48 readings a day are one row), not readings.

They are kept in step by the importer, in the transaction that writes the readings
(:func:`refresh_rollups`: the days a file touches are recomputed from the stored
readings, so a re-import or a partly new file leaves them exact), by the erasure
(:func:`livinglab.store.repository.erase_participant`), and rebuilt whole for a pilot
whose time zone changes (:func:`rebuild_rollups`) or by the migration that creates them.

A local day is ``(ts + offset(ts)) // 86 400 000 000`` on the store's epoch
microseconds, the offset being the zone's UTC offset at that instant (a CASE over the
zone's offset pieces, :func:`livinglab.store.periods.zone_offsets`): the same local
days as the periods' bounds (local midnights), so a day never straddles a period
boundary, on daylight-saving days too (23 or 25 hours).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from livinglab.store import models as db
from livinglab.store.periods import zone_offsets
from livinglab.store.staging import ALONE_ON_ITS_DAY, STAGE_OBSERVATION

DAY_US = 86_400_000_000
_EPOCH_DAY = date(1970, 1, 1)
_MARGIN_US = 2 * DAY_US
"""A UTC instant's local day starts and ends within a day of it (offsets < 24 h)."""

_rollup = db.DailyRollup.__table__  # type: ignore[attr-defined]
_observation = db.Observation.__table__  # type: ignore[attr-defined]
_metric = db.Metric.__table__  # type: ignore[attr-defined]
_pilot = db.Pilot.__table__  # type: ignore[attr-defined]

TOUCHED = "ll_rollup_touched"
_touched = sa.Table(
    TOUCHED,
    sa.MetaData(),
    sa.Column("metric_key", sa.BigInteger, nullable=False),
    sa.Column("participant_key", sa.BigInteger, nullable=False),
    sa.Column("low_ts", sa.BigInteger, nullable=False),
    sa.Column("high_ts", sa.BigInteger, nullable=False),
    prefixes=["TEMPORARY"],
)


def day_number(day: date) -> int:
    """A local date as the roll-ups store it: days since 1970-01-01."""
    return (day - _EPOCH_DAY).days


def day_of_number(number: int) -> date:
    """The local date of a roll-up's ``day`` number."""
    return _EPOCH_DAY + timedelta(days=int(number))


def local_day_sql(
    ts: sa.ColumnElement[int], timezone: str, start_us: int, end_us: int
) -> sa.ColumnElement[int]:
    """SQL for the local day number of an instant in ``[start_us, end_us)``
    (epoch microseconds) in ``timezone``; exact for instants in that span."""
    pieces = zone_offsets(timezone, start_us, end_us)
    if len(pieces) == 1:
        shifted = ts + pieces[0][1] if pieces[0][1] else ts
    else:
        whens = [(ts >= start, offset) for start, offset in reversed(pieces[1:])]
        shifted = ts + sa.case(*whens, else_=pieces[0][1])
    return sa.type_coerce(shifted // DAY_US, sa.BigInteger)


def refresh_rollups(
    connection: Connection, *, timezone: str, touched: sa.Select[Any] | sa.TextualSelect
) -> int:
    """Recompute the roll-ups of the local days that some new readings fall on.

    Parameters
    ----------
    connection : Connection
        In the transaction that wrote the readings.
    timezone : str
        The pilot's time zone (IANA), whose local days the roll-ups are.
    touched : Select
        Rows ``metric_key, participant_key, low_ts, high_ts``: for each metric and
        participant with new readings, the first and last new instant (epoch
        microseconds). Every local day from the first's to the last's is recomputed
        from ``observation`` (a day that already had readings gets its whole count).

    Returns
    -------
    int
        The number of (metric, participant) pairs refreshed.
    """
    _touched.drop(connection, checkfirst=True)
    _touched.create(connection)
    try:
        connection.execute(_touched.insert().from_select(
            ["metric_key", "participant_key", "low_ts", "high_ts"], touched))
        low, high, pairs = connection.execute(
            sa.select(sa.func.min(_touched.c.low_ts), sa.func.max(_touched.c.high_ts),
                      sa.func.count())
        ).one()
        if not pairs:
            return 0
        start, end = int(low) - _MARGIN_US, int(high) + _MARGIN_US
        ts = _observation.c.ts
        day = local_day_sql(ts, timezone, start, end)
        source = (
            sa.select(_observation.c.metric_key, _observation.c.participant_key, day.label("day"),
                      *_moments())
            .select_from(_touched.join(_observation, sa.and_(
                _observation.c.metric_key == _touched.c.metric_key,
                _observation.c.participant_key == _touched.c.participant_key,
                ts >= _touched.c.low_ts - DAY_US, ts < _touched.c.high_ts + DAY_US)))
            .where(day >= local_day_sql(_touched.c.low_ts, timezone, start, end),
                   day <= local_day_sql(_touched.c.high_ts, timezone, start, end))
            .group_by(_observation.c.metric_key, _observation.c.participant_key, day)
        )
        connection.execute(_upsert(connection, source))
        return int(pairs)
    finally:
        _touched.drop(connection, checkfirst=True)


def rebuild_rollups(connection: Connection, *, pilot_id: str, timezone: str) -> None:
    """Delete and rebuild every roll-up of a pilot from its stored readings (a new time
    zone; the migration that creates the table)."""
    keys = sa.select(_metric.c.key).where(_metric.c.pilot_id == pilot_id)
    connection.execute(sa.delete(_rollup).where(_rollup.c.metric_key.in_(keys)))
    low, high = connection.execute(
        sa.select(sa.type_coerce(sa.func.min(_observation.c.ts), sa.BigInteger),
                  sa.type_coerce(sa.func.max(_observation.c.ts), sa.BigInteger))
        .where(_observation.c.metric_key.in_(keys))
    ).one()
    if low is None:
        return
    start, end = int(low) - _MARGIN_US, int(high) + _MARGIN_US
    day = local_day_sql(_observation.c.ts, timezone, start, end)
    source = (
        sa.select(_observation.c.metric_key, _observation.c.participant_key, day.label("day"),
                  *_moments())
        .where(_observation.c.metric_key.in_(keys))
        .group_by(_observation.c.metric_key, _observation.c.participant_key, day)
    )
    connection.execute(_upsert(connection, source))


def ensure_rollup_zone(engine: Any, *, pilot_id: str, timezone: str) -> bool:
    """Rebuild a pilot's roll-ups when its spec now declares another time zone than the
    one they were summed up in (the spec edited since the last import); True if it did.
    A pilot not in the store yet has nothing to rebuild."""
    with engine.connect() as connection:
        stored = connection.execute(
            sa.select(_pilot.c.rollup_timezone).where(_pilot.c.id == pilot_id)
        ).one_or_none()
    if stored is None or stored[0] == timezone:
        return False
    with engine.begin() as connection:
        rebuild_rollups(connection, pilot_id=pilot_id, timezone=timezone)
        connection.execute(sa.update(_pilot).where(_pilot.c.id == pilot_id)
                           .values(rollup_timezone=timezone))
    return True


def _moments() -> list[sa.ColumnElement[Any]]:
    value = _observation.c.value
    return [
        sa.func.count().label("n"),
        sa.cast(sa.func.sum(value), sa.Float).label("total"),
        sa.cast(sa.func.sum(value * value), sa.Float).label("squares"),
        sa.cast(sa.func.min(value), sa.Float).label("low"),
        sa.cast(sa.func.max(value), sa.Float).label("high"),
        sa.type_coerce(sa.func.max(_observation.c.ts), sa.BigInteger).label("last_ts"),
    ]


_COLUMNS = ["metric_key", "participant_key", "day", "n", "total", "squares", "low", "high",
            "last_ts"]


def _upsert(connection: Connection, source: sa.Select[Any]) -> sa.Executable:
    """INSERT ... SELECT that replaces a stored day (ON CONFLICT DO UPDATE)."""
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(
        _rollup)
    statement = insert.from_select(_COLUMNS, source)
    return statement.on_conflict_do_update(
        index_elements=["metric_key", "participant_key", "day"],
        set_={name: statement.excluded[name] for name in _COLUMNS[3:]},
    )


# --- an import's own roll-ups, summed up while its rows are staged ------------------------

STAGE_ROLLUP = "ll_stage_rollup"
_STAGE_NAMES = ["metric_key", "participant_key", "day", "n", "total", "squares", "low", "high",
                "last_ts"]
_ROWS_PER_INSERT = 50
_ADDED = {"n": "+", "total": "+", "squares": "+", "low": "min", "high": "max",
          "last_ts": "max"}


class StagedRollups:
    """The daily roll-ups of the readings an import stages, summed up chunk by chunk with
    numpy (the readings never go through a SQL GROUP BY, whose six aggregates cost SQLite
    more than the readings' own insert), kept in a temporary table; :meth:`add_to_store`
    adds them to ``daily_rollup`` when every staged reading was new (a re-import or an
    overlapping file recomputes the touched days instead, :func:`refresh_rollups`).

    SQLite: a day with a single reading in its chunk (a daily metric) is not summed up
    nor staged twice: its reading is marked in the observation stage (its line negated,
    :data:`livinglab.store.staging.ALONE_ON_ITS_DAY`), and is its own roll-up.

    Parameters
    ----------
    connection : Connection
        The import's connection (the temporary table lives there).
    timezone : str
        The pilot's time zone.
    start_us, end_us : int
        The span of instants the readings can have (the pilot's periods).
    """

    def __init__(self, connection: Connection, *, timezone: str, start_us: int,
                 end_us: int) -> None:
        self.connection = connection
        self.sqlite = connection.dialect.name == "sqlite"
        self._zone = (timezone, start_us, end_us)
        pieces = zone_offsets(timezone, start_us, end_us)
        self._starts = np.array([start for start, _ in pieces], dtype=np.int64)
        self._offsets = np.array([offset for _, offset in pieces], dtype=np.int64)
        self.readings = 0
        """How many readings the staged roll-ups sum up."""
        if self.sqlite:
            # Appended to: a day met in several chunks is summed up when the rows are
            # added to the store (ON CONFLICT ... DO UPDATE adds them up).
            ddl = (f"CREATE TEMP TABLE {STAGE_ROLLUP} (metric_key INTEGER, "
                   "participant_key INTEGER, day INTEGER, n INTEGER, total REAL, "
                   "squares REAL, low REAL, high REAL, last_ts INTEGER)")
        else:
            ddl = (f"CREATE TEMP TABLE {STAGE_ROLLUP} (metric_key BIGINT, "
                   "participant_key BIGINT, day BIGINT, n BIGINT, total DOUBLE PRECISION, "
                   "squares DOUBLE PRECISION, low DOUBLE PRECISION, high DOUBLE PRECISION, "
                   "last_ts BIGINT)")
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {STAGE_ROLLUP}"))
        connection.execute(sa.text(ddl))

    def local_days(self, micros: np.ndarray) -> np.ndarray:
        """The local day numbers of epoch-microsecond instants (numpy, int64)."""
        piece = np.searchsorted(self._starts, micros, side="right") - 1
        return (micros + self._offsets[np.maximum(piece, 0)]) // DAY_US

    def stage(self, metric_keys: np.ndarray, participant_keys: np.ndarray,
              micros: np.ndarray, values: np.ndarray) -> np.ndarray | None:
        """Sum up one chunk of checked readings per metric, participant and local day and
        stage the sums.

        Returns
        -------
        numpy.ndarray or None
            SQLite: per reading, True if it is the only reading of its metric and
            participant that day in the chunk (boolean): those days are not staged here,
            the caller marks the readings (:data:`~livinglab.store.staging.ALONE_ON_ITS_DAY`).
            None on PostgreSQL (every day is staged).
        """
        if not len(micros):
            return np.zeros(0, dtype=bool) if self.sqlite else None
        columns, alone = summed_by_day(
            metric_keys.astype(np.int64), participant_keys.astype(np.int64),
            self.local_days(micros.astype(np.int64)), micros.astype(np.int64),
            values.astype(np.float64), alone=self.sqlite)
        self.readings += len(micros)
        if self.sqlite:
            several = columns[3] > 1
            columns = [column[several] for column in columns]
        driver = self.connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            if self.sqlite:
                width, count = len(columns), len(columns[0])
                flat: list[Any] = [None] * (count * width)
                for j, column in enumerate(columns):
                    flat[j::width] = column.tolist()
                one = "(" + ", ".join("?" * width) + ")"
                head = f"INSERT INTO {STAGE_ROLLUP} VALUES "
                for rows in (_ROWS_PER_INSERT, 1):  # many rows a statement, then the rest
                    whole = count - count % rows
                    step = rows * width
                    cursor.executemany(
                        head + ", ".join([one] * rows),
                        (flat[i : i + step] for i in range(0, whole * width, step)),
                    )
                    flat, count = flat[whole * width :], count - whole
            else:
                from livinglab.store.staging import pg_binary_copy

                with cursor.copy(f"COPY {STAGE_ROLLUP} ({', '.join(_STAGE_NAMES)}) "
                                 "FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(pg_binary_copy(columns))
        finally:
            cursor.close()
        return alone

    def clear(self) -> None:
        """Forget what was staged (the import reads the file again from the start)."""
        self.readings = 0
        self.connection.execute(sa.text(f"DELETE FROM {STAGE_ROLLUP}"))

    def add_to_store(self, *, metric_sql: str, participant_sql: str, key_map: str) -> None:
        """Add the staged sums to ``daily_rollup`` (a stored day gets the new readings'
        count, sums, extremes added). ``metric_sql`` and ``participant_sql`` turn the
        staged placeholder keys (``s.``) into stored ones through ``key_map`` (``m.``)."""
        keys = f"{metric_sql}, {participant_sql}, s.day"
        if self.sqlite:
            timezone, start_us, end_us = self._zone
            day = local_day_sql(sa.literal_column("s.ts", sa.BigInteger), timezone,
                                start_us - _MARGIN_US, end_us + _MARGIN_US)
            day_sql = str(day.compile(dialect=self.connection.dialect,
                                      compile_kwargs={"literal_binds": True}))
            sources = [
                # the days of a single reading: the reading is the roll-up
                (f"{metric_sql}, {participant_sql}, {day_sql}, 1, s.value, s.value * s.value, "
                 "s.value, s.value, s.ts", STAGE_OBSERVATION, f"WHERE s.{ALONE_ON_ITS_DAY}"),
                (f"{keys}, s.n, s.total, s.squares, s.low, s.high, s.last_ts", STAGE_ROLLUP,
                 "WHERE true"),
            ]
            least, greatest = "min", "max"
        else:
            sources = [(f"{keys}, sum(s.n), sum(s.total), sum(s.squares), min(s.low), "
                        "max(s.high), max(s.last_ts)", STAGE_ROLLUP, f"GROUP BY {keys}")]
            least, greatest = "least", "greatest"
        function = {"+": None, "min": least, "max": greatest}
        added = ", ".join(
            f"{c} = daily_rollup.{c} + excluded.{c}" if how == "+" else
            f"{c} = {function[how]}(daily_rollup.{c}, excluded.{c})" for c, how in _ADDED.items())
        for columns, source, tail in sources:
            self.connection.execute(sa.text(
                f"INSERT INTO daily_rollup ({', '.join(_STAGE_NAMES)}) SELECT {columns} "
                f"FROM {source} s LEFT JOIN {key_map} m ON m.placeholder = s.participant_key "
                f"{tail} ON CONFLICT (metric_key, participant_key, day) DO UPDATE SET {added}"
            ))

    def drop(self) -> None:
        """Remove the temporary table."""
        self.connection.execute(sa.text(f"DROP TABLE IF EXISTS {STAGE_ROLLUP}"))


def summed_by_day(metric_keys: np.ndarray, participant_keys: np.ndarray, days: np.ndarray,
                  micros: np.ndarray, values: np.ndarray, *, alone: bool = False
                  ) -> tuple[list[np.ndarray], np.ndarray | None]:
    """Readings summed up per (metric, participant, day): the columns ``metric_key,
    participant_key, day, n, total, squares, low, high, last_ts`` (one row per group,
    in key order); with ``alone``, also a boolean per reading (in the order given):
    True if it is its group's only reading (else None)."""
    order = np.lexsort((days, participant_keys, metric_keys))
    m, p, d = metric_keys[order], participant_keys[order], days[order]
    v, t = values[order], micros[order]
    starts = np.flatnonzero(np.concatenate(
        ([True], (m[1:] != m[:-1]) | (p[1:] != p[:-1]) | (d[1:] != d[:-1]))))
    counts = np.diff(np.append(starts, len(v)))
    single: np.ndarray | None = None
    if alone:
        single = np.empty(len(v), dtype=bool)
        single[order] = np.repeat(counts == 1, counts)
    return [m[starts], p[starts], d[starts], counts.astype(np.int64),
            np.add.reduceat(v, starts), np.add.reduceat(v * v, starts),
            np.minimum.reduceat(v, starts), np.maximum.reduceat(v, starts),
            np.maximum.reduceat(t, starts)], single

"""SQL reductions: what the statistics receive, computed by the database.

Millions of readings never reach pandas: each function runs one GROUP BY and
returns a small frame (one row per participant and period, or per cohort). Every
function takes either ``engine`` (a read-only snapshot is opened) or ``session``
(the caller's transaction), and the pilot's spec.

A reading's period is decided in SQL by the rule of :mod:`livinglab.store.periods`
(``start 00:00 UTC <= t < (end + 1 day) 00:00 UTC``), on the same integers the
importer checked.

Absent events are zeros, not missing values
-------------------------------------------
A metric whose aggregate counts events (``count``, ``sum``, ``rate_per_day``: one
reading per trip, per login, per kWh logged...) has no reading when nothing
happened. A participant who is enrolled and has not left therefore counts 0 in a
period without readings (``rate_per_day``: 0 per day), in a row marked
``filled``. Only a participant who has left is missing (a drop-out), from the
period in which they left on: that period's total is incomplete. Who left, and
when, is :func:`departures`: the participants file's ``left_on`` date, or the
pilot's declared drop-out rule (``dropout_after_days``). ``mean`` and ``share``
describe the readings there are: for them no reading stays a missing value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from livinglab.errors import NotFoundError
from livinglab.spec.models import DATA_COLLECTION_OVER, Pilot
from livinglab.store import models as db
from livinglab.store.engine import read_connection
from livinglab.store.periods import PeriodBounds, local_day, local_midnight_us, period_bounds
from livinglab.store.rollups import day_number

ZERO_FILLED_AGGREGATES = frozenset({"count", "sum", "rate_per_day"})
"""Aggregates of events, for which a period without readings counts 0 (see above)."""
_observation = db.Observation.__table__  # type: ignore[attr-defined]
_participant = db.Participant.__table__  # type: ignore[attr-defined]
_attribute = db.ParticipantAttribute.__table__  # type: ignore[attr-defined]
_cohort = db.Cohort.__table__  # type: ignore[attr-defined]
_metric = db.Metric.__table__  # type: ignore[attr-defined]
_response = db.SurveyResponse.__table__  # type: ignore[attr-defined]
_batch = db.ImportBatch.__table__  # type: ignore[attr-defined]
_rollup = db.DailyRollup.__table__  # type: ignore[attr-defined]


def considered(pilot: Pilot) -> sa.ColumnElement[bool]:
    """The condition on ``participant`` that says whom every reduction of the pilot
    considers: its enrolled participants less those who withdrew their consent
    (:func:`counted_participants`). The one place to narrow it (every reduction,
    weekly series and count goes through it)."""
    return counted_participants(pilot)


def _period_days(pilot: Pilot) -> tuple[tuple[int, int], tuple[int, int]]:
    """The baseline's and the intervention's local days, as roll-up day numbers
    ``(first, last)`` inclusive: a reading is in a period exactly when its local day is
    (the periods' bounds are local midnights, :mod:`livinglab.store.periods`)."""
    periods = pilot.periods
    return ((day_number(periods.baseline.start), day_number(periods.baseline.end)),
            (day_number(periods.intervention.start), day_number(periods.intervention.end)))


def _day_period_case(pilot: Pilot) -> tuple[sa.ColumnElement[str], sa.ColumnElement[bool]]:
    """A roll-up day's period (NULL outside both), and a filter spanning both periods."""
    (b_first, b_last), (i_first, i_last) = _period_days(pilot)
    day = _rollup.c.day
    period = sa.case(
        (sa.and_(day >= b_first, day <= b_last), sa.literal("baseline")),
        (sa.and_(day >= i_first, day <= i_last), sa.literal("intervention")),
        else_=sa.null(),
    )
    return period, sa.and_(day >= b_first, day <= i_last)


_consent = db.Consent.__table__  # type: ignore[attr-defined]


def counted_participants(pilot: Pilot | str) -> sa.ColumnElement[bool]:
    """The one filter of the participants whose data enters an evaluation: the pilot's,
    less those who withdrew their consent (at least one consent row, none still open:
    :func:`livinglab.store.consents.withdrawn_keys`, here in SQL).

    Every reduction that reads participants' data puts this in its WHERE clause, so a
    withdrawn person leaves every number as if never imported. A WHERE on the
    ``participant`` table (a query joining it)."""
    pilot_id = pilot if isinstance(pilot, str) else pilot.id
    withdrawn = (
        sa.select(_consent.c.participant_key)
        .where(_consent.c.pilot_id == pilot_id)
        .group_by(_consent.c.participant_key)
        .having(sa.func.count() == sa.func.count(_consent.c.withdrawn_at))
    )
    return sa.and_(_participant.c.pilot_id == pilot_id, _participant.c.key.not_in(withdrawn))


def withdrawn_count(
    *, engine: Engine | Connection | None = None, session: Session | None = None, pilot: Pilot
) -> int:
    """How many of the pilot's participants withdrew their consent (left out of every
    evaluation by :func:`counted_participants`)."""
    with _reading(engine, session) as connection:
        total = connection.execute(
            sa.select(sa.func.count()).where(_participant.c.pilot_id == pilot.id)
        ).scalar_one()
        counted = connection.execute(
            sa.select(sa.func.count()).where(counted_participants(pilot))
        ).scalar_one()
    return int(total) - int(counted)


@contextmanager
def _reading(engine: Engine | Connection | None, session: Session | None) -> Iterator[Connection]:
    if (engine is None) == (session is None):
        raise TypeError("Give exactly one of 'engine' or 'session'.")
    if session is not None:
        yield session.connection()
    elif isinstance(engine, Connection):
        yield engine
    else:
        assert engine is not None
        with read_connection(engine) as connection:
            yield connection


def _tuples(rows: Sequence[sa.Row[*tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """Rows as plain tuples: pandas builds a frame from tuples several times faster than
    from SQLAlchemy rows (it probes each row's attributes), with the same dtypes."""
    return [tuple(row) for row in rows]


def _period_case(pilot: Pilot) -> tuple[sa.ColumnElement[str], sa.ColumnElement[bool]]:
    """The period of a raw reading (NULL outside both), and a filter spanning both periods
    (the reductions read the daily roll-ups; this stays for audits of raw readings)."""
    baseline, intervention = period_bounds(pilot)
    ts = _observation.c.ts
    period = sa.case(
        (sa.and_(ts >= baseline.start_us, ts < baseline.end_us), sa.literal("baseline")),
        (
            sa.and_(ts >= intervention.start_us, ts < intervention.end_us),
            sa.literal("intervention"),
        ),
        else_=sa.null(),
    )
    return period, sa.and_(ts >= baseline.start_us, ts < intervention.end_us)


def _participant_columns(pilot: Pilot) -> tuple[list[sa.ColumnElement[object]], sa.FromClause]:
    """participant_id, cohort, cohort_role and one column per attribute, and their joins."""
    joined: sa.FromClause = _participant.join(
        _cohort,
        sa.and_(
            _cohort.c.pilot_id == _participant.c.pilot_id, _cohort.c.id == _participant.c.cohort_id
        ),
    )
    columns: list[sa.ColumnElement[object]] = [
        _participant.c.participant_id,
        _participant.c.cohort_id.label("cohort"),
        _cohort.c.role.label("cohort_role"),
    ]
    for i, name in enumerate(pilot.attributes):
        alias = _attribute.alias(f"attribute_{i}")
        joined = joined.outerjoin(
            alias, sa.and_(alias.c.participant_key == _participant.c.key, alias.c.name == name)
        )
        columns.append(alias.c.value.label(name))
    return columns, joined


def _metric_key(connection: Connection, pilot: Pilot, metric: str) -> int | None:
    if metric not in {m.id for m in pilot.metrics}:
        raise NotFoundError(
            f"Pilot '{pilot.id}' has no metric '{metric}' "
            f"(expected one of {sorted(m.id for m in pilot.metrics)})."
        )
    return connection.execute(
        sa.select(_metric.c.key).where(
            _metric.c.pilot_id == pilot.id, _metric.c.metric_id == metric
        )
    ).scalar_one_or_none()


def participant_values(
    *,
    engine: Engine | Connection | None = None,
    session: Session | None = None,
    pilot: Pilot,
    metric: str,
) -> pd.DataFrame:
    """One value per participant and period: the metric's declared aggregate of its readings.

    Returns
    -------
    DataFrame
        One row per participant and period in which the participant has a value,
        ordered by cohort, participant, period. Columns:

        - ``participant_id``: the pseudonym;
        - ``cohort``, ``cohort_role`` (``test`` or ``control``);
        - ``period``: ``baseline`` or ``intervention``;
        - ``value``: the aggregate, in the metric's unit (see Notes);
        - ``n_readings``: how many readings it reduces;
        - ``filled``: True where the value is a 0 for a period without readings
          (``count``, ``sum``, ``rate_per_day`` only; see Notes);
        - one column per attribute the pilot declares (missing, ``NA``, where unknown).

    Raises
    ------
    NotFoundError
        The pilot has no such metric.

    Notes
    -----
    With :math:`x_1..x_n` the participant's readings in the period and :math:`D` the
    number of days the period declares:

    - ``mean``: :math:`\\bar x`; ``share``: :math:`\\bar x` of 0/1 readings (a proportion);
    - ``sum``: :math:`\\sum x`; ``count``: :math:`n`;
    - ``rate_per_day``: :math:`\\sum x / D` (days without a reading count as zero).

    Who has a row (the module's "Absent events are zeros"):

    - ``mean`` and ``share``: a participant with at least one reading in the period;
      without one the value is missing (no row).
    - ``count``, ``sum`` and ``rate_per_day``: every enrolled participant who had not
      left by the period's last day (:func:`departures`); without readings the value
      is 0 (``filled`` True, ``n_readings`` 0). One who left before or during the
      period has no row for it, even with readings (an incomplete period's total
      would understate it): a drop-out, whatever readings came earlier. A period in
      which no participant has any reading of the metric is data not imported yet:
      nothing is filled there (no row).

    Whether a missing period is attrition shows in :func:`cohort_counts`.
    """
    return _participant_values(engine, session, pilot, metric=metric, left=None)


def _participant_values(
    engine: Engine | Connection | None,
    session: Session | None,
    pilot: Pilot,
    *,
    metric: str,
    left: Mapping[int, date] | None,
) -> pd.DataFrame:
    """:func:`participant_values`, with the departures computed already (or None).
    ``metric`` is a keyword: benchmarks/bench_evaluate.py times each metric by it."""
    spec = pilot.metric(metric) if metric in {m.id for m in pilot.metrics} else None
    with _reading(engine, session) as connection:
        key = _metric_key(connection, pilot, metric)
        columns, joined = _participant_columns(pilot)
        names = (
            [c.key for c in columns[:3]]
            + ["period", "value", "n_readings", "filled"]
            + list(pilot.attributes)
        )
        if key is None or spec is None:
            return _typed(pd.DataFrame(columns=names))
        fill = spec.aggregate in ZERO_FILLED_AGGREGATES
        bounds = period_bounds(pilot)
        _, span = _day_period_case(pilot)
        day, n, total = _rollup.c.day, _rollup.c.n, _rollup.c.total
        # One pass over the metric's daily roll-ups in the primary key's order
        # (participant, then day), GROUP BY participant only, each period's aggregate
        # FILTERed to its days: no sort. A period is whole local days, so its
        # aggregate is exact from the days' counts and sums.
        (b_first, b_last), (i_first, i_last) = _period_days(pilot)
        if i_first > b_last:
            insides = [day <= b_last, day >= i_first]
        else:  # not a valid spec; the rule of _day_period_case: baseline first
            insides = [
                sa.and_(day >= b_first, day <= b_last),
                sa.and_(day >= i_first, day <= i_last,
                        sa.not_(sa.and_(day >= b_first, day <= b_last))),
            ]
        aggregates: list[sa.ColumnElement[Any]] = []
        for i, (period, inside) in enumerate(zip(bounds, insides, strict=True)):
            readings = sa.func.sum(n).filter(inside)  # FILTER: SQLite 3.30+ (store: 3.35+)
            summed = sa.func.sum(total).filter(inside)
            aggregate = {
                "mean": summed / readings,
                "share": summed / readings,
                "sum": summed,
                "count": readings,
                "rate_per_day": summed / period.days,
            }[spec.aggregate]
            aggregates += [
                sa.cast(aggregate, sa.Float).label(f"value_{i}"),
                sa.func.coalesce(readings, 0).label(f"n_{i}"),
            ]
        per_participant = (
            sa.select(_rollup.c.participant_key, *aggregates)
            .where(_rollup.c.metric_key == key, span)
            .group_by(_rollup.c.participant_key)
            .subquery("per_participant")
        )
        on = per_participant.c.participant_key == _participant.c.key
        query = (
            sa.select(
                _participant.c.key,
                *columns[:3],
                *(per_participant.c[f"{c}_{i}"] for i in range(2) for c in ("value", "n")),
                *columns[3:],
            )
            # Event metrics: everyone enrolled, readings or not; others: who has readings.
            .select_from(joined.outerjoin(per_participant, on) if fill
                         else joined.join(per_participant, on))
            .where(considered(pilot))
            .order_by(_participant.c.cohort_id, _participant.c.participant_id)
        )
        rows = []
        result = connection.execute(query).all()
        if fill and left is None:
            left = _departure_days(connection, pilot)
        # A period in which nobody has a reading of the metric is data not (yet) imported,
        # not a pilot-wide absence of events: nothing is filled there.
        collected = [any(row[5] for row in result), any(row[7] for row in result)]
        for row in result:
            participant_key, participant_id, cohort, role = row[:4]
            value_0, n_0, value_1, n_1 = row[4:8]
            attributes = tuple(row[8:])
            for period, period_value, n, period_collected in (
                (bounds[0], value_0, n_0, collected[0]),
                (bounds[1], value_1, n_1, collected[1]),
            ):
                if fill and period_collected:
                    if _left_by(left, participant_key, period):
                        continue  # a drop-out: this period is missing, not zero
                    if not n:
                        rows.append((participant_id, cohort, role, period.name, 0.0, 0, True,
                                     *attributes))
                        continue
                if n:  # the participant has readings in this period
                    rows.append((participant_id, cohort, role, period.name, period_value, n,
                                 False, *attributes))
    return _typed(pd.DataFrame(rows, columns=names))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame["value"] = frame["value"].astype("float64")
    frame["n_readings"] = frame["n_readings"].astype("int64")
    frame["filled"] = frame["filled"].astype("bool")
    return frame


def _left_by(left: Mapping[int, date] | None, participant_key: int, period: PeriodBounds) -> bool:
    """Whether the participant had left by the period's last day (their first day out is
    on or before it), so that the period is missing for them."""
    if not left or participant_key not in left:
        return False
    return local_midnight_us(left[participant_key], period.timezone) < period.end_us


def participant_values_by_metric(
    *,
    engine: Engine | Connection | None = None,
    session: Session | None = None,
    pilot: Pilot,
    metrics: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """:func:`participant_values` of several metrics (default: all the pilot's), by id.

    With an ``Engine`` the reductions run two at a time, each on its own connection
    and read snapshot (as separate calls would): the database scans two metrics'
    roll-ups at once (more threads added 10 MB of memory each and no speed on two
    cores). With a connection or a
    session they run one after the other, in that transaction. Who left the pilot
    (:func:`departures`) is read once for all of them.
    """
    ids = list(metrics) if metrics is not None else [m.id for m in pilot.metrics]
    left: Mapping[int, date] | None = None
    known = {m.id: m for m in pilot.metrics}
    if any(m in known and known[m].aggregate in ZERO_FILLED_AGGREGATES for m in ids):
        with _reading(engine, session) as connection:
            left = _departure_days(connection, pilot)
    if not isinstance(engine, Engine) or len(ids) < 2:
        return {m: _participant_values(engine, session, pilot, metric=m, left=left) for m in ids}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        frames = pool.map(
            lambda m: _participant_values(engine, None, pilot, metric=m, left=left), ids
        )
        return dict(zip(ids, frames, strict=True))


def departures(
    *, engine: Engine | Connection | None = None, session: Session | None = None, pilot: Pilot
) -> pd.DataFrame:
    """Who left the pilot, and on which day: the drop-outs of event metrics.

    A participant has left on the earliest of:

    - ``left_on``, the participants file's date of their first day out of the pilot;
    - the pilot's drop-out rule, when it declares ``dropout_after_days: N``: no
      reading of any of its metrics on N days or more in a row up to the last day
      observed, counted from the day after their last reading (from the baseline's
      first day for someone without any reading); they left on the day after their
      last reading. The last day observed is the intervention's last day once the
      pilot's ``phase`` is ``analysis``, ``decided`` or ``archived``; while it runs, the day of
      anyone's latest reading (days not imported yet are not silences).

    Consent withdrawal will be a third source of the same date (its record does not
    exist yet): add it in ``_departure_days``.

    Returns
    -------
    DataFrame
        One row per participant who left: ``participant_id, cohort, cohort_role,
        left_on`` (a ``datetime.date``) and ``source`` (``'left_on'`` or
        ``'dropout_rule'``: which gave the date), ordered by cohort and participant.
    """
    with _reading(engine, session) as connection:
        given = _left_on_dates(connection, pilot)
        ruled = _dropout_rule_dates(connection, pilot)
        rows = connection.execute(
            sa.select(
                _participant.c.key,
                _participant.c.participant_id,
                _participant.c.cohort_id,
                _cohort.c.role,
            )
            .select_from(
                _participant.join(
                    _cohort,
                    sa.and_(
                        _cohort.c.pilot_id == _participant.c.pilot_id,
                        _cohort.c.id == _participant.c.cohort_id,
                    ),
                )
            )
            .where(considered(pilot))
            .order_by(_participant.c.cohort_id, _participant.c.participant_id)
        ).all()
    found = []
    for key, participant_id, cohort, role in rows:
        dates = [(d, s) for d, s in ((given.get(key), "left_on"), (ruled.get(key), "dropout_rule"))
                 if d is not None]
        if dates:
            day, source = min(dates, key=lambda pair: pair[0])
            found.append((participant_id, cohort, role, day, source))
    return pd.DataFrame(
        found, columns=["participant_id", "cohort", "cohort_role", "left_on", "source"]
    )


def _departure_days(connection: Connection, pilot: Pilot) -> dict[int, date]:
    """participant key -> the day they left (see :func:`departures`), for those who did."""
    left = _left_on_dates(connection, pilot)
    for key, day in _dropout_rule_dates(connection, pilot).items():
        left[key] = min(day, left.get(key, day))
    # Consent withdrawal (not recorded yet) joins here: left[key] = min(left[key], withdrawn).
    return left


def _left_on_dates(connection: Connection, pilot: Pilot) -> dict[int, date]:
    rows = connection.execute(
        sa.select(_participant.c.key, _participant.c.left_on).where(
            considered(pilot), _participant.c.left_on.is_not(None)
        )
    )
    return {key: _as_date(day) for key, day in rows}


def _as_date(day: date | str) -> date:
    return day if isinstance(day, date) else date.fromisoformat(str(day))



def _dropout_rule_dates(connection: Connection, pilot: Pilot) -> dict[int, date]:
    """The drop-out rule's departures (empty when the pilot declares none)."""
    if pilot.dropout_after_days is None:
        return {}
    baseline, intervention = period_bounds(pilot)
    keys = sa.select(_metric.c.key).where(_metric.c.pilot_id == pilot.id)
    _, span = _day_period_case(pilot)
    last = (  # the latest reading in either period: the latest day's latest instant
        sa.select(
            _rollup.c.participant_key.label("participant_key"),
            sa.type_coerce(sa.func.max(_rollup.c.last_ts), sa.BigInteger).label("last_ts"),
        )
        .where(_rollup.c.metric_key.in_(keys), span)
        .group_by(_rollup.c.participant_key)
        .subquery("last_reading")
    )
    rows = connection.execute(
        sa.select(_participant.c.key, last.c.last_ts)
        .select_from(
            _participant.outerjoin(last, last.c.participant_key == _participant.c.key)
        )
        .where(considered(pilot))
    ).all()
    seen = [int(ts) for _, ts in rows if ts is not None]
    if not seen:
        return {}  # no data at all yet: nobody can be said to have left
    # The last day observed: the intervention's last day once data collection is over
    # (phase analysis, decided or archived); while the pilot runs, the latest reading's day.
    # Days are the pilot's local days (its periods' days).
    end = intervention.end_us - 1
    horizon_us = end if pilot.phase in DATA_COLLECTION_OVER else min(end, max(seen))
    horizon = local_day(horizon_us, pilot.timezone)
    first_day = pilot.periods.baseline.start
    left: dict[int, date] = {}
    for key, ts in rows:
        out = (  # the first day without any reading
            local_day(int(ts), pilot.timezone) + timedelta(days=1) if ts is not None else first_day
        )
        if (horizon - out).days + 1 >= pilot.dropout_after_days:
            left[key] = out
    return left


def participants(
    *, engine: Engine | Connection | None = None, session: Session | None = None, pilot: Pilot
) -> pd.DataFrame:
    """Everyone enrolled in the pilot, with or without data (the denominator of response
    rates and representativeness).

    Returns
    -------
    DataFrame
        Columns ``participant_id, cohort, cohort_role`` and one column per declared
        attribute (missing where unknown), ordered by cohort and participant.
    """
    with _reading(engine, session) as connection:
        columns, joined = _participant_columns(pilot)
        rows = connection.execute(
            sa.select(*columns)
            .select_from(joined)
            .where(considered(pilot))
            .order_by(_participant.c.cohort_id, _participant.c.participant_id)
        ).all()
    return pd.DataFrame(
        _tuples(rows), columns=["participant_id", "cohort", "cohort_role", *pilot.attributes]
    )


def survey_answers(
    *,
    engine: Engine | Connection | None = None,
    session: Session | None = None,
    pilot: Pilot,
    instrument: str,
    wave: str | None = None,
) -> pd.DataFrame:
    """Every answer to an instrument (in one wave, or all), in long form.

    Returns
    -------
    DataFrame
        Columns ``participant_id, cohort, cohort_role, wave, item, answer`` (an int on
        the instrument's scale) and one column per declared attribute, ordered by
        wave, cohort, participant, item.
    """
    with _reading(engine, session) as connection:
        columns, joined = _participant_columns(pilot)
        conditions = [considered(pilot), _response.c.instrument_id == instrument]
        if wave is not None:
            conditions.append(_response.c.wave == wave)
        query = (
            sa.select(
                *columns[:3],
                _response.c.wave,
                _response.c.item_id.label("item"),
                _response.c.answer,
                *columns[3:],
            )
            .select_from(joined.join(_response, _response.c.participant_key == _participant.c.key))
            .where(*conditions)
            .order_by(
                _response.c.wave,
                _participant.c.cohort_id,
                _participant.c.participant_id,
                _response.c.item_id,
            )
        )
        rows = connection.execute(query).all()
    names = ["participant_id", "cohort", "cohort_role", "wave", "item", "answer", *pilot.attributes]
    frame = pd.DataFrame(_tuples(rows), columns=names)
    frame["answer"] = frame["answer"].astype("int64")
    return frame


def cohort_counts(
    *,
    engine: Engine | Connection | None = None,
    session: Session | None = None,
    pilot: Pilot,
    metric: str | None = None,
) -> pd.DataFrame:
    """Participants per cohort, and how many have readings in each period (attrition).

    Parameters
    ----------
    metric : str, optional
        Count readings of this metric only (default: of any metric of the pilot).

    Returns
    -------
    DataFrame
        One row per cohort of the spec: ``cohort, cohort_role, participants``
        (enrolled), ``baseline`` and ``intervention`` (participants with at least one
        reading in that period).
    """
    with _reading(engine, session) as connection:
        enrolled: dict[str, int] = dict(
            connection.execute(
                sa.select(_participant.c.cohort_id, sa.func.count())
                .where(considered(pilot))
                .group_by(_participant.c.cohort_id)
            ).all()
        )
        if metric is not None:
            key = _metric_key(connection, pilot, metric)
            metric_filter = _rollup.c.metric_key == (key if key is not None else -1)
        else:
            metric_filter = _rollup.c.metric_key.in_(
                sa.select(_metric.c.key).where(_metric.c.pilot_id == pilot.id)
            )
        period, span = _day_period_case(pilot)
        per_participant = (
            sa.select(_rollup.c.participant_key, period.label("period"))
            .where(metric_filter, span)
            .subquery("readings")
        )
        distinct = (
            sa.select(per_participant.c.participant_key, per_participant.c.period)
            .where(per_participant.c.period.is_not(None))
            .distinct()
            .subquery("present")
        )
        active = connection.execute(
            sa.select(_participant.c.cohort_id, distinct.c.period, sa.func.count())
            .select_from(
                distinct.join(_participant, _participant.c.key == distinct.c.participant_key)
            )
            .where(considered(pilot))
            .group_by(_participant.c.cohort_id, distinct.c.period)
        ).all()
    present = {(cohort, period_name): n for cohort, period_name, n in active}
    return pd.DataFrame(
        [
            {
                "cohort": c.id,
                "cohort_role": c.role,
                "participants": int(enrolled.get(c.id, 0)),
                "baseline": int(present.get((c.id, "baseline"), 0)),
                "intervention": int(present.get((c.id, "intervention"), 0)),
            }
            for c in pilot.cohorts
        ],
        columns=["cohort", "cohort_role", "participants", "baseline", "intervention"],
    )


@dataclass(frozen=True)
class LatestData:
    """When the freshest data of a pilot was taken (UTC), None where there is none.

    Attributes
    ----------
    observation : datetime or None
        Timestamp of the latest reading.
    answer : datetime or None
        When the latest survey answer was submitted (or imported).
    """

    observation: datetime | None
    answer: datetime | None

    @property
    def latest(self) -> datetime | None:
        """The more recent of the two (None when the pilot has no data)."""
        found = [t for t in (self.observation, self.answer) if t is not None]
        return max(found) if found else None


def latest_data(
    *,
    engine: Engine | Connection | None = None,
    session: Session | None = None,
    pilot: Pilot,
) -> LatestData:
    """The timestamp of the pilot's latest reading and latest survey answer."""
    with _reading(engine, session) as connection:
        keys = [
            k
            for (k,) in connection.execute(
                sa.select(_metric.c.key).where(_metric.c.pilot_id == pilot.id)
            )
        ]
        latest = [
            connection.execute(
                sa.select(sa.func.max(_rollup.c.last_ts)).where(_rollup.c.metric_key == k)
            ).scalar()
            for k in keys
        ]
        answer = connection.execute(
            sa.select(sa.func.max(_response.c.submitted_at))
            .select_from(
                _response.join(_participant, _participant.c.key == _response.c.participant_key)
            )
            .where(considered(pilot))
        ).scalar()
    found = [t for t in latest if t is not None]
    return LatestData(observation=max(found) if found else None, answer=answer)


def data_version(
    *,
    engine: Engine | Connection | None = None,
    session: Session | None = None,
    pilot: Pilot | str | None = None,
) -> int:
    """A number that grows whenever the pilot's data (or any data, without ``pilot``)
    changes: the latest batch id (imports, submissions, erasures). 0 when empty.
    Use it as a cache key for evaluations."""
    with _reading(engine, session) as connection:
        query = sa.select(sa.func.max(_batch.c.id))
        if pilot is not None:
            query = query.where(
                _batch.c.pilot_id == (pilot if isinstance(pilot, str) else pilot.id)
            )
        return int(connection.execute(query).scalar() or 0)

"""SQL reductions: what the statistics receive, computed by the database.

Millions of readings never reach pandas: each function runs one GROUP BY and
returns a small frame (one row per participant and period, or per cohort). Every
function takes either ``engine`` (a read-only snapshot is opened) or ``session``
(the caller's transaction), and the pilot's spec.

A reading's period is decided in SQL by the rule of :mod:`livinglab.store.periods`
(``start 00:00 UTC <= t < (end + 1 day) 00:00 UTC``), on the same integers the
importer checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from livinglab.errors import NotFoundError
from livinglab.spec.models import Pilot
from livinglab.store import models as db
from livinglab.store.engine import read_connection
from livinglab.store.periods import period_bounds

_observation = db.Observation.__table__  # type: ignore[attr-defined]
_participant = db.Participant.__table__  # type: ignore[attr-defined]
_attribute = db.ParticipantAttribute.__table__  # type: ignore[attr-defined]
_cohort = db.Cohort.__table__  # type: ignore[attr-defined]
_metric = db.Metric.__table__  # type: ignore[attr-defined]
_response = db.SurveyResponse.__table__  # type: ignore[attr-defined]
_batch = db.ImportBatch.__table__  # type: ignore[attr-defined]


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
    """The period of a reading (NULL outside both), and a filter spanning both periods."""
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
        One row per participant and period in which the participant has at least one
        reading, ordered by cohort, participant, period. Columns:

        - ``participant_id``: the pseudonym;
        - ``cohort``, ``cohort_role`` (``test`` or ``control``);
        - ``period``: ``baseline`` or ``intervention``;
        - ``value``: the aggregate, in the metric's unit (see Notes);
        - ``n_readings``: how many readings it reduces;
        - one column per attribute the pilot declares (missing, ``NA``, where unknown).

    Notes
    -----
    With :math:`x_1..x_n` the participant's readings in the period and :math:`D` the
    number of days the period declares:

    - ``mean``: :math:`\\bar x`; ``share``: :math:`\\bar x` of 0/1 readings (a proportion);
    - ``sum``: :math:`\\sum x`; ``count``: :math:`n`;
    - ``rate_per_day``: :math:`\\sum x / D` (days without a reading count as zero).

    A participant without any reading in a period has no row for it: whether that
    is attrition shows in :func:`cohort_counts`.
    """
    spec = pilot.metric(metric) if metric in {m.id for m in pilot.metrics} else None
    with _reading(engine, session) as connection:
        key = _metric_key(connection, pilot, metric)
        columns, joined = _participant_columns(pilot)
        names = (
            [c.key for c in columns[:3]]
            + ["period", "value", "n_readings"]
            + list(pilot.attributes)
        )
        if key is None or spec is None:
            return pd.DataFrame(columns=names)
        bounds = period_bounds(pilot)
        _, span = _period_case(pilot)
        ts, value = _observation.c.ts, _observation.c.value
        # One pass over the metric's readings in the primary key's order (participant,
        # then time), GROUP BY participant only, each period's aggregate FILTERed to
        # its readings: no sort, and half the time of GROUP BY participant, period.
        # Within the span (baseline start .. intervention end) one comparison tells
        # a period's readings, as the spec keeps the intervention after the baseline.
        if bounds[1].start_us >= bounds[0].end_us:
            insides = [ts < bounds[0].end_us, ts >= bounds[1].start_us]
        else:  # not a valid spec; the rule of _period_case: baseline first
            insides = [
                sa.and_(ts >= bounds[0].start_us, ts < bounds[0].end_us),
                sa.and_(ts >= bounds[1].start_us, ts < bounds[1].end_us,
                        sa.not_(sa.and_(ts >= bounds[0].start_us, ts < bounds[0].end_us))),
            ]
        aggregates: list[sa.ColumnElement[Any]] = []
        for i, (period, inside) in enumerate(zip(bounds, insides, strict=True)):
            aggregate = {  # FILTER (WHERE ...): SQLite 3.30+ (the store needs 3.35+)
                "mean": sa.func.avg(value).filter(inside),
                "share": sa.func.avg(value).filter(inside),
                "sum": sa.func.sum(value).filter(inside),
                "count": sa.func.count(value).filter(inside),
                "rate_per_day": sa.func.sum(value).filter(inside) / period.days,
            }[spec.aggregate]
            aggregates += [
                sa.cast(aggregate, sa.Float).label(f"value_{i}"),
                sa.func.count().filter(inside).label(f"n_{i}"),
            ]
        per_participant = (
            sa.select(_observation.c.participant_key, *aggregates)
            .where(_observation.c.metric_key == key, span)
            .group_by(_observation.c.participant_key)
            .subquery("per_participant")
        )
        query = (
            sa.select(
                *columns[:3],
                *(per_participant.c[f"{c}_{i}"] for i in range(2) for c in ("value", "n")),
                *columns[3:],
            )
            .select_from(
                joined.join(
                    per_participant, per_participant.c.participant_key == _participant.c.key
                )
            )
            .order_by(_participant.c.cohort_id, _participant.c.participant_id)
        )
        rows = []
        for participant_id, cohort, role, value_0, n_0, value_1, n_1, *attributes in (
            connection.execute(query)
        ):
            for period_name, period_value, n in (
                (bounds[0].name, value_0, n_0),
                (bounds[1].name, value_1, n_1),
            ):
                if n:  # the participant has readings in this period
                    rows.append(
                        (participant_id, cohort, role, period_name, period_value, n, *attributes)
                    )
    frame = pd.DataFrame(rows, columns=names)
    frame["value"] = frame["value"].astype("float64")
    frame["n_readings"] = frame["n_readings"].astype("int64")
    return frame


def participant_values_by_metric(
    *,
    engine: Engine | Connection | None = None,
    session: Session | None = None,
    pilot: Pilot,
    metrics: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """:func:`participant_values` of several metrics (default: all the pilot's), by id.

    With an ``Engine`` the reductions run concurrently, each on its own connection
    and read snapshot (as separate calls would): the database scans several metrics'
    readings at once, about twice as fast on two cores. With a connection or a
    session they run one after the other, in that transaction.
    """
    ids = list(metrics) if metrics is not None else [m.id for m in pilot.metrics]
    if not isinstance(engine, Engine) or len(ids) < 2:
        return {
            m: participant_values(engine=engine, session=session, pilot=pilot, metric=m)
            for m in ids
        }
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(len(ids), 4)) as pool:
        frames = pool.map(
            lambda m: participant_values(engine=engine, pilot=pilot, metric=m), ids
        )
        return dict(zip(ids, frames, strict=True))


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
            .where(_participant.c.pilot_id == pilot.id)
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
        conditions = [_participant.c.pilot_id == pilot.id, _response.c.instrument_id == instrument]
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
                .where(_participant.c.pilot_id == pilot.id)
                .group_by(_participant.c.cohort_id)
            ).all()
        )
        if metric is not None:
            key = _metric_key(connection, pilot, metric)
            metric_filter = _observation.c.metric_key == (key if key is not None else -1)
        else:
            metric_filter = _observation.c.metric_key.in_(
                sa.select(_metric.c.key).where(_metric.c.pilot_id == pilot.id)
            )
        period, span = _period_case(pilot)
        per_participant = (
            sa.select(_observation.c.participant_key, period.label("period"))
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
                sa.select(sa.func.max(_observation.c.ts)).where(_observation.c.metric_key == k)
            ).scalar()
            for k in keys
        ]
        answer = connection.execute(
            sa.select(sa.func.max(_response.c.submitted_at))
            .select_from(
                _response.join(_participant, _participant.c.key == _response.c.participant_key)
            )
            .where(_participant.c.pilot_id == pilot.id)
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

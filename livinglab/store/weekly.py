"""Weekly means per cohort: the time series behind the evidence page's line charts.

Two GROUP BYs in SQL over the daily roll-ups (:mod:`livinglab.store.rollups`), so that
readings never reach pandas: first one value per
participant and week (the metric's declared aggregate over that week's readings),
then per cohort and week the number of participants, the mean of those values
and their sum of squares (for the SD). Weeks are counted from the baseline's
first day (week 0 starts at its local midnight), on the roll-ups' local days (the
pilot's time zone, across daylight-saving changes), so weeks are local weeks and a
week never straddles the intervention start when the baseline spans whole weeks.
Readings outside both periods (a gap between them) are left out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from livinglab.spec.models import Pilot
from livinglab.store.reductions import (
    _cohort,
    _day_period_case,
    _metric_key,
    _participant,
    _period_days,
    _reading,
    _rollup,
    considered,
)
from livinglab.store.rollups import day_number

COLUMNS = ["cohort", "cohort_role", "week", "period", "n", "mean", "sd"]


def weekly_means(
    *,
    engine: Engine | Connection | None = None,
    session: Session | None = None,
    pilot: Pilot,
    metric: str,
) -> pd.DataFrame:
    """Per cohort and week: participants with a reading, mean and SD of their weekly values.

    Returns
    -------
    DataFrame
        One row per cohort and week with at least one reading, ordered by cohort and
        week. Columns ``cohort, cohort_role, week`` (0 = the baseline's first week),
        ``period`` (of the week's first reading), ``n`` (participants), ``mean`` and
        ``sd`` (of the participants' weekly values; None when n < 2).

    Notes
    -----
    A participant's weekly value is the metric's aggregate of that week's readings:
    the mean for ``mean`` and ``share``, the sum for ``sum``, the count for
    ``count``, and ``sum / 7`` for ``rate_per_day`` (a week's last days past the
    intervention's end count as days without a reading).
    """
    spec = pilot.metric(metric)
    with _reading(engine, session) as connection:
        key = _metric_key(connection, pilot, metric)
        if key is None:
            return pd.DataFrame(columns=COLUMNS)
        readings, aggregate = _weekly_readings(pilot, spec.aggregate, key)
        per_participant = (
            sa.select(
                readings.c.participant_key,
                readings.c.week,
                sa.func.min(readings.c.period).label("period"),
                sa.cast(aggregate, sa.Float).label("value"),
            )
            .where(readings.c.period.is_not(None))
            .group_by(readings.c.participant_key, readings.c.week)
            .subquery("per_participant")
        )
        joined = per_participant.join(
            _participant, _participant.c.key == per_participant.c.participant_key
        ).join(
            _cohort,
            sa.and_(
                _cohort.c.pilot_id == _participant.c.pilot_id,
                _cohort.c.id == _participant.c.cohort_id,
            ),
        )
        query = (
            sa.select(
                _participant.c.cohort_id,
                _cohort.c.role,
                per_participant.c.week,
                sa.func.min(per_participant.c.period),
                sa.func.count(),
                sa.func.sum(per_participant.c.value),
                sa.func.sum(per_participant.c.value * per_participant.c.value),
            )
            .select_from(joined)
            .where(considered(pilot))
            .group_by(_participant.c.cohort_id, _cohort.c.role, per_participant.c.week)
            .order_by(_participant.c.cohort_id, per_participant.c.week)
        )
        rows = connection.execute(query).all()
    return pd.DataFrame([_moments(*row) for row in rows], columns=COLUMNS).astype(
        {"week": "int64", "n": "int64"}
    )


PARTICIPANT_COLUMNS = ["participant_id", "cohort", "cohort_role", "week", "period", "value"]


def weekly_participant_values(
    *,
    engine: Engine | Connection | None = None,
    session: Session | None = None,
    pilot: Pilot,
    metric: str,
    period: str | None = "baseline",
) -> pd.DataFrame:
    """One value per participant and week (the metric's aggregate of that week's readings).

    The first of :func:`weekly_means`' two GROUP BYs, kept per participant: what a
    pre-period placebo check needs (early against late baseline weeks, see
    :func:`livinglab.stats.placebo.placebo_difference`).

    Parameters
    ----------
    period : {'baseline', 'intervention'} or None
        Keep the weeks of that period only (None: both).

    Returns
    -------
    DataFrame
        Columns ``participant_id, cohort, cohort_role, week`` (0 = the baseline's
        first week), ``period`` and ``value``; one row per participant and week
        with at least one reading (a week without readings is absent, not 0),
        ordered by participant and week.
    """
    spec = pilot.metric(metric)
    (b_first, b_last), (i_first, i_last) = _period_days(pilot)
    first = day_number(pilot.periods.baseline.start)
    last_week = _last_week(pilot, period)
    day = _rollup.c.day
    week = sa.type_coerce((day - first) // 7, sa.BigInteger)
    with _reading(engine, session) as connection:
        key = _metric_key(connection, pilot, metric)
        if key is None:
            return pd.DataFrame(columns=PARTICIPANT_COLUMNS)
        # One GROUP BY over the integer keys of the roll-ups (no join, no text, no sort),
        # on the days of both periods as one range of the key (a gap between them
        # filtered out) up to the last week wanted; then the participants' ids and
        # cohorts, a row each, joined in pandas.
        last_day = i_last if last_week is None else min(i_last, first + 7 * last_week + 6)
        weeks = connection.execute(
            sa.select(_rollup.c.participant_key, week, sa.func.min(day),
                      sa.func.sum(_rollup.c.n), sa.func.sum(_rollup.c.total))
            .where(_rollup.c.metric_key == key, day >= b_first, day <= last_day,
                   sa.or_(day <= b_last, day >= i_first))
            .group_by(_rollup.c.participant_key, week)
        ).all()
        people = connection.execute(
            sa.select(_participant.c.key, _participant.c.participant_id,
                      _participant.c.cohort_id, _cohort.c.role)
            .select_from(_participant.join(_cohort, sa.and_(
                _cohort.c.pilot_id == _participant.c.pilot_id,
                _cohort.c.id == _participant.c.cohort_id)))
            .where(considered(pilot))
        ).all()
    frame = _weekly_frame(weeks, people, aggregate=spec.aggregate, b_last=b_last)
    if period is not None:
        # a week is the period of its first reading (weekly_means' rule)
        frame = frame[frame["period"] == period].reset_index(drop=True)
    return frame


def _weekly_frame(
    weeks: Sequence[Any], people: Sequence[Any], *, aggregate: str, b_last: int
) -> pd.DataFrame:
    """The participant-week sums as :func:`weekly_participant_values`' frame: each week's
    value by the metric's aggregate (as :func:`_weekly_readings`), its period (of its first
    day), the considered participants' ids and cohorts, ordered by participant and week."""
    # plain tuples: pandas probes a Row's attributes (32,000 failed lookups a metric)
    sums = pd.DataFrame(list(map(tuple, weeks)),
                        columns=["key", "week", "first_day", "n", "total"])
    ids = pd.DataFrame(list(map(tuple, people)),
                       columns=["key", "participant_id", "cohort", "cohort_role"])
    frame = sums.merge(ids, on="key", how="inner", validate="many_to_one")
    n, total = frame["n"].to_numpy(float), frame["total"].to_numpy(float)
    value = {"mean": total / n, "share": total / n, "sum": total, "count": n,
             "rate_per_day": total / 7.0}[aggregate]
    frame = frame.assign(
        value=value,
        period=np.where(frame["first_day"].to_numpy() <= b_last, "baseline", "intervention"),
    )
    frame = frame.sort_values(["participant_id", "week"], kind="stable", ignore_index=True)
    return frame[PARTICIPANT_COLUMNS].astype({"week": "int64", "value": "float64"})


def _last_week(pilot: Pilot, period: str | None) -> int | None:
    """The last week a ``baseline`` week can be (its last day's): later weeks have no
    baseline day, so they need not be read. None for the other choices."""
    if period != "baseline":
        return None
    periods = pilot.periods
    return (periods.baseline.end - periods.baseline.start).days // 7


def _weekly_readings(
    pilot: Pilot, aggregate: str, key: int, up_to_week: int | None = None
) -> tuple[sa.Subquery, sa.ColumnElement[Any]]:
    """The metric's daily roll-ups in either period with their local week (0 = the
    baseline's first) and period, and the SQL aggregate of one participant's week of
    them (exact: a local week is seven whole local days)."""
    period, span = _day_period_case(pilot)
    first = day_number(pilot.periods.baseline.start)
    days = (
        sa.select(
            _rollup.c.participant_key,
            sa.type_coerce((_rollup.c.day - first) // 7, sa.BigInteger).label("week"),
            period.label("period"),
            _rollup.c.n,
            _rollup.c.total,
        )
        .where(_rollup.c.metric_key == key, span,
               sa.true() if up_to_week is None else _rollup.c.day < first + 7 * (up_to_week + 1))
        .subquery("readings")
    )
    readings, summed = sa.func.sum(days.c.n), sa.func.sum(days.c.total)
    weekly = {
        "mean": summed / readings,
        "share": summed / readings,
        "sum": summed,
        "count": readings,
        "rate_per_day": summed / 7.0,
    }[aggregate]
    return days, weekly


def _moments(
    cohort: str, role: str, week: int, period: str, n: int, total: float, squares: float
) -> tuple[str, str, int, str, int, float, float | None]:
    mean = float(total) / n
    if n < 2:
        return cohort, role, int(week), period, int(n), mean, None
    variance = max(0.0, (float(squares) - n * mean * mean) / (n - 1))
    return cohort, role, int(week), period, int(n), mean, math.sqrt(variance)

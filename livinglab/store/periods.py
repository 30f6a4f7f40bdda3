"""Which period a reading belongs to: one rule for the importer and the SQL reductions.

The boundary rule
-----------------
A pilot's periods are inclusive date ranges, read as UTC days. A reading taken at
instant ``t`` (UTC) belongs to a period with dates ``start .. end`` when

    start 00:00:00 UTC  <=  t  <  (end + 1 day) 00:00:00 UTC

so a reading at 23:59:59.999999 on the end date counts, and one at exactly midnight
after it does not. A reading at exactly midnight on the first day of the
intervention is in the intervention; one on the baseline's last day at 23:59:59 is
in the baseline. Both sides compare the same integers (epoch microseconds, the
store's only encoding of time), so a reading can never change sides between the
import and the evaluation. A naive timestamp in a file is taken as UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from livinglab.spec.models import Period, PeriodName, Pilot
from livinglab.store.models import to_micros


@dataclass(frozen=True)
class PeriodBounds:
    """A period as a half-open interval of epoch microseconds ``[start_us, end_us)``."""

    name: PeriodName
    start_us: int
    end_us: int
    days: int

    def contains(self, micros: int) -> bool:
        return self.start_us <= micros < self.end_us


def period_bounds(pilot: Pilot) -> tuple[PeriodBounds, PeriodBounds]:
    """The baseline's and the intervention's bounds, in that order."""
    return _bounds("baseline", pilot.periods.baseline), _bounds(
        "intervention", pilot.periods.intervention
    )


def _bounds(name: PeriodName, period: Period) -> PeriodBounds:
    return PeriodBounds(
        name=name,
        start_us=_midnight_us(period.start),
        end_us=_midnight_us(period.end + timedelta(days=1)),
        days=period.days,
    )


def _midnight_us(day: date) -> int:
    return to_micros(datetime.combine(day, time(0), tzinfo=UTC))

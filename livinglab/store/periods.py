"""Which period a reading belongs to: one rule for the importer and the SQL reductions.

The boundary rule
-----------------
A pilot's periods are inclusive date ranges of local days in the pilot's ``timezone``
(default ``Europe/Paris``; ``UTC`` keeps the first versions' reading). A reading taken
at instant ``t`` belongs to a period with dates ``start .. end`` when

    start 00:00:00 local  <=  t  <  (end + 1 day) 00:00:00 local

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
from zoneinfo import ZoneInfo

from livinglab.spec.models import Period, PeriodName, Pilot
from livinglab.store.models import to_micros


@dataclass(frozen=True)
class PeriodBounds:
    """A period as a half-open interval of epoch microseconds ``[start_us, end_us)``."""

    name: PeriodName
    start_us: int
    end_us: int
    days: int
    timezone: str = "UTC"
    """The pilot's time zone, whose local days the bounds are."""

    def contains(self, micros: int) -> bool:
        return self.start_us <= micros < self.end_us


def period_bounds(pilot: Pilot) -> tuple[PeriodBounds, PeriodBounds]:
    """The baseline's and the intervention's bounds, in that order."""
    zone = ZoneInfo(pilot.timezone)
    return _bounds("baseline", pilot.periods.baseline, zone), _bounds(
        "intervention", pilot.periods.intervention, zone
    )


def _bounds(name: PeriodName, period: Period, zone: ZoneInfo) -> PeriodBounds:
    return PeriodBounds(
        name=name,
        start_us=_midnight_us(period.start, zone),
        end_us=_midnight_us(period.end + timedelta(days=1), zone),
        days=period.days,
        timezone=zone.key,
    )


def local_midnight_us(day: date, timezone: str) -> int:
    """The instant a local day of ``timezone`` starts (epoch microseconds)."""
    return _midnight_us(day, ZoneInfo(timezone))


def _midnight_us(day: date, zone: ZoneInfo) -> int:
    return to_micros(datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC))


def local_day(micros: int, timezone: str) -> date:
    """The pilot's local day of an instant (epoch microseconds)."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
    return moment.astimezone(ZoneInfo(timezone)).date()


def local_text(micros: int, timezone: str) -> str:
    """An instant as the pilot's local time and as UTC: ``2026-03-02 00:30:00
    Europe/Paris = 2026-03-01 23:30:00 UTC``."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
    local = moment.astimezone(ZoneInfo(timezone))
    if timezone == "UTC":
        return f"{moment:%Y-%m-%d %H:%M:%S} UTC"
    return f"{local:%Y-%m-%d %H:%M:%S} {timezone} = {moment:%Y-%m-%d %H:%M:%S} UTC"


def utc_offsets(pilot: Pilot) -> list[tuple[int, int]]:
    """The pilot's UTC offset over its periods, as ``(from_us, offset_us)`` pieces in
    time order: the first from the baseline's start, one more at each daylight-saving
    change (to the minute) up to the intervention's end."""
    baseline, intervention = period_bounds(pilot)
    return zone_offsets(pilot.timezone, baseline.start_us, intervention.end_us)


def zone_offsets(timezone: str, start_us: int, end_us: int) -> list[tuple[int, int]]:
    """A time zone's UTC offset over ``[start_us, end_us)`` (epoch microseconds), as
    ``(from_us, offset_us)`` pieces in time order: the first from ``start_us``, one more
    at each change (found to the minute; real changes fall on whole minutes)."""
    zone = ZoneInfo(timezone)

    def offset(micros: int) -> int:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
        delta = moment.astimezone(zone).utcoffset() or timedelta(0)
        return int(delta.total_seconds()) * 1_000_000

    day, minute = 86_400_000_000, 60_000_000
    pieces = [(start_us, offset(start_us))]
    at = start_us
    while at < end_us:
        following = at + day
        if offset(following) != pieces[-1][1]:
            low, high = at, following  # offset(low) is the old one, offset(high) the new
            while high - low > minute:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == pieces[-1][1] else (low, middle)
            pieces.append((high, offset(high)))
        at = following
    return pieces

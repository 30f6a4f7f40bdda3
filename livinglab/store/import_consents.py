"""The participants file's optional ``consent_on`` column: the day each person consented
to the pilot (on paper, at a workshop...). The import records it as a consent through
the channel ``import`` to the pilot's current consent text
(:func:`livinglab.store.consents.consent_text`, versioned by its SHA-256), in the
import's write transaction. An empty cell records nothing; a stored consent to the same
text stays as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy.engine import Connection
from sqlmodel import Session

from livinglab.spec.models import Pilot
from livinglab.store.consents import consent_text, record_consent, text_version
from livinglab.store.import_problems import Problems, shown
from livinglab.store.periods import local_midnight_us
from livinglab.store.row_checks import slash_dates_as_iso

CONSENT_ON = "consent_on"
_SHAPES = {"iso": "YYYY-MM-DD", "dmy": "dd/mm/yyyy", "mdy": "mm/dd/yyyy"}


def read_consent_days(
    *,
    file: str,
    date_order: str,
    lines: list[int],
    raw_ids: pd.Series,
    cells: pd.Series,
    problems: Problems,
) -> dict[str, date]:
    """The consent day of each raw id with a non-empty ``consent_on`` cell; a cell that is
    not a date is a problem of its line (``file:line: consent_on: ...``)."""
    days: dict[str, date] = {}
    for line, raw_id, cell in zip(lines, raw_ids, cells, strict=True):
        text = str(cell).strip()
        if text == "" or str(raw_id).strip() == "":
            continue
        iso = slash_dates_as_iso(pd.Series([text], dtype=object), date_order).iat[0]
        try:
            day = date.fromisoformat(iso) if len(iso) == 10 else None
        except ValueError:
            day = None
        if day is None:
            problems.add(
                file,
                line,
                CONSENT_ON,
                f"{shown(text)} is not a date (expected {_SHAPES[date_order]}, the day the "
                "participant consented, or an empty cell)",
            )
            continue
        days[str(raw_id)] = day
    return days


def write_consents(*, connection: Connection, pilot: Pilot, days_by_key: Mapping[int, date]) -> int:
    """Record each participant's consent (key -> day) at the local midnight of that day
    in the pilot's time zone; returns the number of consents recorded (or already open
    for the same text)."""
    if not days_by_key:
        return 0
    version = text_version(consent_text(pilot))
    with Session(bind=connection) as session:
        for key, day in days_by_key.items():
            moment = datetime.fromtimestamp(local_midnight_us(day, pilot.timezone) / 1e6, UTC)
            record_consent(
                session=session,
                pilot_id=pilot.id,
                participant_key=key,
                version=version,
                channel="import",
                at=moment,
            )
    return len(days_by_key)

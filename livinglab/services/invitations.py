"""The innovation team's side of survey links: invite a wave (links that expire, one
live link per person and wave), remind those who have not answered, put the team's
own ids beside the links, print letters with a QR code.
"""

from __future__ import annotations

import getpass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from livinglab import services
from livinglab.errors import UsageError

if TYPE_CHECKING:
    from livinglab.spec.models import Pilot


def link_url(base_url: str, token: str) -> str:
    """The address printed for a token: the app's root with ``?invitation=`` (the
    shortest form, the one a letter shows and a QR code holds)."""
    return f"{base_url.rstrip('/')}/?invitation={token}"


def expiry_instant(pilot: Pilot, last_day: date) -> datetime:
    """The moment a link valid "until ``last_day``" stops working: the next local
    midnight in the pilot's time zone, as an aware UTC datetime."""
    local = datetime.combine(last_day + timedelta(days=1), time(0), ZoneInfo(pilot.timezone))
    return local.astimezone(UTC)


def invite(
    pilot_id: str,
    *,
    instrument: str,
    wave: str,
    cohorts: list[str] | None = None,
    base_url: str = "http://localhost:8501",
    expires: date | None = None,
    reminder: bool = False,
    own_ids: Path | None = None,
    actor: str | None = None,
) -> list[dict[str, str]]:
    """One new survey link per participant of the surveyed cohorts (or of ``cohorts``)
    who has not answered ``instrument`` in ``wave`` yet.

    Parameters
    ----------
    expires : date, optional
        The links' last valid day (the pilot's local time); None: no expiry.
    reminder : bool
        Only the participants already sent a link for this wave (a reminder run);
        their earlier unused links are revoked like any re-invitation's.
    own_ids : Path, optional
        The team's own participants file (CSV or Excel, a ``participant_id`` column of
        raw ids): each link gets its raw id beside the pseudonym (``own_id``; empty
        when the file does not list the person). Read here, never stored.

    Returns
    -------
    list of dict
        ``{"participant_id", "cohort", "link"}`` (and ``"own_id"`` with ``own_ids``);
        the token in the link is shown only here (the store keeps its hash).

    Raises
    ------
    UsageError
        The wave is not planned, a cohort is not surveyed, the expiry date is past,
        the participants file cannot be read.
    """
    from sqlmodel import Session

    from livinglab.services.privacy import team_ids
    from livinglab.store.audit import record_event
    from livinglab.store.invitations import create_invitations, invited_keys, not_yet_answered
    from livinglab.store.repository import sync_pilot

    pilot = services.load_pilot(pilot_id)
    spec = services._instrument(instrument)
    chosen = _cohorts(pilot, instrument, wave, cohorts)
    until = expiry_instant(pilot, expires) if expires else None
    if until is not None and until <= datetime.now(UTC):
        raise UsageError(f"--expires {expires} is already past (expected a later date).")
    names = team_ids(pilot_id, own_ids) if own_ids else None
    with Session(services.engine()) as session, session.begin():
        sync_pilot(session=session, pilot=pilot)
        rows = not_yet_answered(
            session=session, pilot_id=pilot_id, instrument=instrument, wave=wave, cohorts=chosen
        )
        if reminder:
            sent = invited_keys(
                session=session, pilot_id=pilot_id, instrument=instrument, wave=wave
            )
            rows = [row for row in rows if row[0] in sent]
        created = create_invitations(
            session=session,
            pilot=pilot,
            instrument=spec,
            wave=wave,
            participant_keys=[key for key, _ in rows],
            expires_at=until,
        )
        record_event(
            session=session,
            actor=actor or f"cli:{getpass.getuser()}",
            action="invite",
            pilot_id=pilot_id,
            detail=f"{len(created)} link(s), {instrument} {wave}"
            + (" (reminder)" if reminder else "")
            + (f", until {expires}" if expires else ""),
        )
    links = [
        {"participant_id": pid, "cohort": cohort, "link": link_url(base_url, token)}
        for (pid, token), (_, cohort) in zip(created, rows, strict=True)
    ]
    if names is not None:
        for link in links:
            link["own_id"] = names.get(link["participant_id"], "")
    return links


def _cohorts(pilot: Pilot, instrument: str, wave: str, cohorts: list[str] | None) -> list[str]:
    plans = [p for p in pilot.surveys if p.instrument == instrument and wave in p.waves]
    if not plans:
        raise UsageError(f"Pilot '{pilot.id}' plans no '{wave}' wave of '{instrument}'.")
    surveyed = sorted({c for p in plans for c in p.cohorts})
    chosen = cohorts or surveyed
    unknown = [c for c in chosen if c not in surveyed]
    if unknown:
        raise UsageError(
            f"Cohort(s) {unknown} are not surveyed with '{instrument}' ({wave}) "
            f"(expected some of {surveyed})."
        )
    return chosen



"""Who takes part and who has answered, for the innovation team: per cohort enrolled
against target, active and dropped out (with dates); per planned survey wave the
response rate and who has not answered yet; the invitations by state; new links for
those who have not answered (audited as ``invite``).

Participants are shown by pseudonym. When the team gives its own participants file,
each of its ids is hashed with the store's key and the matching participants are shown
by the team's id instead: the raw ids come from the team's file for this page only and
are never stored. The page is the team's (a ``decision`` account cannot open it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from livinglab.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

SHORT_PSEUDONYM = 12
"""Characters of a pseudonym shown (enough to tell 10,000 people apart)."""


@dataclass(frozen=True)
class Participation:
    """The tables of the participants page.

    Attributes
    ----------
    cohorts : DataFrame
        ``cohort, label, target, enrolled, active, dropped_out, last_departure``.
    departures : DataFrame
        ``participant, cohort, left_on, source`` (``left_on`` or ``dropout_rule``).
    waves : DataFrame
        ``instrument, wave, surveyed, answered, rate`` (rate in [0, 1]; None if nobody).
    not_answered : DataFrame
        ``instrument, wave, cohort, participant``.
    invitations : DataFrame
        ``instrument, wave, created, used, expired, open``.
    own_ids : int
        Rows shown by the team's own id rather than a pseudonym (0 without its file).
    """

    cohorts: pd.DataFrame
    departures: pd.DataFrame
    waves: pd.DataFrame
    not_answered: pd.DataFrame
    invitations: pd.DataFrame
    own_ids: int


def participation(pilot_id: str, *, team_file: BinaryIO | None = None) -> Participation:
    """The participation of ``pilot_id`` (see :class:`Participation`)."""
    import pandas as pd
    from sqlmodel import Session

    from livinglab import services
    from livinglab.store import models as db
    from livinglab.store import reductions
    from livinglab.store.participation import answered_count, invitation_counts, unanswered

    pilot = services.load_pilot(pilot_id)
    engine = services.engine()
    from livinglab.services.privacy import team_ids

    names = team_ids(pilot_id, team_file, "participants.csv") if team_file is not None else {}

    def shown(pseudonym: str) -> str:
        return names.get(pseudonym) or pseudonym[:SHORT_PSEUDONYM]

    counts = reductions.cohort_counts(engine=engine, pilot=pilot)
    left = reductions.departures(engine=engine, pilot=pilot)
    enrolled = dict(zip(counts["cohort"], counts["participants"], strict=True))
    cohorts = pd.DataFrame(
        [
            {
                "cohort": c.id,
                "label": c.label.get("fr") if c.label else c.id,
                "target": c.target_size,
                "enrolled": int(enrolled.get(c.id, 0)),
                "active": int(enrolled.get(c.id, 0)) - int((left["cohort"] == c.id).sum()),
                "dropped_out": int((left["cohort"] == c.id).sum()),
                "last_departure": max(left.loc[left["cohort"] == c.id, "left_on"], default=None),
            }
            for c in pilot.cohorts
        ]
    )
    departures = pd.DataFrame(
        {
            "participant": [shown(p) for p in left["participant_id"]],
            "cohort": left["cohort"],
            "left_on": left["left_on"],
            "source": left["source"],
        }
    )
    waves, missing = [], []
    with Session(engine) as session:
        for plan in pilot.surveys:
            cohort_ids = list(plan.cohorts)
            surveyed = int(sum(enrolled.get(c, 0) for c in cohort_ids))
            for wave in plan.waves:
                answered = answered_count(session=session, pilot_id=pilot_id,
                                          instrument=plan.instrument, wave=wave,
                                          cohorts=cohort_ids)
                waves.append({
                    "instrument": plan.instrument, "wave": wave, "surveyed": surveyed,
                    "answered": answered, "rate": answered / surveyed if surveyed else None,
                })
                missing += [
                    {"instrument": plan.instrument, "wave": wave, "cohort": cohort,
                     "participant": shown(pseudonym)}
                    for _, pseudonym, cohort in unanswered(
                        session=session, pilot_id=pilot_id, instrument=plan.instrument,
                        wave=wave, cohorts=cohort_ids)
                ]
        links = invitation_counts(session=session, pilot_id=pilot_id, now=db.utc_now())
    invitations = pd.DataFrame(
        [
            {"instrument": i, "wave": w, "created": c, "used": u, "expired": e,
             "open": c - u - e}
            for i, w, c, u, e in links
        ],
        columns=["instrument", "wave", "created", "used", "expired", "open"],
    )
    shown_own = sum(1 for p in left["participant_id"] if p in names) + sum(
        1 for row in missing if row["participant"] in names.values()
    )
    return Participation(
        cohorts=cohorts,
        departures=departures,
        waves=pd.DataFrame(waves, columns=["instrument", "wave", "surveyed", "answered", "rate"]),
        not_answered=pd.DataFrame(
            missing, columns=["instrument", "wave", "cohort", "participant"]
        ),
        invitations=invitations,
        own_ids=shown_own,
    )


def create_links(
    pilot_id: str, *, instrument: str, wave: str, actor: str,
    base_url: str = "http://localhost:8501",
) -> list[dict[str, str]]:
    """One new single-use link per participant of the surveyed cohorts who has not
    answered ``instrument`` in ``wave`` (as ``livinglab invite``), and ``invite`` in the
    audit log in the same transaction. Returns ``{participant_id, cohort, link}`` rows
    (the pseudonym; the token appears only here)."""
    from sqlmodel import Session

    from livinglab import services
    from livinglab.store.audit import record_event
    from livinglab.store.invitations import create_invitations
    from livinglab.store.participation import unanswered
    from livinglab.store.repository import sync_pilot

    pilot = services.load_pilot(pilot_id)
    spec = services._instrument(instrument)
    plans = [p for p in pilot.surveys if p.instrument == instrument and wave in p.waves]
    if not plans:
        raise UsageError(f"Pilot '{pilot_id}' plans no '{wave}' wave of '{instrument}'.")
    cohorts = sorted({c for p in plans for c in p.cohorts})
    with Session(services.engine()) as session, session.begin():
        sync_pilot(session=session, pilot=pilot)
        rows = unanswered(session=session, pilot_id=pilot_id, instrument=instrument,
                          wave=wave, cohorts=cohorts)
        created = create_invitations(session=session, pilot=pilot, instrument=spec, wave=wave,
                                     participant_keys=[key for key, _, _ in rows])
        record_event(session=session, actor=actor, action="invite", pilot_id=pilot_id,
                     detail=f"{len(created)} link(s) for {instrument} ({wave})")
    root = base_url.rstrip("/")
    return [
        {"participant_id": pid, "cohort": cohort, "link": f"{root}/survey?invitation={token}"}
        for (pid, token), (_, _, cohort) in zip(created, rows, strict=True)
    ]


def links_csv(links: list[dict[str, str]]) -> str:
    """The links as CSV text (``participant_id,cohort,link``), as ``livinglab invite``."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["participant_id", "cohort", "link"])
    writer.writeheader()
    writer.writerows(links)
    return out.getvalue()


def planned_waves(pilot_id: str) -> list[tuple[str, str]]:
    """``(instrument, wave)`` of every survey wave the pilot plans, in its order."""
    from livinglab import services

    pilot = services.load_pilot(pilot_id)
    return [(plan.instrument, wave) for plan in pilot.surveys for wave in plan.waves]

"""Decision records: what the council decided about a pilot, with the evaluation and the
dossier it was taken on, frozen. Functions take the session and never commit."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from livinglab.store import models as db

DECISIONS: tuple[str, ...] = ("generalize", "stop", "extend")
"""What a council can decide: roll the service out city-wide, stop it, extend the pilot."""


def add_decision_record(*, session: Session, record: db.DecisionRecord) -> db.DecisionRecord:
    """Store ``record`` (ValueError for a decision outside :data:`DECISIONS`, an empty
    council reference or decider, or a date in the future)."""
    if record.decision not in DECISIONS:
        raise ValueError(
            f"The decision must be one of {', '.join(DECISIONS)}. Got {record.decision!r}."
        )
    if not record.council_reference.strip() or not record.decided_by.strip():
        raise ValueError("A decision record needs who decided and the council's reference.")
    if record.decided_on > date.today():
        raise ValueError(f"The decision date {record.decided_on} is in the future.")
    session.add(record)
    session.flush()
    return record


def decision_records(*, session: Session, pilot_id: str | None = None) -> list[db.DecisionRecord]:
    """The records, newest first (of one pilot when ``pilot_id``)."""
    query = select(db.DecisionRecord)
    if pilot_id is not None:
        query = query.where(db.DecisionRecord.pilot_id == pilot_id)
    query = query.order_by(col(db.DecisionRecord.recorded_at).desc(),
                           col(db.DecisionRecord.id).desc())
    return list(session.exec(query))

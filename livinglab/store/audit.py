"""The audit log: who did what, when. Append-only in the code: this module offers a
way to add an entry and ways to read them, and nothing that changes or deletes one.

Each function takes the session and never commits, so an entry lands in the same
transaction as the action it records (an import that rolls back leaves no entry).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from livinglab.store import models as db

ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "pilot_edit",
    "import",
    "erase",
    "consent_given",
    "consent_withdrawn",
    "purge",
    "export",
    "invite",
    "decision_recorded",
    "account_change",
)
"""Every action the log knows; :func:`record_event` refuses any other word."""

MAX_DETAIL = 2000


def record_event(
    *,
    session: Session,
    actor: str,
    action: str,
    pilot_id: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> db.AuditEvent:
    """Append one entry. ``actor`` is who acted (an account name, ``oidc:<subject>``,
    ``cli:<system user>``, ``citizen``); ``detail`` is cut to 2,000 characters.

    Raises ``ValueError`` for an action outside :data:`ACTIONS` or an empty actor.
    """
    if action not in ACTIONS:
        raise ValueError(f"audit action {action!r}: expected one of {', '.join(ACTIONS)}")
    if not actor.strip():
        raise ValueError("audit actor: expected who acted, got an empty name")
    event = db.AuditEvent(
        actor=actor.strip()[:255],
        action=action,
        pilot_id=pilot_id,
        detail=None if detail is None else detail[:MAX_DETAIL],
    )
    if at is not None:
        event.at = at
    session.add(event)
    session.flush()
    return event


def audit_events(
    *,
    session: Session,
    pilot_id: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[db.AuditEvent]:
    """Entries, newest first, optionally of one pilot, one action, since a moment."""
    query = select(db.AuditEvent)
    if pilot_id is not None:
        query = query.where(db.AuditEvent.pilot_id == pilot_id)
    if action is not None:
        query = query.where(db.AuditEvent.action == action)
    if since is not None:
        query = query.where(col(db.AuditEvent.at) >= since)
    query = query.order_by(col(db.AuditEvent.at).desc(), col(db.AuditEvent.id).desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())

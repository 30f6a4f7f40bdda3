"""The audit log as the team reads it, and the entries that have no transaction of their
own to join (an export, a sign-in through the identity provider).

Every other use case writes its entry in its own transaction, through
:func:`livinglab.store.audit.record_event` (an import, an erasure, a withdrawal, a purge,
an account change, a local sign-in). Who acted is the signed-in person in the app and
``cli:<system user>`` on the command line (:func:`cli_actor`).
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

AUDIT_COLUMNS = ("at", "actor", "action", "pilot", "detail")
"""The columns of :func:`audit_log` (and of its CSV export), in order."""


def cli_actor() -> str:
    """``cli:<system user>``: who runs a command (the operating system's account name)."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a bare container)
        user = "unknown"
    return f"cli:{user}"


def actor_or_cli(actor: str | None) -> str:
    """``actor`` when given (the app passes the signed-in person), else :func:`cli_actor`."""
    return actor if actor else cli_actor()


def record(
    actor: str, action: str, *, pilot_id: str | None = None, detail: str | None = None
) -> None:
    """Append one entry in its own transaction: for actions that write nothing else
    (an export, a sign-in through the identity provider). ValueError for an action
    outside :data:`livinglab.store.audit.ACTIONS`."""
    from sqlmodel import Session

    from livinglab.services import engine
    from livinglab.store.audit import record_event

    with Session(engine()) as session, session.begin():
        record_event(session=session, actor=actor, action=action, pilot_id=pilot_id, detail=detail)


def record_export(actor: str | None, pilot_id: str | None, what: str) -> None:
    """Log that ``actor`` exported ``what`` (a dossier, a JSON evaluation, a CSV...)."""
    record(actor_or_cli(actor), "export", pilot_id=pilot_id, detail=what)


def identity_sign_in(issuer: str, subject: str, name: str, role: str | None) -> None:
    """Log a sign-in through the identity provider: ``sign_in`` with the role the store
    gives, or ``sign_in_failed`` when it gives none. The actor is ``oidc:<subject>``
    (the stable id; the display name goes in the detail)."""
    action = "sign_in" if role else "sign_in_failed"
    detail = f"identity provider {issuer}; {name}" + (f"; role {role}" if role else "; no role")
    record(f"oidc:{subject}", action, detail=detail)


def audit_log(
    *, pilot_id: str | None = None, action: str | None = None, limit: int | None = None
) -> pd.DataFrame:
    """The audit log, newest first, optionally of one pilot and one action.

    Returns
    -------
    DataFrame
        Columns :data:`AUDIT_COLUMNS`: ``at`` (an aware UTC datetime), ``actor``,
        ``action`` (a word of :data:`livinglab.store.audit.ACTIONS`), ``pilot`` (None for
        sign-ins and account changes), ``detail``.
    """
    import pandas as pd
    from sqlmodel import Session

    from livinglab.services import engine
    from livinglab.store.audit import audit_events

    with Session(engine()) as session:
        events = audit_events(session=session, pilot_id=pilot_id, action=action, limit=limit)
        rows = [(e.at, e.actor, e.action, e.pilot_id, e.detail) for e in events]
    frame = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS), dtype=object)
    return frame.astype(object).where(frame.notna(), None)


def audit_csv(*, pilot_id: str | None = None, action: str | None = None) -> str:
    """:func:`audit_log` as CSV text (UTF-8, ISO 8601 times in UTC, a header line)."""
    frame = audit_log(pilot_id=pilot_id, action=action)
    frame["at"] = [moment.isoformat() for moment in frame["at"]]
    return str(frame.to_csv(index=False))

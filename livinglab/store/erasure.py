"""Erasure of a person and purge of a whole pilot (GDPR articles 17 and 5(1)(e)).

Which tables hold a person's rows is read from the SQLModel metadata, not listed by
hand: every table with a column named ``participant_key`` or a foreign key to
``participant.key`` (:func:`participant_tables`). A table added later (daily roll-ups,
consents, invitations...) is covered without a change here. A purge also deletes every
row of a table with a ``pilot_id`` column, then the pilot itself; the audit log is kept
(it outlives a purged pilot by design, and holds no participant's data).

An erased person leaves a tombstone (:class:`livinglab.store.models.ErasedParticipant`:
the pilot and the pseudonym, nothing else), so that an import of an old file skips
their rows instead of bringing them back.

Each function takes the session and never commits.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from sqlmodel import Session, col, select

from livinglab.errors import NotFoundError
from livinglab.store import models as db
from livinglab.store.keys import setting_name

KEPT_TABLES: Final = frozenset({"audit_event"})
"""Tables a purge never touches (the log of who did what outlives the pilot)."""


def _participant_column(table: sa.Table) -> sa.Column[int] | None:
    """The column of ``table`` that names a participant by key, if any."""
    for column in table.columns:
        if column.name == "participant_key":
            return column
        for foreign_key in column.foreign_keys:
            if foreign_key.target_fullname == "participant.key":
                return column
    return None


def participant_tables(
    metadata: sa.MetaData | None = None,
) -> list[tuple[sa.Table, sa.Column[int]]]:
    """Every table that holds rows of one participant, with the column naming them, in
    an order that deletes a row before the rows it points to (children first).

    The participant table itself is not in the list (it is deleted last)."""
    meta = metadata or db.metadata
    found = []
    for table in reversed(meta.sorted_tables):
        if table.name == "participant":
            continue
        column = _participant_column(table)
        if column is not None:
            found.append((table, column))
    return found


def _restricted(
    table: sa.Table, condition: sa.ColumnElement[bool], pilot_id: str
) -> sa.ColumnElement[bool]:
    """``condition``, narrowed to the pilot's metrics for a table keyed by metric first
    (the observations' primary key starts with ``metric_key``: a range read, not a scan)."""
    if "metric_key" in table.columns:
        metrics = sa.select(db.Metric.__table__.c.key).where(  # type: ignore[attr-defined]
            db.Metric.__table__.c.pilot_id == pilot_id  # type: ignore[attr-defined]
        )
        return sa.and_(table.c.metric_key.in_(metrics), condition)
    return condition


def erase_participant_key(
    *, session: Session, pilot_id: str, participant_key: int
) -> dict[str, int]:
    """Delete every row of participant ``participant_key`` of ``pilot_id`` in every
    table, keep a tombstone of their pseudonym, and record an ``erasure`` batch (no
    personal data) so that the data version moves on.

    Returns
    -------
    dict
        Table name -> rows deleted (``participant`` included: 1), tables with no row of
        the person included with 0.

    Raises
    ------
    NotFoundError
        The pilot has no participant with this key.
    """
    participant = session.get(db.Participant, participant_key)
    if participant is None or participant.pilot_id != pilot_id:
        raise NotFoundError(f"Pilot '{pilot_id}' has no participant with key {participant_key}.")
    pseudonym = participant.participant_id
    session.expunge(participant)
    deleted: dict[str, int] = {}
    for table, column in participant_tables():
        statement = sa.delete(table).where(_restricted(table, column == participant_key, pilot_id))
        deleted[table.name] = session.execute(statement).rowcount  # type: ignore[attr-defined]
    participant_table = db.Participant.__table__  # type: ignore[attr-defined]
    deleted["participant"] = session.execute(  # type: ignore[attr-defined]
        sa.delete(participant_table).where(participant_table.c.key == participant_key)
    ).rowcount
    if session.get(db.ErasedParticipant, (pilot_id, pseudonym)) is None:
        session.add(db.ErasedParticipant(pilot_id=pilot_id, participant_id=pseudonym))
    session.add(
        db.ImportBatch(pilot_id=pilot_id, kind="erasure", rows=sum(deleted.values()), inserted=0)
    )
    session.flush()
    return deleted


def erased_pseudonyms(
    *, session: Session | None = None, connection: sa.Connection | None = None, pilot_id: str
) -> set[str]:
    """The pseudonyms of the pilot's erased participants (their tombstones)."""
    table = db.ErasedParticipant.__table__  # type: ignore[attr-defined]
    query = sa.select(table.c.participant_id).where(table.c.pilot_id == pilot_id)
    runner = session if session is not None else connection
    assert runner is not None, "give a session or a connection"
    return set(runner.execute(query).scalars())


def purge_pilot(*, session: Session, pilot_id: str) -> dict[str, int]:
    """Delete every row of ``pilot_id`` in every table (its participants' rows, the rows
    with its ``pilot_id``, the pilot itself); the audit log is kept.

    Returns
    -------
    dict
        Table name -> rows deleted, for every table that had some.
    """
    participant_table = db.Participant.__table__  # type: ignore[attr-defined]
    keys = sa.select(participant_table.c.key).where(participant_table.c.pilot_id == pilot_id)
    deleted: dict[str, int] = {}
    for table, column in participant_tables():
        statement = sa.delete(table).where(_restricted(table, column.in_(keys), pilot_id))
        deleted[table.name] = session.execute(statement).rowcount  # type: ignore[attr-defined]
    for table in reversed(db.metadata.sorted_tables):
        if table.name in KEPT_TABLES or table.name in deleted or table.name == "pilot":
            continue
        if "pilot_id" in table.columns:
            statement = sa.delete(table).where(table.c.pilot_id == pilot_id)
            deleted[table.name] = session.execute(statement).rowcount  # type: ignore[attr-defined]
    setting = db.StoreSetting.__table__  # type: ignore[attr-defined]
    deleted["store_setting"] = session.execute(  # type: ignore[attr-defined]
        sa.delete(setting).where(setting.c.name == setting_name(pilot_id))
    ).rowcount
    pilot_table = db.Pilot.__table__  # type: ignore[attr-defined]
    deleted["pilot"] = session.execute(  # type: ignore[attr-defined]
        sa.delete(pilot_table).where(pilot_table.c.id == pilot_id)
    ).rowcount
    session.flush()
    return {name: count for name, count in deleted.items() if count}


def stored_pilots(*, session: Session) -> list[db.Pilot]:
    """Every pilot the store holds (its spec as last loaded), by id."""
    return list(session.exec(select(db.Pilot).order_by(col(db.Pilot.id))).all())

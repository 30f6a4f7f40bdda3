"""Registered analysis plans (see :mod:`livinglab.spec.plan`): the plan a pilot had when
its first data was imported, and every later version seen. Rows are only added.

Each function takes the session and never commits: the importer registers the plan in
the same transaction as the first rows it writes, so a refused import registers nothing.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, col, select

from livinglab.spec.models import Pilot as PilotSpec
from livinglab.spec.plan import analysis_plan, plan_hash
from livinglab.store import models as db


def plan_versions(*, session: Session, pilot_id: str) -> list[db.AnalysisPlan]:
    """Every recorded version of the pilot's plan, the registered one (``seq`` 1) first;
    empty while the pilot has no data."""
    return list(
        session.exec(
            select(db.AnalysisPlan)
            .where(db.AnalysisPlan.pilot_id == pilot_id)
            .order_by(col(db.AnalysisPlan.seq))
        ).all()
    )


def _add(
    session: Session, pilot: PilotSpec, seq: int, actor: str | None, at: datetime | None
) -> db.AnalysisPlan | None:
    row = db.AnalysisPlan(
        pilot_id=pilot.id,
        seq=seq,
        plan_hash=plan_hash(analysis_plan(pilot)),
        spec_json=json.loads(pilot.model_dump_json()),
        recorded_by=actor,
    )
    if at is not None:
        row.recorded_at = at
    session.add(row)
    session.flush()  # two writers adding the same seq: the second gets IntegrityError
    return row


def register_plan(
    *, session: Session, pilot: PilotSpec, actor: str | None = None, at: datetime | None = None
) -> db.AnalysisPlan | None:
    """Register the pilot's plan if none is registered yet (its first data import).

    Returns the new row, or None when a plan was already registered. The pilot must be
    in the store (``sync_pilot``) first. Raises ``sqlalchemy.exc.IntegrityError`` when a
    concurrent transaction registered it first (the importer holds the write lock).
    """
    if plan_versions(session=session, pilot_id=pilot.id):
        return None
    return _add(session, pilot, 1, actor, at)


def note_plan(
    *, session: Session, pilot: PilotSpec, actor: str | None = None, at: datetime | None = None
) -> db.AnalysisPlan | None:
    """Record the pilot's current plan as a new version if it differs from the latest
    recorded one (a change after the data came in: kept, never silent).

    Returns the new row, or None when no plan is registered yet or nothing changed.
    ``at`` defaults to now; ``actor`` is who made the change when known (the app's
    editor, an import), None when the file was edited outside livinglab.
    """
    versions = plan_versions(session=session, pilot_id=pilot.id)
    if not versions or versions[-1].plan_hash == plan_hash(analysis_plan(pilot)):
        return None
    return _add(session, pilot, versions[-1].seq + 1, actor, at)

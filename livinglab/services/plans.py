"""The pilot's registered analysis plan, as the evaluation uses it.

The plan is registered by the importer with the pilot's first data
(:mod:`livinglab.store.plans`). Here the evaluation finds it, records a change seen in
the pilot's file since (who: unknown when the file was edited outside livinglab; when:
the file's modification time), and gives back the pilot to evaluate under the
registered plan with what differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session

from livinglab.settings import get_settings
from livinglab.spec.models import Pilot
from livinglab.spec.plan import PlanStatus, analysis_plan, plan_differences, with_plan_of


@dataclass(frozen=True)
class RegisteredPilot:
    """The pilot under its registered plan, and what the evaluation will say of it
    (``status.verdict_under_current_plan`` is filled in by the caller)."""

    pilot: Pilot
    status: PlanStatus


def record_plan_change(pilot: Pilot, *, actor: str | None) -> bool:
    """Record ``pilot``'s plan as a new version when it differs from the latest one
    (the app's editor calls this on save with the signed-in user). Returns whether a
    version was added. Nothing happens while no plan is registered (no data yet)."""
    from livinglab.services import engine
    from livinglab.store.plans import note_plan

    with Session(engine()) as session:
        try:
            added = note_plan(session=session, pilot=pilot, actor=actor, at=_file_time(pilot.id))
            session.commit()
        except sa.exc.IntegrityError:  # a concurrent request recorded it first
            session.rollback()
            return False
    return added is not None


def registered_pilot(current: Pilot) -> RegisteredPilot | None:
    """``current`` under its registered plan, with the differences; None while the
    pilot has no registered plan (no data imported yet).

    A change of plan not yet recorded is recorded first (:func:`record_plan_change`).
    A registered spec that no longer reads under today's schema is taken as today's
    (differences then empty), rather than refusing to evaluate.
    """
    from livinglab.services import engine
    from livinglab.store.plans import plan_versions

    record_plan_change(current, actor=None)
    with Session(engine()) as session:
        versions = plan_versions(session=session, pilot_id=current.id)
    if not versions:
        return None
    first, latest = versions[0], versions[-1]
    try:
        registered = with_plan_of(current, Pilot.model_validate(first.spec_json))
    except ValidationError:
        registered = current
    differences = tuple(plan_differences(analysis_plan(registered), analysis_plan(current)))
    status = PlanStatus(
        registered_at=first.recorded_at,
        registered_by=first.recorded_by,
        plan_hash=first.plan_hash,
        differences=differences,
        amended_at=latest.recorded_at if differences else None,
        amended_by=latest.recorded_by if differences else None,
    )
    return RegisteredPilot(registered, status)


def _file_time(pilot_id: str) -> datetime | None:
    path = get_settings().pilots_dir / f"{pilot_id}.yaml"
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None

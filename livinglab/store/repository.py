"""Small reads and writes of the store. Each function takes the session and never
commits: the caller decides where the transaction ends (an import, a request)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from livinglab.errors import NotFoundError, SurveyError
from livinglab.spec.models import Instrument
from livinglab.spec.models import Pilot as PilotSpec
from livinglab.store import models as db
from livinglab.store.pseudonym import pseudonymize
from livinglab.store.rollups import rebuild_rollups


def spec_hash(pilot: PilotSpec) -> str:
    """sha256 of the pilot spec's canonical JSON (changes whenever the spec does)."""
    return hashlib.sha256(_spec_json(pilot).encode()).hexdigest()


def _spec_json(pilot: PilotSpec) -> str:
    return json.dumps(pilot.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def sync_pilot(*, session: Session, pilot: PilotSpec) -> dict[str, int]:
    """Record the pilot, its cohorts and metrics as declared in its spec.

    Idempotent. Cohorts and metrics are added, never removed (stored data may point
    to them); a cohort's role and assignment follow the spec.

    Returns
    -------
    dict
        Each metric id of the pilot mapped to its integer key in the store.
    """
    digest = spec_hash(pilot)
    row = session.get(db.Pilot, pilot.id)
    if row is None:
        row = db.Pilot(id=pilot.id, title=pilot.title.fr, spec_hash="", spec_json={})
    if row.spec_hash != digest:
        row.title, row.spec_hash = pilot.title.fr, digest
        row.spec_json = json.loads(_spec_json(pilot))
        row.loaded_at = db.utc_now()
        session.add(row)
        session.flush()
    if row.rollup_timezone != pilot.timezone:  # the roll-ups' days were another zone's
        rebuild_rollups(session.connection(), pilot_id=pilot.id, timezone=pilot.timezone)
        row.rollup_timezone = pilot.timezone
        session.add(row)
        session.flush()
    for cohort in pilot.cohorts:
        stored = session.get(db.Cohort, (pilot.id, cohort.id))
        if stored is None:
            session.add(
                db.Cohort(
                    pilot_id=pilot.id, id=cohort.id, role=cohort.role, assignment=cohort.assignment
                )
            )
        elif (stored.role, stored.assignment) != (cohort.role, cohort.assignment):
            stored.role, stored.assignment = cohort.role, cohort.assignment
            session.add(stored)
    known = metric_keys(session=session, pilot_id=pilot.id)
    for metric in pilot.metrics:
        if metric.id not in known:
            session.add(db.Metric(pilot_id=pilot.id, metric_id=metric.id))
    session.flush()
    return metric_keys(session=session, pilot_id=pilot.id)


def metric_keys(*, session: Session, pilot_id: str) -> dict[str, int]:
    rows = session.exec(
        select(db.Metric.metric_id, db.Metric.key).where(db.Metric.pilot_id == pilot_id)
    )
    return {metric_id: key for metric_id, key in rows if key is not None}


def get_participant(*, session: Session, pilot_id: str, participant_id: str) -> db.Participant:
    """The participant with this pseudonym, or :class:`NotFoundError`."""
    row = session.exec(
        select(db.Participant).where(
            db.Participant.pilot_id == pilot_id, db.Participant.participant_id == participant_id
        )
    ).first()
    if row is None:
        raise NotFoundError(f"Pilot '{pilot_id}' has no participant '{participant_id}'.")
    return row


def find_participant(
    *, session: Session, pilot_id: str, raw_id: str, secret_key: str
) -> db.Participant | None:
    """The participant whose raw id (as in the team's files) is ``raw_id``, if any."""
    pseudonym = pseudonymize(raw_id, secret_key)
    return session.exec(
        select(db.Participant).where(
            db.Participant.pilot_id == pilot_id, db.Participant.participant_id == pseudonym
        )
    ).first()


def add_survey_answers(
    *,
    session: Session,
    pilot: PilotSpec,
    instrument: Instrument,
    participant_id: str,
    wave: str,
    answers: Mapping[str, int],
    submitted_at: datetime | None = None,
) -> int:
    """Store one participant's answers to one instrument in one wave (a submission).

    Parameters
    ----------
    participant_id : str
        The participant's pseudonym.
    answers : mapping
        Item id -> answer on the instrument's scale. Items left out were skipped.

    Returns
    -------
    int
        The id of the batch recording this submission.

    Raises
    ------
    SurveyError
        The wave is not planned for the participant's cohort, an item or answer is
        not the instrument's, or this participant already answered this wave.
    """
    participant = get_participant(session=session, pilot_id=pilot.id, participant_id=participant_id)
    _check_submission(pilot, instrument, participant.cohort_id, wave, answers)
    stored = session.exec(
        select(sa.func.count())
        .select_from(db.SurveyResponse)
        .where(
            db.SurveyResponse.participant_key == participant.key,
            db.SurveyResponse.instrument_id == instrument.id,
            db.SurveyResponse.wave == wave,
        )
    ).one()
    if stored:
        raise SurveyError(f"This participant already answered '{instrument.id}' ({wave}).")
    moment = submitted_at or db.utc_now()
    batch = db.ImportBatch(
        pilot_id=pilot.id,
        kind="submission",
        rows=len(answers),
        inserted=len(answers),
        created_at=moment,
    )
    session.add(batch)
    session.flush()
    assert batch.id is not None and participant.key is not None  # set by the flush
    for item, answer in answers.items():
        session.add(
            db.SurveyResponse(
                participant_key=participant.key,
                instrument_id=instrument.id,
                wave=wave,
                item_id=item,
                answer=int(answer),
                batch_id=batch.id,
                submitted_at=moment,
            )
        )
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent submission won the race
        raise SurveyError(f"This participant already answered '{instrument.id}' ({wave}).") from exc
    return batch.id


def _check_submission(
    pilot: PilotSpec, instrument: Instrument, cohort_id: str, wave: str, answers: Mapping[str, int]
) -> None:
    plans = [p for p in pilot.surveys if p.instrument == instrument.id]
    if not plans or not any(wave in p.waves for p in plans):
        raise SurveyError(f"Pilot '{pilot.id}' plans no '{wave}' wave of '{instrument.id}'.")
    if not any(cohort_id in p.cohorts for p in plans):
        raise SurveyError(f"Cohort '{cohort_id}' is not surveyed with '{instrument.id}'.")
    for item, answer in answers.items():
        if item not in instrument.item_ids:
            raise SurveyError(
                f"'{item}' is not an item of '{instrument.id}' "
                f"(expected one of {instrument.item_ids})."
            )
        if not instrument.scale.contains(answer):
            raise SurveyError(
                f"The answer to '{item}' must be a whole number in "
                f"{instrument.scale.min}..{instrument.scale.max}. Got {answer!r} instead."
            )


def erase_participant(*, session: Session, pilot_id: str, participant_id: str) -> int:
    """Delete a participant and everything recorded about them (GDPR erasure), in every
    table that holds a participant key (:func:`livinglab.store.erasure.erase_participant_key`),
    and keep a tombstone of the pseudonym.

    Returns the number of rows deleted. NotFoundError when the pilot has no such
    pseudonym.
    """
    from livinglab.store.erasure import erase_participant_key

    participant = get_participant(session=session, pilot_id=pilot_id, participant_id=participant_id)
    assert participant.key is not None
    deleted = erase_participant_key(
        session=session, pilot_id=pilot_id, participant_key=participant.key
    )
    return sum(deleted.values())

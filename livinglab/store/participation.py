"""Who takes part in a pilot and who has answered: per-wave answer counts, the
participants who have not answered yet, and the pilot's invitations by state. Functions
take the session and never commit."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from livinglab.store import models as db


def unanswered(
    *, session: Session, pilot_id: str, instrument: str, wave: str, cohorts: list[str]
) -> list[tuple[int, str, str]]:
    """``(participant key, pseudonym, cohort)`` of the cohorts' participants without any
    answer to ``instrument`` in ``wave``, by cohort and pseudonym."""
    answered = select(db.SurveyResponse.participant_key).where(
        db.SurveyResponse.instrument_id == instrument, db.SurveyResponse.wave == wave
    )
    rows = session.exec(
        select(db.Participant.key, db.Participant.participant_id, db.Participant.cohort_id)
        .where(
            db.Participant.pilot_id == pilot_id,
            col(db.Participant.cohort_id).in_(cohorts),
            col(db.Participant.key).not_in(answered),
        )
        .order_by(col(db.Participant.cohort_id), col(db.Participant.participant_id))
    ).all()
    return [(int(key or 0), pseudonym, cohort) for key, pseudonym, cohort in rows]


def answered_count(
    *, session: Session, pilot_id: str, instrument: str, wave: str, cohorts: list[str]
) -> int:
    """How many of the cohorts' participants answered ``instrument`` in ``wave``."""
    query = (
        select(sa.func.count(sa.distinct(col(db.SurveyResponse.participant_key))))
        .select_from(db.SurveyResponse)
        .join(db.Participant, col(db.Participant.key) == col(db.SurveyResponse.participant_key))
        .where(
            col(db.Participant.pilot_id) == pilot_id,
            col(db.Participant.cohort_id).in_(cohorts),
            col(db.SurveyResponse.instrument_id) == instrument,
            col(db.SurveyResponse.wave) == wave,
        )
    )
    return int(session.exec(query).one() or 0)


def invitation_counts(
    *, session: Session, pilot_id: str, now: datetime
) -> list[tuple[str, str, int, int, int]]:
    """``(instrument, wave, created, used, expired)`` of the pilot's links, by
    instrument and wave (expired: past their expiry and never used)."""
    used = sa.func.sum(sa.case((col(db.Invitation.used_at).is_not(None), 1), else_=0))
    expired = sa.func.sum(
        sa.case(
            (
                sa.and_(
                    col(db.Invitation.used_at).is_(None),
                    col(db.Invitation.expires_at).is_not(None),
                    col(db.Invitation.expires_at) <= now,
                ),
                1,
            ),
            else_=0,
        )
    )
    instrument, wave = col(db.Invitation.instrument_id), col(db.Invitation.wave)
    rows = session.execute(
        sa.select(instrument, wave, sa.func.count(), used, expired)
        .where(col(db.Invitation.pilot_id) == pilot_id)
        .group_by(instrument, wave)
        .order_by(instrument, wave)
    ).all()
    return [(i, w, int(c), int(u or 0), int(e or 0)) for i, w, c, u, e in rows]

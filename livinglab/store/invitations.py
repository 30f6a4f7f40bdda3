"""One-time survey links ("invitations"): created by the innovation team, redeemed by a
citizen. Each function takes the session and never commits: the caller decides where
the transaction ends.

Only the SHA-256 of a token is stored. Redeeming locks the invitation's row
(``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the write transaction's
``BEGIN IMMEDIATE`` already serialises writers), so a link answers once even when two
submissions race.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from livinglab.errors import SurveyError
from livinglab.spec.models import Instrument
from livinglab.spec.models import Pilot as PilotSpec
from livinglab.store import models as db
from livinglab.store.drafts import move_draft
from livinglab.store.repository import add_survey_answers

TOKEN_BYTES = 24

# What a citizen reads, by error code: (French, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "unknown": (
        "Ce lien d'enquête n'est pas reconnu. Vérifiez qu'il est complet, "
        "ou contactez l'équipe du Living Lab.",
        "This survey link is not recognised. Check that it is complete, "
        "or contact the Living Lab team.",
    ),
    "used": (
        "Ce lien a déjà servi : vos réponses ont bien été enregistrées. Merci !",
        "This link has already been used: your answers were recorded. Thank you!",
    ),
    "expired": (
        "Ce lien a expiré. Contactez l'équipe du Living Lab pour en recevoir un nouveau.",
        "This link has expired. Contact the Living Lab team to receive a new one.",
    ),
    "revoked": (
        "Ce lien a été remplacé par un lien plus récent : utilisez le dernier courrier "
        "ou courriel reçu, ou contactez l'équipe du Living Lab.",
        "This link was replaced by a newer one: use the latest letter or e-mail you "
        "received, or contact the Living Lab team.",
    ),
    "no_consent": (
        "Pour envoyer vos réponses, donnez d'abord votre accord.",
        "To send your answers, first give your consent.",
    ),
    "incomplete": (
        "Merci de répondre à toutes les questions avant d'envoyer.",
        "Please answer every question before sending.",
    ),
    "invalid": (
        "Une réponse n'est pas valable. Vérifiez vos réponses et réessayez.",
        "An answer is not valid. Check your answers and try again.",
    ),
    "already_answered": (
        "Vos réponses à ce questionnaire ont déjà été enregistrées. Merci !",
        "Your answers to this questionnaire were already recorded. Thank you!",
    ),
}


class InvitationError(SurveyError):
    """A survey link cannot be used; ``code`` names why (a key of :data:`MESSAGES`).

    ``str(error)`` is the French message (the citizens' default language);
    :meth:`message` gives it in either language, :attr:`detail` the technical reason.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        self.fr, self.en = MESSAGES[code]
        super().__init__(self.fr)

    def message(self, lang: str = "fr") -> str:
        return self.en if lang == "en" else self.fr


def token_hash(token: str) -> str:
    """The SHA-256 hex digest of a link's token (what the store keeps)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitations(
    *,
    session: Session,
    pilot: PilotSpec,
    instrument: Instrument,
    wave: str,
    participant_keys: Iterable[int],
    expires_in: timedelta | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> list[tuple[str, str]]:
    """One new link per participant key, valid until ``expires_at`` (an aware instant;
    else ``now + expires_in``; else for ever).

    One live link per person, instrument and wave: the person's earlier links that
    were neither used nor revoked get ``revoked_at = now`` (a letter sent twice never
    gives two ways to answer); answers in progress on them move to the new link (a
    reminder never makes someone start again).

    Returns
    -------
    list of (participant_id, raw_token)
        The participant's pseudonym and the token to put in the link: the only time
        the token is known (the store keeps its hash).
    """
    moment = now or db.utc_now()
    keys = list(participant_keys)
    rows = session.exec(
        select(db.Participant).where(
            db.Participant.pilot_id == pilot.id, col(db.Participant.key).in_(keys)
        )
    ).all()
    by_key = {row.key: row for row in rows}
    revoked = revoke_links(
        session=session, pilot_id=pilot.id, instrument=instrument.id, wave=wave, keys=keys,
        now=moment,
    )
    until = expires_at or (moment + expires_in if expires_in else None)
    created: list[tuple[str, str]] = []
    for key in keys:
        participant = by_key.get(key)
        if participant is None:
            raise SurveyError(f"Pilot '{pilot.id}' has no participant with key {key}.")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation = db.Invitation(
            pilot_id=pilot.id,
            participant_key=key,
            instrument_id=instrument.id,
            wave=wave,
            token_hash=token_hash(token),
            created_at=moment,
            expires_at=until,
        )
        session.add(invitation)
        if revoked.get(key):
            session.flush()
            assert invitation.id is not None
            move_draft(session=session, from_ids=revoked[key], to_id=invitation.id)
        created.append((participant.participant_id, token))
    session.flush()
    return created


def revoke_links(
    *,
    session: Session,
    pilot_id: str,
    instrument: str,
    wave: str,
    keys: list[int],
    now: datetime | None = None,
) -> dict[int, list[int]]:
    """Revoke the unused, unrevoked links of these participants for ``instrument`` in
    ``wave``; returns the revoked invitations' ids by participant key."""
    moment = now or db.utc_now()
    live = session.exec(
        select(db.Invitation).where(
            db.Invitation.pilot_id == pilot_id,
            db.Invitation.instrument_id == instrument,
            db.Invitation.wave == wave,
            col(db.Invitation.participant_key).in_(keys),
            col(db.Invitation.used_at).is_(None),
            col(db.Invitation.revoked_at).is_(None),
        )
    ).all()
    revoked: dict[int, list[int]] = {}
    for invitation in live:
        invitation.revoked_at = moment
        session.add(invitation)
        if invitation.id is not None:
            revoked.setdefault(invitation.participant_key, []).append(invitation.id)
    return revoked


def invited_keys(*, session: Session, pilot_id: str, instrument: str, wave: str) -> set[int]:
    """The participant keys that were ever sent a link for ``instrument`` in ``wave``."""
    return set(
        session.exec(
            select(db.Invitation.participant_key).where(
                db.Invitation.pilot_id == pilot_id,
                db.Invitation.instrument_id == instrument,
                db.Invitation.wave == wave,
            )
        ).all()
    )


def not_yet_answered(
    *, session: Session, pilot_id: str, instrument: str, wave: str, cohorts: list[str]
) -> list[tuple[int, str]]:
    """``(participant key, cohort)`` of the cohorts' participants who have not answered
    ``instrument`` in ``wave`` yet, in key order."""
    answered = select(db.SurveyResponse.participant_key).where(
        db.SurveyResponse.instrument_id == instrument, db.SurveyResponse.wave == wave
    )
    rows = session.exec(
        select(db.Participant.key, db.Participant.cohort_id)
        .where(
            db.Participant.pilot_id == pilot_id,
            col(db.Participant.cohort_id).in_(cohorts),
            col(db.Participant.key).not_in(answered),
        )
        .order_by(col(db.Participant.key))
    ).all()
    return [(key, cohort) for key, cohort in rows if key is not None]


def find_invitation(*, session: Session, token: str) -> db.Invitation | None:
    """The invitation of this raw token, if any."""
    if not token:
        return None
    return session.exec(
        select(db.Invitation).where(db.Invitation.token_hash == token_hash(token))
    ).first()


def check_usable(invitation: db.Invitation | None, now: datetime | None = None) -> db.Invitation:
    """The invitation if it can still be answered, else :class:`InvitationError`
    (``unknown``, ``used``, ``revoked`` or ``expired``, checked in that order)."""
    if invitation is None:
        raise InvitationError("unknown")
    if invitation.used_at is not None:
        raise InvitationError("used")
    if invitation.revoked_at is not None:
        raise InvitationError("revoked")
    moment = now or db.utc_now()
    if invitation.expires_at is not None and invitation.expires_at <= moment:
        raise InvitationError("expired")
    return invitation


def redeem_invitation(
    *,
    session: Session,
    pilot: PilotSpec,
    instrument: Instrument,
    token: str,
    answers: Mapping[str, int],
    consent: bool,
    now: datetime | None = None,
) -> int:
    """Store a citizen's answers through their link and mark the link used.

    Everything happens in the caller's transaction: on any error nothing is written
    and the link stays usable (the caller rolls back).

    Returns
    -------
    int
        The id of the batch recording the submission.

    Raises
    ------
    InvitationError
        Unknown, used or expired link, no consent, a missing or invalid answer.
    """
    moment = now or db.utc_now()
    invitation = session.exec(
        select(db.Invitation)
        .where(db.Invitation.token_hash == token_hash(token))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    invitation = check_usable(invitation, moment)
    if invitation.pilot_id != pilot.id or invitation.instrument_id != instrument.id:
        raise InvitationError("unknown", "the link is for another pilot or instrument")
    if not consent:
        raise InvitationError("no_consent")
    missing = [item for item in instrument.item_ids if item not in answers]
    if missing:
        raise InvitationError("incomplete", f"unanswered items: {missing}")
    participant = session.get(db.Participant, invitation.participant_key)
    if participant is None:  # erased: the cascade removes its invitations too
        raise InvitationError("unknown", "the participant was erased")
    try:
        batch_id = add_survey_answers(
            session=session,
            pilot=pilot,
            instrument=instrument,
            participant_id=participant.participant_id,
            wave=invitation.wave,
            answers=answers,
            submitted_at=moment,
        )
    except InvitationError:
        raise
    except SurveyError as exc:
        code = "already_answered" if "already answered" in str(exc) else "invalid"
        raise InvitationError(code, str(exc)) from exc
    invitation.used_at = moment
    invitation.consent_at = moment
    session.add(invitation)
    session.flush()
    return batch_id

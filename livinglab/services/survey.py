"""The citizen's side of a survey link: open it, consent, answer one question at a
time (answers kept against the link), submit, withdraw later.

Every function takes the raw token of the link (``?invitation=``) and opens its own
transaction. What a citizen may meet (an unknown, used, revoked or expired link, no
consent yet) is :class:`livinglab.store.invitations.InvitationError`, whose message
exists in French and English.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from livinglab import services
from livinglab.i18n import Translator

if TYPE_CHECKING:
    from sqlmodel import Session

    from livinglab.spec.models import Pilot
    from livinglab.store import models as db

CITIZEN = "citizen"
"""The audit log's actor for what a citizen does through their link."""
SECONDS_PER_ITEM = 30
"""How long one question takes a careful reader (shown as "about N minutes")."""


@dataclass(frozen=True)
class SurveyScreen:
    """Everything the survey page shows for one link, in one language.

    ``draft`` is None until the person consents through this link; then the answers
    saved so far (item id -> value), kept across reloads until they submit.
    """

    pilot_id: str
    pilot_title: str
    controller: str
    contact: str | None
    instrument_id: str
    wave: str
    title: str
    intro: str | None
    items: tuple[tuple[str, str], ...]  # (item id, text)
    options: tuple[tuple[int, str], ...]  # (answer value, label) of the scale
    minutes: int
    consent_paragraphs: tuple[str, ...]
    draft: dict[str, int] | None


def minutes_needed(n_items: int) -> int:
    """About how many minutes ``n_items`` questions take (30 s each, at least 2)."""
    return max(2, math.ceil(n_items * SECONDS_PER_ITEM / 60))


def consent_paragraphs(pilot: Pilot, lang: str) -> tuple[str, ...]:
    """The consent text the citizen reads, paragraph by paragraph, built from the
    pilot's privacy facts (controller, purpose, what is kept and how long, legal basis,
    contacts; GDPR articles 13-14). Its version is the SHA-256 of the paragraphs joined
    by blank lines (:func:`consent_version`)."""
    t = Translator(lang)
    privacy = pilot.privacy
    if privacy is None:
        return (t("survey_consent_generic"),)
    until = pilot.periods.intervention.end + timedelta(days=privacy.retention_days)
    return (
        t("survey_consent_who", controller=privacy.controller),
        t("survey_consent_why", purpose=privacy.purpose.get(lang)),
        t("survey_consent_what"),
        t("survey_consent_how_long", date=t.date(until), days=privacy.retention_days),
        t(f"survey_consent_basis_{privacy.legal_basis}"),
        t("survey_consent_rights", contact=privacy.contact, dpo=privacy.dpo_contact),
    )


def consent_version(pilot: Pilot, lang: str) -> str:
    """The recorded version of the consent text shown in ``lang``."""
    from livinglab.store.consents import text_version

    return text_version("\n\n".join(consent_paragraphs(pilot, lang)))


def open_survey(token: str, lang: str = "fr") -> SurveyScreen:
    """What the link ``token`` shows, checked before anything is drawn.

    Raises
    ------
    InvitationError
        ``unknown``, ``used``, ``revoked`` or ``expired`` link.
    """
    from sqlmodel import Session

    from livinglab.store.drafts import draft_answers
    from livinglab.store.engine import read_connection
    from livinglab.store.invitations import check_usable, find_invitation

    with read_connection(services.engine()) as connection, Session(bind=connection) as session:
        invitation = check_usable(find_invitation(session=session, token=token))
        assert invitation.id is not None
        draft = draft_answers(session=session, invitation_id=invitation.id)
        pilot_id, instrument_id, wave = (
            invitation.pilot_id,
            invitation.instrument_id,
            invitation.wave,
        )
    pilot = services.load_pilot(pilot_id)
    spec = services._instrument(instrument_id)
    t = Translator(lang)
    labels = {point.value: point.label.get(lang) for point in spec.scale.labels}
    privacy = pilot.privacy
    return SurveyScreen(
        pilot_id=pilot.id,
        pilot_title=pilot.title.get(lang),
        controller=privacy.controller if privacy else t("survey_controller_unknown"),
        contact=privacy.contact if privacy else None,
        instrument_id=spec.id,
        wave=wave,
        title=spec.title.get(lang),
        intro=spec.intro.get(lang) if spec.intro else None,
        items=tuple((item.id, item.text.get(lang)) for item in spec.items),
        options=tuple(
            (value, labels.get(value, str(value)))
            for value in range(spec.scale.min, spec.scale.max + 1)
        ),
        minutes=minutes_needed(len(spec.items)),
        consent_paragraphs=consent_paragraphs(pilot, lang),
        draft=draft,
    )


def link_contact(token: str) -> str | None:
    """The pilot's contact (its YAML's ``privacy.contact``) for a stored link, whatever
    its state (used, revoked, expired); None for an unknown link or no privacy facts."""
    from sqlmodel import Session

    from livinglab.errors import LivingLabError
    from livinglab.store.invitations import find_invitation

    with Session(services.engine()) as session:
        invitation = find_invitation(session=session, token=token)
        pilot_id = invitation.pilot_id if invitation else None
    if pilot_id is None:
        return None
    try:
        privacy = services.load_pilot(pilot_id).privacy
    except LivingLabError:
        return None
    return privacy.contact if privacy else None


def give_consent(token: str, lang: str = "fr") -> None:
    """Record the citizen's consent to the text shown in ``lang`` (its SHA-256 version,
    channel ``survey``), log ``consent_given`` and open the link's draft, in one
    transaction. Raises InvitationError when the link cannot be used."""
    from sqlmodel import Session

    from livinglab.store import models as db
    from livinglab.store.audit import record_event
    from livinglab.store.consents import record_consent
    from livinglab.store.drafts import start_draft

    with Session(services.engine()) as session, session.begin():
        invitation = _usable(session, token)
        pilot = services.load_pilot(invitation.pilot_id)
        version = consent_version(pilot, lang)
        record_consent(
            session=session,
            pilot_id=pilot.id,
            participant_key=invitation.participant_key,
            version=version,
            channel="survey",
        )
        assert invitation.id is not None
        start_draft(session=session, invitation_id=invitation.id)
        invitation.consent_at = db.utc_now()
        session.add(invitation)
        record_event(
            session=session,
            actor=CITIZEN,
            action="consent_given",
            pilot_id=pilot.id,
            detail=f"invitation {invitation.id}, text {version[:12]}, {lang}",
        )


def save_draft(token: str, answers: dict[str, int]) -> None:
    """Keep ``answers`` (item id -> value) against the link until it is submitted.
    Raises InvitationError for a link that cannot be used, or ``no_consent``."""
    from sqlmodel import Session

    from livinglab.store.drafts import draft_answers, save_answers
    from livinglab.store.invitations import InvitationError

    with Session(services.engine()) as session, session.begin():
        invitation = _usable(session, token)
        assert invitation.id is not None
        if draft_answers(session=session, invitation_id=invitation.id) is None:
            raise InvitationError("no_consent")
        save_answers(session=session, invitation_id=invitation.id, answers=answers)


def submit_survey(token: str, answers: dict[str, int] | None = None) -> None:
    """Store the link's answers (its draft, updated with ``answers``) in one
    transaction: the link then answers no more and its draft is deleted. Two
    submissions of one link at the same moment store one answer (the row is locked).

    Raises
    ------
    InvitationError
        The link cannot be used, the person has not consented, an answer is missing
        or invalid; nothing is written then.
    """
    from sqlmodel import Session

    from livinglab.store.drafts import draft_answers, drop_draft
    from livinglab.store.invitations import InvitationError, find_invitation, redeem_invitation

    with Session(services.engine()) as session:
        found = find_invitation(session=session, token=token)
        if found is None:
            raise InvitationError("unknown")
        pilot_id, instrument_id = found.pilot_id, found.instrument_id
    pilot = services.load_pilot(pilot_id)
    spec = services._instrument(instrument_id)
    with Session(services.engine()) as session, session.begin():
        invitation = _usable(session, token)
        assert invitation.id is not None
        saved = draft_answers(session=session, invitation_id=invitation.id)
        merged = {**(saved or {}), **(answers or {})}
        redeem_invitation(
            session=session,
            pilot=pilot,
            instrument=spec,
            token=token,
            answers=merged,
            consent=saved is not None,
        )
        drop_draft(session=session, invitation_id=invitation.id)


def withdraw(token: str) -> int:
    """Withdraw the consent of the link's participant to its pilot
    (:func:`livinglab.store.consents.withdraw_consent`), delete an unsent draft and log
    ``consent_withdrawn``, in one transaction. Works on a used link (that is how a
    citizen withdraws later). Returns the number of consents withdrawn (0 when none
    was open). Raises InvitationError (``unknown``) for a link never issued."""
    from sqlmodel import Session

    from livinglab.store import models as db
    from livinglab.store.audit import record_event
    from livinglab.store.consents import withdraw_consent
    from livinglab.store.drafts import drop_draft
    from livinglab.store.invitations import InvitationError, find_invitation

    with Session(services.engine()) as session, session.begin():
        invitation = find_invitation(session=session, token=token)
        if invitation is None or invitation.id is None:
            raise InvitationError("unknown")
        count = withdraw_consent(
            session=session,
            pilot_id=invitation.pilot_id,
            participant_key=invitation.participant_key,
        )
        drop_draft(session=session, invitation_id=invitation.id)
        if count:  # a new data version: cached evaluations are recomputed without them
            session.add(
                db.ImportBatch(pilot_id=invitation.pilot_id, kind="withdrawal", rows=0, inserted=0)
            )
        record_event(
            session=session,
            actor=CITIZEN,
            action="consent_withdrawn",
            pilot_id=invitation.pilot_id,
            detail=f"invitation {invitation.id}, {count} consent(s)",
        )
    return count


def _usable(session: Session, token: str) -> db.Invitation:
    from livinglab.store.invitations import check_usable, find_invitation

    return check_usable(find_invitation(session=session, token=token))

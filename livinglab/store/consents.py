"""Consent records: who agreed to which consent text of which pilot, and who withdrew.

Each function takes the session and never commits: the caller decides where the
transaction ends. The text's version is the SHA-256 of the exact text the person read
(:func:`text_version`), so a later change of a pilot's privacy facts gives a new
version and the old consents still say what was agreed to.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlmodel import Session, col, select

from livinglab.spec.models import Pilot
from livinglab.store import models as db

CHANNELS = ("survey", "import", "team")


def text_version(text: str) -> str:
    """The version of a consent text: the SHA-256 hex digest of its UTF-8 bytes
    (64 characters), after normalising line ends (``\\r\\n`` -> ``\\n``) and stripping."""
    normalised = text.replace("\r\n", "\n").strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def record_consent(
    *,
    session: Session,
    pilot_id: str,
    participant_key: int,
    version: str,
    channel: str,
    at: datetime | None = None,
) -> db.Consent:
    """Record that participant ``participant_key`` consented to the text ``version``.

    Raises ``ValueError`` for a channel outside :data:`CHANNELS` or a version that is
    not a SHA-256 hex digest. A consent already open for the same version is returned
    as it is (recording twice stores one row).
    """
    if channel not in CHANNELS:
        raise ValueError(f"consent channel {channel!r}: expected one of {', '.join(CHANNELS)}")
    if len(version) != 64 or any(c not in "0123456789abcdef" for c in version):
        raise ValueError("consent text version: expected a SHA-256 hex digest (64 characters)")
    open_row = session.exec(
        select(db.Consent).where(
            db.Consent.pilot_id == pilot_id,
            db.Consent.participant_key == participant_key,
            db.Consent.text_version == version,
            col(db.Consent.withdrawn_at).is_(None),
        )
    ).first()
    if open_row is not None:
        return open_row
    row = db.Consent(
        pilot_id=pilot_id, participant_key=participant_key, text_version=version, channel=channel
    )
    if at is not None:
        row.given_at = at
    session.add(row)
    session.flush()
    return row


def withdraw_consent(
    *, session: Session, pilot_id: str, participant_key: int, at: datetime | None = None
) -> int:
    """Set ``withdrawn_at`` on every open consent of the participant to the pilot.

    Returns the number of consents withdrawn (0 when none was open: withdrawing twice
    changes nothing).
    """
    moment = at if at is not None else db.utc_now()
    rows = session.exec(
        select(db.Consent).where(
            db.Consent.pilot_id == pilot_id,
            db.Consent.participant_key == participant_key,
            col(db.Consent.withdrawn_at).is_(None),
        )
    ).all()
    for row in rows:
        row.withdrawn_at = moment
        session.add(row)
    session.flush()
    return len(rows)


def consents(*, session: Session, pilot_id: str, participant_key: int) -> list[db.Consent]:
    """Every consent row of one participant to one pilot, oldest first."""
    return list(
        session.exec(
            select(db.Consent)
            .where(db.Consent.pilot_id == pilot_id, db.Consent.participant_key == participant_key)
            .order_by(col(db.Consent.given_at), col(db.Consent.id))
        ).all()
    )


def withdrawn_keys(*, session: Session, pilot_id: str) -> set[int]:
    """The participant keys of the pilot whose consent is withdrawn: they have at least
    one consent row and none of them is still open."""
    rows = session.exec(
        select(db.Consent.participant_key, db.Consent.withdrawn_at).where(
            db.Consent.pilot_id == pilot_id
        )
    ).all()
    has_open: dict[int, bool] = {}
    for key, withdrawn_at in rows:
        has_open[key] = has_open.get(key, False) or withdrawn_at is None
    return {key for key, still_open in has_open.items() if not still_open}


_LEGAL_BASIS = {
    "consent": ("votre consentement (RGPD, article 6.1.a)", "your consent (GDPR, article 6(1)(a))"),
    "public_task": (
        "une mission d'intérêt public (RGPD, article 6.1.e)",
        "a task in the public interest (GDPR, article 6(1)(e))",
    ),
    "legitimate_interest": (
        "l'intérêt légitime (RGPD, article 6.1.f)",
        "legitimate interests (GDPR, article 6(1)(f))",
    ),
}


def consent_text(pilot: Pilot, lang: str = "fr") -> str:
    """The consent text of ``pilot`` built from its privacy facts (controller, purpose,
    legal basis, retention, contacts), in ``lang``. Its :func:`text_version` is what a
    consent records: a change of any fact gives a new version.

    A pilot without privacy facts gets a text naming only the pilot (its version still
    tells consents to it apart)."""
    title = pilot.title.get(lang)
    facts = pilot.privacy
    if facts is None:
        return f"{title}"
    basis = _LEGAL_BASIS[facts.legal_basis][1 if lang == "en" else 0]
    if lang == "en":
        lines = [
            f"Pilot: {title}.",
            f"Controller: {facts.controller}.",
            f"Purpose: {facts.purpose.get('en')}",
            f"Legal basis: {basis}.",
            f"Your data is kept {facts.retention_days} days after the pilot's last day, "
            "then deleted. It is stored under a pseudonym, never with your name.",
            "You may withdraw your consent at any time, as easily as you gave it, and ask "
            f"for your data to be erased: {facts.contact}.",
            f"Data protection officer: {facts.dpo_contact}.",
        ]
    else:
        lines = [
            f"Pilote : {title}.",
            f"Responsable du traitement : {facts.controller}.",
            f"Finalité : {facts.purpose.get('fr')}",
            f"Base légale : {basis}.",
            f"Vos données sont conservées {facts.retention_days} jours après le dernier jour "
            "du pilote, puis supprimées. Elles sont enregistrées sous un pseudonyme, jamais "
            "avec votre nom.",
            "Vous pouvez retirer votre consentement à tout moment, aussi facilement que vous "
            f"l'avez donné, et demander l'effacement de vos données : {facts.contact}.",
            f"Délégué à la protection des données : {facts.dpo_contact}.",
        ]
    return "\n".join(lines)

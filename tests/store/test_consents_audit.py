"""Consent records and the audit log, on SQLite and on the real PostgreSQL (the
``engine`` fixture runs each test on both): a withdrawal closes every open consent, the
withdrawn set is what evaluations exclude, an erasure takes the person's consents with
it, and the audit log keeps entries in the order they happened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session
from store_factories import PARTICIPANTS, SECRET

from livinglab.store import erase_participant, import_files, pseudonymize
from livinglab.store.audit import audit_events, record_event
from livinglab.store.consents import (
    consents,
    record_consent,
    text_version,
    withdraw_consent,
    withdrawn_keys,
)
from livinglab.store.repository import get_participant


@pytest.fixture
def enrolled(engine, pilot, instruments, write):
    import_files(
        engine=engine,
        pilot=pilot,
        instruments=instruments,
        secret_key=SECRET,
        participants=write("p.csv", PARTICIPANTS),
    )
    return engine


def key_of(session, pilot, raw_id: str) -> int:
    participant = get_participant(
        session=session, pilot_id=pilot.id, participant_id=pseudonymize(raw_id, SECRET)
    )
    assert participant.key is not None
    return participant.key


def test_text_version_is_the_sha256_of_the_normalised_text():
    # sha256(b"abc") from FIPS 180-2, appendix B.1.
    assert text_version("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert text_version("a\r\nb\n") == text_version("a\nb")
    assert text_version("accord v1") != text_version("accord v2")


def test_withdrawal_closes_every_open_consent_and_only_that_person(enrolled, pilot):
    v1, v2 = text_version("texte 1"), text_version("texte 2")
    with Session(enrolled) as session:
        a, b = key_of(session, pilot, "h1"), key_of(session, pilot, "h2")
        record_consent(
            session=session, pilot_id=pilot.id, participant_key=a, version=v1, channel="import"
        )
        record_consent(
            session=session, pilot_id=pilot.id, participant_key=a, version=v2, channel="survey"
        )
        # Recording the same open consent twice stores one row.
        record_consent(
            session=session, pilot_id=pilot.id, participant_key=a, version=v2, channel="survey"
        )
        record_consent(
            session=session, pilot_id=pilot.id, participant_key=b, version=v1, channel="survey"
        )
        session.commit()
        assert len(consents(session=session, pilot_id=pilot.id, participant_key=a)) == 2
        assert withdrawn_keys(session=session, pilot_id=pilot.id) == set()
        assert withdraw_consent(session=session, pilot_id=pilot.id, participant_key=a) == 2
        assert withdraw_consent(session=session, pilot_id=pilot.id, participant_key=a) == 0
        session.commit()
        assert withdrawn_keys(session=session, pilot_id=pilot.id) == {a}
        # Consenting again (a new text) brings the person back.
        record_consent(
            session=session, pilot_id=pilot.id, participant_key=a, version=v2, channel="survey"
        )
        session.commit()
        assert withdrawn_keys(session=session, pilot_id=pilot.id) == set()


def test_bad_channel_or_version_is_refused(enrolled, pilot):
    with Session(enrolled) as session:
        a = key_of(session, pilot, "h1")
        with pytest.raises(ValueError, match="channel 'post'"):
            record_consent(
                session=session,
                pilot_id=pilot.id,
                participant_key=a,
                version=text_version("x"),
                channel="post",
            )
        with pytest.raises(ValueError, match="SHA-256"):
            record_consent(
                session=session,
                pilot_id=pilot.id,
                participant_key=a,
                version="v1",
                channel="survey",
            )


def test_erasure_takes_the_consents_with_the_person(enrolled, pilot):
    with Session(enrolled) as session:
        a = key_of(session, pilot, "h1")
        record_consent(
            session=session,
            pilot_id=pilot.id,
            participant_key=a,
            version=text_version("t"),
            channel="survey",
        )
        session.commit()
    with Session(enrolled) as session:
        erase_participant(
            session=session, pilot_id=pilot.id, participant_id=pseudonymize("h1", SECRET)
        )
        session.commit()
    with Session(enrolled) as session:
        assert consents(session=session, pilot_id=pilot.id, participant_key=a) == []


def test_audit_log_keeps_entries_newest_first_and_refuses_unknown_actions(enrolled, pilot):
    t0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
    with Session(enrolled) as session:
        record_event(session=session, actor="equipe", action="sign_in", at=t0)
        record_event(
            session=session,
            actor="equipe",
            action="import",
            pilot_id=pilot.id,
            detail="participants.csv: 4 new",
            at=t0 + timedelta(minutes=1),
        )
        record_event(
            session=session,
            actor="cli:dpo",
            action="erase",
            pilot_id=pilot.id,
            at=t0 + timedelta(minutes=2),
        )
        with pytest.raises(ValueError, match="audit action 'delete'"):
            record_event(session=session, actor="equipe", action="delete")
        with pytest.raises(ValueError, match="empty name"):
            record_event(session=session, actor="  ", action="sign_in")
        session.commit()
        events = audit_events(session=session)
        assert [(e.actor, e.action) for e in events] == [
            ("cli:dpo", "erase"),
            ("equipe", "import"),
            ("equipe", "sign_in"),
        ]
        assert events[1].detail == "participants.csv: 4 new"
        assert events[1].at == t0 + timedelta(minutes=1)
        assert [e.action for e in audit_events(session=session, pilot_id=pilot.id)] == [
            "erase",
            "import",
        ]
        assert len(audit_events(session=session, since=t0 + timedelta(minutes=1))) == 2

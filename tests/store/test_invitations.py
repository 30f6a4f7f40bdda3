"""Survey links: a link answers once, even under concurrent submissions; without
consent or with an invalid answer nothing is written and the link stays usable."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from store_factories import PARTICIPANTS, SECRET

from livinglab.errors import SurveyError
from livinglab.store import erase_participant, import_files, pseudonymize
from livinglab.store.invitations import (
    InvitationError,
    create_invitations,
    find_invitation,
    redeem_invitation,
    token_hash,
)
from livinglab.store.repository import get_participant


def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


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


def invite(engine, pilot, instrument, raw_id="h2", **kwargs) -> str:
    with Session(engine) as session:
        key = get_participant(
            session=session, pilot_id=pilot.id, participant_id=pseudonymize(raw_id, SECRET)
        ).key
        assert key is not None
        [(participant_id, token)] = create_invitations(
            session=session,
            pilot=pilot,
            instrument=instrument,
            wave="after",
            participant_keys=[key],
            **kwargs,
        )
        session.commit()
    assert participant_id == pseudonymize(raw_id, SECRET)
    return token


def redeem(engine, pilot, instrument, token, answers=None, consent=True) -> int:
    with Session(engine) as session, session.begin():
        return redeem_invitation(
            session=session,
            pilot=pilot,
            instrument=instrument,
            token=token,
            answers={"q1": 4, "q2": 5} if answers is None else answers,
            consent=consent,
        )


def test_only_the_token_hash_is_stored(enrolled, pilot, instruments):
    token = invite(enrolled, pilot, instruments["satisfaction"])
    with Session(enrolled) as session:
        found = find_invitation(session=session, token=token)
        assert found is not None
        assert found.token_hash == token_hash(token) and len(found.token_hash) == 64
        assert found.used_at is None and found.consent_at is None
        assert find_invitation(session=session, token=token + "x") is None
    with enrolled.connect() as connection:
        dump = str(connection.execute(sa.text("SELECT * FROM invitation")).all())
    assert token not in dump


def test_a_link_answers_once(enrolled, pilot, instruments):
    satisfaction = instruments["satisfaction"]
    token = invite(enrolled, pilot, satisfaction)
    redeem(enrolled, pilot, satisfaction, token)
    with pytest.raises(InvitationError) as raised:
        redeem(enrolled, pilot, satisfaction, token, answers={"q1": 1, "q2": 1})
    assert raised.value.code == "used"
    assert "déjà servi" in str(raised.value)
    assert "already been used" in raised.value.message("en")
    assert isinstance(raised.value, SurveyError)
    assert count(enrolled, "survey_response") == 2
    with Session(enrolled) as session:
        found = find_invitation(session=session, token=token)
        assert found is not None and found.used_at is not None and found.consent_at is not None


def test_concurrent_redeems_of_one_link_store_one_submission(enrolled, pilot, instruments):
    satisfaction = instruments["satisfaction"]
    token = invite(enrolled, pilot, satisfaction)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker(answer: int) -> None:
        barrier.wait()
        try:
            redeem(enrolled, pilot, satisfaction, token, answers={"q1": answer, "q2": answer})
            outcomes.append("ok")
        except InvitationError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=worker, args=(a,)) for a in (2, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "used"]
    with enrolled.connect() as connection:
        answers = connection.execute(sa.text("SELECT item_id, answer FROM survey_response")).all()
    assert len(answers) == 2 and len({a for _, a in answers}) == 1
    assert count(enrolled, "import_batch WHERE kind = 'submission'") == 1


def test_no_consent_is_refused_and_nothing_written(enrolled, pilot, instruments):
    satisfaction = instruments["satisfaction"]
    token = invite(enrolled, pilot, satisfaction)
    with pytest.raises(InvitationError) as raised:
        redeem(enrolled, pilot, satisfaction, token, consent=False)
    assert raised.value.code == "no_consent"
    assert count(enrolled, "survey_response") == 0
    assert count(enrolled, "import_batch WHERE kind = 'submission'") == 0
    redeem(enrolled, pilot, satisfaction, token)  # still usable
    assert count(enrolled, "survey_response") == 2


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({"q1": 9, "q2": 5}, "invalid"),
        ({"q1": 3, "zz": 2}, "incomplete"),
        ({"q1": 3}, "incomplete"),
    ],
)
def test_an_invalid_answer_is_refused_and_the_link_stays_usable(
    enrolled, pilot, instruments, answers, code
):
    satisfaction = instruments["satisfaction"]
    token = invite(enrolled, pilot, satisfaction)
    with pytest.raises(InvitationError) as raised:
        redeem(enrolled, pilot, satisfaction, token, answers=answers)
    assert raised.value.code == code
    assert count(enrolled, "survey_response") == 0
    with Session(enrolled) as session:
        found = find_invitation(session=session, token=token)
        assert found is not None and found.used_at is None
    redeem(enrolled, pilot, satisfaction, token)
    assert count(enrolled, "survey_response") == 2


def test_an_expired_or_unknown_link_is_refused(enrolled, pilot, instruments):
    satisfaction = instruments["satisfaction"]
    token = invite(enrolled, pilot, satisfaction, expires_in=timedelta(seconds=-1))
    with pytest.raises(InvitationError) as raised:
        redeem(enrolled, pilot, satisfaction, token)
    assert raised.value.code == "expired"
    with pytest.raises(InvitationError) as raised:
        redeem(enrolled, pilot, satisfaction, "no-such-token")
    assert raised.value.code == "unknown"
    assert count(enrolled, "survey_response") == 0


def test_erasure_deletes_the_participants_invitations(enrolled, pilot, instruments):
    token = invite(enrolled, pilot, instruments["satisfaction"])
    with Session(enrolled) as session:
        erase_participant(
            session=session, pilot_id=pilot.id, participant_id=pseudonymize("h2", SECRET)
        )
        session.commit()
    assert count(enrolled, "invitation") == 0
    with pytest.raises(InvitationError):
        redeem(enrolled, pilot, instruments["satisfaction"], token)


def test_reinviting_revokes_the_earlier_unused_link(enrolled, pilot, instruments):
    satisfaction = instruments["satisfaction"]
    first = invite(enrolled, pilot, satisfaction)
    second = invite(enrolled, pilot, satisfaction)
    with pytest.raises(InvitationError) as raised:
        redeem(enrolled, pilot, satisfaction, first)
    assert raised.value.code == "revoked"
    redeem(enrolled, pilot, satisfaction, second)
    assert count(enrolled, "survey_response") == 2
    third = invite(enrolled, pilot, satisfaction)  # a used link is kept as it is
    with Session(enrolled) as session:
        used = find_invitation(session=session, token=second)
        assert used is not None and used.used_at is not None and used.revoked_at is None
        assert find_invitation(session=session, token=third) is not None


def test_a_draft_is_kept_merged_and_erased_with_the_participant(enrolled, pilot, instruments):
    from livinglab.store.drafts import draft_answers, save_answers, start_draft

    token = invite(enrolled, pilot, instruments["satisfaction"])
    with Session(enrolled) as session, session.begin():
        invitation = find_invitation(session=session, token=token)
        assert invitation is not None and invitation.id is not None
        link = invitation.id
        assert draft_answers(session=session, invitation_id=link) is None  # no consent yet
        start_draft(session=session, invitation_id=link)
        assert draft_answers(session=session, invitation_id=link) == {}
        save_answers(session=session, invitation_id=link, answers={"q1": 4})
        save_answers(session=session, invitation_id=link, answers={"q2": 5, "q1": 3})
    with Session(enrolled) as session:
        assert draft_answers(session=session, invitation_id=link) == {"q1": 3, "q2": 5}
        erase_participant(
            session=session, pilot_id=pilot.id, participant_id=pseudonymize("h2", SECRET)
        )
        session.commit()
    assert count(enrolled, "survey_draft") == 0

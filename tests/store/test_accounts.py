"""Local accounts in the store: argon2id hashes only, the lock-out after repeated wrong
passwords, every refusal logged without the password; on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from livinglab.errors import NotFoundError, UsageError
from livinglab.store import accounts
from livinglab.store.models import utc_now

PASSWORD = "correct horse battery"


@pytest.fixture
def session(engine: sa.Engine):
    with Session(engine) as session:
        accounts.add_account(session=session, username="Alice", password=PASSWORD, role="team")
        session.commit()
        yield session


def attempt(session: Session, password: str, **kwargs) -> accounts.SignInResult:
    result = accounts.sign_in(session=session, username="alice", password=password, **kwargs)
    session.commit()
    return result


def test_only_an_argon2id_hash_is_stored(session: Session, engine: sa.Engine) -> None:
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT username, password_hash FROM account")).one()
    assert stored.username == "alice"  # names are case-insensitive
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash


def test_the_right_password_signs_in_with_the_role(session: Session) -> None:
    assert attempt(session, PASSWORD) == accounts.SignInResult("alice", "team")
    assert accounts.get_account(session=session, username="alice").last_sign_in_at is not None


def test_a_wrong_password_or_name_is_refused_and_logged_without_the_password(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="livinglab.auth"):
        assert attempt(session, "guess-one-two-three").error == "wrong"
        nobody = accounts.sign_in(session=session, username="mallory", password="x" * 12)
    assert nobody.error == "wrong"
    failures = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert failures == [
        "sign-in failed: username='alice' reason=wrong-password",
        "sign-in failed: username='mallory' reason=unknown-account",
    ]
    assert not any("guess-one-two-three" in r.getMessage() for r in caplog.records)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(session: Session) -> None:
    now = utc_now()
    results = [attempt(session, f"wrong password {n}", now=now).error for n in range(5)]
    assert results == ["wrong"] * 4 + ["locked"]
    assert attempt(session, PASSWORD, now=now + timedelta(minutes=14)).error == "locked"
    # The lock lifts by itself after 15 minutes, and a success resets the count.
    assert attempt(session, PASSWORD, now=now + timedelta(minutes=16)).role == "team"
    assert accounts.get_account(session=session, username="alice").failed_attempts == 0


def test_unlock_lifts_a_lock_out(session: Session) -> None:
    for n in range(5):
        attempt(session, f"wrong password {n}")
    assert attempt(session, PASSWORD).error == "locked"
    accounts.unlock(session=session, username="alice")
    session.commit()
    assert attempt(session, PASSWORD).role == "team"


def test_set_role_remove_and_list(session: Session) -> None:
    accounts.add_account(session=session, username="bob", password=PASSWORD, role="decision")
    accounts.set_role(session=session, username="alice", role="decision")
    assert [(a.username, a.role) for a in accounts.list_accounts(session=session)] == [
        ("alice", "decision"),
        ("bob", "decision"),
    ]
    accounts.remove_account(session=session, username="bob")
    assert [a.username for a in accounts.list_accounts(session=session)] == ["alice"]
    with pytest.raises(NotFoundError, match="No account 'bob'"):
        accounts.remove_account(session=session, username="bob")


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("alice", PASSWORD, "team", "already exists"),
        ("carol", PASSWORD, "citizen", "a citizen has no account"),
        ("carol", PASSWORD, "admin", "must be one of"),
        ("carol", "short", "team", "at least 12 characters"),
        ("a b", PASSWORD, "team", "must be 2 to 64 characters"),
    ],
)
def test_invalid_accounts_are_refused_with_a_reason(
    session: Session, username: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        accounts.add_account(session=session, username=username, password=password, role=role)

"""Local sign-in accounts: argon2id password hashes, a lock-out after repeated failures,
and a log line for every failed sign-in. Each function takes the session and never
commits: the caller decides where the transaction ends (a failed attempt's counter must
be committed even though the sign-in is refused).

The hashes are argon2id with argon2-cffi's defaults (RFC 9106's second recommended
profile: 3 passes over 64 MiB, 4 lanes), in the PHC string format that carries its own
parameters, so stronger parameters later rehash each password at its next sign-in.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from livinglab.access import ACCOUNT_ROLES, is_account_role
from livinglab.errors import LivingLabError, NotFoundError, UsageError
from livinglab.store import models as db

MAX_FAILURES: Final = 5
"""Wrong passwords in a row that lock an account."""
LOCK_DURATION: Final = timedelta(minutes=15)
MIN_PASSWORD_LENGTH: Final = 12
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")

LOG = logging.getLogger("livinglab.auth")
_HASHER = PasswordHasher()
# Verified against when the username is unknown, so that a wrong username takes as long
# as a wrong password (the answer time does not tell which accounts exist).
_DUMMY_HASH = _HASHER.hash("no account has this password")

# What a visitor reads, by error code: (French, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "wrong": (
        "Identifiant ou mot de passe incorrect.",
        "Wrong username or password.",
    ),
    "locked": (
        "Trop d'essais manqués : ce compte est bloqué pour 15 minutes. Réessayez plus "
        "tard, ou demandez à l'équipe du Living Lab de le débloquer.",
        "Too many failed attempts: this account is locked for 15 minutes. Try again "
        "later, or ask the Living Lab team to unlock it.",
    ),
}


class SignInError(LivingLabError):
    """A sign-in is refused; ``code`` names why (a key of :data:`MESSAGES`)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.fr, self.en = MESSAGES[code]
        super().__init__(self.fr)

    def message(self, lang: str = "fr") -> str:
        return self.en if lang == "en" else self.fr


@dataclass(frozen=True)
class SignInResult:
    """The outcome of one attempt: the account's name and role, or the refusal's code."""

    username: str
    role: str | None
    error: str | None = None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (PHC string: parameters and salt included)."""
    return _HASHER.hash(password)


def check_new_account(username: str, password: str, role: str) -> str:
    """The normalised username, or UsageError saying what is wrong."""
    name = normalise_username(username)
    if not USERNAME.fullmatch(name):
        raise UsageError(
            f"The username {username!r} must be 2 to 64 characters among a-z, 0-9 and . _ @ -, "
            "starting with a letter or a digit."
        )
    check_role(role)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UsageError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters. "
            f"Got {len(password)}."
        )
    return name


def check_role(role: str) -> None:
    if not is_account_role(role):
        raise UsageError(
            f"The role must be one of {list(ACCOUNT_ROLES)} (a citizen has no account: "
            f"their invitation link is enough). Got {role!r} instead."
        )


def add_account(*, session: Session, username: str, password: str, role: str) -> db.Account:
    """A new account (UsageError when the name is taken or a value is invalid)."""
    name = check_new_account(username, password, role)
    if find_account(session=session, username=name) is not None:
        raise UsageError(f"An account '{name}' already exists.")
    account = db.Account(username=name, role=role, password_hash=hash_password(password))
    session.add(account)
    session.flush()
    return account


def find_account(*, session: Session, username: str) -> db.Account | None:
    return session.exec(
        select(db.Account).where(db.Account.username == normalise_username(username))
    ).first()


def get_account(*, session: Session, username: str) -> db.Account:
    account = find_account(session=session, username=username)
    if account is None:
        raise NotFoundError(f"No account '{normalise_username(username)}'.")
    return account


def list_accounts(*, session: Session) -> list[db.Account]:
    return list(session.exec(select(db.Account).order_by(col(db.Account.username))).all())


def remove_account(*, session: Session, username: str) -> None:
    session.delete(get_account(session=session, username=username))
    session.flush()


def set_role(*, session: Session, username: str, role: str) -> db.Account:
    check_role(role)
    account = get_account(session=session, username=username)
    account.role = role
    session.add(account)
    session.flush()
    return account


def unlock(*, session: Session, username: str) -> db.Account:
    account = get_account(session=session, username=username)
    account.failed_attempts, account.locked_until = 0, None
    session.add(account)
    session.flush()
    return account


def is_locked(account: db.Account, now: datetime) -> bool:
    return account.locked_until is not None and account.locked_until > now


def sign_in(
    *, session: Session, username: str, password: str, now: datetime | None = None
) -> SignInResult:
    """Check a password; count a failure (and lock after :data:`MAX_FAILURES`), reset the
    count on success. Every refusal is logged (``livinglab.auth``, never the password).

    The account's row is locked for the attempt (``FOR UPDATE`` on PostgreSQL; SQLite's
    write transaction serialises writers), so simultaneous wrong guesses all count.
    """
    moment = now or db.utc_now()
    name = normalise_username(username)
    account = session.exec(
        select(db.Account)
        .where(db.Account.username == name)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if account is None:
        _verify(_DUMMY_HASH, password)
        LOG.warning("sign-in failed: username=%r reason=unknown-account", name)
        return SignInResult(name, None, "wrong")
    if is_locked(account, moment):
        LOG.warning("sign-in refused: username=%r reason=locked", name)
        return SignInResult(name, None, "locked")
    if not _verify(account.password_hash, password):
        account.failed_attempts += 1
        locked = account.failed_attempts >= MAX_FAILURES
        if locked:
            account.failed_attempts, account.locked_until = 0, moment + LOCK_DURATION
        session.add(account)
        session.flush()
        LOG.warning(
            "sign-in failed: username=%r reason=wrong-password%s",
            name,
            f" (locked until {account.locked_until:%Y-%m-%d %H:%M} UTC)" if locked else "",
        )
        return SignInResult(name, None, "locked" if locked else "wrong")
    if _HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.failed_attempts, account.locked_until = 0, None
    account.last_sign_in_at = moment
    session.add(account)
    session.flush()
    LOG.info("sign-in: username=%r role=%s", name, account.role)
    return SignInResult(name, account.role)


def verify_password(account: db.Account, password: str) -> bool:
    """Whether ``password`` is the account's (no counting, no logging: for checks)."""
    return _verify(account.password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- people of the identity provider (OIDC) -------------------------------------------


def grant_identity(
    *, session: Session, issuer: str, subject: str, role: str, label: str | None = None
) -> db.IdentityRole:
    """Give (or change) the role of the provider's person ``(issuer, subject)``."""
    check_role(role)
    if not issuer.strip() or not subject.strip():
        raise UsageError("Give the provider's issuer URL and the person's subject (sub).")
    row = session.get(db.IdentityRole, (issuer, subject))
    if row is None:
        row = db.IdentityRole(issuer=issuer, subject=subject, role=role, label=label)
    else:
        row.role, row.label = role, label if label is not None else row.label
    session.add(row)
    session.flush()
    return row


def revoke_identity(*, session: Session, issuer: str, subject: str) -> None:
    row = session.get(db.IdentityRole, (issuer, subject))
    if row is None:
        raise NotFoundError(f"No role for subject {subject!r} of {issuer}.")
    session.delete(row)
    session.flush()


def identity_roles(*, session: Session) -> list[db.IdentityRole]:
    return list(
        session.exec(
            select(db.IdentityRole).order_by(
                col(db.IdentityRole.issuer), col(db.IdentityRole.subject)
            )
        ).all()
    )


def identity_role(*, session: Session, issuer: str, subject: str) -> str | None:
    """The role of the provider's person, or None (who is then let in nowhere: logged)."""
    row = session.get(db.IdentityRole, (issuer, subject))
    if row is None:
        LOG.warning("sign-in refused: issuer=%r subject=%r reason=no-role", issuer, subject)
        return None
    return row.role

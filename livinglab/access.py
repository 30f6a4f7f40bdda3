"""Who may open what: the roles and the pages each role may use (pure: no Streamlit,
no database).

- ``team`` (the innovation team): every page.
- ``decision`` (decision-makers): the portfolio, a pilot's evidence and its dossier;
  no raw data, no editing, no import.
- ``citizen``: no account and no page of this table; a citizen reaches only the survey
  behind their own invitation link (the token is their only credential).

The entry point gives ``st.navigation`` only :func:`pages_for` the signed-in role, and
every protected page asks :func:`may_open` again before it reads anything, so that an
address typed by hand never bypasses the menu.
"""

from __future__ import annotations

from typing import Final, Literal

Role = Literal["team", "decision"]
ACCOUNT_ROLES: Final[tuple[Role, ...]] = ("team", "decision")
CITIZEN: Final = "citizen"

# Page (its url_path) -> the roles that may open it, in menu order.
PAGE_ROLES: Final[dict[str, frozenset[str]]] = {
    "portfolio": frozenset({"team", "decision"}),
    "pilot": frozenset({"team", "decision"}),
    "pilots": frozenset({"team"}),
    "editor": frozenset({"team"}),
    "planning": frozenset({"team"}),
    "imports": frozenset({"team"}),
    "participants": frozenset({"team"}),
    "decision": frozenset({"team"}),
    "checks": frozenset({"team"}),
    "privacy": frozenset({"team"}),
}


def is_account_role(role: str) -> bool:
    """Whether ``role`` can be given to an account (a citizen has none)."""
    return role in ACCOUNT_ROLES


def may_open(role: str | None, page: str) -> bool:
    """Whether a visitor with ``role`` (None: not signed in) may open ``page``."""
    return role is not None and role in PAGE_ROLES.get(page, frozenset())


def pages_for(role: str | None) -> list[str]:
    """The pages ``role`` may open, in menu order (none when not signed in)."""
    return [page for page in PAGE_ROLES if may_open(role, page)]

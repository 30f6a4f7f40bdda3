"""The fingerprint of the pseudonymisation key a store was filled with.

The same raw id gives another pseudonym under another key: an import under a new key
would silently store every participant twice. The store keeps a keyed digest of its key
(HMAC-SHA256 of a fixed label: it tells keys apart and gives nothing to recover one),
written with the first import, and every later import compares it before writing.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from livinglab.errors import ConfigurationError
from livinglab.store import models as db

SETTING: Final = "pseudonym_key_fingerprint"
_LABEL: Final = b"livinglab pseudonym key fingerprint v1"


def key_fingerprint(secret_key: str) -> str:
    """A short keyed digest of ``secret_key`` (16 hex digits)."""
    return hmac.new(secret_key.encode(), _LABEL, hashlib.sha256).hexdigest()[:16]


def setting_name(pilot_id: str | None = None) -> str:
    """The store setting holding the fingerprint of ``pilot_id``'s key (the store-wide
    one without a pilot: stores filled before keys were per pilot)."""
    return SETTING if pilot_id is None else f"{SETTING}:{pilot_id}"


def stored_fingerprint(connection: Connection, pilot_id: str | None = None) -> str | None:
    """The fingerprint recorded for ``pilot_id`` (or the store-wide one), if any."""
    table = db.StoreSetting.__table__  # type: ignore[attr-defined]
    return connection.execute(
        sa.select(table.c.value).where(table.c.name == setting_name(pilot_id))
    ).scalar_one_or_none()


def _has_participants(connection: Connection, pilot_id: str) -> bool:
    table = db.Participant.__table__  # type: ignore[attr-defined]
    return (
        connection.execute(
            sa.select(table.c.key).where(table.c.pilot_id == pilot_id).limit(1)
        ).first()
        is not None
    )


def check_key(
    connection: Connection, secret_key: str, *, record: bool = False, pilot_id: str | None = None
) -> None:
    """ConfigurationError when the pilot's participants were pseudonymised under another
    key; with ``record`` (inside the import's write transaction) a pilot without a
    fingerprint takes this key's.

    With ``pilot_id`` the pilot's own fingerprint is compared; a pilot that has
    participants but no fingerprint of its own (a store filled before keys were per
    pilot) is compared with the store-wide one. Without ``pilot_id``: the store-wide one.
    """
    expected = key_fingerprint(secret_key)
    stored = stored_fingerprint(connection, pilot_id)
    variable = "LIVINGLAB_SECRET_KEY"
    if pilot_id is not None:
        from livinglab.settings import pilot_key_variable

        variable = f"{pilot_key_variable(pilot_id)} (or LIVINGLAB_SECRET_KEY)"
        if stored is None and _has_participants(connection, pilot_id):
            stored = stored_fingerprint(connection)
    if stored is None and record:
        table = db.StoreSetting.__table__  # type: ignore[attr-defined]
        connection.execute(sa.insert(table).values(name=setting_name(pilot_id), value=expected))
        return
    if stored is not None and stored != expected:
        raise ConfigurationError(
            f"This store's pseudonyms{f' of pilot {pilot_id!r}' if pilot_id else ''} were "
            f"made with another key (key fingerprint {stored}; the current key's is "
            f"{expected}). Importing under this key would store every participant a second "
            f"time under a new pseudonym: nothing was written. Set {variable} to the key "
            "the store was filled with."
        )
    if record and pilot_id is not None and stored_fingerprint(connection, pilot_id) is None:
        table = db.StoreSetting.__table__  # type: ignore[attr-defined]
        connection.execute(sa.insert(table).values(name=setting_name(pilot_id), value=expected))

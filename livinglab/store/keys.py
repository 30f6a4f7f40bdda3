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


def stored_fingerprint(connection: Connection) -> str | None:
    table = db.StoreSetting.__table__  # type: ignore[attr-defined]
    return connection.execute(
        sa.select(table.c.value).where(table.c.name == SETTING)
    ).scalar_one_or_none()


def check_key(connection: Connection, secret_key: str, *, record: bool = False) -> None:
    """ConfigurationError when the store was filled under another key; with ``record``
    (inside the import's write transaction) a store without a fingerprint takes this
    key's."""
    expected = key_fingerprint(secret_key)
    stored = stored_fingerprint(connection)
    if stored is None and record:
        table = db.StoreSetting.__table__  # type: ignore[attr-defined]
        connection.execute(sa.insert(table).values(name=SETTING, value=expected))
        return
    if stored is not None and stored != expected:
        raise ConfigurationError(
            "This store's pseudonyms were made with another LIVINGLAB_SECRET_KEY (key "
            f"fingerprint {stored}; the current key's is {expected}). Importing under this "
            "key would store every participant a second time under a new pseudonym: "
            "nothing was written. Set LIVINGLAB_SECRET_KEY to the key the store was filled "
            "with."
        )

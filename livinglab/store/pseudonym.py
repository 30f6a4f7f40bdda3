"""Pseudonymous participant ids (GDPR): a keyed hash, never the raw id."""

from __future__ import annotations

import hashlib
import hmac

PSEUDONYM_LENGTH = 20
"""Hex characters kept of the HMAC-SHA256 (80 bits: no collision in any city)."""


def pseudonymize(raw_id: str, secret_key: str) -> str:
    """The pseudonym of a raw participant id: HMAC-SHA256 keyed by ``secret_key``.

    The same raw id and key always give the same pseudonym, so files imported at
    different times join up; without the key the raw id cannot be recovered or
    confirmed by hashing guesses.
    """
    digest = hmac.new(secret_key.encode(), raw_id.encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_LENGTH]

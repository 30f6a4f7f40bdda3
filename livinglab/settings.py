"""One place where livinglab reads its settings (environment prefix ``LIVINGLAB_``).

Two modes. ``demo`` (``make run``, the tests) tolerates the public development key and
creates accounts whose passwords are in the README. ``production``, the default, is
what a city deploys: it refuses to pseudonymise with a missing, public or weak key, and
refuses to load the demo. A mistake is a :class:`ConfigurationError` that names the
variable and says how to fix it, when the key is first needed (an import, the app's
start), never a traceback.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Final, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from livinglab.errors import ConfigurationError

DEV_SECRET: Final = "dev-only-not-secret"
MIN_KEY_BYTES: Final = 32
MIN_DISTINCT_BYTES: Final = 16
KEY_HOWTO: Final = (
    "Generate one with: python3 -c 'import secrets; print(secrets.token_hex(32))' "
    "and keep it in the city's secret store (never in the repository)."
)


class Settings(BaseSettings):
    """Runtime settings.

    Attributes
    ----------
    database_url : str
        SQLAlchemy URL. SQLite (the embedded default) or PostgreSQL
        (``postgresql+psycopg://user@host/db``).
    pilots_dir, surveys_dir : Path
        Where pilots (``<id>.yaml``) and instruments are found.
    secret_key : str or None
        Key of the keyed hash that pseudonymises participant ids: at least 32 random
        bytes (64 hex digits, or 43+ characters of base64). Required in production;
        the demo uses a public development key.
    environment : {'production', 'demo'}
        ``production`` (default) refuses a missing, public or weak key and the demo.
    pseudonym_keys_dir : Path or None
        A secrets folder with one file per pilot, named after the pilot's id, holding
        that pilot's pseudonymisation key (a mounted secret, e.g. ``/run/secrets``).
        A pilot's key is ``LIVINGLAB_PSEUDONYM_KEY_<PILOT ID IN CAPITALS>`` if set, else
        this folder's file, else ``secret_key`` (:meth:`pilot_pseudonym_key`).
    small_cell_k : int
        The smallest number of people an aggregate shown or exported may rest on
        (never below 5; :mod:`livinglab.decision.disclosure`).
    """

    model_config = SettingsConfigDict(env_prefix="LIVINGLAB_", extra="ignore")

    database_url: str = "sqlite:///livinglab.db"
    pilots_dir: Path = Path("pilots")
    surveys_dir: Path = Path("surveys")
    secret_key: str | None = None
    environment: Literal["production", "demo"] = "production"
    pseudonym_keys_dir: Path | None = None
    small_cell_k: int = Field(default=5, ge=5, le=100)

    @property
    def demo(self) -> bool:
        return self.environment == "demo"

    def pseudonym_key(self) -> str:
        """The key of the pseudonymising hash; ConfigurationError in production when it
        is missing, the public development key, or weaker than 32 random bytes."""
        if self.demo:
            return self.secret_key or DEV_SECRET
        key = self.secret_key
        if not key:
            raise ConfigurationError(
                "LIVINGLAB_SECRET_KEY is not set: participants' ids cannot be pseudonymised. "
                f"{KEY_HOWTO} (For a demonstration only: LIVINGLAB_ENVIRONMENT=demo.)"
            )
        if key == DEV_SECRET:
            raise ConfigurationError(
                "LIVINGLAB_SECRET_KEY is the public development key: anyone could turn "
                f"the pseudonyms back into ids. {KEY_HOWTO}"
            )
        if problem := key_weakness(key):
            raise ConfigurationError(f"LIVINGLAB_SECRET_KEY is too weak: {problem}. {KEY_HOWTO}")
        return key


    def pilot_pseudonym_key(self, pilot_id: str) -> str:
        """The key of ``pilot_id``'s pseudonyms: ``LIVINGLAB_PSEUDONYM_KEY_<PILOT>`` (the
        id in capitals, ``-`` as ``_``), else the file ``<pseudonym_keys_dir>/<pilot_id>``
        (surrounding white space removed), else the store-wide :meth:`pseudonym_key`.

        One key per pilot means that a leaked key reveals one pilot's pseudonyms only,
        and that the same person in two pilots has two unrelated pseudonyms.
        ConfigurationError (production) for a weak or public key, naming where it came
        from; never logged nor stored (the store keeps a fingerprint)."""
        variable = pilot_key_variable(pilot_id)
        key = os.environ.get(variable)
        source = variable
        if not key and self.pseudonym_keys_dir is not None:
            path = self.pseudonym_keys_dir / pilot_id
            if path.is_file():
                key, source = path.read_text(encoding="utf-8").strip(), str(path)
        if not key:
            return self.pseudonym_key()
        if self.demo:
            return key
        if key == DEV_SECRET:
            raise ConfigurationError(
                f"{source} is the public development key: anyone could turn the pseudonyms "
                f"back into ids. {KEY_HOWTO}"
            )
        if problem := key_weakness(key):
            raise ConfigurationError(f"{source} is too weak: {problem}. {KEY_HOWTO}")
        return key


def pilot_key_variable(pilot_id: str) -> str:
    """The environment variable of a pilot's own pseudonymisation key."""
    return "LIVINGLAB_PSEUDONYM_KEY_" + re.sub(r"[^A-Za-z0-9]", "_", pilot_id).upper()


def key_weakness(key: str) -> str | None:
    """Why ``key`` holds fewer than 32 random bytes (None when it looks strong enough).

    A key of hex digits counts half a byte per digit, base64 three bytes per four
    characters, any other text one byte per byte. Randomness itself cannot be measured:
    a key of few distinct bytes (``aaaa...``, ``abab...``) is refused as a sign of a
    typed one."""
    content = _key_bytes(key)
    if len(content) < MIN_KEY_BYTES:
        return f"it holds {len(content)} bytes (expected at least {MIN_KEY_BYTES} random bytes)"
    if len(set(content)) < MIN_DISTINCT_BYTES:
        return (
            f"it repeats itself: only {len(set(content))} distinct bytes (32 random bytes "
            f"have about 30; expected at least {MIN_DISTINCT_BYTES})"
        )
    return None


def _key_bytes(key: str) -> bytes:
    if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", key):
        return bytes.fromhex(key)
    if re.fullmatch(r"[A-Za-z0-9+/_-]+={0,2}", key):
        try:
            return base64.urlsafe_b64decode(
                key.replace("+", "-").replace("/", "_") + "=" * (-len(key) % 4)
            )
        except (binascii.Error, ValueError):
            pass
    return key.encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once; tests call ``get_settings.cache_clear()``)."""
    try:
        return Settings()
    except ValidationError as err:
        problems = "; ".join(
            f"LIVINGLAB_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in err.errors()
        )
        raise ConfigurationError(f"Invalid settings: {problems}.") from None

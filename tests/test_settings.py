"""Settings: read from LIVINGLAB_* variables; in production (the default) no missing,
public or weak pseudonymisation key, with a message that says how to make one."""

from __future__ import annotations

from pathlib import Path

import pytest

from livinglab.errors import ConfigurationError
from livinglab.settings import DEV_SECRET, Settings, get_settings, key_weakness


def test_defaults_are_the_embedded_sqlite_store_and_the_repo_folders(monkeypatch):
    for var in ("LIVINGLAB_DATABASE_URL", "LIVINGLAB_PILOTS_DIR", "LIVINGLAB_SURVEYS_DIR"):
        monkeypatch.delenv(var, raising=False)
    settings = Settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.pilots_dir == Path("pilots")
    assert settings.surveys_dir == Path("surveys")


def test_environment_variables_override_the_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("LIVINGLAB_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("LIVINGLAB_PILOTS_DIR", str(tmp_path))
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.pilots_dir == tmp_path


def test_production_is_the_default_mode(monkeypatch):
    monkeypatch.delenv("LIVINGLAB_ENVIRONMENT", raising=False)
    assert Settings().environment == "production" and not Settings().demo


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "LIVINGLAB_SECRET_KEY is not set"),
        (DEV_SECRET, "is the public development key"),
        ("a-real-secret-from-the-vault", "too weak: it holds 21 bytes"),
        ("0123456789abcdef" * 3, "too weak: it holds 24 bytes"),
        ("ab" * 40, "only 1 distinct bytes"),
        ("correct horse battery staple " * 2, "only 13 distinct bytes"),
    ],
)
def test_production_refuses_a_missing_public_or_weak_key(monkeypatch, key, message):
    monkeypatch.setenv("LIVINGLAB_ENVIRONMENT", "production")
    if key is None:
        monkeypatch.delenv("LIVINGLAB_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("LIVINGLAB_SECRET_KEY", key)
    with pytest.raises(ConfigurationError, match=message) as refused:
        Settings().pseudonym_key()
    assert "secrets.token_hex(32)" in str(refused.value)


# Fixed draws of secrets.token_hex(32), token_urlsafe(32) and token_bytes(32).hex().upper():
# keys drawn at collection time would differ between pytest-xdist workers.
@pytest.mark.parametrize(
    "key",
    [
        "91dd2415cd6d69bd4012b25fa78c0978842b10356a03f6cb3e1dfb64d79129c5",
        "SeACldd2j7vWeLVnLogBp6W6N5pr6_gfpFIzTfcbNAA",
        "0DE342A16DF14EE4A3CBA4E7FA224B38C762D367D83CA879109DD0052453DEF1",
    ],
)
def test_production_accepts_32_random_bytes_as_hex_or_base64(monkeypatch, key):
    monkeypatch.setenv("LIVINGLAB_ENVIRONMENT", "production")
    monkeypatch.setenv("LIVINGLAB_SECRET_KEY", key)
    assert Settings().pseudonym_key() == key
    assert key_weakness(key) is None


def test_demo_mode_tolerates_the_public_key(monkeypatch):
    monkeypatch.setenv("LIVINGLAB_ENVIRONMENT", "demo")
    monkeypatch.delenv("LIVINGLAB_SECRET_KEY", raising=False)
    assert Settings().pseudonym_key() == DEV_SECRET


def test_an_unknown_mode_is_a_message_naming_the_variable(monkeypatch):
    monkeypatch.setenv("LIVINGLAB_ENVIRONMENT", "staging")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="LIVINGLAB_ENVIRONMENT: Input should be"):
            get_settings()
    finally:
        get_settings.cache_clear()

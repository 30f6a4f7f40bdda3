"""Settings: read from LIVINGLAB_* variables; no default secret in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from livinglab.errors import ConfigurationError
from livinglab.settings import DEV_SECRET, Settings


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


def test_production_refuses_the_development_secret(monkeypatch):
    monkeypatch.setenv("LIVINGLAB_ENVIRONMENT", "production")
    monkeypatch.delenv("LIVINGLAB_SECRET_KEY", raising=False)
    with pytest.raises((ConfigurationError, ValidationError), match="LIVINGLAB_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("LIVINGLAB_SECRET_KEY", "a-real-secret-from-the-vault")
    assert Settings().secret_key != DEV_SECRET

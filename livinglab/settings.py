"""One place where livinglab reads its settings (environment prefix ``LIVINGLAB_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from livinglab.errors import ConfigurationError

DEV_SECRET = "dev-only-not-secret"


class Settings(BaseSettings):
    """Runtime settings.

    Attributes
    ----------
    database_url : str
        SQLAlchemy URL. SQLite (the embedded default) or PostgreSQL
        (``postgresql+psycopg://user@host/db``).
    pilots_dir, surveys_dir : Path
        Where pilots (``<id>.yaml``) and instruments are found.
    secret_key : str
        Key of the keyed hash that pseudonymises participant ids. A default is
        tolerated locally and refused when ``environment`` is ``production``.
    environment : {'development', 'production'}
    """

    model_config = SettingsConfigDict(env_prefix="LIVINGLAB_", extra="ignore")

    database_url: str = "sqlite:///livinglab.db"
    pilots_dir: Path = Path("pilots")
    surveys_dir: Path = Path("surveys")
    secret_key: str = DEV_SECRET
    environment: Literal["development", "production"] = "development"

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ConfigurationError(
                "LIVINGLAB_SECRET_KEY must be set in production. Got the development default."
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once; tests call ``get_settings.cache_clear()``)."""
    return Settings()

"""Stores for the app's tests: a temporary SQLite store, with or without the demo data,
that ``livinglab`` reads through the LIVINGLAB_* environment (restored afterwards)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from livinglab import services
from livinglab.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
UI_DIR = ROOT / "livinglab" / "ui"

TITLES_FR = {
    "energy_feedback": "Retour d'information sur la consommation d'énergie à domicile",
    "senior_procedures": "Démarches en ligne accessibles aux seniors",
    "shared_mobility": "Application de mobilité partagée",
}
TITLES_EN = {
    "energy_feedback": "Home energy feedback",
    "senior_procedures": "Online procedures seniors can use",
    "shared_mobility": "Shared-mobility app",
}


def store_env(database: Path) -> dict[str, str]:
    """The LIVINGLAB_* variables of a store at ``database`` with the repository's pilots."""
    return {
        "LIVINGLAB_DATABASE_URL": f"sqlite:///{database}",
        "LIVINGLAB_PILOTS_DIR": str(ROOT / "pilots"),
        "LIVINGLAB_SURVEYS_DIR": str(ROOT / "surveys"),
    }


def reset_caches() -> None:
    """Forget the settings and engines read from the previous environment."""
    get_settings.cache_clear()
    services._engine_for.cache_clear()


@contextmanager
def using_store(database: Path, *, demo: bool) -> Iterator[dict[str, str]]:
    """Point livinglab at ``database`` (loaded with the seeded demo when ``demo``)."""
    env = store_env(database)
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    reset_caches()
    try:
        if demo:
            services.load_demo()
        yield env
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_caches()


DEMO_LOGINS = {role: (name, password) for name, password, role in services.DEMO_ACCOUNTS}


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    """Fill the sign-in form of an app that shows it, and submit (as a person would)."""
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    at.button[0].click()
    return at.run()


def signed_in_app(role: str) -> AppTest:
    """The whole app, signed in through its form with the demo account of ``role``."""
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    return sign_in(at, *DEMO_LOGINS[role])


def open_address(at: AppTest, url_path: str, **query: str) -> AppTest:
    """Run the app at ``/<url_path>?<query>`` as a browser asks for it: the page is named
    by its address (Streamlit hashes a page's url_path), registered in the menu or not.
    AppTest's own ``switch_page`` only accepts pages of the menu, which is the point."""
    at._page_hash = calc_hash(url_path)  # what AppTest.switch_page sets, for any address
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()

"""Stores for the app's tests: a temporary SQLite store, with or without the demo data,
that ``livinglab`` reads through the LIVINGLAB_* environment (restored afterwards)."""

from __future__ import annotations

import os
import re
import shutil
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
def environment(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """Set the LIVINGLAB_* variables of ``env`` (settings and engines read afresh), and
    restore the previous ones afterwards."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    reset_caches()
    try:
        yield env
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_caches()


@contextmanager
def using_store(database: Path, *, demo: bool) -> Iterator[dict[str, str]]:
    """Point livinglab at ``database`` (loaded with the seeded demo when ``demo``)."""
    with environment(store_env(database)) as env:
        if demo:
            services.load_demo()
        yield env


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


def open_tab(at: AppTest, label: str, key: str = "pilot_tab") -> AppTest:
    """Open the tab ``label`` of a page whose tabs run only when open (``st.tabs`` with
    ``on_change="rerun"``, as the pilot page's), as a click on its label does."""
    at.session_state[key] = label
    return at.run()


def as_read(markdown: str) -> str:
    """What a reader sees of Markdown that escapes every active character with a
    backslash (``livinglab.ui.common.plain``): the characters themselves."""
    return re.sub(r"\\(.)", r"\1", markdown)


# --- a hostile pilot: markup in every text a file or a CSV can carry ---------------------

TRACKER = "tracker.invalid"
PAYLOAD = (
    "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">"
    f" ![p](http://{TRACKER}/p.png) [clic](javascript:window.__pwned=3) **gras**"
)
TEXT_KEYS = {"fr", "en", "unit", "source", "emission_factor_source"}
HOSTILE_NEIGHBOURHOOD = (
    f"Centre-Ville <img src=x onerror=\"window.__pwned=4\"> ![n](http://{TRACKER}/n.png)"
)


def _poison(node: object) -> None:
    """Append the payload to every free-text value (ids, enums, dates and numbers stay)."""
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if isinstance(value, str) and key in TEXT_KEYS:
                node[key] = f"{value} {PAYLOAD}"
            else:
                _poison(value)
    elif isinstance(node, list):
        for item in node:
            _poison(item)


def hostile_workspace(folder: Path) -> dict[str, str]:
    """Pilots and surveys folders where energy_feedback and the trust instrument carry
    the payload in every text, and a store where energy_feedback's participants CSV has
    a hostile neighbourhood (the census margin of that name too); returns its env."""
    import csv

    from ruamel.yaml import YAML

    from livinglab.demo import generate_demo

    yaml = YAML()
    yaml.width = 4096  # one line per value: a long key must not wrap
    pilots, surveys = folder / "pilots", folder / "surveys"
    shutil.copytree(ROOT / "pilots", pilots)
    shutil.copytree(ROOT / "surveys", surveys)
    for path in (pilots / "energy_feedback.yaml", surveys / "trust.yaml"):
        document = yaml.load(path.read_text(encoding="utf-8"))
        _poison(document)
        if "population" in document:
            margins = document["population"]["margins"]["neighbourhood"]
            margins[HOSTILE_NEIGHBOURHOOD] = margins.pop("Centre-Ville")
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump(document, handle)
    env = {
        **store_env(folder / "hostile.db"),
        "LIVINGLAB_PILOTS_DIR": str(pilots),
        "LIVINGLAB_SURVEYS_DIR": str(surveys),
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    reset_caches()
    try:
        generated = generate_demo(folder / "csv", pilots_dir=pilots, surveys_dir=surveys)
        files = generated["energy_feedback"]
        with files.participants.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            if row["neighbourhood"] == "Centre-Ville":
                row["neighbourhood"] = HOSTILE_NEIGHBOURHOOD
        # A tester who has answered nothing yet, for an invitation to the hostile survey.
        rows.append({**rows[0], "participant_id": "citizen-without-answers"})
        with files.participants.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        services.import_data(
            "energy_feedback",
            participants=files.participants,
            observations=files.observations,
            responses=files.responses,
        )
        services.create_demo_accounts()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_caches()
    return env

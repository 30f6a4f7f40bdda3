"""End-to-end: the real app (``streamlit run serve.py``: app.py behind its middleware) on
a demo store, in Debian's headless Chromium driven by Playwright. Skipped only when
/usr/bin/chromium is absent."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "ui"))

from ui_factories import DEMO_LOGINS, using_store  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NO_CHROMIUM = "Debian's chromium is not installed (/usr/bin/chromium): apt-get install chromium"
STARTUP_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer {url}/_stcore/health in {STARTUP_TIMEOUT_S} s")


@pytest.fixture(scope="session")
def e2e_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store the app serves (its accounts: ``services.DEMO_ACCOUNTS``)."""
    database = tmp_path_factory.mktemp("e2e") / "demo.db"
    with using_store(database, demo=True):
        pass
    return database


@contextmanager
def the_app_store(database: Path) -> Iterator[dict[str, str]]:
    """Point livinglab in the test process at the app's store (e.g. to invite)."""
    with using_store(database, demo=False) as env:
        yield env


@pytest.fixture(scope="session")
def app_url(e2e_store: Path) -> Iterator[str]:
    """``streamlit run serve.py`` on a free port, on a store loaded with the demo."""
    with using_store(e2e_store, demo=False) as store:
        env = {**os.environ, **store}
    with serve_app(e2e_store.parent, env) as url:
        yield url


@contextmanager
def serve_app(
    folder: Path,
    env: dict[str, str],
    port: int | None = None,
    host: str = "127.0.0.1",
    script: str = "serve.py",
) -> Iterator[str]:
    """``streamlit run serve.py`` (app.py behind its middleware, as ``livinglab app``
    starts it; from ``folder``: its ``.streamlit/`` is read) on ``port`` (default: a
    free one) with ``env``; its log in ``folder``."""
    port = port or free_port()
    url = f"http://{host}:{port}"
    log = (folder / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / script),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
            "--client.showErrorDetails",
            "none",
        ],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A new browser tab (no cookie, no session); ``page.requested`` lists every URL it
    asked for, so a test can check that no page calls another host."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
        locale="fr-FR",
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.requested = []
    page.on("request", lambda request: page.requested.append(request.url))
    yield page
    context.close()


def other_hosts(page: Any, app_url: str) -> set[str]:
    """The hosts other than the app's that the tab sent a request to (data: URLs aside)."""
    own = urllib.parse.urlsplit(app_url).netloc
    return {
        urllib.parse.urlsplit(url).netloc
        for url in page.requested
        if urllib.parse.urlsplit(url).scheme in ("http", "https", "ws", "wss")
    } - {own}


def sign_in(page: Any, role: str) -> None:
    """Fill the sign-in form shown in ``page`` with the demo account of ``role``."""
    username, password = DEMO_LOGINS[role]
    page.get_by_role("heading", name="Connexion au Living Lab", level=1).wait_for()
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text(f"Connecté : {username}").wait_for()


def open_signed_in(page: Any, url: str, role: str) -> None:
    """Open ``url`` in a new session (the sign-in page), sign in: the page at ``url``."""
    page.goto(url)
    sign_in(page, role)

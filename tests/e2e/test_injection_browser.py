"""Everything shown is text: a pilot, an instrument and a participants CSV whose every
free text carries ``<script>``, ``<img src=x onerror=...>``, a Markdown image of another
host and a ``javascript:`` link are shown literally on every page, in the citizens'
survey and in the dossier: no script runs, no element is made of them, and the browser
asks no other host for anything."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, NO_CHROMIUM, ROOT, open_signed_in, other_hosts, serve_app

sys.path.insert(0, str(ROOT / "tests" / "ui"))
from ui_factories import PAYLOAD, TRACKER, hostile_workspace, using_store  # noqa: E402

from livinglab import services  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM),
]

LITERAL = f"![p](http://{TRACKER}/p.png)"  # what a reader must see, as typed
TABS = ("Enquêtes", "Équité", "Représentativité", "Projection")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return hostile_workspace(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def hostile_url(hostile: dict[str, str]) -> Iterator[str]:
    import os

    folder = Path(hostile["LIVINGLAB_DATABASE_URL"].removeprefix("sqlite:///")).parent
    with serve_app(folder, {**os.environ, **hostile}) as url:
        yield url


@pytest.fixture
def watched(page: Any) -> Any:
    """The tab, with every dialog (alert, confirm...) recorded and dismissed."""
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    return page


def settle(page: Any, shown: str) -> None:
    page.get_by_text(shown).first.wait_for()
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')"
        " && !document.querySelector('[data-testid=\"stSpinner\"]')"
    )
    page.wait_for_timeout(700)


def read(page: Any, selector: str = "main") -> str:
    """The text a reader sees (the invisible word joiners that keep addresses from
    becoming links aside)."""
    return page.locator(selector).inner_text().replace("\u2060", "")


def assert_inert(page: Any, base_url: str, where: str) -> None:
    """Nothing of the payload ran or became an element; no other host was asked."""
    assert page.evaluate("window.__pwned") is None, where
    assert page.dialogs == [], where
    made = page.locator(
        f"img[src='x'], img[src*='{TRACKER}'], a[href*='{TRACKER}'], a[href^='javascript'],"
        " [onerror]"
    )
    assert made.count() == 0, where
    assert not other_hosts(page, base_url), where


def test_every_page_shows_the_payload_as_text(watched: Any, hostile_url: str) -> None:
    page = watched
    open_signed_in(page, hostile_url, "team")
    settle(page, "Généraliser")
    assert LITERAL in read(page)
    assert "<script>window.__pwned=1</script>" in read(page)
    assert_inert(page, hostile_url, "the portfolio")

    page.get_by_role("link", name="Voir les preuves de").first.click()
    settle(page, "Critères de décision")
    main = read(page)
    assert LITERAL in main and "**gras**" in main  # not bold: shown as typed
    assert_inert(page, hostile_url, "the pilot page")
    for tab in TABS:
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(1000)
        assert_inert(page, hostile_url, f"the pilot page, tab {tab}")

    open_signed_in(page, f"{hostile_url}/checks?pilot=energy_feedback", "team")
    settle(page, "Tests employés")
    assert "<script>" in read(page)
    assert_inert(page, hostile_url, "the checks page")


def test_the_citizens_survey_shows_the_payload_as_text(
    watched: Any, hostile_url: str, hostile: dict[str, str]
) -> None:
    page = watched
    database = Path(hostile["LIVINGLAB_DATABASE_URL"].removeprefix("sqlite:///"))
    with using_store(database, demo=False):
        import os

        os.environ.update(hostile)
        links = services.invite(
            "energy_feedback", instrument="trust", wave="after", base_url=hostile_url
        )
    assert links, "no tester left to invite"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(links[0]["link"])
    settle(page, "Bienvenue")
    assert LITERAL in read(page)
    assert_inert(page, hostile_url, "the citizens' survey's welcome")
    page.get_by_role("button", name="Commencer").click()
    page.get_by_role("button", name="Oui, j'accepte").click()
    settle(page, "Question 1 sur")
    main = read(page)
    assert "<img src=x onerror=" in main
    assert_inert(page, hostile_url, "the citizens' survey")


def test_the_dossier_shows_the_payload_as_text(watched: Any, hostile: dict[str, str]) -> None:
    page = watched
    database = Path(hostile["LIVINGLAB_DATABASE_URL"].removeprefix("sqlite:///"))
    with using_store(database, demo=False):
        import os

        os.environ.update(hostile)
        html = services.dossier_html("energy_feedback")
        pdf = services.dossier_pdf("energy_feedback")
    assert "<script>window" not in html and "&lt;script&gt;window.__pwned=1" in html
    page.set_content(html)
    page.wait_for_timeout(500)
    assert LITERAL in read(page, "body")
    assert page.evaluate("window.__pwned") is None and page.dialogs == []
    assert page.locator(f"img, a[href*='{TRACKER}'], [onerror]").count() == 0
    assert not [url for url in page.requested if TRACKER in url or url.startswith("http")]
    assert pdf.startswith(b"%PDF-") and f"http://{TRACKER}".encode() not in pdf
    assert PAYLOAD  # the payload of every text: see ui_factories.hostile_workspace

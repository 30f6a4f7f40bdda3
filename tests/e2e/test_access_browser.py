"""Who reaches what, in a real headless Chromium: an anonymous visitor gets the sign-in
page at every address (with or without query parameters); a decision-maker never sees a
team page; a citizen's link shows their survey only, and without its token the sign-in
page; no page of any role asks another host for anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, NO_CHROMIUM, open_signed_in, other_hosts, sign_in, the_app_store

from livinglab import services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM),
]

PATHS = ["", "portfolio", "pilot", "checks", "survey", "signin", "no_such_page"]
QUERIES = ["", "?pilot=energy_feedback", "?pilot=shared_mobility&lang=fr"]
PILOT_WORDS = ("Généraliser", "Prolonger", "Abandonner", "Retour d'information", "seniors")


def settled(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')"
    )
    page.wait_for_timeout(300)


def menu_links(page: Any) -> list[str]:
    """The page names the top menu offers (its sections opened)."""
    for section in page.locator("[data-testid='stTopNavSection']").all():
        section.click()
        page.wait_for_timeout(200)
    names = page.locator("[data-testid='stTopNavLinkContainer'], [data-testid='stNavLink']")
    found = [n.inner_text().strip().splitlines()[-1] for n in names.all()]
    page.keyboard.press("Escape")
    return found


@pytest.mark.parametrize("path", PATHS)
def test_an_anonymous_visitor_reaches_nothing_but_sign_in(page: Any, app_url: str, path: str):
    for query in QUERIES:
        page.goto(f"{app_url}/{path}{query}")
        heading = page.get_by_role("heading", level=1)
        heading.first.wait_for()
        settled(page)
        assert [h.inner_text() for h in heading.all()] == ["Connexion au Living Lab"], query
        body = page.locator("body").inner_text()
        assert not any(word in body for word in PILOT_WORDS), (path, query)
        assert page.locator("[data-testid='stTable'], [data-testid='stVegaLiteChart']").count() == 0
        assert page.locator("nav, [data-testid='stTopNavSection']").count() == 0
        if path != "no_such_page":  # an address of the app: no "Page not found" dialog
            assert "Page not found" not in page.locator("body").inner_text(), (path, query)
    assert not other_hosts(page, app_url)


def test_a_decision_maker_reaches_no_team_page(page: Any, app_url: str) -> None:
    open_signed_in(page, app_url, "decision")
    page.get_by_role("heading", name="Portefeuille des pilotes", level=1).wait_for()
    settled(page)
    links = menu_links(page)
    assert "Portefeuille" in links and "Preuves d'un pilote" in links
    assert not any("Contrôles" in link for link in links)
    assert "Équipe innovation" not in page.locator("body").inner_text()
    # The portfolio's own address, typed: the page itself, no "Page not found" dialog.
    page.goto(f"{app_url}/portfolio")
    sign_in(page, "decision")
    page.get_by_role("heading", name="Portefeuille des pilotes", level=1).wait_for()
    settled(page)
    assert "Page not found" not in page.locator("body").inner_text()
    # Typing the team page's address: a new session, so sign in again: access refused.
    page.goto(f"{app_url}/checks?pilot=energy_feedback")
    sign_in(page, "decision")
    page.get_by_role("heading", name="Accès refusé", level=1).wait_for()
    settled(page)
    main = page.locator("main").inner_text()
    assert "n'est pas accessible avec votre compte" in main
    assert "Tests employés" not in main and "Recalculer" not in main
    assert page.locator("[data-testid='stTable']").count() == 0
    assert not other_hosts(page, app_url)


def test_the_team_reaches_its_pages_from_the_menu(page: Any, app_url: str) -> None:
    open_signed_in(page, app_url, "team")
    page.get_by_role("heading", name="Portefeuille des pilotes", level=1).wait_for()
    settled(page)
    assert "Contrôles et méthodes" in menu_links(page)


def test_a_citizen_link_shows_only_that_survey(page: Any, app_url: str, e2e_store: Path) -> None:
    with the_app_store(e2e_store):
        links = services.invite(
            "senior_procedures", instrument="sus", wave="after", base_url=app_url
        )
    link = links[0]["link"]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    page.get_by_role("heading", level=1).first.wait_for()
    settled(page)
    main = page.locator("main").inner_text()
    assert "Bienvenue" in main and "10 questions" in main
    assert page.locator("[data-testid='stTopNavSection'], [data-testid='stNavLink']").count() == 0
    body = page.locator("body").inner_text()
    assert "Se déconnecter" not in body and "Page not found" not in body
    assert not other_hosts(page, app_url)
    # Without its token the same address gives the sign-in page, not a menu.
    page.goto(link.split("?")[0])
    page.get_by_role("heading", name="Connexion au Living Lab", level=1).wait_for()
    settled(page)
    assert not any(word in page.locator("body").inner_text() for word in PILOT_WORDS)

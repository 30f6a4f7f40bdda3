"""The app in a real headless Chromium: the portfolio, a pilot page reached by its link,
the language switch (texts and <html lang>), the dossier downloads, and an axe-core scan
of every page and tab against WCAG 2 A and AA."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, NO_CHROMIUM, open_signed_in, other_hosts

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM),
]

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}
SENIOR_TITLE = "Démarches en ligne accessibles aux seniors"


def settle(page: Any, heading: str, shown: str | re.Pattern[str]) -> None:
    """Wait for the page's title, for a text drawn after the evaluation (``shown``) and for
    the script run to finish (no stale element, no spinner)."""
    page.get_by_role("heading", name=heading, level=1).wait_for()
    page.get_by_text(shown).first.wait_for()
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')"
        " && !document.querySelector('[data-testid=\"stSpinner\"]')"
        " && document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'"
    )
    page.wait_for_timeout(500)  # Vega draws its charts after the script run ends


def assert_accessible(page: Any, where: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page, options=WCAG).response["violations"]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    )
    assert not violations, f"WCAG 2 A/AA violations on {where}:\n{report}"


def test_portfolio_in_french_is_accessible(page: Any, app_url: str) -> None:
    open_signed_in(page, app_url, "decision")
    settle(page, "Portefeuille des pilotes", "Généraliser")
    page.wait_for_function("() => document.documentElement.lang === 'fr'")  # set by the app
    assert page.title() == "Portefeuille"
    body = page.locator("main").inner_text()
    for word in ("Généraliser", "Abandonner", "Prolonger", "niveau 5/5"):
        assert word in body
    assert_accessible(page, "the portfolio")
    assert not other_hosts(page, app_url)


def test_pilot_page_from_the_portfolio_link_and_every_tab(page: Any, app_url: str) -> None:
    open_signed_in(page, app_url, "decision")
    settle(page, "Portefeuille des pilotes", "Généraliser")
    page.get_by_role("link", name=f"Voir les preuves de « {SENIOR_TITLE} »").click()
    settle(page, SENIOR_TITLE, "Critères de décision")
    assert "pilot=senior_procedures" in page.url
    assert "Verdict : ⏳ Prolonger" in page.locator("main").inner_text()
    assert_accessible(page, "the pilot page (usage metrics)")
    charts = page.locator(
        "[data-testid='stVegaLiteChart'] [aria-label], [data-testid='stVegaLiteChart'] svg[role]"
    )
    assert charts.count() >= 1
    # A tab runs when opened (st.tabs on_change="rerun"): each one is drawn after its click
    for tab, shown in (("Enquêtes", "Taux de réponse"),
                       ("Équité", "L'effet diffère-t-il selon les groupes ?"),
                       ("Représentativité", "Écart à la population (test du khi-deux)"),
                       ("Projection", re.compile("usagers attendus|ne déclare pas de projection"))):
        page.get_by_role("tab", name=tab).click()
        settle(page, SENIOR_TITLE, shown)
        assert page.get_by_role("tab", name=tab).get_attribute("aria-selected") == "true"
        assert_accessible(page, f"the pilot page, tab {tab}")
    assert not other_hosts(page, app_url)


def test_language_switch_changes_texts_and_document_language(page: Any, app_url: str) -> None:
    open_signed_in(page, app_url, "team")
    settle(page, "Portefeuille des pilotes", "Généraliser")
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").click()
    page.get_by_role("option", name="English").click()
    settle(page, "Pilot portfolio", "Roll out")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    body = page.locator("main").inner_text()
    assert "Roll out" in body and "Généraliser" not in body
    assert_accessible(page, "the portfolio in English")


def test_dossier_downloads_from_the_pilot_page(page: Any, app_url: str, tmp_path: Path) -> None:
    open_signed_in(page, f"{app_url}/pilot?pilot=energy_feedback", "decision")
    settle(
        page,
        "Retour d'information sur la consommation d'énergie à domicile",
        "Télécharger le dossier (HTML)",
    )
    with page.expect_download() as html_download:
        page.get_by_role("button", name="Télécharger le dossier (HTML)").click()
    html_file = tmp_path / html_download.value.suggested_filename
    html_download.value.save_as(html_file)
    assert html_file.name == "dossier-energy_feedback-fr.html"
    document = html_file.read_text(encoding="utf-8")
    assert '<html lang="fr">' in document and "<svg" in document
    assert "Verdict : Généraliser" in document
    with page.expect_download(timeout=120_000) as pdf_download:
        page.get_by_role("button", name="Télécharger le dossier (PDF)").click()
    pdf_file = tmp_path / "dossier.pdf"
    pdf_download.value.save_as(pdf_file)
    assert pdf_file.read_bytes().startswith(b"%PDF-")


def test_checks_page_is_accessible(page: Any, app_url: str) -> None:
    open_signed_in(page, f"{app_url}/checks?pilot=shared_mobility", "team")
    settle(page, "Contrôles et méthodes", "Tests employés")
    # The tables' grids fill in after their headings: wait for the tests' table itself
    # (a timeout here fails the test just as the assertion would).
    page.wait_for_function(
        "() => document.querySelector('main').innerText.includes('test t de Welch')"
    )
    shown = page.locator("main").inner_text()
    assert "test t de Welch" in shown and "welch_t" not in shown  # a name, not a code
    assert_accessible(page, "the checks page")
    assert not other_hosts(page, app_url)


def test_sign_in_page_is_accessible(page: Any, app_url: str) -> None:
    page.goto(app_url)
    page.get_by_role("heading", name="Connexion au Living Lab", level=1).wait_for()
    # the app sets the document's language once its script has run (under load, after
    # the heading shows): French within the wait, or the test fails
    page.wait_for_function("() => document.documentElement.lang === 'fr'")
    page.wait_for_timeout(500)
    assert_accessible(page, "the sign-in page")

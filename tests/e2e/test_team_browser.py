"""The innovation team runs a pilot from the app, in a real headless Chromium: creates
a pilot from a template, imports its participants and readings by upload, sees the
participants page, sets the pilot to ``decided`` in the editor and records the
council's decision. ``LIVINGLAB_SCREENSHOTS=<folder>`` saves each step's screenshot
(the README's walk-through)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, NO_CHROMIUM, ROOT, serve_app, sign_in
from ui_factories import reset_caches

from livinglab import services
from livinglab.demo import generate_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM),
]


@pytest.fixture(scope="module")
def team_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app on an empty store (the demo accounts only) and a writable pilots folder."""
    folder = tmp_path_factory.mktemp("team_e2e")
    shutil.copytree(ROOT / "pilots", folder / "pilots")
    shutil.copytree(ROOT / "surveys", folder / "surveys")
    env = {
        "LIVINGLAB_DATABASE_URL": f"sqlite:///{folder / 'store.db'}",
        "LIVINGLAB_PILOTS_DIR": str(folder / "pilots"),
        "LIVINGLAB_SURVEYS_DIR": str(folder / "surveys"),
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    reset_caches()
    services.create_demo_accounts()
    try:
        with serve_app(folder, {**os.environ, **env}) as url:
            yield url, folder
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_caches()


def settled(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=180_000,  # an evaluation on a busy machine (2 cores shared)
    )
    page.wait_for_timeout(400)


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("LIVINGLAB_SCREENSHOTS")
    if folder:  # tall enough for the whole page (Streamlit scrolls inside its main block)
        page.set_viewport_size({"width": 1280, "height": 1700})
        settled(page)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))
        page.set_viewport_size({"width": 1280, "height": 900})


def open_page(page: Any, url: str, heading: str) -> None:
    page.goto(url)
    sign_in(page, "team")
    page.get_by_role("heading", name=heading, level=1).wait_for()
    settled(page)


def test_a_team_member_takes_a_pilot_from_template_to_recorded_decision(
    page: Any, team_app: tuple[str, Path]
) -> None:
    url, folder = team_app
    page.set_default_timeout(180_000)
    data = generate_demo(folder / "data", scale=0.3, pilots_dir=folder / "pilots",
                         surveys_dir=folder / "surveys")["energy_feedback"]

    # 1. A new pilot from the energy template (the first one offered).
    open_page(page, f"{url}/pilots", "Pilotes")
    page.get_by_label("Identifiant (minuscules, chiffres, _)").fill("energie_2027")
    page.get_by_label("Titre (français)").fill("Économies d'énergie 2027")
    shot(page, "1-pilots")
    page.get_by_role("button", name="Créer le pilote").click()
    page.get_by_text("créé en brouillon").wait_for()
    assert services.load_pilot("energie_2027").phase == "draft"

    # 2. Its participants and readings, uploaded.
    open_page(page, f"{url}/imports?pilot=energie_2027", "Import de données")
    inputs = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    # one file at a time, each shown and its rerun ended before the next: a file set
    # while the first upload's rerun redraws the uploaders can be lost (seen once, loaded)
    inputs.nth(0).set_input_files(str(data.participants))
    page.wait_for_function(f"document.body.innerText.includes('{data.participants.name}')")
    settled(page)
    inputs.nth(1).set_input_files(str(data.observations))
    page.wait_for_function(f"document.body.innerText.includes('{data.observations.name}')")
    settled(page)
    page.get_by_role("button", name="Importer", exact=True).click()
    page.locator("[data-testid='stTable']").wait_for(timeout=120_000)
    settled(page)
    shot(page, "2-import")
    enrolled = len(data.participants.read_text().splitlines()) - 1
    table = page.locator("[data-testid='stTable']").inner_text()
    assert "Participants" in table and f"{enrolled}" in table

    # The planning page, on the baseline readings just imported.
    open_page(page, f"{url}/planning?pilot=energie_2027", "Planification : taille des cohortes")
    page.locator("[data-testid='stTable']").wait_for()
    assert "Participants nécessaires par cohorte" in page.locator(
        "[data-testid='stTable']").inner_text()
    shot(page, "2b-planning")

    # 3. The participants page: enrolled against target.
    open_page(page, f"{url}/participants?pilot=energie_2027", "Participants et réponses")
    assert "Inscrits" in page.locator("[data-testid='stTable']").first.inner_text()
    shot(page, "3-participants")

    # 4. The editor: the phase set to decided, the diff, saved.
    open_page(page, f"{url}/editor?pilot=energie_2027", "Éditeur de pilote")
    area = page.get_by_label("Fichier du pilote (YAML)")
    area.fill(area.input_value().replace("phase: draft", "phase: decided"))
    area.press("Control+Enter")
    page.get_by_text("+phase: decided").wait_for()
    shot(page, "4-editor")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("Pilote enregistré").wait_for()
    assert services.load_pilot("energie_2027").phase == "decided"

    # 5. The council's decision, recorded with the frozen evaluation and dossier.
    open_page(page, f"{url}/decision?pilot=energie_2027", "Décision du conseil")
    page.get_by_label("Décidé par").fill("Conseil municipal")
    page.get_by_label("Référence de la délibération").fill("DCM 2027-042")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_text("Décision enregistrée.").wait_for(timeout=120_000)
    page.locator("[data-testid='stCode']").nth(1).wait_for()
    settled(page)
    shot(page, "5-decision")
    from livinglab.services.decisions import decisions

    [record] = decisions("energie_2027")
    assert (record.decided_by, record.council_reference, record.recorded_by) == (
        "Conseil municipal", "DCM 2027-042", "equipe",
    )
    assert record.dossier_sha256 in page.locator("[data-testid='stCode']").nth(1).inner_text()

"""The import page in AppTest, on an empty store with the demo pilots: a broken file
shows every bad row and stores nothing; the demo's files import whole, with read / new
/ already stored, and the import is in the audit log; importing them again adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from team_workspace import team_workspace
from ui_factories import as_read, open_address, signed_in_app

from livinglab import services
from livinglab.demo import generate_demo
from livinglab.store import reductions

pytestmark = pytest.mark.xdist_group("ui")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with team_workspace(tmp_path_factory.mktemp("import"), demo=False) as folder:
        generate_demo(folder / "data", scale=0.5)
        yield folder


def enrolled(pilot_id: str) -> int:
    counts = reductions.cohort_counts(engine=services.engine(),
                                      pilot=services.load_pilot(pilot_id))
    return int(counts["participants"].sum())


def imports_logged() -> list[str | None]:
    from sqlmodel import Session

    from livinglab.store.audit import audit_events

    with Session(services.engine()) as session:
        return [e.detail for e in audit_events(session=session, action="import")]


def upload(at: AppTest, kind: str, path: Path, name: str | None = None) -> None:
    at.file_uploader(key=f"upload_{kind}").upload(name or path.name, path.read_bytes(),
                                                 "text/csv")


def test_a_broken_file_shows_every_bad_row_and_stores_nothing(workspace: Path) -> None:
    good = (workspace / "data" / "senior_procedures" / "participants.csv").read_text()
    lines = good.splitlines()
    lines[2] = lines[2].replace("testers", "volunteers", 1)  # line 3: unknown cohort
    lines[4] = "," + lines[4].split(",", 1)[1]  # line 5: no participant id
    broken = workspace / "broken.csv"
    broken.write_text("\n".join(lines) + "\n")
    at = signed_in_app("team")
    open_address(at, "imports", pilot="senior_procedures")
    assert not at.exception
    upload(at, "participants", broken, "participants_mars.csv")
    at.button(key="import_run").click().run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("Import refusé, rien n'a été enregistré : 2 problème(s)")
    rows = at.table[0].value.to_dict("records")
    assert [(as_read(r["Fichier"]), r["Ligne"]) for r in rows] == [
        ("participants_mars.csv", "3"), ("participants_mars.csv", "5")
    ]
    assert "volunteers" in as_read(rows[0]["Raison"])
    assert enrolled("senior_procedures") == 0 and imports_logged() == []


def test_the_demo_files_import_whole_and_a_second_import_adds_nothing(workspace: Path) -> None:
    files = workspace / "data" / "senior_procedures"
    at = signed_in_app("team")
    open_address(at, "imports", pilot="senior_procedures")
    upload(at, "participants", files / "participants.csv")
    upload(at, "observations", files / "observations.csv")
    at.button(key="import_run").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Import terminé."
    participants = len((files / "participants.csv").read_text().splitlines()) - 1
    readings = len((files / "observations.csv").read_text().splitlines()) - 1
    rows = at.table[0].value.to_dict("records")
    assert [(r["Contenu"], r["Lignes lues"], r["Nouvelles"], r["Déjà enregistrées"])
            for r in rows] == [
        ("Participants", str(participants), str(participants), "0"),
        ("Mesures d'usage", f"{readings:,}".replace(",", "\u202f"),
         f"{readings:,}".replace(",", "\u202f"), "0"),
    ]
    assert enrolled("senior_procedures") == participants
    [logged] = imports_logged()
    assert logged is not None and f"participants: read {participants}, new {participants}" in logged
    at.button(key="import_run").click().run()
    again = at.table[0].value.to_dict("records")
    assert [r["Nouvelles"] for r in again] == ["0", "0"]
    assert enrolled("senior_procedures") == participants

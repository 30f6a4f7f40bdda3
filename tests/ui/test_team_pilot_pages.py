"""The innovation team's pilot pages in AppTest, on a writable copy of the demo pilots
and a demo store: the pilots list, a new pilot from a template, the YAML editor (refuses
an invalid pilot, saves a valid one atomically and audits it), the decision record; a
decision-maker reaches none of them by address."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from team_workspace import team_workspace
from ui_factories import as_read, open_address, signed_in_app

from livinglab import services
from livinglab.services import decisions

pytestmark = pytest.mark.xdist_group("ui")
TEAM_PAGES = ("pilots", "editor", "planning", "imports", "participants", "decision")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with team_workspace(tmp_path_factory.mktemp("team")) as folder:
        yield folder


def audit(action: str) -> list[tuple[str, str | None, str | None]]:
    from sqlmodel import Session

    from livinglab.store.audit import audit_events

    with Session(services.engine()) as session:
        return [(e.actor, e.pilot_id, e.detail)
                for e in audit_events(session=session, action=action)]


@pytest.mark.parametrize("page", TEAM_PAGES)
def test_a_decision_maker_cannot_open_a_team_page_by_address(workspace: Path, page: str) -> None:
    at = signed_in_app("decision")
    open_address(at, page, pilot="senior_procedures")
    assert not at.exception
    assert not at.table and not at.text_area and not at.number_input and not at.text_input


def test_the_pilots_list_shows_phase_cohorts_latest_reading_and_verdict(workspace: Path) -> None:
    at = signed_in_app("team")
    open_address(at, "pilots")
    assert not at.exception
    rows = {r["Pilote"]: r for r in at.table[0].value.to_dict("records")}
    seniors = rows["Démarches en ligne accessibles aux seniors"]
    assert seniors["Phase"] == "analyse"
    enrolled = services.stored_data().set_index("pilot").loc["senior_procedures"]
    cohorts = seniors["Cohortes (inscrits / cible)"]
    assert cohorts == f"Testeurs\u00a0: {enrolled['participants']} / 40"
    # The latest reading's own day (within the intervention, which ends on 24 May
    # 2026), not the day of the import.
    from livinglab.i18n import Translator
    from livinglab.store.reductions import latest_data

    pilot = services.load_pilot("senior_procedures")
    latest = latest_data(engine=services.engine(), pilot=pilot).observation
    assert latest is not None and latest.date() <= pilot.periods.intervention.end
    assert seniors["Dernière mesure"] == Translator("fr").date(latest)
    verdict = services.pilot_report("senior_procedures").evaluation.decision.verdict
    assert seniors["Verdict"] == Translator("fr").verdict(verdict)


def test_a_new_pilot_from_a_template_is_a_valid_draft_file(workspace: Path) -> None:
    at = signed_in_app("team")
    open_address(at, "pilots")
    at.selectbox(key="new_template").set_value("shared_mobility")
    at.text_input(key="new_id").input("mobility_2027")
    at.text_input(key="new_title_fr").input("Mobilité partagée 2027")
    at.button(key="new_create").click().run()
    assert not at.exception, at.exception
    assert "mobility_2027" in as_read(at.success[0].value)
    created = services.load_pilot("mobility_2027")
    assert created.phase == "draft" and created.title.get("fr") == "Mobilité partagée 2027"
    assert created.metrics == services.load_pilot("shared_mobility").metrics
    actor, pilot_id, detail = audit("pilot_edit")[0]
    assert (actor, pilot_id) == ("equipe", "mobility_2027") and detail.startswith("created")
    # The same id again is refused, and the file is unchanged.
    before = (workspace / "pilots" / "mobility_2027.yaml").read_text()
    at.button(key="new_create").click().run()
    assert "exists already" in at.error[0].value
    assert (workspace / "pilots" / "mobility_2027.yaml").read_text() == before


def test_the_editor_refuses_an_invalid_pilot_and_shows_the_problem_beside_its_line(
    workspace: Path,
) -> None:
    path = workspace / "pilots" / "senior_procedures.yaml"
    saved = path.read_text()
    at = signed_in_app("team")
    open_address(at, "editor", pilot="senior_procedures")
    assert at.text_area(key="editor_text").value == saved
    broken = saved.replace("    aggregate: share", "    aggregate: median", 1)
    at.text_area(key="editor_text").input(broken).run()
    assert not at.exception
    line = broken.splitlines().index("    aggregate: median") + 1
    problems = at.table[0].value.to_dict("records")
    assert [(p["Ligne"], as_read(p["Champ"])) for p in problems] == [
        (str(line), "metrics[0].aggregate")
    ]
    shown = at.code[0].value.splitlines()[line - 1]
    assert shown.startswith("    aggregate: median   # ⚠ metrics[0].aggregate:")
    at.button(key="editor_save").click().run()
    assert at.error[-1].value == "Pilote non enregistré : il n'est pas valide."
    assert path.read_text() == saved


def test_the_editor_shows_the_diff_and_saves_a_valid_pilot(workspace: Path) -> None:
    path = workspace / "pilots" / "senior_procedures.yaml"
    saved = path.read_text()
    edited = saved.replace("phase: analysis", "phase: decided")
    at = signed_in_app("team")
    open_address(at, "editor", pilot="senior_procedures")
    at.text_area(key="editor_text").input(edited).run()
    assert at.success[0].value == "Le pilote est valide."
    diff = at.code[0].value
    assert "-phase: analysis" in diff and "+phase: decided" in diff
    at.button(key="editor_save").click().run()
    assert not at.exception
    assert path.read_text() == edited
    assert services.load_pilot("senior_procedures").phase == "decided"
    assert not list(path.parent.glob(".*.tmp"))  # the temporary file was renamed
    assert audit("pilot_edit")[0][1:] == ("senior_procedures", "edited: +1 -1 lines")


def test_the_decision_is_recorded_with_the_frozen_evaluation_and_dossier(
    workspace: Path,
) -> None:
    path = workspace / "pilots" / "senior_procedures.yaml"
    if "phase: decided" not in path.read_text():
        path.write_text(path.read_text().replace("phase: analysis", "phase: decided"))
    at = signed_in_app("team")
    open_address(at, "decision", pilot="senior_procedures")
    at.radio(key="decision_choice").set_value("extend")
    at.text_input(key="decision_by").input("Conseil municipal")
    at.text_input(key="decision_reference").input("DCM 2026-118")
    at.text_area(key="decision_comment").input("Prolonger jusqu'en juin.")
    at.button(key="decision_record").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Décision enregistrée."
    [record] = decisions.decisions("senior_procedures")
    assert (record.decision, record.council_reference, record.recorded_by) == (
        "extend", "DCM 2026-118", "equipe",
    )
    evaluation, dossier = decisions.frozen_documents(record.record_id)
    assert decisions.sha256_text(evaluation) == record.evaluation_sha256
    assert decisions.sha256_text(dossier) == record.dossier_sha256
    assert '"pilot": "senior_procedures"' in evaluation and "<html" in dossier
    row = at.table[0].value.to_dict("records")[0]
    assert row["Décision"] == "prolonger" and row["Décidé par"] == "Conseil municipal"
    assert [c.value for c in at.code] == [record.evaluation_sha256, record.dossier_sha256]
    assert audit("decision_recorded")[0][:2] == ("equipe", "senior_procedures")
    # The pilots list shows the recorded decision beside the computed verdict.
    open_address(at, "pilots")
    rows = {r["Pilote"]: r for r in at.table[0].value.to_dict("records")}
    assert rows["Démarches en ligne accessibles aux seniors"]["Décision enregistrée"] == "prolonger"
    # So does the decision-makers' portfolio.
    portfolio = signed_in_app("decision")
    assert not portfolio.exception
    text = " ".join(m.value for m in portfolio.markdown)
    assert "Décision enregistrée : **prolonger**" in text.replace("\u00a0", " ")


def test_a_pilot_not_yet_decided_gets_no_decision_form(workspace: Path) -> None:
    at = signed_in_app("team")
    open_address(at, "decision", pilot="energy_feedback")
    assert not at.exception
    assert "phase « analyse »" in at.info[0].value
    assert not at.text_input


def test_the_form_view_rewrites_the_common_fields_and_keeps_the_rest(workspace: Path) -> None:
    path = workspace / "pilots" / "shared_mobility.yaml"
    saved = path.read_text()
    at = signed_in_app("team")
    open_address(at, "editor", pilot="shared_mobility")
    at.selectbox(key="field_phase").set_value("recruiting")
    cohort = services.load_pilot("shared_mobility").cohorts[0]
    at.number_input(key=f"field_target_{cohort.id}").set_value(120)
    at.button(key="editor_apply").click().run()
    assert not at.exception, at.exception
    changed = [line for line in at.code[0].value.splitlines()
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed[0].startswith("-phase:") and changed[1] == "+phase: recruiting"
    assert sorted(line.strip("+- ") for line in changed[2:]) == sorted(
        [f"target_size: {cohort.target_size}", "target_size: 120"]
    )
    at.button(key="editor_save").click().run()
    pilot = services.load_pilot("shared_mobility")
    assert pilot.phase == "recruiting" and pilot.cohorts[0].target_size == 120
    assert path.read_text().count("\n") == saved.count("\n")  # comments and layout kept


@pytest.mark.parametrize(
    ("page", "title"),
    [("pilots", "Pilots"), ("editor", "Pilot editor"), ("planning", "Planning: cohort sizes"),
     ("imports", "Data import"), ("participants", "Participants and responses"),
     ("decision", "The council's decision")],
)
def test_every_team_page_reads_in_english(workspace: Path, page: str, title: str) -> None:
    at = signed_in_app("team")
    at.selectbox(key="lang").set_value("en").run()
    open_address(at, page, pilot="energy_feedback")
    assert not at.exception, at.exception
    assert at.title[0].value == title


def test_a_pilot_file_broken_by_hand_is_listed_and_mended_in_the_editor(workspace: Path) -> None:
    path = workspace / "pilots" / "mended.yaml"
    good = (workspace / "pilots" / "senior_procedures.yaml").read_text().replace(
        "id: senior_procedures", "id: mended"
    )
    path.write_text(good.replace("    role: test\n", "    role: tester\n", 1))
    try:
        at = signed_in_app("team")
        open_address(at, "pilots")
        assert not at.exception, at.exception
        listed = {r["Pilote"]: r for r in at.table[0].value.to_dict("records")}
        assert listed["mended"]["Phase"] == "—"
        open_address(at, "editor", pilot="mended")
        assert not at.exception, at.exception
        problems = at.table[0].value.to_dict("records")
        assert [as_read(p["Champ"]) for p in problems] == ["cohorts[0].role"]
        at.text_area(key="editor_text").input(good).run()
        at.button(key="editor_save").click().run()
        assert services.load_pilot("mended").cohorts[0].role == "test"
    finally:
        path.unlink(missing_ok=True)


def test_a_decision_cannot_be_recorded_before_the_decided_phase(workspace: Path) -> None:
    from livinglab.errors import UsageError

    before = len(decisions.decisions())
    with pytest.raises(UsageError, match="set 'phase: decided'"):
        decisions.record_decision(
            "energy_feedback", decision="generalize", decided_by="Conseil municipal",
            decided_on=date(2026, 6, 30), council_reference="DCM 1", actor="equipe",
        )
    assert len(decisions.decisions()) == before

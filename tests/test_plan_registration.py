"""The analysis plan is registered with a pilot's first data; a criterion edited after
the data came in does not move the verdict silently: the evaluation keeps the registered
plan's verdict, says what changed and what the changed plan would give, on the CLI, in
the JSON and on the dossier's first page."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session
from ui.ui_factories import ROOT, environment

from livinglab import services
from livinglab.presentation import dossier
from livinglab.spec.loader import load_pilot
from livinglab.spec.plan import analysis_plan, plan_differences, plan_hash
from livinglab.store.plans import plan_versions


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo store, with a copy of the pilots folder the test may edit."""
    tmp = tmp_path_factory.mktemp("plan")
    pilots = tmp / "pilots"
    shutil.copytree(ROOT / "pilots", pilots)
    env = {
        "LIVINGLAB_DATABASE_URL": f"sqlite:///{tmp / 'store.db'}",
        "LIVINGLAB_PILOTS_DIR": str(pilots),
        "LIVINGLAB_SURVEYS_DIR": str(ROOT / "surveys"),
    }
    with environment(env):
        services.load_demo()
        yield pilots


def test_rewording_a_label_is_not_a_change_of_plan_but_a_threshold_is():
    pilot = load_pilot(ROOT / "pilots" / "senior_procedures.yaml")
    plan = analysis_plan(pilot)
    reworded = pilot.model_copy(update={"title": pilot.title.model_copy(update={"fr": "Autre"})})
    assert plan_hash(analysis_plan(reworded)) == plan_hash(plan)
    edited = json.loads(json.dumps(plan))
    index = next(i for i, c in enumerate(edited["decision"]["criteria"]) if "threshold" in c)
    edited["decision"]["criteria"][index]["threshold"] = 40.0
    differences = plan_differences(plan, edited)
    assert [(d.dotted, d.old, d.new) for d in differences] == [
        (f"decision.criteria[{index}].threshold", 68.0, 40.0)
    ]
    assert plan_hash(edited) != plan_hash(plan)


def test_a_threshold_edited_after_the_data_keeps_the_registered_verdict(store: Path):
    before = services.evaluate_pilot("senior_procedures")
    assert before.plan is not None and not before.plan.changed
    with Session(services.engine()) as session:
        versions = plan_versions(session=session, pilot_id="senior_procedures")
    assert [v.seq for v in versions] == [1]
    assert versions[0].plan_hash == plan_hash(analysis_plan(before.pilot))
    assert versions[0].recorded_by is not None and versions[0].recorded_by.startswith("cli:")
    registered_verdict = before.verdict
    assert registered_verdict == "extend"

    path = store / "senior_procedures.yaml"
    text = path.read_text(encoding="utf-8")
    assert "threshold: 68" in text
    path.write_text(text.replace("threshold: 68", "threshold: 40"), encoding="utf-8")

    after = services.evaluate_pilot("senior_procedures")
    assert after.verdict == registered_verdict  # the headline follows the registered plan
    assert after.plan is not None and after.plan.changed
    assert after.plan.verdict_under_current_plan == "go"
    assert [(d.dotted, d.old, d.new) for d in after.plan.differences] == [
        ("decision.criteria[1].threshold", 68.0, 40.0)
    ]
    with Session(services.engine()) as session:
        versions = plan_versions(session=session, pilot_id="senior_procedures")
    assert [v.seq for v in versions] == [1, 2]  # the change is kept, once
    assert versions[1].recorded_by is None  # edited outside the app: author unknown

    record = after.to_dict()["plan"]
    assert record["changed"] is True
    assert record["verdict_under_current_plan"] == "go"
    assert record["changes"] == [
        {"field": "decision.criteria[1].threshold", "registered": 68.0, "current": 40.0}
    ]

    html = dossier.render_html(after)
    # The first page: the summary section, which the dossier opens with.
    first_page = html.split('<section id="summary"', 1)[1].split("</section>", 1)[0]
    assert "Plan d&#x27;analyse modifié après l&#x27;arrivée des données" in first_page
    assert "Verdict : Prolonger" in first_page
    assert "le verdict serait : Généraliser" in first_page
    assert "premières données importées par la ligne de commande, utilisateur " in first_page
    assert "critère 2 (SUS) – seuil : 68 → 40" in first_page
    english = dossier.render_html(after, lang="en")
    assert "under the changed plan the verdict would be: Roll out" in english
    assert "criterion 2 (SUS) – threshold: 68 → 40" in english


def test_a_pilot_without_data_has_no_registered_plan(store: Path):
    text = (store / "energy_feedback.yaml").read_text(encoding="utf-8")
    (store / "energy_copy.yaml").write_text(
        text.replace("id: energy_feedback", "id: energy_copy"), encoding="utf-8"
    )
    evaluation = services.evaluate_pilot("energy_copy")
    assert evaluation.plan is None
    html = dossier.render_html(evaluation)
    assert "le plan d&#x27;analyse sera enregistré avec la première importation" in html
    # Editing a pilot without data records nothing: there is no plan to keep yet.
    with Session(services.engine()) as session:
        assert plan_versions(session=session, pilot_id="energy_copy") == []

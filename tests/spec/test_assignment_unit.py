"""The pilot's ``assignment_unit``: an attribute the participants file can carry."""

from __future__ import annotations

from pathlib import Path

from livinglab.spec.loader import load_pilot, validate_paths

ROOT = Path(__file__).resolve().parents[2]
SURVEYS = ROOT / "surveys"

PILOT = """\
id: trial
title: {fr: Essai, en: Trial}
domain: energy
hypothesis: Les testeurs consomment moins.
periods:
  baseline: {start: 2025-01-06, end: 2025-02-02}
  intervention: {start: 2025-02-03, end: 2025-03-30}
cohorts:
  - {id: testers, role: test, assignment: random}
  - {id: comparison, role: control, assignment: random}
metrics:
  - id: kwh_per_day
    label: {fr: kWh par jour, en: kWh per day}
    unit: kWh/day
    aggregate: rate_per_day
    better: lower
    min_effect: {relative: 0.05}
    role: primary
decision:
  criteria:
    - {metric: kwh_per_day, must: improve}
attributes: [building, age_band]
assignment_unit: building
"""


def write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "pilots"
    folder.mkdir()
    path = folder / "trial.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_declared_attribute_is_the_assignment_unit(tmp_path: Path) -> None:
    pilot = load_pilot(write(tmp_path, PILOT))
    assert pilot.assignment_unit == "building"


def test_the_default_unit_is_the_participant(tmp_path: Path) -> None:
    text = PILOT.replace("assignment_unit: building\n", "")
    assert load_pilot(write(tmp_path, text)).assignment_unit is None


def test_an_undeclared_unit_is_refused_with_its_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, PILOT.replace("assignment_unit: building", "assignment_unit: buildin"))
    problems = validate_paths([path], surveys_dir=SURVEYS)
    assert [str(p) for p in problems] == [
        f"{path}:23: assignment_unit: 'buildin' is not one of the pilot's participant "
        "attributes (expected one of: building, age_band; did you mean 'building'?); the "
        "participants file carries only declared attributes (add it to 'attributes')"
    ]

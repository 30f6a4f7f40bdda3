"""Pilot files: a valid one loads; every broken one names its file, line and field."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from livinglab.errors import NotFoundError, Problem, SpecError
from livinglab.spec.loader import find_pilot, load_pilot, validate_paths
from livinglab.spec.models import MetricCriterion, Pilot, SurveyCriterion

ROOT = Path(__file__).resolve().parents[2]
SURVEYS = ROOT / "surveys"

# Line numbers in the tests below refer to this file.
VALID = """\
id: trial
title: {fr: Essai, en: Trial}
domain: energy
hypothesis: Les testeurs consomment moins.
periods:
  baseline: {start: 2025-01-06, end: 2025-02-02}
  intervention:
    start: 2025-02-03
    end: 2025-03-30
cohorts:
  - id: testers
    role: test
    assignment: random
  - id: comparison
    role: control
    assignment: random
metrics:
  - id: kwh_per_day
    label: {fr: kWh par jour, en: kWh per day}
    unit: kWh/day
    aggregate: rate_per_day
    better: lower
    min_effect: {relative: 0.05}
    role: primary
surveys:
  - instrument: sus
    waves: [after]
    cohorts: [testers]
decision:
  criteria:
    - metric: kwh_per_day
      must: improve
    - survey: sus
      must: reach
      threshold: 68
"""


def edit(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} is not in the pilot exactly once"
        text = text.replace(old, new)
    return text


def write(folder: Path, text: str, name: str = "trial") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> tuple[Path, list[Problem]]:
    path = write(tmp_path / "pilots", text)
    return path, validate_paths([path], surveys_dir=SURVEYS)


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


# --- a valid pilot --------------------------------------------------------------


def test_a_valid_minimal_pilot_loads(tmp_path: Path) -> None:
    path = write(tmp_path / "pilots", VALID)
    assert validate_paths([path], surveys_dir=SURVEYS) == []
    pilot = load_pilot(path)
    assert pilot.id == "trial" and pilot.title.get("en") == "Trial"
    assert (
        pilot.hypothesis.get("en") == "Les testeurs consomment moins."
    )  # French only: shown as is
    assert pilot.periods.intervention.days == 56
    assert pilot.has_control and pilot.assignment == "random"
    assert pilot.design_of(pilot.metric("kwh_per_day")) == "did"
    assert isinstance(pilot.decision.criteria[0], MetricCriterion)
    assert isinstance(pilot.decision.criteria[1], SurveyCriterion)
    assert pilot.decision.criteria[1].wave == "after"


def test_find_pilot_loads_the_pilot_named_by_its_id(tmp_path: Path) -> None:
    write(tmp_path / "pilots", VALID)
    assert find_pilot("trial", tmp_path / "pilots", SURVEYS).id == "trial"


def test_find_pilot_lists_the_known_pilots_when_the_id_is_unknown(tmp_path: Path) -> None:
    write(tmp_path / "pilots", VALID)
    with pytest.raises(NotFoundError, match=r"No pilot 'trail'.*known pilots: trial; did you mean"):
        find_pilot("trail", tmp_path / "pilots", SURVEYS)


def test_find_pilot_refuses_a_pilot_whose_instrument_is_missing(tmp_path: Path) -> None:
    write(tmp_path / "pilots", VALID)
    with pytest.raises(SpecError) as caught:
        find_pilot("trial", tmp_path / "pilots", tmp_path / "no_surveys")
    lines = {(p.line, p.field) for p in caught.value.problems}
    assert lines == {(26, "surveys[0].instrument"), (33, "decision.criteria[1].survey")}


# --- one problem, its line and field -------------------------------------------------


def test_an_unknown_key_lists_the_allowed_keys_and_the_nearest_one(tmp_path: Path) -> None:
    path, problems = problems_of(tmp_path, edit(VALID, ("    aggregate:", "    agregate:")))
    assert f"{path}:21: metrics[0].agregate: unknown key 'agregate' (expected one of: id, " in (
        str(problems[1])
    )
    assert str(problems[1]).endswith("; did you mean 'aggregate'?)")
    # ... and the key it stands for is missing, reported at the metric's line.
    assert str(problems[0]) == f"{path}:18: metrics[0].aggregate: this required key is missing"


def test_a_value_outside_the_options_lists_them(tmp_path: Path) -> None:
    path, problems = problems_of(
        tmp_path, edit(VALID, ("aggregate: rate_per_day", "aggregate: avg"))
    )
    assert str(only(problems)) == (
        f"{path}:21: metrics[0].aggregate: 'avg' is not allowed "
        "(expected one of: mean, sum, count, rate_per_day, share)"
    )


def test_a_wrong_type_says_what_was_expected_and_what_was_got(tmp_path: Path) -> None:
    path, problems = problems_of(tmp_path, edit(VALID, ("threshold: 68", "threshold: high")))
    assert str(only(problems)) == (
        f"{path}:35: decision.criteria[1].threshold: expected a number. Got 'high' instead."
    )


def test_a_yaml_syntax_error_gives_the_line_of_the_mark(tmp_path: Path) -> None:
    path, problems = problems_of(tmp_path, edit(VALID, ("unit: kWh/day", "unit: kWh: day")))
    problem = only(problems)
    assert (problem.file, problem.line) == (str(path), 20)
    assert problem.message.startswith("invalid YAML: mapping values are not allowed here")


def test_a_key_given_twice_is_a_yaml_error_at_the_second(tmp_path: Path) -> None:
    path, problems = problems_of(
        tmp_path, edit(VALID, ("domain: energy\n", "domain: energy\nid: x\n"))
    )
    problem = only(problems)
    assert (problem.line, problem.field) == (4, "id")
    assert "appears twice" in problem.message


def test_a_criterion_naming_a_missing_metric_points_at_it(tmp_path: Path) -> None:
    path, problems = problems_of(tmp_path, edit(VALID, ("- metric: kwh_per_day", "- metric: kwh")))
    assert str(only(problems)) == (
        f"{path}:31: decision.criteria[0].metric: 'kwh' is not a metric of this pilot "
        "(expected kwh_per_day)"
    )


def test_a_survey_plan_naming_a_missing_cohort_points_at_it(tmp_path: Path) -> None:
    path, problems = problems_of(
        tmp_path, edit(VALID, ("cohorts: [testers]", "cohorts: [testerz]"))
    )
    assert str(only(problems)) == (
        f"{path}:28: surveys[0].cohorts[0]: 'testerz' is not a cohort of this pilot "
        "(expected one of: testers, comparison; did you mean 'testers'?)"
    )


def test_a_period_that_ends_before_it_starts_points_at_its_end(tmp_path: Path) -> None:
    path, problems = problems_of(tmp_path, edit(VALID, ("end: 2025-03-30", "end: 2025-01-30")))
    # The intervention ends before it starts; it still starts after the baseline.
    assert str(only(problems)) == (
        f"{path}:9: periods.intervention.end: the period ends on 2025-01-30, before it starts "
        "on 2025-02-03 (expected end >= start)"
    )


def test_overlapping_periods_point_at_the_intervention_start(tmp_path: Path) -> None:
    path, problems = problems_of(tmp_path, edit(VALID, ("start: 2025-02-03", "start: 2025-02-01")))
    problem = only(problems)
    assert (problem.line, problem.field) == (8, "periods.intervention.start")
    assert "before the baseline ends on 2025-02-02" in problem.message


def test_a_date_that_does_not_exist_is_refused_at_its_line(tmp_path: Path) -> None:
    path, problems = problems_of(tmp_path, edit(VALID, ("end: 2025-03-30", "end: 2025-02-30")))
    assert str(only(problems)) == (
        f"{path}:9: periods.intervention.end: '2025-02-30' is not a real date "
        "(expected an ISO date YYYY-MM-DD, e.g. 2025-03-31)"
    )


def test_a_date_written_otherwise_is_refused(tmp_path: Path) -> None:
    _, problems = problems_of(tmp_path, edit(VALID, ("start: 2025-02-03", "start: 03/02/2025")))
    assert "'03/02/2025' is not a real date" in only(problems).message


def test_a_duplicate_metric_id_points_at_the_second(tmp_path: Path) -> None:
    second = """\
  - id: kwh_per_day
    label: kWh
    unit: kWh
    aggregate: sum
    better: lower
    min_effect: {absolute: 1}
    role: secondary
surveys:
"""
    path, problems = problems_of(tmp_path, edit(VALID, ("surveys:\n", second)))
    assert str(only(problems)) == (
        f"{path}:25: metrics[1].id: 'kwh_per_day' is already used by metrics[0] "
        "(expected unique ids)"
    )


def test_a_pilot_without_a_test_cohort_is_refused_at_its_cohorts(tmp_path: Path) -> None:
    path, problems = problems_of(tmp_path, edit(VALID, ("role: test", "role: control")))
    assert str(only(problems)) == (
        f"{path}:10: cohorts: no cohort has role 'test' (expected at least one test cohort: "
        "the people who get the new service)"
    )


def test_a_survey_naming_a_missing_instrument_points_at_it(tmp_path: Path) -> None:
    path, problems = problems_of(
        tmp_path,
        edit(VALID, ("instrument: sus", "instrument: suss"), ("survey: sus", "survey: suss")),
    )
    assert [str(p) for p in problems] == [
        f"{path}:26: surveys[0].instrument: 'suss' is not an instrument of {SURVEYS}/ "
        "(expected one of: nps, sus, trust, umux_lite; did you mean 'sus'?)",
        f"{path}:33: decision.criteria[1].survey: 'suss' is not an instrument of {SURVEYS}/ "
        "(expected one of: nps, sus, trust, umux_lite; did you mean 'sus'?)",
    ]


def test_a_criterion_naming_an_unplanned_survey_points_at_it(tmp_path: Path) -> None:
    _, problems = problems_of(tmp_path, edit(VALID, ("survey: sus", "survey: nps")))
    problem = only(problems)
    assert (problem.line, problem.field) == (33, "decision.criteria[1].survey")
    assert problem.message == "'nps' is not one of the pilot's planned surveys (expected sus)"


def test_a_guardrail_without_a_margin_is_refused_at_the_criterion(tmp_path: Path) -> None:
    _, problems = problems_of(tmp_path, edit(VALID, ("must: improve", "must: not_worsen")))
    problem = only(problems)
    assert (problem.line, problem.field) == (31, "decision.criteria[0].margin")
    assert "needs a 'margin'" in problem.message


def test_a_pilot_file_named_differently_from_its_id_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "pilots", VALID, name="energy")
    problem = only(validate_paths([tmp_path / "pilots"], surveys_dir=SURVEYS))
    assert str(problem) == (
        f"{path}:1: id: 'trial' differs from the file name energy.yaml "
        "(expected the file to be named trial.yaml, or id: energy)"
    )


def test_the_same_pilot_id_in_two_folders_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "pilots", VALID)
    copy = write(tmp_path / "more" / "pilots", VALID)
    problem = only(validate_paths([tmp_path / "pilots", copy.parent], surveys_dir=SURVEYS))
    assert (problem.file, problem.line, problem.field) == (str(copy), 1, "id")
    assert problem.message.startswith("'trial' is already the id of ")


def test_a_missing_path_and_an_empty_file_are_problems_not_crashes(tmp_path: Path) -> None:
    empty = write(tmp_path / "pilots", "# nothing yet\n", name="empty")
    problems = validate_paths([tmp_path / "nowhere.yaml", empty], surveys_dir=SURVEYS)
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'nowhere.yaml'}: no such file or folder",
        f"{empty}:1: expected a mapping of keys at the top of the file (id: ..., title: ...). "
        "Got an empty file instead.",
    ]


# --- every problem at once ------------------------------------------------------------


def test_a_file_with_three_problems_reports_all_three(tmp_path: Path) -> None:
    text = edit(
        VALID,
        ("    role: test\n", "    role: test\n    colour: blue\n"),
        ("- metric: kwh_per_day", "- metric: kwh"),
        ("threshold: 68", "threshold: high"),
    )
    path, problems = problems_of(tmp_path, text)
    assert [(p.line, p.field) for p in problems] == [
        (13, "cohorts[0].colour"),
        (32, "decision.criteria[0].metric"),
        (36, "decision.criteria[1].threshold"),
    ]
    with pytest.raises(SpecError) as caught:
        load_pilot(path)
    assert caught.value.problems == tuple(problems)
    assert str(caught.value).splitlines() == [f"3 problems in {path}:", *map(str, problems)]


def test_a_misspelt_key_is_reported_as_unknown_and_as_missing(tmp_path: Path) -> None:
    _, problems = problems_of(
        tmp_path,
        edit(
            VALID, ("    assignment: random\n  - id: comp", "    asignment: random\n  - id: comp")
        ),
    )
    assert [(p.line, p.field) for p in problems] == [
        (11, "cohorts[0].assignment"),  # missing: reported at the cohort's first line
        (13, "cohorts[0].asignment"),
    ]


def test_problems_of_every_file_are_collected(tmp_path: Path) -> None:
    write(tmp_path / "pilots", edit(VALID, ("threshold: 68", "threshold: high")))
    write(
        tmp_path / "pilots",
        edit(VALID, ("id: trial", "id: other"), ("role: test", "role: tst")),
        "other",
    )
    problems = validate_paths([tmp_path / "pilots"], surveys_dir=SURVEYS)
    assert [(Path(p.file).name, p.line) for p in problems] == [
        ("other.yaml", 12),
        ("trial.yaml", 35),
    ]


def test_the_models_report_every_location_when_built_from_python() -> None:
    with pytest.raises(ValidationError) as caught:
        Pilot.model_validate(
            {
                "id": "p",
                "title": "P",
                "domain": "d",
                "hypothesis": "H",
                "periods": {
                    "baseline": {"start": "2025-01-01", "end": "2025-01-31"},
                    "intervention": {"start": "2025-01-15", "end": "2025-03-01"},
                },
                "cohorts": [{"id": "t", "role": "test", "assignment": "volunteer"}],
                "metrics": [],
                "decision": {"criteria": [{"metric": "m", "must": "improve"}]},
            }
        )
    locations = {error["loc"] for error in caught.value.errors()}
    assert locations == {
        ("metrics",),
        ("periods", "intervention", "start"),
        ("decision", "criteria", 0, "metric"),
    }


# --- the demo pilots and the import cost ---------------------------------------------


def test_the_demo_pilots_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    demo = {p.stem for p in (ROOT / "pilots").glob("*.yaml")}
    assert demo == {"energy_feedback", "shared_mobility", "senior_procedures"}
    monkeypatch.chdir(ROOT)
    assert validate_paths([Path("pilots")], surveys_dir=Path("surveys")) == []
    assert validate_paths([Path("pilots"), Path("surveys")], surveys_dir=Path("surveys")) == []


def test_the_loader_imports_no_heavy_library() -> None:
    heavy = ["scipy", "pandas", "numpy", "sqlalchemy", "streamlit", "altair", "pingouin"]
    code = f"import sys, livinglab.spec.loader; print([m for m in {heavy!r} if m in sys.modules])"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "[]"


def test_a_file_read_again_is_the_same_and_an_edit_of_the_same_size_is_seen(
    tmp_path: Path,
) -> None:
    # Parsed files are kept by their text: a second read gives an equal pilot that a
    # caller may change freely, and an edit is seen even when the size and the
    # modification time do not change
    path = tmp_path / "trial.yaml"
    path.write_text(VALID, encoding="utf-8")
    stamp = path.stat().st_mtime_ns
    first = load_pilot(path)
    again = load_pilot(path)
    assert again == first and again is not first
    path.write_text(VALID.replace("Essai", "Essi2"), encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))
    assert load_pilot(path).title.fr == "Essi2"
    path.write_text(VALID.replace("aggregate: rate_per_day", "aggregate: avg"), encoding="utf-8")
    for _ in range(2):  # the problems too are the file's, each time
        with pytest.raises(SpecError) as caught:
            load_pilot(path)
        assert str(only(caught.value.problems)) == (
            f"{path}:21: metrics[0].aggregate: 'avg' is not allowed "
            "(expected one of: mean, sum, count, rate_per_day, share)")

"""``livinglab power`` as a user runs it (a real process): power and alpha have defaults,
a baseline proportion turns a difference of proportions into Cohen's h, and the command
gives the same n as the planning service and the pilot route (the evaluation's sizing)."""

from __future__ import annotations

import json

import pytest
from test_cli import run, workspace  # noqa: F401  (the fixture)

from livinglab.stats.power import additional_participants_needed


def solved(args: list[str], workspace: tuple) -> dict:  # noqa: F811
    env, cwd = workspace
    done = run(["power", *args, "--json"], env, cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_power_defaults_to_80_percent_and_an_sd_standardises_the_effect(workspace):  # noqa: F811
    # The issue's failing call: no --power. d = 0.5 / 2 = 0.25.
    # R: pwr.t.test(d = 0.25, power = 0.8, sig.level = 0.05, type = "two.sample")
    # -> n = 252.1275 (R is not installed here: value from pingouin.power_ttest(d=0.25,
    # power=0.8), which agrees with pwr to 1e-10 on the reference cases of tests/stats).
    result = solved(["--design", "two_sample", "--effect", "0.5", "--sd", "2"], workspace)
    assert result["power"] == 0.8 and result["alpha"] == 0.05
    assert result["n_ceiling"] == 253
    assert result["n"] == pytest.approx(252.1275, abs=1e-3)
    assert result["effect_units"] == pytest.approx(0.5)


def test_a_baseline_proportion_makes_the_effect_a_difference_of_proportions(workspace):  # noqa: F811
    # R: h <- ES.h(0.30, 0.20); pwr.2p.test(h = h, power = 0.8, sig.level = 0.05)
    # -> n = 291.6887 (tests/stats/reference/reference.json, power_two_proportions)
    result = solved(
        ["--design", "two_proportions", "--effect", "0.1", "--baseline", "0.2"], workspace
    )
    assert result["effect_name"] == "cohen_h"
    assert result["effect"] == pytest.approx(0.2319842627257963, abs=1e-12)
    assert result["n"] == pytest.approx(291.6886683421178, abs=1e-6)
    assert result["n_ceiling"] == 292


def test_the_issue_case_agrees_with_the_pilot_route(workspace):  # noqa: F811
    # 0.6 -> 0.7, the issue's example: the CLI answered 1,570 (0.1 taken as h).
    # R: pwr.2p.test(h = ES.h(0.7, 0.6), power = 0.8) -> n = 355.42 (R not installed:
    # statsmodels NormalIndPower().solve_power(h, power=0.8, alpha=0.05) gives 355.419).
    by_design = solved(
        ["--design", "two_proportions", "--effect", "0.1", "--baseline", "0.6"], workspace
    )
    # senior_procedures.task_success: a share, min_effect 0.10 absolute, better higher.
    by_pilot = solved(
        ["--pilot", "senior_procedures", "--metric", "task_success", "--baseline", "0.6"],
        workspace,
    )
    route = additional_participants_needed(
        design="two_proportions", smallest_effect=0.1, n_test=0, baseline_proportion=0.6
    )
    assert by_design["n_ceiling"] == by_pilot["n_ceiling"] == route.n_needed == 356
    assert by_design["n"] == pytest.approx(355.419, abs=1e-3)


def test_the_detectable_difference_is_given_in_points(workspace):  # noqa: F811
    # 40 per cohort around 0.6 at 80 % power: h solved (pwr.2p.test(n = 40, power = 0.8)
    # -> h = 0.6265; statsmodels NormalIndPower, R not installed), then
    # 0.6 + difference = sin(asin(sqrt(0.6)) + h / 2)^2.
    env, cwd = workspace
    done = run(["power", "--design", "two_proportions", "--n", "40", "--baseline", "0.6"],
               env, cwd)
    assert done.returncode == 0, done.stderr
    assert "points from 0.6" in done.stdout
    result = solved(["--design", "two_proportions", "--n", "40", "--baseline", "0.6"], workspace)
    assert result["effect"] == pytest.approx(0.62645, abs=1e-4)
    assert 0.6 + result["effect_units"] == pytest.approx(0.8682, abs=1e-3)


def test_pilots_lists_the_phase_and_the_latest_reading_not_the_import_time(
    workspace,  # noqa: F811
) -> None:
    from datetime import date

    import pandas as pd

    from livinglab.demo import generate_demo

    env, cwd = workspace
    files = generate_demo(cwd / "data", scale=0.3, pilots_dir=cwd / "pilots",
                          surveys_dir=cwd / "surveys")["senior_procedures"]
    done = run(["import", "senior_procedures", "--participants", str(files.participants),
                "--observations", str(files.observations), "--responses", str(files.responses)],
               env, cwd)
    assert done.returncode == 0, done.stderr
    listed = run(["pilots"], env, cwd)
    assert listed.returncode == 0, listed.stderr
    line = next(row for row in listed.stdout.splitlines() if "senior_procedures" in row)
    latest = pd.to_datetime(pd.read_csv(files.observations)["timestamp"]).max()
    assert "analysis" in line
    assert str(latest.date()) in line and str(date.today()) not in line


def test_validate_notes_a_former_phase_word_with_its_line_and_accepts_it(
    workspace,  # noqa: F811
) -> None:
    env, cwd = workspace
    path = cwd / "pilots" / "senior_procedures.yaml"
    path.write_text(path.read_text().replace("phase: analysis", "phase: evaluating"))
    done = run(["validate", str(path)], env, cwd)
    assert done.returncode == 0, done.stderr
    assert (f"{path}:18: phase: 'evaluating' is deprecated: write 'phase: analysis'"
            in done.stderr)
    assert "Traceback" not in done.stderr and "FutureWarning" not in done.stderr

"""The personal-data commands as the team or the data protection officer runs them: a
real process, real files, a real SQLite store; every command leaves its audit entry
under ``cli:<system user>``."""

from __future__ import annotations

import csv
import getpass
import io

from test_cli import run, workspace  # noqa: F401 - the fixture

from livinglab.settings import DEV_SECRET
from livinglab.store import pseudonymize

PEOPLE = "participant_id,cohort,age_band\nA1,testers,65-74\nA2,testers,75+\nA3,testers,65-74\n"


def test_withdraw_erase_audit_pseudonyms_and_purge(workspace) -> None:  # noqa: F811
    env, cwd = workspace
    spec = cwd / "pilots" / "senior_procedures.yaml"
    # Kept 30 days after the intervention's end (2026-05-24): long past today.
    spec.write_text(spec.read_text().replace("retention_days: 365", "retention_days: 30"))
    people = cwd / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    first = run(["import", "senior_procedures", "--participants", str(people)], env, cwd)
    assert first.returncode == 0, first.stderr

    withdrawn = run(["consent", "withdraw", "senior_procedures", "A1"], env, cwd)
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert f"Consent of pseudonym {pseudonymize('A1', DEV_SECRET)}" in withdrawn.stdout
    evaluated = run(["evaluate", "senior_procedures"], env, cwd)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "1 participant(s) ont retiré leur consentement" in evaluated.stdout

    erased = run(["erase", "senior_procedures", pseudonymize("A2", DEV_SECRET)], env, cwd)
    assert erased.returncode == 0, erased.stderr
    assert "row(s) deleted (participant_attribute 1, participant 1)" in erased.stdout
    again = run(["import", "senior_procedures", "--participants", str(people)], env, cwd)
    assert "1 row(s) of erased participants skipped" in again.stdout
    unknown = run(["erase", "senior_procedures", "Z9"], env, cwd)
    assert unknown.returncode == 1 and "no participant 'Z9'" in unknown.stderr

    table = run(["pseudonyms", "senior_procedures", "--participants", str(people)], env, cwd)
    assert table.returncode == 0
    assert pseudonymize("A3", DEV_SECRET) in table.stdout

    dry = run(["purge", "--dry-run"], env, cwd)
    assert dry.returncode == 0
    assert "senior_procedures: intervention ended 2026-05-24, kept 30 days" in dry.stdout
    assert "would delete" in dry.stdout
    done = run(["purge"], env, cwd)
    assert "deleted" in done.stdout and "participant 2" in done.stdout
    assert "nothing to delete" in run(["purge"], env, cwd).stdout

    log = cwd / "audit.csv"
    assert run(["audit", "--output", str(log)], env, cwd).returncode == 0
    rows = list(csv.DictReader(io.StringIO(log.read_text(encoding="utf-8"))))
    who = f"cli:{getpass.getuser()}"
    assert [(r["action"], r["actor"]) for r in rows] == [
        ("purge", who),
        ("export", who),  # the pseudonym table
        ("import", who),
        ("erase", who),
        ("consent_withdrawn", who),
        ("import", who),
    ]
    assert "A1" not in log.read_text() and "A2" not in log.read_text()

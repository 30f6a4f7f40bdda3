"""The command line as a user runs it: a real process, real files, a real SQLite store."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "livinglab", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=300,
    )


@pytest.fixture()
def workspace(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A copy of the demo pilots and instruments and an empty SQLite store."""
    shutil.copytree(REPO / "pilots", tmp_path / "pilots")
    shutil.copytree(REPO / "surveys", tmp_path / "surveys")
    env = {
        **os.environ,
        "LIVINGLAB_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "LIVINGLAB_PILOTS_DIR": str(tmp_path / "pilots"),
        "LIVINGLAB_SURVEYS_DIR": str(tmp_path / "surveys"),
        "PYTHONPATH": str(REPO),
    }
    env.pop("LIVINGLAB_DEBUG", None)
    return env, tmp_path


def test_validate_passes_on_the_demo_pilots(workspace):
    env, cwd = workspace
    done = run(["validate"], env, cwd)
    assert done.returncode == 0, done.stderr
    assert "7 file(s) valid" in done.stdout


def test_validate_names_file_and_line_of_each_problem_and_fails(workspace):
    env, cwd = workspace
    pilot = cwd / "pilots" / "energy_feedback.yaml"
    lines = pilot.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "aggregate: mean" in line)
    lines[number - 1] = lines[number - 1].replace("aggregate: mean", "agregate: mean")
    pilot.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run(["validate", str(pilot)], env, cwd)
    assert done.returncode == 1
    assert f"energy_feedback.yaml:{number}:" in done.stderr
    assert "agregate" in done.stderr and "did you mean 'aggregate'" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_pilot_is_a_message_not_a_traceback(workspace):
    env, cwd = workspace
    done = run(["evaluate", "energy_feedbak"], env, cwd)
    assert done.returncode == 1
    assert "energy_feedback" in done.stderr  # the suggestion
    assert "Traceback" not in done.stderr


def test_import_with_one_bad_row_lands_nothing_and_names_the_line(workspace):
    env, cwd = workspace
    people = cwd / "people.csv"
    people.write_text(
        "participant_id,cohort,age_band,neighbourhood\n"
        "A1,testers,65-74,Centre-Ville\nA2,testers,75+,La Ferme\n",
        encoding="utf-8",
    )
    readings = cwd / "readings.csv"
    readings.write_text(
        "participant_id,metric,timestamp,value\n"
        "A1,task_success,2026-03-03T10:00:00Z,1\n"
        "A2,task_success,2026-03-03T10:00:00Z,oui\n"
        "A1,task_success,2026-04-14T10:00:00Z,1\n",
        encoding="utf-8",
    )
    done = run(["import", "senior_procedures", "--participants", str(people),
                "--observations", str(readings)], env, cwd)
    assert done.returncode == 1
    assert "readings.csv:3" in done.stderr and "value" in done.stderr
    listing = run(["pilots"], env, cwd)
    assert listing.returncode == 0, listing.stderr
    row = next(line for line in listing.stdout.splitlines() if "senior_procedures" in line)
    assert " 0 " in f" {row} "  # no participant landed


def test_import_takes_the_dialect_options_and_says_how_it_read(workspace):
    env, cwd = workspace
    people = cwd / "foyers.csv"
    people.write_bytes(
        "participant_id;cohort;age_band;neighbourhood\r\n"
        "H0001 ;feedback;65-74;Les Épinettes\r\nH0002;comparison;75+;Centre\r\n".encode("cp1252")
    )
    readings = cwd / "releves.csv"
    readings.write_bytes(
        "participant_id;metric;timestamp;value\r\n"
        "H0001;kwh_per_day;03/02/2026 00:30;11,8\r\n"
        "H0002;kwh_per_day;04/03/2026 00:30;9,5\r\n".encode("cp1252")
    )
    ambiguous = run(["import", "energy_feedback", "--participants", str(people),
                     "--observations", str(readings)], env, cwd)
    assert ambiguous.returncode == 1
    assert "releves.csv:2: timestamp:" in ambiguous.stderr
    assert "--dayfirst or --monthfirst" in ambiguous.stderr

    done = run(["import", "energy_feedback", "--participants", str(people),
                "--observations", str(readings), "--sep", ";", "--decimal", ",",
                "--encoding", "cp1252", "--dayfirst"], env, cwd)
    assert done.returncode == 0, done.stderr
    assert "participants: 2 read, 2 new" in done.stdout
    assert "read as ';', Windows-1252, 1 id(s) trimmed" in done.stdout
    assert "observations: 2 read, 2 new, 0 already stored, read as ';', decimal comma, " \
        "Windows-1252, dd/mm/yyyy" in done.stdout


def test_import_reads_a_folder_of_enedis_load_curves(workspace):
    env, cwd = workspace
    people = cwd / "foyers.csv"
    people.write_text("participant_id,cohort\nH0001,feedback\n", encoding="utf-8")
    folder = cwd / "courbes"
    folder.mkdir()
    (folder / "H0001.csv").write_bytes(
        "Identifiant PRM;Type de données\n01234567890123;Courbe de charge\n"
        "Début;Fin;Valeur (en Kw)\n"
        "02/03/2026 00:00:00;02/03/2026 00:30:00;1,2\n"
        "02/03/2026 00:30:00;02/03/2026 01:00:00;\n"
        "02/03/2026 01:00:00;02/03/2026 01:30:00;oui\n".encode("cp1252")
    )
    args = ["import", "energy_feedback", "--participants", str(people),
            "--observations", str(folder), "--format", "enedis", "--metric", "kwh_per_day"]
    refused = run(args, env, cwd)
    assert refused.returncode == 1
    assert "H0001.csv:6: Valeur: 'oui' is not a power in kW" in refused.stderr

    (folder / "H0001.csv").write_bytes((folder / "H0001.csv").read_bytes().replace(b"oui", b"0,8"))
    done = run(args, env, cwd)
    assert done.returncode == 0, done.stderr
    assert "observations: 2 read, 2 new" in done.stdout
    assert "kW x the interval (30 min) = kWh per interval; 1 interval(s) without a value" in (
        done.stdout
    )


def test_demo_then_evaluate_json_gives_the_contract_and_the_three_verdicts(workspace):
    env, cwd = workspace
    done = run(["demo"], env, cwd)
    assert done.returncode == 0, done.stderr
    verdicts = {}
    for pilot_id in ("energy_feedback", "shared_mobility", "senior_procedures"):
        done = run(["evaluate", pilot_id, "--json"], env, cwd)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["pilot"] == pilot_id
        assert result["evidence_level"] in (2, 3, 5)
        for metric in result["metrics"]:
            for key in ("metric", "design", "test", "estimate", "ci_low", "ci_high",
                        "p_value", "effect_size", "n_test", "n_control"):
                assert key in metric
            assert metric["ci_low"] <= metric["estimate"] <= metric["ci_high"]
        for survey in result["surveys"]:
            for key in ("instrument", "wave", "score", "ci_low", "ci_high", "n", "cronbach_alpha"):
                assert key in survey
        for criterion in result["criteria"]:
            assert criterion["status"] in ("pass", "fail", "inconclusive")
            assert criterion["reason"]
        verdicts[pilot_id] = result["verdict"]
    assert verdicts == {
        "energy_feedback": "go", "shared_mobility": "no_go", "senior_procedures": "extend",
    }
    table = run(["evaluate", "energy_feedback"], env, cwd)
    assert table.returncode == 0 and "kwh_per_day" in table.stdout and "go" in table.stdout

    dossier = cwd / "energy.html"
    done = run(["report", "energy_feedback", "-o", str(dossier)], env, cwd)
    assert done.returncode == 0, done.stderr
    html = dossier.read_text(encoding="utf-8")
    assert "Généraliser" in html and "<svg" in html
    assert 'src="http' not in html and "<script" not in html  # offline, self-contained


def test_validate_and_import_do_not_load_the_statistics_or_the_app(workspace):
    env, cwd = workspace
    code = (
        "import sys\n"
        "from livinglab.cli import main\n"
        "sys.argv = ['livinglab', 'validate']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pingouin', 'streamlit', 'altair', 'scipy') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr


def test_power_solves_the_sample_size_like_pwr(workspace):
    env, cwd = workspace
    # R: pwr.t.test(d = 0.5, power = 0.8, sig.level = 0.05, type = "two.sample") -> n = 63.77
    done = run(["power", "--design", "two_sample", "--effect", "0.5", "--power", "0.8",
                "--json"], env, cwd)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["n_ceiling"] == 64
    assert abs(result["n"] - 63.77) < 0.01


def test_power_for_a_pilot_metric_uses_its_smallest_worthwhile_effect(workspace):
    env, cwd = workspace
    # energy_feedback: kwh_per_day, min_effect 5 % of the baseline mean, design did.
    done = run(["power", "--pilot", "energy_feedback", "--metric", "kwh_per_day",
                "--baseline", "10", "--sd", "1", "--json"], env, cwd)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["design"] == "did"
    assert abs(result["effect"] - 0.5) < 1e-12  # 5 % of 10 kWh/day over an SD of 1


def test_power_with_nothing_left_to_solve_is_a_clear_error(workspace):
    env, cwd = workspace
    done = run(["power", "--design", "paired", "--effect", "0.5", "--n", "10", "--power", "0.8"],
               env, cwd)
    assert done.returncode == 1
    assert "Exactly one of 'n', 'effect', 'power' must be None" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unreachable_store_is_named_without_its_password(workspace):
    env, cwd = workspace
    env = {**env, "LIVINGLAB_DATABASE_URL": "postgresql+psycopg://city:s3cret@127.0.0.1:1/lab"}
    done = run(["pilots"], env, cwd)
    assert done.returncode == 1
    assert "Cannot open the store at postgresql+psycopg://city:***@127.0.0.1:1/lab" in done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


def test_invite_writes_one_private_link_per_tester_who_has_not_answered(workspace):
    env, cwd = workspace
    people = cwd / "people.csv"
    people.write_text(
        "participant_id,cohort,age_band,neighbourhood\n"
        "A1,testers,65-74,Centre-Ville\nA2,testers,75+,La Ferme\nA3,testers,50-64,La Ferme\n",
        encoding="utf-8",
    )
    done = run(["import", "senior_procedures", "--participants", str(people)], env, cwd)
    assert done.returncode == 0, done.stderr
    links = cwd / "links.csv"
    done = run(["invite", "senior_procedures", "--instrument", "sus", "--wave", "after",
                "--base-url", "https://lab.example.org/", "-o", str(links)], env, cwd)
    assert done.returncode == 0, done.stderr
    rows = links.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "participant_id,cohort,link" and len(rows) == 4
    tokens = {row.split("invitation=")[1] for row in rows[1:]}
    assert len(tokens) == 3 and all(len(t) >= 32 for t in tokens)
    assert all(",https://lab.example.org/?invitation=" in row for row in rows[1:])
    ids = {row.split(",")[0] for row in rows[1:]}
    assert not ids & {"A1", "A2", "A3"} and all(len(i) == 20 for i in ids)  # pseudonyms only
    wrong = run(["invite", "senior_procedures", "--instrument", "sus", "--wave", "baseline",
                 "-o", str(links)], env, cwd)
    assert wrong.returncode == 1 and "plans no 'baseline' wave of 'sus'" in wrong.stderr


def run_input(args: list[str], env: dict[str, str], cwd: Path, text: str):
    return subprocess.run(
        [sys.executable, "-m", "livinglab", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=300, input=text,
    )


def test_user_add_list_set_role_remove(workspace):
    env, cwd = workspace
    added = run_input(
        ["user", "add", "Marie.Dupont", "--role", "decision", "--password-stdin"],
        env, cwd, "a long enough passphrase\n",
    )
    assert added.returncode == 0, added.stderr
    assert "Account 'marie.dupont' created with the role decision." in added.stdout
    listed = run(["user", "list"], env, cwd)
    assert listed.stdout.splitlines() == ["marie.dupont\tdecision\tactive\tlast sign-in: never"]
    assert "argon2" not in listed.stdout and "passphrase" not in listed.stdout
    assert run(["user", "set-role", "marie.dupont", "team"], env, cwd).returncode == 0
    assert "\tteam\t" in run(["user", "list"], env, cwd).stdout
    assert run(["user", "remove", "marie.dupont"], env, cwd).returncode == 0
    assert run(["user", "list"], env, cwd).stdout.strip() == "No account."


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["user", "add", "amina", "--role", "citizen"], "a long enough passphrase",
         "a citizen has no account"),
        (["user", "add", "amina", "--role", "team"], "short", "at least 12 characters"),
        (["user", "remove", "nobody"], "", "No account 'nobody'"),
        (["user", "set-role", "nobody", "team"], "", "No account 'nobody'"),
    ],
)
def test_user_mistakes_are_messages(workspace, args, password, message):
    env, cwd = workspace
    done = run_input([*args, "--password-stdin"] if "add" in args else args, env, cwd,
                     password + "\n")
    assert done.returncode == 1
    assert message in done.stderr and "Traceback" not in done.stderr


def production(env: dict[str, str], key: str | None = None) -> dict[str, str]:
    env = {**env, "LIVINGLAB_ENVIRONMENT": "production"}
    env.pop("LIVINGLAB_SECRET_KEY", None)
    return env if key is None else {**env, "LIVINGLAB_SECRET_KEY": key}


def test_production_refuses_to_import_without_a_strong_key(workspace):
    env, cwd = workspace
    people = cwd / "people.csv"
    people.write_text("participant_id,cohort,age_band\nA1,testers,65-74\n", encoding="utf-8")
    args = ["import", "senior_procedures", "--participants", str(people)]
    for key, message in [
        (None, "LIVINGLAB_SECRET_KEY is not set"),
        ("dev-only-not-secret", "the public development key"),
        ("short-key", "too weak"),
    ]:
        done = run(args, production(env, key), cwd)
        assert done.returncode == 1, done.stderr
        assert message in done.stderr and "secrets.token_hex(32)" in done.stderr
        assert "Traceback" not in done.stderr
    assert run(args, production(env, secrets.token_hex(32)), cwd).returncode == 0


def test_a_new_key_on_a_filled_store_is_refused(workspace):
    env, cwd = workspace
    people = cwd / "people.csv"
    people.write_text("participant_id,cohort,age_band\nA1,testers,65-74\n", encoding="utf-8")
    args = ["import", "senior_procedures", "--participants", str(people)]
    first, second = secrets.token_hex(32), secrets.token_hex(32)
    assert run(args, production(env, first), cwd).returncode == 0
    done = run(args, production(env, second), cwd)
    assert done.returncode == 1
    assert "made with another key" in done.stderr and "nothing was written" in done.stderr
    assert "LIVINGLAB_PSEUDONYM_KEY_SENIOR_PROCEDURES (or LIVINGLAB_SECRET_KEY)" in done.stderr
    assert first not in done.stderr and second not in done.stderr


def test_demo_and_an_app_with_a_weak_key_are_refused_in_production(workspace):
    env, cwd = workspace
    demo = run(["demo"], production(env), cwd)
    assert demo.returncode == 1 and "LIVINGLAB_ENVIRONMENT=demo" in demo.stderr
    assert not (cwd / "store.db").exists() or "account" not in demo.stdout
    app = run(["app", "--port", "1"], production(env, "weak"), cwd)
    assert app.returncode == 1 and "too weak" in app.stderr and "Traceback" not in app.stderr


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP port listens on (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_the_app_listens_on_this_machine_only_by_default(workspace):
    import socket
    import time

    env, cwd = workspace
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "livinglab", "app", "--port", str(port)],
        env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not listening_addresses(port) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_an_alias_bomb_is_refused_in_seconds_by_every_command(workspace):
    env, cwd = workspace
    bomb, previous = 'id: energy_feedback\na: &a ["x","x","x","x","x","x","x","x","x"]\n', "a"
    for name in "bcdefghi":
        bomb += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    (cwd / "pilots" / "energy_feedback.yaml").write_text(bomb, encoding="utf-8")
    people = cwd / "people.csv"
    people.write_text("participant_id,cohort\nA1,feedback\n", encoding="utf-8")
    for args in (["validate"], ["evaluate", "energy_feedback"],
                 ["import", "energy_feedback", "--participants", str(people)]):
        done = subprocess.run(
            [sys.executable, "-m", "livinglab", *args],
            capture_output=True, text=True, env=env, cwd=cwd, timeout=30,
        )
        assert done.returncode == 1, (args, done.stderr)
        assert "energy_feedback.yaml:3: the alias *a repeats another part" in done.stderr
        assert "Traceback" not in done.stderr and "Internal error" not in done.stderr


def test_user_grant_and_revoke_a_person_of_the_identity_provider(workspace):
    env, cwd = workspace
    issuer = "https://sso.ville.example/realms/agents"
    done = run(["user", "grant", issuer, "f3c2-91ab", "--role", "team", "--label", "Léa"],
               env, cwd)
    assert done.returncode == 0, done.stderr
    listed = run(["user", "list"], env, cwd).stdout.splitlines()
    assert listed == [f"f3c2-91ab\tteam\tidentity provider {issuer}\tLéa"]
    assert run(["user", "revoke", issuer, "f3c2-91ab"], env, cwd).returncode == 0
    assert run(["user", "list"], env, cwd).stdout.strip() == "No account."
    wrong = run(["user", "grant", issuer, "x", "--role", "citizen"], env, cwd)
    assert wrong.returncode == 1 and "a citizen has no account" in wrong.stderr

"""Erasure, withdrawal, purge, per-pilot keys and the audit log through the use cases the
CLI and the app call, on SQLite and PostgreSQL."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_factories import MORE_OBSERVATIONS, OBSERVATIONS, PARTICIPANTS, RESPONSES

from livinglab import services
from livinglab.errors import NotFoundError
from livinglab.services import audit, privacy
from livinglab.settings import DEV_SECRET
from livinglab.store import pseudonymize
from livinglab.store.accounts import SignInError

CLI = f"cli:{getpass.getuser()}"


def files(folder: Path) -> dict[str, Path]:
    written = {}
    for name, text in (
        ("participants", PARTICIPANTS),
        ("observations", OBSERVATIONS + MORE_OBSERVATIONS),
        ("responses", RESPONSES),
    ):
        written[name] = folder / f"{name}.csv"
        written[name].write_text(text, encoding="utf-8")
    return written


def imported(folder: Path, actor: str | None = None) -> dict[str, Path]:
    given = files(folder)
    services.import_data("energy", **given, actor=actor)
    return given


def count(table: str) -> int:
    with services.engine().connect() as connection:
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_every_action_leaves_one_audit_entry_naming_who_did_it(store: Path) -> None:
    services.add_account("agent.dupont", "un mot de passe assez long", "team")
    services.sign_in("agent.dupont", "un mot de passe assez long")
    with pytest.raises(SignInError):
        services.sign_in("agent.dupont", "wrong password here")
    imported(store, actor="agent.dupont")
    privacy.withdraw_consent("energy", "h2", actor="agent.dupont")
    privacy.erase("energy", "h1", actor="agent.dupont")
    audit.record_export("agent.dupont", "energy", "dossier html (fr)")
    services.set_account_role("agent.dupont", "decision", actor="admin")
    privacy.purge(today=date(2030, 1, 1))
    entries = audit.audit_log()
    assert list(zip(entries["actor"], entries["action"], entries["pilot"], strict=True)) == [
        (CLI, "purge", "energy"),
        ("admin", "account_change", None),
        ("agent.dupont", "export", "energy"),
        ("agent.dupont", "erase", "energy"),
        ("agent.dupont", "consent_withdrawn", "energy"),
        ("agent.dupont", "import", "energy"),
        ("agent.dupont", "sign_in_failed", None),
        ("agent.dupont", "sign_in", None),
        (CLI, "account_change", None),
    ]
    details = dict(zip(entries["action"], entries["detail"], strict=True))
    assert "participants participants.csv: 4 read, 4 new" in details["import"]
    assert pseudonymize("h1", DEV_SECRET) in details["erase"]
    assert "h1" not in details["erase"].split()  # never the raw id
    assert "wrong password here" not in audit.audit_csv()
    csv_lines = audit.audit_csv(action="erase").splitlines()
    assert csv_lines[0] == "at,actor,action,pilot,detail" and len(csv_lines) == 2


def test_an_import_refused_leaves_no_audit_entry(store: Path) -> None:
    bad = store / "bad.csv"
    bad.write_text("participant_id,cohort\nh1,nobody\n", encoding="utf-8")
    with pytest.raises(Exception, match="unknown cohort"):
        services.import_data("energy", participants=bad, actor="agent.dupont")
    assert audit.audit_log().empty


def test_erase_names_the_person_by_raw_id_or_pseudonym_and_only_once(store: Path) -> None:
    imported(store)
    by_pseudonym = privacy.erase("energy", pseudonymize("h2", DEV_SECRET))
    # an answer, 7 readings and their 7 daily roll-ups, 2 attributes, the participant
    assert by_pseudonym.deleted["participant"] == 1 and by_pseudonym.total == 1 + 7 + 7 + 2 + 1
    done = privacy.erase("energy", "h1")
    assert done.pseudonym == pseudonymize("h1", DEV_SECRET)
    assert done.deleted["observation"] == 12
    with pytest.raises(NotFoundError, match="erased already"):
        privacy.erase("energy", "h1")
    with pytest.raises(NotFoundError, match="no participant 'h9'"):
        privacy.erase("energy", "h9")
    # A re-import of the old files brings nobody back, and says so.
    report = services.import_data("energy", **files(store))
    assert report.participants is not None and report.participants.skipped_erased == 2
    assert count("participant") == 2


def test_withdrawal_is_counted_in_the_evaluation_and_its_json(store: Path) -> None:
    imported(store)
    before = services.evaluate_pilot("energy")
    assert before.n_withdrawn == 0
    done = privacy.withdraw_consent("energy", "h1")
    assert done.withdrawn and done.pseudonym == pseudonymize("h1", DEV_SECRET)
    again = privacy.withdraw_consent("energy", pseudonymize("h1", DEV_SECRET))
    assert not again.withdrawn  # withdrawing twice changes nothing
    after = services.evaluate_pilot("energy")
    assert after.to_dict()["n_withdrawn"] == 1
    kwh = {m.metric: m for m in after.metrics}["kwh"]
    assert kwh.n_test == 0  # h1 was the only tester with kWh readings in both periods
    assert after.data_version > before.data_version  # cached reports are recomputed
    assert count("observation") == 23  # withdrawn, still stored until erased


def test_purge_deletes_only_past_their_retention_and_a_dry_run_nothing(store: Path) -> None:
    imported(store)
    # The intervention ended 2024-02-29; kept 30 days: purged from 2024-03-31.
    assert privacy.purge(today=date(2024, 3, 30)) == []
    planned = privacy.purge(dry_run=True, today=date(2024, 3, 31))
    assert [(p.pilot_id, p.purge_from) for p in planned] == [("energy", date(2024, 3, 31))]
    assert planned[0].deleted["observation"] == 23 and count("observation") == 23
    assert audit.audit_log(action="purge").empty
    done = privacy.purge(today=date(2024, 3, 31))
    assert done[0].deleted == planned[0].deleted
    for table in ("observation", "participant", "survey_response", "pilot", "import_batch"):
        assert count(table) == 0, table
    assert len(audit.audit_log(action="purge")) == 1


def test_each_pilot_may_have_its_own_key_and_the_team_can_map_back(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "9f2c4e8a1b7d3f6e0a5c9b2d8e4f1a7c3b6d0e9f2a5c8b1d4e7f0a3c6b9d2e5f8a"
    secrets = store / "secrets"
    secrets.mkdir()
    (secrets / "energy").write_text(key + "\n", encoding="utf-8")
    monkeypatch.setenv("LIVINGLAB_PSEUDONYM_KEYS_DIR", str(secrets))
    from livinglab.settings import get_settings

    get_settings.cache_clear()
    given = imported(store)
    with services.engine().connect() as connection:
        stored = set(
            connection.execute(sa.text("SELECT participant_id FROM participant")).scalars()
        )
        fingerprints = dict(
            connection.execute(sa.text("SELECT name, value FROM store_setting")).all()
        )
    assert stored == {pseudonymize(f"h{i}", key) for i in range(1, 5)}
    assert key not in str(fingerprints) and list(fingerprints) == [
        "pseudonym_key_fingerprint:energy"
    ]
    table = privacy.pseudonym_table("energy", given["participants"])
    assert list(table["participant_id"]) == ["h1", "h2", "h3", "h4"]
    assert list(table["pseudonym"]) == [pseudonymize(f"h{i}", key) for i in range(1, 5)]
    assert table["stored"].all() and not table["erased"].any()
    # The environment variable wins over the secrets folder.
    monkeypatch.setenv("LIVINGLAB_PSEUDONYM_KEY_ENERGY", "another key of 32 bytes or more, really")
    get_settings.cache_clear()
    assert get_settings().pilot_pseudonym_key("energy").startswith("another key")
    assert get_settings().pilot_pseudonym_key("other") == DEV_SECRET  # the store-wide key

"""The use cases against a real store (SQLite and PostgreSQL: the ``engine`` fixture),
with a small pilot written as YAML the way a team writes one."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))

from store_factories import INSTRUMENT, PILOT  # noqa: E402

from livinglab import services  # noqa: E402
from livinglab.settings import get_settings  # noqa: E402

PRIVACY = {
    "controller": "Ville d'Issy-les-Moulineaux",
    "purpose": {"fr": "Mesurer la consommation.", "en": "Measure consumption."},
    "legal_basis": "consent",
    "retention_days": 30,
    "dpo_contact": "dpo@ville.example",
    "contact": "livinglab@ville.example",
}


@pytest.fixture
def store(engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """livinglab pointed at the test's store, with the pilot ``energy`` (intervention
    ending 2024-02-29, kept 30 days) and its instrument; returns the folder of files."""
    pilots, surveys = tmp_path / "pilots", tmp_path / "surveys"
    pilots.mkdir()
    surveys.mkdir()
    # JSON is YAML (and writes every value out: pilot files allow no alias).
    (pilots / "energy.yaml").write_text(json.dumps({**PILOT, "privacy": PRIVACY}, indent=1))
    (surveys / "satisfaction.yaml").write_text(json.dumps(INSTRUMENT, indent=1))
    monkeypatch.setenv("LIVINGLAB_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LIVINGLAB_PILOTS_DIR", str(pilots))
    monkeypatch.setenv("LIVINGLAB_SURVEYS_DIR", str(surveys))
    get_settings.cache_clear()
    services._engine_for.cache_clear()
    yield tmp_path
    services._engine_for.cache_clear()
    get_settings.cache_clear()

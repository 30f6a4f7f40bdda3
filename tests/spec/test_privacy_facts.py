"""A pilot's privacy facts are checked like any other field (FILE:LINE: field: message)
and reach the loaded pilot, which the consent request and the README's Privacy section use."""

from __future__ import annotations

from pathlib import Path

from livinglab.spec.loader import load_pilot, validate_paths

REPO = Path(__file__).resolve().parents[2]


def _copy(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    text = (REPO / "pilots" / "energy_feedback.yaml").read_text(encoding="utf-8")
    pilot = tmp_path / "pilots" / "energy_feedback.yaml"
    pilot.parent.mkdir()
    assert old in text
    pilot.write_text(text.replace(old, new), encoding="utf-8")
    line = 1 + text.splitlines().index(old)
    return pilot, line


def test_the_demo_pilots_declare_their_privacy_facts():
    for name in ("energy_feedback", "shared_mobility", "senior_procedures"):
        pilot = load_pilot(REPO / "pilots" / f"{name}.yaml")
        assert pilot.privacy is not None
        assert pilot.privacy.controller.startswith("Ville d'Issy-les-Moulineaux")
        assert pilot.privacy.legal_basis == "consent"
        assert pilot.privacy.retention_days == 365
        assert "@" in pilot.privacy.dpo_contact
        assert pilot.privacy.purpose.get("en") != pilot.privacy.purpose.get("fr")


def test_a_retention_of_zero_days_is_named_with_its_line(tmp_path):
    pilot, line = _copy(tmp_path, "  retention_days: 365", "  retention_days: 0")
    problems = [str(p) for p in validate_paths([pilot], surveys_dir=REPO / "surveys")]
    assert len(problems) == 1
    assert problems[0].startswith(f"{pilot}:{line}: privacy.retention_days: ")
    assert "greater than 0" in problems[0]


def test_an_unknown_legal_basis_is_refused(tmp_path):
    pilot, line = _copy(tmp_path, "  legal_basis: consent", "  legal_basis: because")
    problems = [str(p) for p in validate_paths([pilot], surveys_dir=REPO / "surveys")]
    assert len(problems) == 1
    assert problems[0].startswith(f"{pilot}:{line}: privacy.legal_basis: ")
    assert "consent" in problems[0] and "public_task" in problems[0]

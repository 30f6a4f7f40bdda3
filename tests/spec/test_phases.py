"""The pilot lifecycle's phases: the six words, and the two former ones still read with a
deprecation warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from livinglab.spec.loader import SpecDeprecation, load_pilot
from livinglab.spec.models import PHASES

REPO = Path(__file__).resolve().parents[2]


def pilot_with_phase(tmp_path: Path, phase: str) -> Path:
    text = (REPO / "pilots" / "senior_procedures.yaml").read_text(encoding="utf-8")
    target = tmp_path / "senior_procedures.yaml"
    target.write_text(text.replace("phase: analysis", f"phase: {phase}"), encoding="utf-8")
    return target


@pytest.mark.parametrize("phase", PHASES)
def test_every_phase_of_the_lifecycle_is_read(tmp_path: Path, phase: str) -> None:
    assert load_pilot(pilot_with_phase(tmp_path, phase)).phase == phase


@pytest.mark.parametrize(("old", "new"), [("planned", "draft"), ("evaluating", "analysis")])
def test_a_former_phase_word_is_read_with_a_deprecation_warning(
    tmp_path: Path, old: str, new: str
) -> None:
    expected = f"senior_procedures.yaml:18: phase: '{old}' is deprecated: write 'phase: {new}'"
    with pytest.warns(SpecDeprecation, match=expected):
        pilot = load_pilot(pilot_with_phase(tmp_path, old))
    assert pilot.phase == new


def test_an_unknown_phase_is_a_problem_with_its_line(tmp_path: Path) -> None:
    from livinglab.errors import SpecError

    with pytest.raises(SpecError) as caught:
        load_pilot(pilot_with_phase(tmp_path, "finished"))
    assert ":18: phase:" in str(caught.value)
    assert "draft" in str(caught.value)


def test_the_demo_pilots_use_the_new_words() -> None:
    for path in (REPO / "pilots").glob("*.yaml"):
        assert load_pilot(path).phase in PHASES

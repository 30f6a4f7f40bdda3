"""The survey instruments shipped in surveys/ load, and broken ones say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from livinglab.errors import SpecError
from livinglab.spec.loader import load_instrument, load_instruments, validate_paths
from livinglab.spec.models import Instrument

SURVEYS = Path(__file__).resolve().parents[2] / "surveys"


@pytest.fixture(scope="module")
def instruments() -> dict[str, Instrument]:
    return load_instruments(SURVEYS)


def test_the_four_instruments_load_by_id(instruments: dict[str, Instrument]) -> None:
    assert sorted(instruments) == ["nps", "sus", "trust", "umux_lite"]
    assert validate_paths([SURVEYS], surveys_dir=SURVEYS) == []


def test_sus_is_ten_items_on_1_to_5_with_even_items_reversed(
    instruments: dict[str, Instrument],
) -> None:
    sus = instruments["sus"]
    assert (sus.scoring, sus.scale.min, sus.scale.max) == ("sus", 1, 5)
    assert sus.item_ids == [f"q{i}" for i in range(1, 11)]
    assert sus.reversed_items == ["q2", "q4", "q6", "q8", "q10"]
    assert "Gronier" in (sus.reference or "")


def test_nps_is_one_item_on_0_to_10(instruments: dict[str, Instrument]) -> None:
    nps = instruments["nps"]
    assert (nps.scoring, nps.scale.min, nps.scale.max, len(nps.items)) == ("nps", 0, 10, 1)
    assert nps.scale.contains(0) and nps.scale.contains(10) and not nps.scale.contains(11)


def test_umux_lite_is_two_items_on_1_to_7(instruments: dict[str, Instrument]) -> None:
    umux = instruments["umux_lite"]
    assert (umux.scoring, umux.scale.min, umux.scale.max) == ("umux_lite", 1, 7)
    assert umux.item_ids == ["capabilities", "ease"] and umux.reversed_items == []
    assert "Lewis" in (umux.reference or "")


def test_trust_is_a_short_likert_scale_with_one_reversed_item(
    instruments: dict[str, Instrument],
) -> None:
    trust = instruments["trust"]
    assert (trust.scoring, trust.scale.min, trust.scale.max) == ("mean", 1, 5)
    assert 4 <= len(trust.items) <= 5
    assert trust.reversed_items == ["worry"]


def test_every_text_and_label_is_in_french_and_english(
    instruments: dict[str, Instrument],
) -> None:
    for instrument in instruments.values():
        texts = [instrument.title, *(item.text for item in instrument.items)]
        texts += [point.label for point in instrument.scale.labels]
        for text in texts:
            assert text.fr and text.en and text.fr != text.en, (instrument.id, text)
        assert instrument.scale.labels[0].value == instrument.scale.min
        assert instrument.scale.labels[-1].value == instrument.scale.max
        assert instrument.reference


def test_the_scale_labels_speak_plainly(instruments: dict[str, Instrument]) -> None:
    labels = instruments["sus"].scale.labels
    assert labels[0].label.get("fr") == "Pas du tout d'accord"
    assert labels[0].label.get("en") == "Strongly disagree"


def _broken_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (SURVEYS / f"{name}.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "surveys" / f"{name}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if fragment in line)


def test_a_sus_with_an_odd_item_reversed_is_refused_at_that_item(tmp_path: Path) -> None:
    path = _broken_copy(
        tmp_path, "sus", "  - id: q3\n    text:", "  - id: q3\n    reversed: true\n    text:"
    )
    with pytest.raises(SpecError) as caught:
        load_instrument(path)
    (problem,) = caught.value.problems
    assert problem.line == _line_of(path, "id: q3") + 1
    assert problem.field == "items[2].reversed"
    assert "(expected reversed: false)" in problem.message


def test_a_scale_label_outside_the_scale_is_refused_at_its_value(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, "trust", "{value: 5, label:", "{value: 6, label:")
    (problem,) = validate_paths([path], surveys_dir=path.parent)
    assert str(problem) == (
        f"{path}:{_line_of(path, 'value: 6')}: scale.labels[4].value: 6 is outside the scale "
        "(expected 1..5)"
    )


def test_an_instrument_file_named_differently_from_its_id_is_refused(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, "nps", "id: nps\n", "id: net_promoter\n")
    (problem,) = validate_paths([path], surveys_dir=path.parent)
    assert (problem.line, problem.field) == (_line_of(path, "id: net_promoter"), "id")
    assert "expected the file to be named net_promoter.yaml" in problem.message

"""Hostile pilot files get a FILE:LINE message at once, never a hang or a traceback:
an alias bomb, deep nesting, object tags, numbers of hundreds of digits, a date in year
9999, a hundred attributes, a NUL in a text. And, by property: whatever a file holds,
validation lists problems or passes, and never raises anything else."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livinglab.errors import SpecError
from livinglab.spec.loader import load_pilot, validate_paths

ROOT = Path(__file__).resolve().parents[2]
DEMO = (ROOT / "pilots" / "energy_feedback.yaml").read_text(encoding="utf-8")
SURVEYS = ROOT / "surveys"


def alias_bomb() -> str:
    text, previous = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n', "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    return text


def problems_of(tmp_path: Path, text: str) -> str:
    path = tmp_path / "energy_feedback.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(SpecError) as refused:
        load_pilot(path)
    assert time.perf_counter() - started < 5, "a hostile file must be refused at once"
    return str(refused.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (alias_bomb(), "energy_feedback.yaml:2: the alias *a repeats another part of the file"),
        ("id: x\ntitle: " + "[" * 300 + "]" * 300 + "\n",
         "energy_feedback.yaml:2: the file is nested more than 20 levels deep"),
        (DEMO.replace("hypothesis:\n", "hypothesis: !!omap\n", 1),
         "energy_feedback.yaml:11: the tag !!omap is not allowed"),
        (DEMO.replace("domain: energy", "domain: !!python/object:os.system ls", 1),
         "energy_feedback.yaml:10: the tag !!python/object:os.system is not allowed"),
        (DEMO.replace("size: 30000", "size: " + "9" * 400, 1),
         "population.size: a number of 400 digits is too large (expected at most 15 digits)"),
        (DEMO.replace("alpha: 0.05", "alpha: 1e400", 1), "decision.alpha: inf is not a finite"),
        (DEMO.replace("end: 2026-06-28", "end: 9999-12-31", 1),
         "periods.intervention.end: 9999-12-31 is not a date a pilot can have "
         "(expected a year from 1990 to 2100)"),
        (DEMO.replace("attributes: [age_band, neighbourhood]",
                      "attributes: [" + ", ".join(f"a{i}" for i in range(100)) + "]", 1),
         "attributes: must list at most 20 entries. Got a list of 100 instead."),
        (DEMO.replace("domain: energy", 'domain: "ener\\0gy"', 1),
         "energy_feedback.yaml:10: domain: the text contains the control character U+0000"),
        ("id: x\n" + "k: v\n" * 200_000, "has 1,000,006 characters (expected at most 1,000,000"),
    ],
    ids=["alias-bomb", "nested-300", "omap", "python-object", "400-digits", "inf", "year-9999",
         "100-attributes", "nul", "huge-file"],
)
def test_hostile_files_are_refused_at_once_with_their_line(tmp_path, text, expected):
    assert expected in problems_of(tmp_path, text)


def test_a_scale_of_a_million_answers_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    instrument = (SURVEYS / "trust.yaml").read_text(encoding="utf-8")
    path.write_text(instrument.replace("max: 5", "max: 1000000", 1).replace("id: trust", "id: big"))
    problems = validate_paths([path], surveys_dir=SURVEYS)
    assert any("has 1000000 answers (expected at most 101" in str(p) for p in problems)


# --- by property ---------------------------------------------------------------------

LINES = DEMO.splitlines()
scalars = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=30).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.sampled_from(["~", "[]", "{}", "&x a", "*x", "!!binary aGk=", "!!set {a}", "- - -",
                     "2026-02-30", "9999-12-31", "[[[[", "'", ": :", "\t", "%YAML 1.1"]),
)


@st.composite
def mutated_pilots(draw: st.DrawFn) -> str:
    """The demo pilot with a few lines replaced, duplicated, deleted, or a value changed."""
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["value", "delete", "duplicate", "indent", "raw"]))
        if action == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(scalars)}"
        elif action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = " " * draw(st.integers(0, 7)) + lines[i].lstrip()
        else:
            lines[i] = draw(st.text(max_size=40))
        if not lines:
            break
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated_pilots())
def test_validation_lists_problems_or_passes_and_never_raises(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "energy_feedback.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    problems = validate_paths([path], surveys_dir=SURVEYS)  # raises nothing
    for problem in problems:
        assert problem.file == str(path) and problem.message
        assert problem.line is None or 1 <= problem.line <= text.count("\n") + 1

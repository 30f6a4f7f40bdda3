"""A pilot's time zone is checked like any other field: FILE:LINE: field: message."""

from __future__ import annotations

from pathlib import Path

from livinglab.spec.loader import validate_paths

REPO = Path(__file__).resolve().parents[2]


def test_an_unknown_time_zone_is_named_with_its_line(tmp_path):
    text = (REPO / "pilots" / "energy_feedback.yaml").read_text(encoding="utf-8")
    pilot = tmp_path / "pilots" / "energy_feedback.yaml"
    pilot.parent.mkdir()
    pilot.write_text(text.replace("timezone: UTC", "timezone: Europe/Pariss"), encoding="utf-8")
    line = 1 + text.splitlines().index("timezone: UTC")
    problems = validate_paths([pilot], surveys_dir=REPO / "surveys")
    assert [str(p) for p in problems] == [
        f"{pilot}:{line}: timezone: 'Europe/Pariss' is not a time zone (expected an IANA name "
        "such as Europe/Paris or UTC)"
    ]

"""`livinglab instrument from-xlsform`: a KoboToolbox/ODK form becomes an instrument
YAML, its French and English labels as the texts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from livinglab.errors import SpecError
from livinglab.spec.loader import load_instruments
from livinglab.spec.xlsform import instrument_from_xlsform

REPO = Path(__file__).resolve().parents[2]
AGREE = [
    ("Pas du tout d'accord", "Strongly disagree"),
    ("Pas d'accord", "Disagree"),
    ("Neutre", "Neutral"),
    ("D'accord", "Agree"),
    ("Tout à fait d'accord", "Strongly agree"),
]


def form(path: Path, choice_names=("1", "2", "3", "4", "5")) -> Path:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Français (fr)", "label::English (en)"])
    survey.append(["begin_group", "confiance", "Confiance", "Trust"])
    survey.append(["select_one agree", "t1", "Je fais confiance à la ville", "I trust the city"])
    survey.append(["select_one agree", "t2", "Le service est fiable", "The service is reliable"])
    survey.append(["end_group", "", "", ""])
    survey.append(["text", "comment", "Un commentaire ?", "Any comment?"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Français (fr)", "label::English (en)"])
    for name, (fr, en) in zip(choice_names, AGREE, strict=True):
        choices.append(["agree", name, fr, en])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append(["Confiance dans la ville", "confiance_ville"])
    book.save(path)
    return path


def test_a_form_becomes_an_instrument_with_both_languages(tmp_path):
    data, left_out = instrument_from_xlsform(form(tmp_path / "form.xlsx"))

    assert data["id"] == "confiance_ville"
    assert [i["id"] for i in data["items"]] == ["t1", "t2"]
    assert data["items"][0]["text"] == {
        "fr": "Je fais confiance à la ville",
        "en": "I trust the city",
    }
    assert (data["scale"]["min"], data["scale"]["max"]) == (1, 5)
    assert data["scale"]["labels"][4]["label"] == {
        "fr": "Tout à fait d'accord",
        "en": "Strongly agree",
    }
    assert left_out == ["comment (text)"]


def test_choices_that_are_not_numbers_are_refused(tmp_path):
    with pytest.raises(SpecError, match="are not all whole numbers"):
        instrument_from_xlsform(form(tmp_path / "form.xlsx", ("a", "b", "c", "d", "e")))


def test_the_command_writes_a_yaml_that_loads(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "LIVINGLAB_SURVEYS_DIR": str(tmp_path / "s")}
    command = [sys.executable, "-m", "livinglab", "instrument", "from-xlsform"]
    done = subprocess.run(
        [*command, str(form(tmp_path / "form.xlsx")), "--id", "confiance"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Left out (not select_one): comment (text)." in done.stdout
    [instrument] = load_instruments(tmp_path / "s").values()
    assert (instrument.id, instrument.item_ids, instrument.scoring) == (
        "confiance",
        ["t1", "t2"],
        "mean",
    )
    again = subprocess.run(
        [*command, str(tmp_path / "form.xlsx"), "--id", "confiance"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert again.returncode == 1
    assert "exists already" in again.stderr


"""A LimeSurvey response export (wide: one row per response, question codes as
columns, answer codes A1..A5, N/A for no answer) imports through the instrument's
limesurvey mapping; every problem names the export's line."""

from __future__ import annotations

import pytest
from store_factories import INSTRUMENT, SECRET, make_pilot

from livinglab.errors import ImportRejected
from livinglab.spec.models import Instrument
from livinglab.store import pseudonymize, survey_answers
from livinglab.store.adapters import import_export

MAPPING = {
    "participant": "token",
    "items": {"SAT[SQ001]": "q1", "SAT[SQ002]": "q2"},
    "answers": {"A1": 1, "A2": 2, "A3": 3, "A4": 4, "A5": 5},
}
HEADER = 'id,submitdate,lastpage,startlanguage,token,"SAT[SQ001]","SAT[SQ002]"\n'


@pytest.fixture
def satisfaction():
    return Instrument.model_validate({**INSTRUMENT, "limesurvey": MAPPING})


@pytest.fixture
def pilot():
    return make_pilot()


def people(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("participant_id,cohort\nh1,testers\nh2,testers\nh3,testers\n")
    return path


def run(engine, pilot, instrument, tmp_path, text: str, encoding="utf-8-sig"):
    export = tmp_path / "results-survey123.csv"
    export.write_bytes(text.encode(encoding))
    return import_export(
        "limesurvey",
        engine=engine,
        pilot=pilot,
        instruments={instrument.id: instrument},
        participants=people(tmp_path),
        export=export,
        instrument=instrument.id,
        wave="after",
        secret_key=SECRET,
    )


def test_a_wide_export_imports_answers_by_the_mapping(engine, pilot, satisfaction, tmp_path):
    text = HEADER + (
        '1,"2024-03-02 10:00:00",2,fr,h1,"A4","A5"\n'
        '2,"2024-03-02 11:00:00",2,fr,"h2 ","A2","N/A"\n'
        '3,,1,fr,h3,"A1",""\n'  # not submitted: left out
    )
    report = run(engine, pilot, satisfaction, tmp_path, text)

    assert (report.responses.read, report.responses.inserted) == (3, 3)
    assert report.responses.read_as == (
        "LimeSurvey export: 2 question code(s) read as items of 'satisfaction', wave after; "
        "1 unanswered (N/A or empty); 1 incomplete response(s) left out"
    )
    answers = survey_answers(engine=engine, pilot=pilot, instrument="satisfaction", wave="after")
    names = {pseudonymize(raw, SECRET): raw for raw in ("h1", "h2", "h3")}
    got = sorted((names[r.participant_id], r.item, int(r.answer)) for r in answers.itertuples())
    assert got == [("h1", "q1", 4), ("h1", "q2", 5), ("h2", "q1", 2)]


def test_an_unknown_answer_code_names_its_line_and_column(engine, pilot, satisfaction, tmp_path):
    text = HEADER + '1,"2024-03-02 10:00:00",2,fr,h1,"A4","A5"\n'
    text += '2,"2024-03-02",2,fr,h2,"A9","A1"\n'
    with pytest.raises(ImportRejected) as caught:
        run(engine, pilot, satisfaction, tmp_path, text)
    [problem] = caught.value.problems
    assert (problem.file.rsplit("/", 1)[-1], problem.line, problem.field) == (
        "results-survey123.csv",
        3,
        "SAT[SQ001]",
    )
    assert "answer code 'A9' is not in the limesurvey mapping" in problem.message


def test_the_importers_problems_are_named_by_the_exports_line(
    engine, pilot, satisfaction, tmp_path
):
    text = HEADER + '1,"2024-03-02",2,fr,h1,"A4","A5"\n2,"2024-03-02",2,fr,zz,"A2","A1"\n'
    with pytest.raises(ImportRejected) as caught:
        run(engine, pilot, satisfaction, tmp_path, text)
    places = {(p.file.rsplit("/", 1)[-1], p.line, p.field) for p in caught.value.problems}
    assert places == {("results-survey123.csv", 3, "participant_id")}
    assert "unknown participant 'zz'" in caught.value.problems[0].message


def test_a_mapping_to_an_unknown_item_is_a_spec_error():
    with pytest.raises(ValueError, match="'q9' is not an item"):
        Instrument.model_validate(
            {**INSTRUMENT, "limesurvey": {**MAPPING, "items": {"SAT[SQ001]": "q9"}}}
        )


def test_the_shipped_sus_reads_a_limesurvey_export_as_the_readme_shows(engine, tmp_path):
    from pathlib import Path

    from livinglab.spec.loader import load_instrument

    sus = load_instrument(Path(__file__).resolve().parents[2] / "surveys" / "sus.yaml")
    assert sus.limesurvey is not None and len(sus.limesurvey.items) == 10
    pilot = make_pilot(surveys=[{"instrument": "sus", "waves": ["after"], "cohorts": ["testers"]}])
    codes = ",".join(f'"SUS[SQ{i:03d}]"' for i in range(1, 11))
    text = (f"id,submitdate,lastpage,startlanguage,token,{codes}\n"
            '1,"2024-03-02 10:00:00",2,fr,h1,' + ",".join(['"A4"', '"A2"'] * 5) + "\n")
    report = run(engine, pilot, sus, tmp_path, text)
    assert report.responses.inserted == 10
    answers = survey_answers(engine=engine, pilot=pilot, instrument="sus", wave="after")
    # Odd items agree (A4 = 4), even items disagree (A2 = 2): a SUS of 75.
    assert sorted(int(a) for a in answers["answer"]) == [2] * 5 + [4] * 5

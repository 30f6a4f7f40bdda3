"""KoboToolbox exports (CSV with ';' or XLSX, group paths in the column names) import
as survey responses; problems name the export's line or Excel row."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from store_factories import INSTRUMENT, SECRET, make_pilot

from livinglab.errors import ImportRejected
from livinglab.spec.models import Instrument
from livinglab.store import pseudonymize, survey_answers
from livinglab.store.adapters import import_export

HEADER = ["start", "end", "participant_id", "satisfaction/q1", "satisfaction/q2", "_id", "_uuid"]


@pytest.fixture
def pilot():
    return make_pilot()


def people(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("participant_id,cohort\nh1,testers\nh2,testers\n")
    return path


def run(engine, pilot, tmp_path, export):
    instrument = Instrument.model_validate(INSTRUMENT)
    return import_export(
        "kobo",
        engine=engine,
        pilot=pilot,
        instruments={instrument.id: instrument},
        participants=people(tmp_path),
        export=export,
        instrument="satisfaction",
        wave="after",
        secret_key=SECRET,
    )


def answers(engine, pilot):
    frame = survey_answers(engine=engine, pilot=pilot, instrument="satisfaction", wave="after")
    names = {pseudonymize(raw, SECRET): raw for raw in ("h1", "h2")}
    return sorted((names[r.participant_id], r.item, int(r.answer)) for r in frame.itertuples())


def test_a_semicolon_csv_export_with_group_paths_imports(engine, pilot, tmp_path):
    export = tmp_path / "kobo.csv"
    rows = [
        HEADER,
        ["t0", "t1", "h1", "4", "5", "11", "u1"],
        ["t0", "t1", "h2 ", "2", "", "12", "u2"],
    ]
    export.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")

    report = run(engine, pilot, tmp_path, export)

    assert report.responses.read_as == (
        "KoboToolbox export: 2 question(s) read as items of 'satisfaction', wave after; "
        "1 unanswered"
    )
    assert answers(engine, pilot) == [("h1", "q1", 4), ("h1", "q2", 5), ("h2", "q1", 2)]


def test_an_xlsx_export_with_labels_instead_of_values_names_the_row(engine, pilot, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["t0", "t1", "h1", 4, 5, 11, "u1"])
    sheet.append([])
    sheet.append(["t0", "t1", "h2", "D'accord", 3, 12, "u2"])
    export = tmp_path / "kobo.xlsx"
    book.save(export)

    with pytest.raises(ImportRejected) as caught:
        run(engine, pilot, tmp_path, export)
    [problem] = caught.value.problems
    assert (problem.file.rsplit("/", 1)[-1], problem.line, problem.field) == (
        "kobo.xlsx",
        4,
        "satisfaction/q1",
    )
    assert "\"D'accord\" is not a choice's name" in problem.message
    assert "XML values and headers" in problem.message

"""Excel workbooks import like CSV files; every problem names the sheet and the Excel
row (blank rows counted, as Excel shows them)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook
from store_factories import SECRET, make_pilot

from livinglab.errors import ImportRejected
from livinglab.store import import_files, participant_values, pseudonymize
from livinglab.store.dialects import CsvOptions


@pytest.fixture
def paris():
    return make_pilot(
        timezone="Europe/Paris",
        periods={
            "baseline": {"start": "2026-03-02", "end": "2026-03-29"},
            "intervention": {"start": "2026-03-30", "end": "2026-10-31"},
        },
    )


def workbook(path, sheets: dict[str, list[list[object]]]):
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


PEOPLE = [
    ["participant_id", "cohort", "neighbourhood"],
    [1001, "testers", "Les Épinettes"],
    ["H0002 ", "neighbours", "Centre"],
]


def people_csv(tmp_path):
    path = tmp_path / "foyers.csv"
    path.write_text("participant_id;cohort\n1001;testers\nH0002;neighbours\n", encoding="utf-8")
    return path


def run(engine, pilot, **files):
    options = files.pop("options", None)
    return import_files(engine=engine, pilot=pilot, secret_key=SECRET, csv_options=options, **files)


def refused(engine, pilot, **files):
    with pytest.raises(ImportRejected) as caught:
        run(engine, pilot, **files)
    return [(p.file.rsplit("/", 1)[-1], p.line, p.field, p.message) for p in caught.value.problems]


def means(engine, pilot):
    values = participant_values(engine=engine, pilot=pilot, metric="kwh")
    names = {pseudonymize(raw, SECRET): raw for raw in ("1001", "H0002")}
    return {
        (names[r.participant_id], r.period): (round(r.value, 6), int(r.n_readings))
        for r in values.itertuples()
    }


def test_a_workbook_imports_with_typed_and_text_cells(engine, paris, tmp_path):
    readings = [
        ["participant_id", "metric", "timestamp", "value"],
        [1001, "kwh", datetime(2026, 3, 2, 0, 30), 11.8],
        [],  # a blank row: skipped, still counted by Excel
        [1001, "kwh", date(2026, 3, 3), 12.2],
        [1001, "kwh", datetime(2026, 3, 30, 0, 30), 9.5],  # 29 March 22:30 UTC
        ["H0002", "kwh", "15/04/2026 18:00", 7],
    ]
    report = run(
        engine,
        paris,
        participants=workbook(tmp_path / "foyers.xlsx", {"Foyers": PEOPLE}),
        observations=workbook(tmp_path / "releves.xlsx", {"Relevés": readings}),
    )

    assert report.observations.file.endswith("releves.xlsx[Relevés]")
    assert report.observations.read_as == "Excel sheet, dd/mm/yyyy"
    assert (report.participants.inserted, report.participants.trimmed) == (2, 1)
    assert means(engine, paris) == {
        ("1001", "baseline"): (12.0, 2),
        ("1001", "intervention"): (9.5, 1),
        ("H0002", "intervention"): (7.0, 1),
    }


def test_each_problem_names_the_sheet_and_the_excel_row(engine, paris, tmp_path):
    readings = [
        ["participant_id", "metric", "timestamp", "value"],
        [1001, "kwh", datetime(2026, 3, 2, 0, 30), 11.8],
        [],
        [1001, "kwh", datetime(2026, 3, 29, 2, 30), 3],  # the hour skipped in March
        [1001, "kwh", datetime(2026, 3, 4), "beaucoup"],
        [1001, "kwh", datetime(2026, 3, 2, 0, 30), 11.8],
        [9999, "kwh", datetime(2026, 3, 5), 1, "extra"],
    ]
    problems = refused(
        engine,
        paris,
        participants=people_csv(tmp_path),
        observations=workbook(
            tmp_path / "releves.xlsx", {"Notes": [["rien"]], "Relevés": readings}
        ),
        options=CsvOptions(sheet="Relevés"),  # every workbook's sheet of that name
    )

    assert [(p[0], p[1], p[2]) for p in problems] == [
        ("releves.xlsx[Relevés]", 4, "timestamp"),
        ("releves.xlsx[Relevés]", 5, "value"),
        ("releves.xlsx[Relevés]", 6, ""),
        ("releves.xlsx[Relevés]", 7, ""),
    ]
    assert "'2026-03-29T02:30:00' does not exist in Europe/Paris" in problems[0][3]
    assert "'beaucoup' is not a number" in problems[1][3]
    assert problems[2][3] == "duplicate of row 2 (same participant, metric and timestamp)"
    assert "has a value beyond the header's 4 columns" in problems[3][3]


def test_an_unknown_sheet_is_named_with_the_sheets_there_are(engine, paris, tmp_path):
    path = workbook(tmp_path / "foyers.xlsx", {"Foyers": PEOPLE})
    problems = refused(engine, paris, participants=path, options=CsvOptions(sheet="Feuil1"))
    assert problems == [
        ("foyers.xlsx", None, "", "has no sheet 'Feuil1' (expected one of ['Foyers'])")
    ]


def test_decimal_commas_typed_as_text_are_detected(engine, paris, tmp_path):
    readings = [
        ["participant_id", "metric", "timestamp", "value"],
        [1001, "kwh", "2026-03-03", "11,5"],
        [1001, "kwh", "2026-03-04", 12.5],  # a real number: written with a comma too
    ]
    report = run(
        engine,
        paris,
        participants=workbook(tmp_path / "foyers.xlsx", {"Foyers": PEOPLE}),
        observations=workbook(tmp_path / "releves.xlsx", {"Relevés": readings}),
    )
    assert report.observations.read_as == "Excel sheet, decimal comma"
    assert means(engine, paris) == {("1001", "baseline"): (12.0, 2)}

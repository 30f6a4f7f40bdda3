"""The files a French city really has: Excel's French CSVs, Windows-1252, day-first
dates, decimal commas, ids with stray spaces, and local time with its two
daylight-saving days (2026: 29 March and 25 October, Europe/Paris)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from store_factories import SECRET, make_pilot

from livinglab.errors import ImportRejected
from livinglab.store import import_files, participant_values, pseudonymize
from livinglab.store.dialects import CsvOptions

PEOPLE = "participant_id,cohort,neighbourhood\nH0001,testers,Centre\nH0002,neighbours,Centre\n"


@pytest.fixture
def paris():
    """A pilot in Paris whose periods hold both of 2026's daylight-saving days."""
    return make_pilot(
        timezone="Europe/Paris",
        periods={
            "baseline": {"start": "2026-03-02", "end": "2026-03-29"},
            "intervention": {"start": "2026-03-30", "end": "2026-10-31"},
        },
    )


def write_bytes(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def run(engine, pilot, **files):
    options = files.pop("options", None)
    return import_files(
        engine=engine, pilot=pilot, secret_key=SECRET, csv_options=options, **files
    )


def refused(engine, pilot, **files) -> list[tuple[str, int | None, str, str]]:
    with pytest.raises(ImportRejected) as caught:
        run(engine, pilot, **files)
    return [(p.file.rsplit("/", 1)[-1], p.line, p.field, p.message) for p in caught.value.problems]


def means(engine, pilot, metric="kwh") -> dict[tuple[str, str], tuple[float, int]]:
    """(raw id, period) -> (value, readings) for the test's two households."""
    values = participant_values(engine=engine, pilot=pilot, metric=metric)
    names = {pseudonymize(raw, SECRET): raw for raw in ("H0001", "H0002")}
    return {
        (names[r.participant_id], r.period): (round(r.value, 6), int(r.n_readings))
        for r in values.itertuples()
    }


def stored_times(engine) -> list[int]:
    with engine.connect() as connection:
        return list(connection.execute(sa.text("SELECT ts FROM observation ORDER BY ts")).scalars())


# --- 1. the dialect is detected, said, or asked for --------------------------------


def test_excels_french_csv_imports_and_the_report_says_how_it_was_read(engine, paris, tmp_path):
    text = (
        "participant_id;metric;timestamp;value\r\n"
        "H0001;kwh;02/03/2026 00:30;11,8\r\n"
        "H0001;kwh;13/03/2026 08:00;12,2\r\n"
        "H0001;kwh;30/03/2026 00:30;9,5\r\n"
        "H0002;kwh;15/04/2026 18:00;7\r\n"
    )
    people = "participant_id;cohort;neighbourhood\r\nH0001;testers;Les Épinettes\r\n"
    people += "H0002;neighbours;Centre\r\n"
    report = run(
        engine,
        paris,
        participants=write_bytes(tmp_path, "foyers.csv", people.encode("cp1252")),
        observations=write_bytes(tmp_path, "releves.csv", text.encode("cp1252")),
    )

    assert report.participants.read_as == "';', Windows-1252"
    assert report.observations.read_as == "';', decimal comma, UTF-8, dd/mm/yyyy"
    assert means(engine, paris) == {
        ("H0001", "baseline"): (12.0, 2),
        ("H0001", "intervention"): (9.5, 1),
        ("H0002", "intervention"): (7.0, 1),
    }
    with engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT value FROM participant_attribute WHERE name = 'neighbourhood'")
        ).scalars()
        assert sorted(stored) == ["Centre", "Les Épinettes"]


def test_a_tab_separated_file_is_read_by_its_header(engine, paris, tmp_path):
    text = "participant_id\tmetric\ttimestamp\tvalue\nH0001\tkwh\t2026-03-03T10:00:00\t4.5\n"
    report = run(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", PEOPLE.encode()),
        observations=write_bytes(tmp_path, "o.tsv", text.encode()),
    )
    assert report.observations.read_as == "tab, decimal dot, UTF-8"
    assert means(engine, paris) == {("H0001", "baseline"): (4.5, 1)}


def _people_with_one_accent(line: int, rows: int = 300) -> bytes:
    lines = ["participant_id,cohort,neighbourhood"]
    for i in range(2, rows + 2):
        place = "Épinettes" if i == line else "Centre"
        lines.append(f"H{i:04d},{'testers' if i % 2 else 'neighbours'},{place}")
    return ("\n".join(lines) + "\n").encode("cp1252")


def test_a_decoding_error_names_its_physical_line(engine, paris, tmp_path):
    path = write_bytes(tmp_path, "p.csv", _people_with_one_accent(250))

    problems = refused(engine, paris, participants=path, options=CsvOptions(encoding="utf-8"))

    assert [(p[0], p[1]) for p in problems] == [("p.csv", 250)]
    assert "is not UTF-8 text" in problems[0][3]
    assert "--encoding cp1252" in problems[0][3]


def test_without_a_choice_windows_1252_is_detected_and_said(engine, paris, tmp_path):
    path = write_bytes(tmp_path, "p.csv", _people_with_one_accent(250))

    report = run(engine, paris, participants=path)

    assert (report.participants.inserted, report.participants.read_as) == (
        300,
        "',', Windows-1252",
    )


def test_two_encodings_in_one_file_are_refused_at_the_first_foreign_byte(engine, paris, tmp_path):
    data = (PEOPLE + "H0003,testers,Épinettes\n").encode() + "H0004,testers,Gare é\n".encode(
        "cp1252"
    )
    problems = refused(engine, paris, participants=write_bytes(tmp_path, "p.csv", data))
    assert [(p[1], p[2]) for p in problems] == [(5, "")]
    assert "mixes two encodings" in problems[0][3]


def test_a_file_with_only_ambiguous_dates_is_refused_with_the_choice(engine, paris, tmp_path):
    text = "participant_id;metric;timestamp;value\nH0001;kwh;03/04/2026;1\nH0001;kwh;04/05/2026;2\n"
    files = {
        "participants": write_bytes(tmp_path, "p.csv", PEOPLE.encode()),
        "observations": write_bytes(tmp_path, "o.csv", text.encode()),
    }

    problems = refused(engine, paris, **files)
    assert [(p[1], p[2]) for p in problems] == [(2, "timestamp")]
    assert "day first (3 April) or month first (4 March)" in problems[0][3]
    assert "--dayfirst or --monthfirst" in problems[0][3]

    report = run(engine, paris, **files, options=CsvOptions(dayfirst=False))
    assert report.observations.read_as.endswith("mm/dd/yyyy")
    # month first: 4 March (baseline) and 5 April (intervention)
    assert means(engine, paris) == {
        ("H0001", "baseline"): (1.0, 1),
        ("H0001", "intervention"): (2.0, 1),
    }


def test_month_first_dates_are_detected(engine, paris, tmp_path):
    text = "participant_id,metric,timestamp,value\nH0001,kwh,03/04/2026,1\nH0001,kwh,03/25/2026,3\n"
    report = run(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", PEOPLE.encode()),
        observations=write_bytes(tmp_path, "o.csv", text.encode()),
    )
    assert report.observations.read_as == "',', decimal dot, UTF-8, mm/dd/yyyy"
    assert means(engine, paris) == {("H0001", "baseline"): (2.0, 2)}


def test_both_date_orders_in_one_file_are_refused(engine, paris, tmp_path):
    text = "participant_id;metric;timestamp;value\nH0001;kwh;13/03/2026;1\nH0001;kwh;03/14/2026;2\n"
    problems = refused(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", PEOPLE.encode()),
        observations=write_bytes(tmp_path, "o.csv", text.encode()),
    )
    assert [(p[1], p[2]) for p in problems] == [(3, "timestamp")]
    assert "but line 2 ('13/03/2026') has it first" in problems[0][3]


def test_both_decimal_marks_in_one_file_are_refused(engine, paris, tmp_path):
    text = "participant_id;metric;timestamp;value\n"
    text += "H0001;kwh;2026-03-03;1,5\nH0001;kwh;2026-03-04;2.5\n"
    problems = refused(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", PEOPLE.encode()),
        observations=write_bytes(tmp_path, "o.csv", text.encode()),
    )
    assert [(p[1], p[2]) for p in problems] == [(2, "value")]
    assert "but line 3 ('2.5') a decimal dot" in problems[0][3]
    assert "--decimal" in problems[0][3]


def test_a_decimal_comma_in_a_comma_separated_file_is_taken_when_asked(engine, paris, tmp_path):
    text = 'participant_id,metric,timestamp,value\nH0001,kwh,2026-03-03,"1,5"\n'
    files = {
        "participants": write_bytes(tmp_path, "p.csv", PEOPLE.encode()),
        "observations": write_bytes(tmp_path, "o.csv", text.encode()),
    }
    problems = refused(engine, paris, **files)
    assert "or give --decimal ," in problems[0][3]
    run(engine, paris, **files, options=CsvOptions(decimal=","))
    assert means(engine, paris) == {("H0001", "baseline"): (1.5, 1)}


# --- 2. identifiers are trimmed ---------------------------------------------------


def test_an_id_with_a_trailing_space_is_the_same_participant(engine, paris, tmp_path):
    people = PEOPLE + "H0001 ,neighbours,Centre\n"
    problems = refused(engine, paris, participants=write_bytes(tmp_path, "p.csv", people.encode()))
    assert [(p[1], p[2]) for p in problems] == [(4, "participant_id")]
    assert "participant 'H0001' is already on line 2" in problems[0][3]


def test_ids_and_codes_are_trimmed_the_same_way_in_every_file_and_counted(
    engine, paris, tmp_path
):
    people = "participant_id,cohort,neighbourhood\n"
    people += " H0001,testers ,Centre\nH0002,neighbours,Centre\n"
    text = (
        "participant_id;metric;timestamp;value\n"
        "H0001 ;kwh;2026-03-03;2\n"
        "H0001; kwh ;2026-03-04;4\n"
        "H0002;kwh;2026-03-04;5\n"
    )
    report = run(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", people.encode()),
        observations=write_bytes(tmp_path, "o.csv", text.encode()),
    )
    assert (report.participants.trimmed, report.observations.trimmed) == (2, 2)
    assert means(engine, paris) == {
        ("H0001", "baseline"): (3.0, 2),
        ("H0002", "baseline"): (5.0, 1),
    }


# --- 3. local time ----------------------------------------------------------------


def test_0030_on_the_first_local_day_is_in_that_period_and_utc_is_stored(engine, paris, tmp_path):
    text = (
        "participant_id,metric,timestamp,value\n"
        "H0001,kwh,2026-03-29T23:30:00,10\n"  # 21:30 UTC, baseline's last local day
        "H0001,kwh,2026-03-30T00:30:00,6\n"  # 29 March 22:30 UTC: intervention
        "H0002,kwh,2026-03-02T00:00:00,4\n"  # 1 March 23:00 UTC: baseline's first instant
    )
    run(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", PEOPLE.encode()),
        observations=write_bytes(tmp_path, "o.csv", text.encode()),
    )
    assert means(engine, paris) == {
        ("H0001", "baseline"): (10.0, 1),
        ("H0001", "intervention"): (6.0, 1),
        ("H0002", "baseline"): (4.0, 1),
    }
    micros = [
        int((date(2026, 3, 1) - date(1970, 1, 1)).days * 86_400 + 23 * 3600) * 10**6,
        int((date(2026, 3, 29) - date(1970, 1, 1)).days * 86_400 + 21.5 * 3600) * 10**6,
        int((date(2026, 3, 29) - date(1970, 1, 1)).days * 86_400 + 22.5 * 3600) * 10**6,
    ]
    assert stored_times(engine) == micros


def test_a_reading_outside_the_periods_shows_local_time_and_utc(engine, paris, tmp_path):
    text = "participant_id,metric,timestamp,value\n"
    text += "H0001,kwh,02/03/2026 00:30,1\nH0001,kwh,01/03/2026 23:30,2\n"
    problems = refused(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", PEOPLE.encode()),
        observations=write_bytes(tmp_path, "o.csv", text.encode()),
        options=CsvOptions(dayfirst=True),
    )
    assert [(p[1], p[2]) for p in problems] == [(3, "timestamp")]
    assert problems[0][3].startswith(
        "'01/03/2026 23:30' (2026-03-01 23:30:00 Europe/Paris = 2026-03-01 22:30:00 UTC) "
        "is in neither period"
    )
    assert "baseline 2026-03-02..2026-03-29 or intervention 2026-03-30..2026-10-31" in (
        problems[0][3]
    )
    assert "local days in Europe/Paris" in problems[0][3]


def test_the_skipped_march_hour_is_refused_with_its_line(engine, paris, tmp_path):
    text = (
        "participant_id,metric,timestamp,value\n"
        "H0001,kwh,2026-03-29T01:30:00,1\n"
        "H0001,kwh,2026-03-29T02:30:00,2\n"
        "H0001,kwh,2026-03-29T03:30:00,3\n"
    )
    problems = refused(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", PEOPLE.encode()),
        observations=write_bytes(tmp_path, "o.csv", text.encode()),
    )
    assert [(p[1], p[2]) for p in problems] == [(3, "timestamp")]
    assert "'2026-03-29T02:30:00' does not exist in Europe/Paris" in problems[0][3]
    assert "daylight-saving change" in problems[0][3]


def test_the_repeated_october_hour_is_refused_naming_both_lines(engine, paris, tmp_path):
    text = (
        "participant_id;metric;timestamp;value\n"
        "H0001;kwh;25/10/2026 01:30;1\n"
        "H0001;kwh;25/10/2026 02:30;2\n"
        "H0001;kwh;25/10/2026 02:30;3\n"
        "H0001;kwh;25/10/2026 03:30;4\n"
    )
    problems = refused(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", PEOPLE.encode()),
        observations=write_bytes(tmp_path, "o.csv", text.encode()),
    )
    assert [(p[1], p[2]) for p in problems] == [(3, "timestamp"), (4, "timestamp")]
    assert "happened twice in Europe/Paris (2026-10-25 00:30 UTC, then 01:30 UTC)" in (
        problems[0][3]
    )
    assert "also on line 4" in problems[0][3]
    assert "also on line 3" in problems[1][3]


def test_the_october_hour_with_offsets_imports_both_readings(engine, paris, tmp_path):
    text = (
        "participant_id,metric,timestamp,value\n"
        "H0001,kwh,2026-10-25T01:30:00,1\n"
        "H0001,kwh,2026-10-25T02:30:00+02:00,2\n"
        "H0001,kwh,2026-10-25T02:30:00+01:00,3\n"
        "H0001,kwh,2026-10-25T03:30:00,4\n"
        "H0001,kwh,2026-03-29T03:30:00,5\n"
    )
    run(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", PEOPLE.encode()),
        observations=write_bytes(tmp_path, "o.csv", text.encode()),
    )
    assert means(engine, paris) == {
        ("H0001", "baseline"): (5.0, 1),
        ("H0001", "intervention"): (2.5, 4),
    }
    hours = [(t // 10**6 % 86_400) / 3600 for t in stored_times(engine)]
    # 29 March 03:30 summer time = 01:30 UTC; 25 October: 23:30 (24 Oct), 00:30, 01:30, 02:30
    assert hours == [1.5, 23.5, 0.5, 1.5, 2.5]


def test_an_unknown_time_zone_is_a_spec_error():
    with pytest.raises(Exception, match="'Europe/Pariss' is not a time zone"):
        make_pilot(timezone="Europe/Pariss")


@pytest.mark.parametrize("fast", [True, False])
def test_both_readers_read_a_french_file_alike(engine, paris, tmp_path, monkeypatch, fast):
    from livinglab.store import importer

    monkeypatch.setattr(importer, "FAST_CSV", fast)
    text = "participant_id;metric;timestamp;value\n"
    text += "".join(f"H0001;kwh;{d:02d}/03/2026 00:30;{d},5\n" for d in range(2, 32))
    text += "H0002;kwh;30/03/2026;x\n"
    problems = refused(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", PEOPLE.encode("cp1252")),
        observations=write_bytes(tmp_path, "o.csv", text.encode("cp1252")),
    )
    assert [(p[1], p[2], p[3]) for p in problems] == [
        (32, "value", "'x' is not a number")
    ]
    report = run(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", PEOPLE.encode("cp1252")),
        observations=write_bytes(tmp_path, "o.csv", text[: text.rindex("H0002")].encode()),
    )
    assert report.observations.read_as == "';', decimal comma, UTF-8, dd/mm/yyyy"
    # 2..29 March (28 readings, mean 15.5 + 0.5) in the baseline, 30 and 31 in the intervention
    assert means(engine, paris) == {
        ("H0001", "baseline"): (16.0, 28),
        ("H0001", "intervention"): (31.0, 2),
    }


@pytest.mark.parametrize("fast", [True, False])
def test_accented_ids_in_windows_1252_read_alike_by_both_readers(
    engine, paris, tmp_path, monkeypatch, fast
):
    from livinglab.store import importer

    monkeypatch.setattr(importer, "FAST_CSV", fast)
    people = "participant_id;cohort\nHé01;testers\nHè02;neighbours\n"
    text = "participant_id;metric;timestamp;value\nHé01;kwh;03/03/2026;2,5\n"
    text += "Hè02 ;kwh;13/03/2026;3,5\nHé01;kwh;14/03/2026;4,5\n"
    report = run(
        engine,
        paris,
        participants=write_bytes(tmp_path, "p.csv", people.encode("cp1252")),
        observations=write_bytes(tmp_path, "o.csv", text.encode("cp1252")),
    )
    assert report.observations.read_as == "';', decimal comma, Windows-1252, dd/mm/yyyy"
    assert report.observations.trimmed == 1
    values = participant_values(engine=engine, pilot=paris, metric="kwh")
    got = {r.participant_id: (r.value, r.n_readings) for r in values.itertuples()}
    assert got == {pseudonymize("Hé01", SECRET): (3.5, 2), pseudonymize("Hè02", SECRET): (3.5, 1)}

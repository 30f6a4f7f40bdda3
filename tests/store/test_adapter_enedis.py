"""Enedis load curves (one meter a file, average kW per half-hour, French CSV) import
as kWh readings, on the two daylight-saving days of 2026 too: 46 half-hours on
29 March, 50 on 25 October (Europe/Paris)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from store_factories import SECRET, make_pilot

from livinglab.errors import ImportRejected
from livinglab.store import participant_values, pseudonymize
from livinglab.store.adapters import import_export

PARIS = ZoneInfo("Europe/Paris")
PREAMBLE = "Identifiant PRM;Type de données;Date de début;Date de fin;Grandeur physique\n"
PREAMBLE += "01234567890123;Courbe de charge;29/03/2026;26/10/2026;Puissance active\n"


@pytest.fixture
def paris():
    return make_pilot(
        timezone="Europe/Paris",
        periods={
            "baseline": {"start": "2026-03-02", "end": "2026-03-29"},
            "intervention": {"start": "2026-03-30", "end": "2026-10-31"},
        },
    )


def half_hours(day: date) -> list[tuple[str, str]]:
    """The local (start, end) walls of a day's half-hours, as the portal writes them."""
    start = datetime.combine(day, time(0), tzinfo=PARIS).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS).astimezone(UTC)
    walls = []
    while start < end:
        stop = start + timedelta(minutes=30)
        walls.append(
            (
                f"{start.astimezone(PARIS):%d/%m/%Y %H:%M:%S}",
                f"{stop.astimezone(PARIS):%d/%m/%Y %H:%M:%S}",
            )
        )
        start = stop
    return walls


def curve(tmp_path, meter: str, days: dict[date, str], extra: str = ""):
    lines = [PREAMBLE, "Début;Fin;Valeur (en Kw)\n"]
    for day, power in days.items():
        lines += [f"{a};{b};{power}\n" for a, b in half_hours(day)]
    folder = tmp_path / "courbes"
    folder.mkdir(exist_ok=True)
    path = folder / f"{meter}.csv"
    path.write_bytes(("".join(lines) + extra).encode("cp1252"))
    return path


def people(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("participant_id,cohort\nH0001,testers\nH0002,neighbours\n")
    return path


def run(engine, pilot, tmp_path, metric="kwh_total"):
    return import_export(
        "enedis",
        engine=engine,
        pilot=pilot,
        participants=people(tmp_path),
        export=tmp_path / "courbes",
        metric=metric,
        secret_key=SECRET,
    )


def test_the_daylight_saving_days_have_46_and_50_half_hours():
    assert (len(half_hours(date(2026, 3, 29))), len(half_hours(date(2026, 10, 25)))) == (46, 50)


def test_load_curves_import_as_kwh_on_both_change_days(engine, paris, tmp_path):
    curve(tmp_path, "H0001", {date(2026, 3, 29): "1,000", date(2026, 10, 25): "1,000"})
    curve(tmp_path, "H0002", {date(2026, 3, 28): "0,452", date(2026, 3, 30): ""})

    report = run(engine, paris, tmp_path)

    assert report.observations.read == 46 + 50 + 48
    assert report.observations.read_as == (
        "Enedis load curves of 2 meter(s): average power in kW x the interval (30 min) = "
        "kWh per interval; 48 interval(s) without a value left out"
    )
    values = participant_values(engine=engine, pilot=paris, metric="kwh_total")
    names = {pseudonymize(raw, SECRET): raw for raw in ("H0001", "H0002")}
    got = {
        (names[r.participant_id], r.period): (round(r.value, 6), int(r.n_readings))
        for r in values.itertuples()
        if r.n_readings
    }
    assert got == {
        ("H0001", "baseline"): (23.0, 46),  # 1 kW for 23 hours
        ("H0001", "intervention"): (25.0, 50),  # 1 kW for 25 hours
        ("H0002", "baseline"): (10.848, 48),  # 0.452 kW x 24 h
    }
    again = run(engine, paris, tmp_path)
    assert (again.observations.inserted, again.observations.already_present) == (0, 144)


def test_problems_name_the_curve_file_and_its_line(engine, paris, tmp_path):
    curve(tmp_path, "H0001", {date(2026, 3, 29): "1,000"}, extra="29/03/2026 23:30:00;"
          "30/03/2026 00:00:00;beaucoup\n")
    curve(tmp_path, "H0009", {date(2026, 3, 28): "1,000"})

    with pytest.raises(ImportRejected) as caught:
        run(engine, paris, tmp_path)
    problems = [(p.file.rsplit("/", 1)[-1], p.line, p.field) for p in caught.value.problems]
    assert problems == [("H0001.csv", 50, "Valeur")]
    assert "'beaucoup' is not a power in kW" in caught.value.problems[0].message

    (tmp_path / "courbes" / "H0001.csv").unlink()
    with pytest.raises(ImportRejected) as caught:
        run(engine, paris, tmp_path)
    first = caught.value.problems[0]
    assert (first.file.rsplit("/", 1)[-1], first.line, first.field) == (
        "H0009.csv",
        4,
        "participant_id",
    )
    assert "unknown participant 'H0009'" in first.message
    assert len(caught.value.problems) == 48


def test_a_metric_is_required(engine, paris, tmp_path):
    curve(tmp_path, "H0001", {date(2026, 3, 28): "1,000"})
    with pytest.raises(Exception, match="needs --metric"):
        run(engine, paris, tmp_path, metric=None)


def test_meters_map_to_participants_by_a_mapping_file(engine, paris, tmp_path):
    # The PRM under 'Identifiant PRM' (01234567890123) names the meter, not the file.
    curve(tmp_path, "courbe_janvier", {date(2026, 3, 29): "2,000"})
    meters = tmp_path / "compteurs.csv"
    meters.write_text("meter;participant_id\n01234567890123;H0002\n", encoding="utf-8")

    report = import_export(
        "enedis", engine=engine, pilot=paris, participants=people(tmp_path),
        export=tmp_path / "courbes", metric="kwh_total", meters=meters, secret_key=SECRET,
    )
    assert report.observations.inserted == 46
    values = participant_values(engine=engine, pilot=paris, metric="kwh_total")
    h2 = values[values["participant_id"] == pseudonymize("H0002", SECRET)]
    # 2 kW for the 23 hours of 29 March; nobody has an intervention reading yet, so that
    # period is data not imported, not a sum of 0
    assert h2[["period", "value", "n_readings"]].values.tolist() == [["baseline", 46.0, 46]]

    meters.write_text("meter;participant_id\n99999999999999;H0002\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_export(
            "enedis", engine=engine, pilot=paris, participants=people(tmp_path),
            export=tmp_path / "courbes", metric="kwh_total", meters=meters, secret_key=SECRET,
        )
    [problem] = caught.value.problems
    assert (problem.file.rsplit("/", 1)[-1], problem.line) == ("courbe_janvier.csv", 2)
    assert "meter '01234567890123' is not in" in problem.message

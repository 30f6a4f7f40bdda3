"""Daily roll-ups: what the evaluation reads from them is what the raw readings give.

The oracle is computed here in Python from the very readings written to the files:
each reading's local day in Europe/Paris (zoneinfo), its period, and the metric's
aggregate. The pilot's periods contain both 2026 daylight-saving changes (a 23-hour
and a 25-hour local day), and the instants drawn cluster on local midnights.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_factories import SECRET, make_pilot

from livinglab.store import import_files, participant_values, pseudonymize, readers
from livinglab.store.reductions import latest_data
from livinglab.store.weekly import weekly_participant_values

PARIS = ZoneInfo("Europe/Paris")
PERIODS = {
    # 2026-03-29: 23 hours in Paris; 2026-10-25: 25 hours
    "baseline": {"start": "2026-03-26", "end": "2026-04-01"},
    "intervention": {"start": "2026-10-22", "end": "2026-10-28"},
}
METRICS = ("kwh", "kwh_total", "logins", "trips", "task_done")  # mean sum count rate share
AGGREGATE = dict(zip(METRICS, ("mean", "sum", "count", "rate_per_day", "share"), strict=True))
PEOPLE = ("h1", "h2", "h3")
_counter = itertools.count()


def _days(period: str) -> list[date]:
    start = date.fromisoformat(PERIODS[period]["start"])
    end = date.fromisoformat(PERIODS[period]["end"])
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _midnight(day: date) -> int:
    return int(datetime.combine(day, datetime.min.time(), tzinfo=PARIS).timestamp())


# Instants (whole seconds, UTC) in either period: anywhere, or within a second of a
# local midnight (the first and last second of each local day).
_SPANS = [(_midnight(_days(p)[0]), _midnight(_days(p)[-1] + timedelta(days=1)))
          for p in PERIODS]
_EDGES = sorted({m + d for p in PERIODS for day in _days(p) + [_days(p)[-1] + timedelta(1)]
                 for m in [_midnight(day)] for d in (-1, 0, 1)
                 if any(lo <= m + d < hi for lo, hi in _SPANS)})
instants = st.one_of(st.sampled_from(_EDGES),
                     *(st.integers(lo, hi - 1) for lo, hi in _SPANS))
readings = st.lists(
    st.tuples(st.sampled_from(PEOPLE), st.sampled_from(METRICS), instants,
              st.integers(0, 40)),
    min_size=1, max_size=60, unique_by=lambda r: (r[0], r[1], r[2]),
)


def _value(metric: str, drawn: int) -> float:
    return float(drawn % 2) if metric == "task_done" else drawn / 4  # share: 0/1 readings


def _csv(rows) -> str:
    lines = ["participant_id,metric,timestamp,value"]
    for person, metric, second, drawn in rows:
        stamp = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"{person},{metric},{stamp},{_value(metric, drawn)}")
    return "\n".join(lines) + "\n"


def _oracle(rows):
    """(person, metric, period) -> (value, n), and (person, metric, week) -> (period, value),
    from the raw readings."""
    first = date.fromisoformat(PERIODS["baseline"]["start"])
    days = {p: len(_days(p)) for p in PERIODS}
    by_period: dict[tuple[str, str, str], list[float]] = {}
    by_week: dict[tuple[str, str, int], list[tuple[str, float]]] = {}
    for person, metric, second, drawn in rows:
        day = datetime.fromtimestamp(second, UTC).astimezone(PARIS).date()
        period = next(p for p in PERIODS if day in _days(p))
        value = _value(metric, drawn)
        by_period.setdefault((person, metric, period), []).append(value)
        by_week.setdefault((person, metric, (day - first).days // 7), []).append(
            (period, value))

    def aggregate(metric: str, values: list[float], days: int) -> float:
        return {"mean": sum(values) / len(values), "share": sum(values) / len(values),
                "sum": sum(values), "count": float(len(values)),
                "rate_per_day": sum(values) / days}[AGGREGATE[metric]]

    periods = {key: (aggregate(key[1], v, days[key[2]]), len(v)) for key, v in by_period.items()}
    weeks = {key: (min(p for p, _ in v), aggregate(key[1], [x for _, x in v], 7))
             for key, v in by_week.items()}
    return periods, weeks


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=readings, split=st.integers(0, 60), overlap=st.integers(0, 10),
       chunk=st.sampled_from([2, 3, 100_000]))
def test_rollups_give_what_the_raw_readings_give(engine, tmp_path, rows, split, overlap, chunk):
    # Two imports, the second repeating some rows of the first: the roll-ups of the days
    # both touch are recomputed, never counted twice. Read in chunks of 2 or 3 rows, a
    # day's readings fall in several chunks (a reading alone on its day in one chunk is
    # its own roll-up, SQLite), and their sums are added up.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readers, "CHUNK_ROWS", chunk)
        _import_twice(engine, tmp_path, rows, split, overlap)


def _import_twice(engine, tmp_path, rows, split, overlap):
    pilot = make_pilot(id=f"rollup{next(_counter)}", timezone="Europe/Paris", periods=PERIODS,
                       attributes=[], surveys=[])
    people = tmp_path / f"{pilot.id}-p.csv"
    people.write_text("participant_id,cohort\nh1,testers\nh2,testers\nh3,neighbours\n")
    cut = min(split, len(rows))
    for i, part in enumerate((rows[:cut], rows[max(cut - overlap, 0):])):
        if not part:
            continue
        path = tmp_path / f"{pilot.id}-{i}.csv"
        path.write_text(_csv(part))
        import_files(engine=engine, pilot=pilot, instruments={}, secret_key=SECRET,
                     participants=people, observations=path)
    periods, weeks = _oracle(rows)
    name = {pseudonymize(p, SECRET): p for p in PEOPLE}
    for metric in METRICS:
        frame = participant_values(engine=engine, pilot=pilot, metric=metric)
        found = {(name[r.participant_id], metric, r.period): (r.value, r.n_readings)
                 for r in frame.itertuples() if not r.filled}
        expected = {k: v for k, v in periods.items() if k[1] == metric}
        assert found.keys() == expected.keys()
        for key, (value, n) in expected.items():
            assert found[key][1] == n
            assert found[key][0] == pytest.approx(value, rel=1e-12, abs=1e-12)
        weekly = weekly_participant_values(engine=engine, pilot=pilot, metric=metric,
                                           period=None)
        found_weeks = {(name[r.participant_id], metric, r.week): (r.period, r.value)
                       for r in weekly.itertuples()}
        expected_weeks = {k: v for k, v in weeks.items() if k[1] == metric}
        assert found_weeks.keys() == expected_weeks.keys()
        for key, (period, value) in expected_weeks.items():
            assert found_weeks[key][0] == period
            assert found_weeks[key][1] == pytest.approx(value, rel=1e-12, abs=1e-12)
        baseline = weekly_participant_values(engine=engine, pilot=pilot, metric=metric)
        assert {(name[r.participant_id], metric, r.week) for r in baseline.itertuples()} == {
            k for k, (period, _) in expected_weeks.items() if period == "baseline"}
    latest = latest_data(engine=engine, pilot=pilot).observation
    assert latest == datetime.fromtimestamp(max(r[2] for r in rows), UTC)


@pytest.mark.parametrize("chunk", [1, 2, 3, 100_000])
def test_a_day_read_in_several_chunks_is_summed_up_whole(engine, write, chunk):
    # h1's three readings of 10 January (Paris) come in chunks of 1, 2 or 3 rows,
    # between h2's: in a chunk, a reading alone on its day is its own roll-up, the
    # others are summed up; the store adds the parts up. The last one, at 23:30 UTC,
    # is on 11 January in Paris (its own day), as is h2's reading at 23:10 UTC.
    pilot = make_pilot(timezone="Europe/Paris", attributes=[], surveys=[])
    people = write("p.csv", "participant_id,cohort\nh1,testers\nh2,testers\n")
    readings = write("o.csv", "participant_id,metric,timestamp,value\n"
                     "h1,kwh,2024-01-10T08:00:00Z,1.5\n"
                     "h2,kwh,2024-01-10T23:10:00Z,5\n"
                     "h1,kwh,2024-01-10T21:00:00Z,2\n"
                     "h1,kwh,2024-01-10T06:00:00Z,4\n"
                     "h1,kwh,2024-01-10T23:30:00Z,7\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readers, "CHUNK_ROWS", chunk)
        import_files(engine=engine, pilot=pilot, instruments={}, secret_key=SECRET,
                     participants=people, observations=readings)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT p.participant_id, r.day, r.n, r.total, r.squares, r.low, r.high, r.last_ts "
            "FROM daily_rollup r JOIN participant p ON p.key = r.participant_key "
            "ORDER BY p.participant_id = :h1 DESC, r.day"), {"h1": pseudonymize("h1", SECRET)}
        ).all()
    tenth = (date(2024, 1, 10) - date(1970, 1, 1)).days
    micros = int(datetime(2024, 1, 10, 21, tzinfo=UTC).timestamp()) * 1_000_000
    late = int(datetime(2024, 1, 10, 23, 30, tzinfo=UTC).timestamp()) * 1_000_000
    h2 = int(datetime(2024, 1, 10, 23, 10, tzinfo=UTC).timestamp()) * 1_000_000
    assert [tuple(row[1:]) for row in rows] == [
        (tenth, 3, 7.5, 1.5**2 + 2**2 + 4**2, 1.5, 4.0, micros),
        (tenth + 1, 1, 7.0, 49.0, 7.0, 7.0, late),
        (tenth + 1, 1, 5.0, 25.0, 5.0, 5.0, h2),
    ]


def test_an_erasure_takes_the_participants_days_with_their_readings(loaded, pilot):
    from sqlmodel import Session

    from livinglab.store import erase_participant
    from livinglab.store import models as db

    key_of = sa.select(db.Participant.key).where(
        db.Participant.participant_id == pseudonymize("h1", SECRET))
    with loaded.connect() as connection:
        key = connection.execute(key_of).scalar_one()
        days = sa.select(sa.func.count()).select_from(db.DailyRollup).where(
            db.DailyRollup.participant_key == key)
        # h1's 12 readings of 3 metrics, each on its own day
        assert connection.execute(days).scalar_one() == 12
    with Session(loaded) as session:
        erase_participant(session=session, pilot_id=pilot.id,
                          participant_id=pseudonymize("h1", SECRET))
        session.commit()
    with loaded.connect() as connection:
        assert connection.execute(days).scalar_one() == 0


def test_a_new_time_zone_rebuilds_the_days(loaded, pilot):
    # h1's reading at 2024-01-31T23:59:59 (UTC) is on 1 February in Paris: under the
    # new zone it moves to the intervention, as the raw readings would say.
    from sqlmodel import Session

    from livinglab.store.repository import sync_pilot

    before = participant_values(engine=loaded, pilot=pilot, metric="kwh")
    paris = pilot.model_copy(update={"timezone": "Europe/Paris"})
    with Session(loaded) as session:
        sync_pilot(session=session, pilot=paris)
        session.commit()
    after = participant_values(engine=loaded, pilot=paris, metric="kwh")
    h1 = pseudonymize("h1", SECRET)

    def of(frame):
        mine = frame[frame["participant_id"] == h1].set_index("period")
        return {p: (float(v), int(n)) for p, v, n in
                zip(mine.index, mine["value"], mine["n_readings"], strict=True)}

    assert of(before) == {"baseline": (11.0, 2), "intervention": (8.0, 1)}
    assert of(after) == {"baseline": (10.0, 1), "intervention": (10.0, 2)}


def test_the_migration_builds_the_days_of_a_store_made_before_them(tmp_path):
    # A store at 0006 with readings and no roll-ups: after the upgrade its values are the
    # readings' (the days in the pilot's stored time zone: 23:30 UTC is the next Paris day).
    from livinglab.store import make_engine, migrate, schema_differences

    pilot = make_pilot(timezone="Europe/Paris", attributes=[], surveys=[])
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0006")
    spec = pilot.model_dump_json()
    at = {  # epoch microseconds
        "jan05": int(datetime(2024, 1, 5, 8, tzinfo=UTC).timestamp()) * 1_000_000,
        "jan31_late": int(datetime(2024, 1, 31, 23, 30, tzinfo=UTC).timestamp()) * 1_000_000,
    }
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run("INSERT INTO pilot (id, title, spec_hash, spec_json, loaded_at) "
            "VALUES (?, 'E', 'h', ?, 0)", (pilot.id, spec))
        run("INSERT INTO cohort VALUES (?, 'testers', 'test', 'volunteer')", (pilot.id,))
        run("INSERT INTO metric (key, pilot_id, metric_id) VALUES (1, ?, 'kwh')", (pilot.id,))
        run("INSERT INTO participant (key, pilot_id, participant_id, cohort_id) "
            "VALUES (7, ?, 'x', 'testers')", (pilot.id,))
        run("INSERT INTO import_batch (id, pilot_id, kind, rows, inserted, created_at) "
            "VALUES (1, ?, 'observations', 2, 2, 0)", (pilot.id,))
        for ts, value in ((at["jan05"], 10.0), (at["jan31_late"], 12.0)):
            run("INSERT INTO observation VALUES (1, 7, ?, ?, 1)", (ts, value))

    migrate(engine)

    assert schema_differences(engine) == []
    frame = participant_values(engine=engine, pilot=pilot, metric="kwh")
    assert {(r.period, r.value, r.n_readings) for r in frame.itertuples()} == {
        ("baseline", 10.0, 1), ("intervention", 12.0, 1)}
    engine.dispose()


def test_an_edited_time_zone_is_caught_up_before_an_evaluation(loaded, pilot):
    # The spec's zone edited with no import since: the roll-ups are summed up again in the
    # new zone before they are read (the evaluation calls this first).
    from livinglab.store.rollups import ensure_rollup_zone

    paris = pilot.model_copy(update={"timezone": "Europe/Paris"})
    assert ensure_rollup_zone(loaded, pilot_id=pilot.id, timezone="Europe/Paris")
    assert not ensure_rollup_zone(loaded, pilot_id=pilot.id, timezone="Europe/Paris")
    frame = participant_values(engine=loaded, pilot=paris, metric="kwh")
    mine = frame[frame["participant_id"] == pseudonymize("h1", SECRET)]
    assert sorted(zip(mine["period"], mine["value"], strict=True)) == [
        ("baseline", 10.0), ("intervention", 10.0)]

"""Weekly means per cohort (the evidence page's series), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from livinglab.store.weekly import weekly_means

# Weeks count from the baseline's first day (2024-01-01). kwh (mean of the week's
# readings per participant): h1 (testers) 01-05 -> week 0: 10; 01-31 and 02-01 -> week 4:
# (12 + 8) / 2. h3 (neighbours) 01-10 -> week 1: 9; 02-10 12:00Z and 02-11 13:00+01:00 ->
# week 5: (9 + 11) / 2. kwh_total (sum): h1 01-02, 01-03 -> week 0: 4; 02-02 -> week 4: 3
# (store_factories' OBSERVATIONS and MORE_OBSERVATIONS, loaded by the `loaded` fixture).

def rows(frame):
    return {(r.cohort, int(r.week)): (int(r.n), float(r.mean)) for r in frame.itertuples()}


def test_weekly_means_per_cohort_follow_the_metric_aggregate(loaded, pilot):
    kwh = weekly_means(engine=loaded, pilot=pilot, metric="kwh")
    assert rows(kwh) == {
        ("testers", 0): (1, 10.0),
        ("testers", 4): (1, 10.0),
        ("neighbours", 1): (1, 9.0),
        ("neighbours", 5): (1, 10.0),
    }
    total = weekly_means(engine=loaded, pilot=pilot, metric="kwh_total")
    assert rows(total) == {("testers", 0): (1, 4.0), ("testers", 4): (1, 3.0)}


def test_a_week_is_placed_in_the_period_of_its_first_reading(loaded, pilot):
    kwh = weekly_means(engine=loaded, pilot=pilot, metric="kwh").set_index(["cohort", "week"])
    assert kwh.loc[("testers", 0), "period"] == "baseline"
    assert kwh.loc[("testers", 4), "period"] == "baseline"  # 01-31 opens the week
    assert kwh.loc[("neighbours", 5), "period"] == "intervention"


def test_weekly_participant_values_are_the_first_group_by_of_weekly_means(loaded, pilot):
    from livinglab.store.weekly import weekly_participant_values

    every = weekly_participant_values(engine=loaded, pilot=pilot, metric="kwh", period=None)
    assert sorted((r.cohort, r.week, r.period, r.value) for r in every.itertuples()) == [
        ("neighbours", 1, "baseline", 9.0),
        ("neighbours", 5, "intervention", 10.0),
        ("testers", 0, "baseline", 10.0),
        ("testers", 4, "baseline", 10.0),
    ]
    baseline = weekly_participant_values(engine=loaded, pilot=pilot, metric="kwh")
    assert set(baseline["period"]) == {"baseline"} and len(baseline) == 3
    assert baseline["participant_id"].nunique() == 2


def test_weeks_are_local_weeks_across_the_spring_change(engine, tmp_path):
    from store_factories import SECRET, make_pilot

    from livinglab.store import import_files

    pilot = make_pilot(
        timezone="Europe/Paris",
        periods={
            "baseline": {"start": "2026-03-02", "end": "2026-03-29"},  # from a Monday
            "intervention": {"start": "2026-03-30", "end": "2026-04-26"},
        },
    )
    (tmp_path / "p.csv").write_text("participant_id,cohort\nh1,testers\n")
    (tmp_path / "o.csv").write_text(
        "participant_id,metric,timestamp,value\n"
        "h1,kwh,2026-03-02T00:30:00,1\n"  # Monday of week 0 (01:00 UTC offset)
        "h1,kwh,2026-03-29T23:30:00,2\n"  # Sunday of week 3, summer time
        "h1,kwh,2026-03-30T00:30:00,3\n"  # Monday of week 4: 29 March 22:30 UTC
    )
    import_files(engine=engine, pilot=pilot, secret_key=SECRET,
                 participants=tmp_path / "p.csv", observations=tmp_path / "o.csv")
    kwh = weekly_means(engine=engine, pilot=pilot, metric="kwh")
    assert rows(kwh) == {
        ("testers", 0): (1, 1.0),
        ("testers", 3): (1, 2.0),
        ("testers", 4): (1, 3.0),
    }

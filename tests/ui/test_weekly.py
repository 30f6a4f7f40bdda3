"""The weekly series behind the evidence page's line charts, checked against pandas on
the demo's own CSV files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from ui_factories import using_store

from livinglab import services

pytestmark = pytest.mark.xdist_group("ui")


def test_weekly_means_match_a_pandas_computation_on_the_raw_readings(tmp_path: Path) -> None:
    with using_store(tmp_path / "weekly.db", demo=False):
        services.load_demo(out_dir=tmp_path / "csv")
        weekly = services.weekly_series("shared_mobility")
        pilot = services.load_pilot("shared_mobility")
    folder = tmp_path / "csv" / "shared_mobility"  # the demo's public CSV files
    readings = pd.read_csv(folder / "observations.csv")
    cohorts = pd.read_csv(folder / "participants.csv")
    readings = readings[readings["metric"] == "car_trips"].merge(
        cohorts[["participant_id", "cohort"]], on="participant_id"
    )
    moment = pd.to_datetime(readings["timestamp"], utc=True)
    start = pd.Timestamp(pilot.periods.baseline.start, tz="UTC")
    end = pd.Timestamp(pilot.periods.intervention.end, tz="UTC") + pd.Timedelta(days=1)
    readings = readings[(moment >= start) & (moment < end)]
    readings["week"] = ((moment[readings.index] - start).dt.days // 7).astype(int)
    per_participant = readings.groupby(["cohort", "week", "participant_id"])["value"].mean()
    expected = per_participant.groupby(["cohort", "week"]).agg(["mean", "std", "count"])
    got = weekly[weekly["metric"] == "car_trips"].set_index(["cohort", "week"])
    expected = expected[expected["count"] >= 5]
    assert len(got) == len(expected)
    assert got["n"].to_numpy() == pytest.approx(expected.loc[got.index, "count"].to_numpy())
    assert got["mean"].to_numpy() == pytest.approx(expected.loc[got.index, "mean"].to_numpy())
    assert got["sd"].to_numpy() == pytest.approx(expected.loc[got.index, "std"].to_numpy())
    assert (got["ci_low"] < got["mean"]).all() and (got["mean"] < got["ci_high"]).all()

"""Every metric's values at once: the same frames as one call per metric."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session
from store_factories import OBSERVATIONS, PARTICIPANTS, SECRET

from livinglab.store import import_files, participant_values
from livinglab.store.reductions import participant_values_by_metric

MORE = "h1,kwh_total,2024-01-02,1.5\nh2,logins,2024-01-02,1\nh2,trips,2024-02-03,29\n"


def test_all_metrics_at_once_give_the_frames_of_one_call_each(engine, pilot, write):
    import_files(
        engine=engine,
        pilot=pilot,
        secret_key=SECRET,
        participants=write("p.csv", PARTICIPANTS),
        observations=write("o.csv", OBSERVATIONS + MORE),
    )
    one_by_one = {m.id: participant_values(engine=engine, pilot=pilot, metric=m.id)
                  for m in pilot.metrics}

    concurrent = participant_values_by_metric(engine=engine, pilot=pilot)
    with Session(engine) as session:
        in_a_session = participant_values_by_metric(
            session=session, pilot=pilot, metrics=["kwh", "trips"]
        )

    assert list(concurrent) == [m.id for m in pilot.metrics]
    for metric, frame in one_by_one.items():
        pd.testing.assert_frame_equal(concurrent[metric], frame)
    assert list(in_a_session) == ["kwh", "trips"]
    pd.testing.assert_frame_equal(in_a_session["trips"], one_by_one["trips"])

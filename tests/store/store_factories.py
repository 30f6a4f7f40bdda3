"""Test data of the store tests, in one place: a small pilot, an instrument, files."""

from __future__ import annotations

import copy
from typing import Any

from livinglab.spec.models import Pilot

SECRET = "test-secret"

_KWH: dict[str, Any] = {
    "id": "kwh",
    "label": "kWh per day",
    "unit": "kWh",
    "aggregate": "mean",
    "better": "lower",
    "min_effect": {"relative": 0.05},
    "role": "primary",
}

PILOT: dict[str, Any] = {
    "id": "energy",
    "title": "Energy feedback",
    "domain": "energy",
    "hypothesis": "Seeing their consumption makes households use less.",
    "periods": {
        # 31 and 29 declared days; a gap on 2024-03-01..03 belongs to neither.
        "baseline": {"start": "2024-01-01", "end": "2024-01-31"},
        "intervention": {"start": "2024-02-01", "end": "2024-02-29"},
    },
    "cohorts": [
        {"id": "testers", "role": "test", "assignment": "volunteer"},
        {"id": "neighbours", "role": "control", "assignment": "volunteer"},
    ],
    "metrics": [
        _KWH,
        {**_KWH, "id": "kwh_total", "aggregate": "sum", "role": "secondary"},
        {**_KWH, "id": "logins", "aggregate": "count", "role": "secondary", "better": "higher"},
        {**_KWH, "id": "trips", "aggregate": "rate_per_day", "role": "secondary"},
        {**_KWH, "id": "task_done", "aggregate": "share", "role": "guardrail", "better": "higher"},
    ],
    "surveys": [{"instrument": "satisfaction", "waves": ["after"], "cohorts": ["testers"]}],
    "decision": {"criteria": [{"metric": "kwh", "must": "improve"}]},
    "attributes": ["age_band", "neighbourhood"],
    # Written before pilots had a time zone: UTC days keep these tests' hand computations.
    "timezone": "UTC",
}

INSTRUMENT: dict[str, Any] = {
    "id": "satisfaction",
    "title": "Satisfaction",
    "scale": {"min": 1, "max": 5},
    "items": [{"id": "q1", "text": "Utile"}, {"id": "q2", "text": "Simple"}],
    "scoring": "mean",
}

PARTICIPANTS = """participant_id,cohort,age_band,neighbourhood
h1,testers,65+,Centre
h2,testers,30-44,Les Epinettes
h3,neighbours,65+,Centre
h4,neighbours,45-64,
"""

# kwh (mean): h1 baseline 10, 12 -> 11; intervention 8 -> 8.
#             h3 baseline 9; intervention 9, 11 -> 10.
OBSERVATIONS = """participant_id,metric,timestamp,value
h1,kwh,2024-01-05T08:00:00,10
h1,kwh,2024-01-31T23:59:59,12
h1,kwh,2024-02-01T00:00:00,8
h3,kwh,2024-01-10,9
h3,kwh,2024-02-10T12:00:00Z,9
h3,kwh,2024-02-11T13:00:00+01:00,11
"""

# More readings of the other aggregates (see test_reductions.py for the hand computations).
MORE_OBSERVATIONS = """h1,kwh_total,2024-01-02,1.5
h1,kwh_total,2024-01-03,2.5
h1,kwh_total,2024-02-02,3
h2,logins,2024-01-02,1
h2,logins,2024-01-03,1
h2,logins,2024-01-04,1
h2,logins,2024-02-04,1
h2,trips,2024-01-02,60
h2,trips,2024-01-20,2
h2,trips,2024-02-03,29
h4,trips,2024-02-29T23:59:59.999999,58
h1,task_done,2024-01-02,1
h1,task_done,2024-01-03,0
h1,task_done,2024-01-04,1
h1,task_done,2024-01-05,1
h1,task_done,2024-02-01,0
h1,task_done,2024-02-02,1
"""

RESPONSES = """participant_id,instrument,wave,item,answer
h1,satisfaction,after,q1,4
h1,satisfaction,after,q2,5
h2,satisfaction,after,q1,2
"""


def make_pilot(**changes: Any) -> Pilot:
    data = copy.deepcopy(PILOT)
    data.update(changes)
    return Pilot.model_validate(data)

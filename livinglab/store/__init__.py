"""The store: SQLModel tables, the engine, bulk import and SQL reductions.

SQLite is the embedded default, PostgreSQL the server for a city-wide deployment:
the same code runs on both (a different ``LIVINGLAB_DATABASE_URL``).
"""

from livinglab.store.engine import make_engine, migrate, read_connection, schema_differences
from livinglab.store.importer import ImportReport, KindReport, import_files
from livinglab.store.periods import PeriodBounds, period_bounds
from livinglab.store.pseudonym import pseudonymize
from livinglab.store.reductions import (
    LatestData,
    cohort_counts,
    data_version,
    departures,
    latest_data,
    participant_values,
    participants,
    survey_answers,
)
from livinglab.store.repository import (
    add_survey_answers,
    erase_participant,
    find_participant,
    get_participant,
    sync_pilot,
)

__all__ = [
    "ImportReport",
    "KindReport",
    "LatestData",
    "PeriodBounds",
    "add_survey_answers",
    "cohort_counts",
    "data_version",
    "departures",
    "erase_participant",
    "find_participant",
    "get_participant",
    "import_files",
    "latest_data",
    "make_engine",
    "migrate",
    "participant_values",
    "participants",
    "period_bounds",
    "pseudonymize",
    "read_connection",
    "schema_differences",
    "survey_answers",
    "sync_pilot",
]

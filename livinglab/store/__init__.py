"""The store: SQLModel tables, the engine, bulk import and SQL reductions.

SQLite is the embedded default, PostgreSQL the server for a city-wide deployment:
the same code runs on both (a different ``LIVINGLAB_DATABASE_URL``).

The names below are loaded on first use (PEP 562 ``__getattr__``): a reduction or an
evaluation does not pay for the importer (file readers, dialects, Excel, adapters),
nor an import for the reductions.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from livinglab.store.engine import (
        make_engine,
        migrate,
        read_connection,
        schema_differences,
    )
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

_HOMES = {
    "livinglab.store.engine": ("make_engine", "migrate", "read_connection",
                               "schema_differences"),
    "livinglab.store.importer": ("ImportReport", "KindReport", "import_files"),
    "livinglab.store.periods": ("PeriodBounds", "period_bounds"),
    "livinglab.store.pseudonym": ("pseudonymize",),
    "livinglab.store.reductions": ("LatestData", "cohort_counts", "data_version", "departures",
                                   "latest_data", "participant_values", "participants",
                                   "survey_answers"),
    "livinglab.store.repository": ("add_survey_answers", "erase_participant",
                                   "find_participant", "get_participant", "sync_pilot"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

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


def __getattr__(name: str) -> Any:
    """Load ``name`` from its module on first use."""
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'livinglab.store' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value

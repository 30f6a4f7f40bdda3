"""Use cases: the one module that sees every layer.

The CLI and the app call these functions and render what they return; nothing
below this module knows about either. Heavy imports (the statistics, pandas) are
made inside the functions that need them, so that ``livinglab validate`` and
``livinglab import`` start fast.
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from livinglab.errors import NotFoundError, Problem
from livinglab.settings import get_settings

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.engine import Engine

    from livinglab.evaluation import PilotEvaluation
    from livinglab.spec.models import Instrument, Pilot
    from livinglab.store.importer import ImportReport


# --- configuration -----------------------------------------------------------


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    from livinglab.store.engine import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    return engine


def engine() -> Engine:
    """The store's engine for the configured database, migrated to the latest schema."""
    return _engine_for(get_settings().database_url)


def instruments() -> dict[str, Instrument]:
    """Every instrument of the surveys folder, by id."""
    from livinglab.spec.loader import load_instruments

    return load_instruments(get_settings().surveys_dir)


def load_pilot(pilot_id: str) -> Pilot:
    """The pilot ``pilots/<pilot_id>.yaml``, validated (raises SpecError or NotFoundError)."""
    from livinglab.spec.loader import find_pilot

    settings = get_settings()
    return find_pilot(pilot_id, settings.pilots_dir, settings.surveys_dir)


def pilot_ids() -> list[str]:
    """The ids of the pilot files in the pilots folder, sorted."""
    folder = get_settings().pilots_dir
    if not folder.is_dir():
        raise NotFoundError(
            f"The pilots folder '{folder}' does not exist (set LIVINGLAB_PILOTS_DIR)."
        )
    return sorted(p.stem for p in folder.glob("*.yaml"))


def validate(paths: list[Path]) -> tuple[list[Problem], int]:
    """Every problem in the given pilot and instrument files (default: both folders).

    Returns the problems and the number of files checked.
    """
    from livinglab.spec.loader import validate_paths

    settings = get_settings()
    targets = list(paths) or [settings.surveys_dir, settings.pilots_dir]
    files = _yaml_files(targets)
    return validate_paths(targets, surveys_dir=settings.surveys_dir), len(files)


def _yaml_files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        else:
            found.append(path)
    return found


# --- data ----------------------------------------------------------------------


def import_data(
    pilot_id: str,
    *,
    participants: Path | None = None,
    observations: Path | None = None,
    responses: Path | None = None,
) -> ImportReport:
    """Import a pilot's files: validated whole first, then written in one transaction."""
    from livinglab.store.importer import import_files

    for path in (participants, observations, responses):
        if path is not None and not Path(path).is_file():
            raise NotFoundError(f"The file '{path}' does not exist.")
    pilot = load_pilot(pilot_id)
    return import_files(
        engine=engine(),
        pilot=pilot,
        instruments=instruments(),
        participants=participants,
        observations=observations,
        responses=responses,
        secret_key=get_settings().secret_key,
    )


def load_demo(*, out_dir: Path | None = None, seed: int = 20260101) -> dict[str, ImportReport]:
    """Generate the demo pilots' data (seeded) and import it into the store."""
    from livinglab.demo import generate_demo

    with tempfile.TemporaryDirectory(prefix="livinglab-demo-") as tmp:
        target = Path(out_dir) if out_dir else Path(tmp)
        target.mkdir(parents=True, exist_ok=True)
        files = generate_demo(target, seed=seed)
        return {
            pilot_id: import_data(
                pilot_id,
                participants=demo_files.participants,
                observations=demo_files.observations,
                responses=demo_files.responses,
            )
            for pilot_id, demo_files in files.items()
        }


def portfolio() -> pd.DataFrame:
    """One row per pilot: title, domain, participants per cohort, latest data."""
    import pandas as pd

    from livinglab.store import reductions

    rows = []
    for pilot_id in pilot_ids():
        pilot = load_pilot(pilot_id)
        counts = reductions.cohort_counts(engine=engine(), pilot=pilot)
        rows.append(
            {
                "pilot": pilot.id,
                "title": pilot.title.get("fr"),
                "domain": pilot.domain,
                "participants": int(counts["participants"].sum()) if len(counts) else 0,
                "latest_data": reductions.latest_data(engine=engine(), pilot=pilot),
            }
        )
    return pd.DataFrame(rows)


def list_pilots_text() -> list[str]:
    """The portfolio as plain text lines for the CLI."""
    frame = portfolio()
    if frame.empty:
        return ["No pilot found."]
    return frame.to_string(index=False).splitlines()


# --- evaluation ------------------------------------------------------------------


def evaluate_pilot(pilot_id: str, *, lang: str = "fr") -> PilotEvaluation:
    """Reduce the pilot's data in SQL, analyse every metric and survey, and decide."""
    from livinglab.evaluation import evaluate
    from livinglab.store import reductions

    pilot = load_pilot(pilot_id)
    eng = engine()
    values = {
        m.id: reductions.participant_values(engine=eng, pilot=pilot, metric=m.id)
        for m in pilot.metrics
    }
    answers = {
        plan.instrument: reductions.survey_answers(
            engine=eng, pilot=pilot, instrument=plan.instrument
        )
        for plan in pilot.surveys
    }
    return evaluate(
        pilot,
        values_by_metric=values,
        answers_by_instrument=answers,
        instruments=instruments(),
        participants=reductions.participants(engine=eng, pilot=pilot),
        data_version=reductions.data_version(engine=eng, pilot=pilot),
        lang=lang,
    )

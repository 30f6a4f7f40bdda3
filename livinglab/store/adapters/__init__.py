"""Adapters: each turns one tool's export into the common rows of
:mod:`livinglab.store.importer`, written to a file the importer reads as any other,
with a map from each written line back to the export's own file and line, so that
every problem still names the line the user can open.

- :mod:`livinglab.store.adapters.enedis`: the load curves of the French distribution
  operator's customer portal (one meter a file), as observations;
- :mod:`livinglab.store.adapters.limesurvey`: a LimeSurvey response export (one row per
  response), as survey responses, through the instrument's ``limesurvey`` mapping;
- :mod:`livinglab.store.adapters.kobo`: a KoboToolbox export (CSV or XLSX, group paths
  in the column names), as survey responses.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from livinglab.errors import ImportRejected, Problem, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from livinglab.spec.models import Instrument, Pilot
    from livinglab.store.dialects import CsvOptions
    from livinglab.store.importer import ImportReport

FORMATS = ("enedis", "limesurvey", "kobo")


@dataclass
class Converted:
    """An export turned into a common file.

    Attributes
    ----------
    path : Path
        The common file written.
    origins : list of (str, int)
        For line ``k + 2`` of the common file (after its header), the export's file and
        physical line.
    note : str
        What the adapter did, for the report (units converted, rows left out).
    problems : list of Problem
        What the adapter could not convert, by the export's file and line.
    """

    path: Path
    origins: list[tuple[str, int]] = field(default_factory=list)
    note: str = ""
    problems: list[Problem] = field(default_factory=list)

    def origin(self, line: int | None) -> tuple[str, int | None] | None:
        if line is None or not 2 <= line < len(self.origins) + 2:
            return None
        return self.origins[line - 2]

    def translate(self, error: ImportRejected) -> ImportRejected:
        """The importer's problems, named by the export's files and lines."""

        def place(match: re.Match[str]) -> str:
            found = self.origin(int(match[2]))
            return f"{found[0]} line {found[1]}" if found else match[0]

        problems = []
        for problem in error.problems:
            found = self.origin(problem.line) if problem.file == str(self.path) else None
            message = re.sub(r"\b(line|row) (\d+)\b", place, problem.message)
            if found:
                problems.append(Problem(found[0], found[1], problem.field, message))
            else:
                problems.append(Problem(problem.file, problem.line, problem.field, message))
        summary = error.summary.replace(str(self.path), "the converted export")
        return ImportRejected(problems, summary)


def import_export(
    name: str,
    *,
    engine: Engine,
    pilot: Pilot,
    instruments: Mapping[str, Instrument] | Iterable[Instrument] = (),
    participants: Path | None = None,
    export: Path,
    metric: str | None = None,
    instrument: str | None = None,
    wave: str | None = None,
    meters: Path | None = None,
    secret_key: str,
    csv_options: CsvOptions | None = None,
    actor: str | None = None,
) -> ImportReport:
    """Import a tool's export (``name``, one of :data:`FORMATS`) with the common
    participants file: all or nothing, as :func:`import_files`; every problem named by
    the export's file and line.

    ``enedis``: ``export`` is a load curve file or a folder of them, read as ``metric``
    (the observations), each file's meter mapped to a participant by its name or by the
    ``meters`` file (``meter,participant_id``). ``limesurvey``: ``export`` is a
    response export, read as the answers of ``instrument`` in ``wave`` (the responses);
    ``kobo``: the same from a KoboToolbox export.
    """
    from livinglab.store.importer import import_files

    if name not in FORMATS:
        raise UsageError(f"Unknown format {name!r} (expected one of {', '.join(FORMATS)}).")
    catalogue = (
        dict(instruments) if isinstance(instruments, Mapping) else {i.id: i for i in instruments}
    )
    kind = "observations" if name == "enedis" else "responses"
    with tempfile.TemporaryDirectory(prefix="livinglab-adapter-") as tmp:
        out = Path(tmp) / f"{kind}.csv"
        converted = _convert(
            name, export, pilot, catalogue, metric, instrument, wave, out, meters
        )
        if converted.problems:
            raise ImportRejected(
                converted.problems,
                f"Import refused, nothing was written: {len(converted.problems)} problem(s) "
                f"in the {name} export.",
            )
        try:
            report = import_files(
                engine=engine,
                pilot=pilot,
                instruments=catalogue,
                participants=participants,
                secret_key=secret_key,
                csv_options=csv_options,
                observations=converted.path if kind == "observations" else None,
                responses=converted.path if kind == "responses" else None,
                actor=actor,
            )
        except ImportRejected as error:
            raise converted.translate(error) from None
    kind_report = getattr(report, kind)
    assert kind_report is not None
    return replace(
        report, **{kind: replace(kind_report, file=str(export), read_as=converted.note)}
    )


def _convert(
    name: str,
    export: Path,
    pilot: Pilot,
    instruments: Mapping[str, Instrument],
    metric: str | None,
    instrument: str | None,
    wave: str | None,
    out: Path,
    meters: Path | None = None,
) -> Converted:
    if name == "enedis":
        from livinglab.store.adapters import enedis

        metrics = [m.id for m in pilot.metrics]
        if metric not in metrics:
            raise UsageError(
                f"The enedis format needs --metric, one of the metrics of pilot '{pilot.id}' "
                f"{metrics} (got {metric!r})."
            )
        return enedis.convert(
            enedis.curve_files(Path(export)),
            metric=metric,
            timezone=pilot.timezone,
            out=out,
            meters=meters,
        )
    from livinglab.store.adapters import kobo, limesurvey

    planned = sorted({p.instrument for p in pilot.surveys})
    if instrument not in planned or instrument not in instruments:
        raise UsageError(
            f"The {name} format needs --instrument, one of the instruments pilot "
            f"'{pilot.id}' plans {planned} (got {instrument!r})."
        )
    if not wave:
        raise UsageError(f"The {name} format needs --wave (baseline or after).")
    adapter = limesurvey if name == "limesurvey" else kobo
    return adapter.convert(Path(export), instrument=instruments[instrument], wave=wave, out=out)

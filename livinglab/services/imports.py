"""Importing uploaded files from the app: each upload is copied, in chunks, to a
temporary file whose path the importer streams (an upload is never held in memory a
second time); the import is all or nothing; its result, or every bad row, comes back
for the page; a successful import is written to the audit log (``import``) in its own
write transaction."""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from livinglab.errors import ImportRejected, Problem, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Connection

    from livinglab.store.importer import ImportReport

KINDS: tuple[str, ...] = ("participants", "observations", "responses")
SUFFIXES: tuple[str, ...] = (".csv", ".txt", ".tsv", ".parquet", ".pq", ".xlsx", ".xlsm")
"""What the importer reads (:mod:`livinglab.store.readers`, :mod:`livinglab.store.excel`)."""
CHUNK_BYTES = 1 << 20
LOG = logging.getLogger("livinglab.import")


@dataclass(frozen=True)
class UploadOutcome:
    """What an import of uploads gave: its report, or the problems that refused it.

    Attributes
    ----------
    report : ImportReport or None
        Per file: rows read, new, already stored (None when refused).
    problems : tuple of Problem
        Every bad row (file as uploaded, line, field, reason); empty when imported.
    """

    report: ImportReport | None
    problems: tuple[Problem, ...] = ()


def spool(upload: BinaryIO, name: str, folder: Path) -> Path:
    """Copy ``upload`` to ``folder`` in chunks of 1 MiB, keeping the suffix of ``name``
    (it tells the format); returns the path. UsageError for a format not read."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(
            f"The file '{name}' is not read (expected CSV, Parquet or Excel: "
            f"{', '.join(SUFFIXES)})."
        )
    target = Path(tempfile.mkstemp(prefix="upload-", suffix=suffix, dir=folder)[1])
    upload.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(upload, out, CHUNK_BYTES)
    return target


def import_uploads(
    pilot_id: str,
    uploads: dict[str, tuple[str, BinaryIO]],
    *,
    actor: str,
    progress: Callable[[str, int], None] | None = None,
) -> UploadOutcome:
    """Import ``uploads`` (kind -> (file name, binary stream)) into ``pilot_id``.

    All or nothing: when any row is wrong nothing is written and the outcome lists
    every problem, named after the uploaded file. ``progress(stage, rows)`` as
    :func:`livinglab.store.importer.import_files`.
    """
    from livinglab import services
    from livinglab.settings import get_settings
    from livinglab.store.importer import import_files

    unknown = [kind for kind in uploads if kind not in KINDS]
    if unknown or not uploads:
        raise UsageError(f"Give some of {', '.join(KINDS)} (got {', '.join(unknown) or 'none'}).")
    pilot = services.load_pilot(pilot_id)
    with tempfile.TemporaryDirectory(prefix="livinglab-upload-") as tmp:
        paths = {kind: spool(stream, name, Path(tmp)) for kind, (name, stream) in uploads.items()}
        names = {str(paths[kind]): name for kind, (name, _) in uploads.items()}
        try:
            report = import_files(
                engine=services.engine(),
                pilot=pilot,
                instruments=services.instruments(),
                secret_key=get_settings().pilot_pseudonym_key(pilot.id),
                progress=progress,
                actor=actor,  # the analysis plan is registered under their name
                in_write=_audit(actor, pilot_id, names),
                participants=paths.get("participants"),
                observations=paths.get("observations"),
                responses=paths.get("responses"),
            )
        except ImportRejected as err:
            return UploadOutcome(
                report=None,
                problems=tuple(
                    Problem(names.get(p.file, p.file), p.line, p.field, p.message)
                    for p in err.problems
                ),
            )
    LOG.info("import into %s by %s: %s", pilot_id, actor, _summary(report, names))
    return UploadOutcome(report=report)


def _audit(
    actor: str, pilot_id: str, names: dict[str, str]
) -> Callable[[Connection, dict[str, tuple[int, int, int]]], None]:
    def record(connection: Connection, counts: dict[str, tuple[int, int, int]]) -> None:
        from sqlmodel import Session

        from livinglab.store.audit import record_event

        detail = "; ".join(
            f"{kind}: read {read}, new {new}, already stored {read - new}"
            for kind, (read, new, _) in counts.items()
        )
        with Session(bind=connection) as session:  # joins the import's write transaction
            record_event(
                session=session, actor=actor, action="import", pilot_id=pilot_id,
                detail=f"{detail} ({', '.join(sorted(names.values()))})",
            )

    return record


def _summary(report: ImportReport, names: dict[str, str]) -> str:
    return "; ".join(
        f"{k.kind} {names.get(k.file, k.file)}: read {k.read}, new {k.inserted}, "
        f"already stored {k.already_present}"
        for k in report.kinds
    )

"""The decision record: when a pilot is ``decided``, the team records what the council
decided (generalize, stop, extend), by whom, when, under which reference, with a
comment; the evaluation (JSON) and the HTML dossier it was taken on are frozen with
their SHA-256. Audited as ``decision_recorded`` in the same transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from livinglab.errors import UsageError

if TYPE_CHECKING:
    from livinglab.spec.models import Pilot


@dataclass(frozen=True)
class DecisionInfo:
    """A decision record as the pages show it (the frozen documents left out).

    Attributes
    ----------
    pilot_id, decision, decided_by, council_reference : str
    decided_on : date
    comment : str or None
    verdict : str
        The verdict computed when the decision was recorded.
    evaluation_sha256, dossier_sha256 : str
        SHA-256 (hex) of the frozen evaluation JSON and dossier HTML.
    recorded_by : str
    recorded_at : datetime
    record_id : int
    """

    record_id: int
    pilot_id: str
    decision: str
    decided_by: str
    decided_on: date
    council_reference: str
    comment: str | None
    verdict: str
    evaluation_sha256: str
    dossier_sha256: str
    recorded_by: str
    recorded_at: datetime


def sha256_text(text: str) -> str:
    """SHA-256 (hex) of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_decision(
    pilot_id: str,
    *,
    decision: str,
    decided_by: str,
    decided_on: date,
    council_reference: str,
    comment: str | None = None,
    actor: str,
    lang: str = "fr",
) -> DecisionInfo:
    """Record the council's decision on ``pilot_id`` (its phase must be ``decided``),
    freezing the evaluation and the dossier it was taken on.

    Raises
    ------
    UsageError
        The pilot is not in the ``decided`` phase, or a field is invalid (nothing stored).
    """
    from sqlmodel import Session

    from livinglab import services
    from livinglab.store import models as db
    from livinglab.store.audit import record_event
    from livinglab.store.decisions import add_decision_record

    pilot = services.load_pilot(pilot_id)
    if pilot.phase != "decided":
        raise UsageError(
            f"The pilot '{pilot_id}' is in the '{pilot.phase}' phase: set 'phase: decided' "
            "in its file (editor) before recording the council's decision."
        )
    report = services.pilot_report(pilot_id, lang=lang)
    evaluation = json.dumps(report.evaluation.to_dict(), ensure_ascii=False, indent=2)
    dossier = services.dossier_html(pilot_id, lang=lang, report=report)
    record = db.DecisionRecord(
        pilot_id=pilot_id,
        decision=decision,
        decided_by=decided_by.strip(),
        decided_on=decided_on,
        council_reference=council_reference.strip(),
        comment=(comment or "").strip() or None,
        verdict=report.evaluation.decision.verdict,
        evaluation_json=evaluation,
        evaluation_sha256=sha256_text(evaluation),
        dossier_html=dossier,
        dossier_sha256=sha256_text(dossier),
        recorded_by=actor,
    )
    try:
        with Session(services.engine()) as session, session.begin():
            stored = add_decision_record(session=session, record=record)
            record_event(
                session=session, actor=actor, action="decision_recorded", pilot_id=pilot_id,
                detail=f"{decision} ({council_reference.strip()}, {decided_on.isoformat()}); "
                f"evaluation sha256 {record.evaluation_sha256[:12]}",
            )
            return _info(stored)
    except ValueError as err:
        raise UsageError(str(err)) from err


def decisions(pilot_id: str | None = None) -> list[DecisionInfo]:
    """The recorded decisions, newest first (of one pilot when ``pilot_id``)."""
    from sqlmodel import Session

    from livinglab import services
    from livinglab.store.decisions import decision_records

    with Session(services.engine()) as session:
        return [_info(r) for r in decision_records(session=session, pilot_id=pilot_id)]


def latest_decisions() -> dict[str, DecisionInfo]:
    """``pilot -> its latest recorded decision``."""
    latest: dict[str, DecisionInfo] = {}
    for info in decisions():
        latest.setdefault(info.pilot_id, info)
    return latest


def frozen_documents(record_id: int) -> tuple[str, str]:
    """``(evaluation_json, dossier_html)`` frozen with the record (NotFoundError)."""
    from sqlmodel import Session

    from livinglab import services
    from livinglab.errors import NotFoundError
    from livinglab.store import models as db

    with Session(services.engine()) as session:
        record = session.get(db.DecisionRecord, record_id)
        if record is None:
            raise NotFoundError(f"No decision record {record_id}.")
        return record.evaluation_json, record.dossier_html


def _info(record: object) -> DecisionInfo:
    from livinglab.store import models as db

    assert isinstance(record, db.DecisionRecord) and record.id is not None
    return DecisionInfo(
        record_id=record.id,
        pilot_id=record.pilot_id,
        decision=record.decision,
        decided_by=record.decided_by,
        decided_on=record.decided_on,
        council_reference=record.council_reference,
        comment=record.comment,
        verdict=record.verdict,
        evaluation_sha256=record.evaluation_sha256,
        dossier_sha256=record.dossier_sha256,
        recorded_by=record.recorded_by,
        recorded_at=record.recorded_at,
    )


def pilot(pilot_id: str) -> Pilot:
    """The pilot (as :func:`livinglab.services.load_pilot`)."""
    from livinglab import services

    return services.load_pilot(pilot_id)

"""What people may ask of their data, and what the city must do with it: erasure on
request, consent withdrawal, the retention purge, and the team's way back from a
pseudonym to its own ids. Each use case writes its audit entry in its own transaction.

A person is named by the team's raw id (as in its files, pseudonymised here with the
pilot's key) or by the pseudonym the store holds (:func:`find_participant`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from livinglab.errors import NotFoundError, UsageError
from livinglab.services.audit import actor_or_cli

if TYPE_CHECKING:
    import pandas as pd
    from sqlmodel import Session

    from livinglab.store import models as db


@dataclass(frozen=True)
class Erasure:
    """The result of :func:`erase`: the pseudonym (kept as a tombstone) and the rows
    deleted per table."""

    pilot_id: str
    pseudonym: str
    deleted: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


@dataclass(frozen=True)
class Withdrawal:
    """The result of :func:`withdraw_consent`: ``withdrawn`` is False when the person's
    consent was already withdrawn (nothing changed)."""

    pilot_id: str
    pseudonym: str
    withdrawn: bool


@dataclass(frozen=True)
class Purge:
    """One pilot past its retention period: when its intervention ended, how long its
    data was to be kept, the first day it could be purged, and the rows deleted (or
    that would be, with ``dry_run``)."""

    pilot_id: str
    ended_on: date
    retention_days: int
    purge_from: date
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def find_participant(*, session: Session, pilot_id: str, reference: str) -> db.Participant:
    """The participant named by ``reference``: the pseudonym the store holds, or the
    team's raw id, pseudonymised with the pilot's key. NotFoundError (which says when
    the person was erased already) otherwise."""
    from sqlmodel import select

    from livinglab.settings import get_settings
    from livinglab.store import models as db
    from livinglab.store.erasure import erased_pseudonyms
    from livinglab.store.pseudonym import pseudonymize

    wanted = reference.strip()
    if not wanted:
        raise UsageError("Give the participant's id (as in your files) or their pseudonym.")
    candidates = [wanted, pseudonymize(wanted, get_settings().pilot_pseudonym_key(pilot_id))]
    for pseudonym in candidates:
        found = session.exec(
            select(db.Participant).where(
                db.Participant.pilot_id == pilot_id, db.Participant.participant_id == pseudonym
            )
        ).first()
        if found is not None:
            return found
    if set(candidates) & erased_pseudonyms(session=session, pilot_id=pilot_id):
        raise NotFoundError(f"This participant of pilot '{pilot_id}' was erased already.")
    raise NotFoundError(
        f"Pilot '{pilot_id}' has no participant {wanted!r} (expected an id of the team's "
        "participants file, or a pseudonym of the store)."
    )


def _stored_pilot(session: Session, pilot_id: str) -> None:
    from livinglab.store import models as db

    if session.get(db.Pilot, pilot_id) is None:
        raise NotFoundError(f"The store holds no pilot '{pilot_id}'.")


def erase(pilot_id: str, reference: str, *, actor: str | None = None) -> Erasure:
    """Erase a person from a pilot (GDPR article 17): every row of theirs in every table,
    a tombstone of their pseudonym, an audit entry; one transaction.

    Raises NotFoundError for an unknown pilot or person (or one erased already)."""
    from sqlmodel import Session

    from livinglab.services import engine
    from livinglab.store.audit import record_event
    from livinglab.store.erasure import erase_participant_key

    with Session(engine()) as session, session.begin():
        _stored_pilot(session, pilot_id)
        participant = find_participant(session=session, pilot_id=pilot_id, reference=reference)
        assert participant.key is not None
        pseudonym = participant.participant_id
        deleted = erase_participant_key(
            session=session, pilot_id=pilot_id, participant_key=participant.key
        )
        record_event(
            session=session,
            actor=actor_or_cli(actor),
            action="erase",
            pilot_id=pilot_id,
            detail=f"pseudonym {pseudonym}: {sum(deleted.values())} row(s) deleted ("
            + ", ".join(f"{table} {n}" for table, n in deleted.items() if n)
            + ")",
        )
    return Erasure(pilot_id, pseudonym, deleted)


def withdraw_consent(pilot_id: str, participant: int | str, actor: str | None = None) -> Withdrawal:
    """Withdraw a participant's consent to a pilot: from then on their data counts in
    no evaluation (it stays stored until an erasure or the purge).

    Parameters
    ----------
    participant : int or str
        The participant's key in the store (the survey page's link knows it), their
        pseudonym, or the team's raw id.
    actor : str, optional
        Who records the withdrawal (the team member, ``citizen`` from the survey page;
        default ``cli:<system user>``).

    Notes
    -----
    A person with no consent on record (imported without a consent date) who withdraws
    gets one consent row whose ``given_at`` equals its ``withdrawn_at``: the record of
    their objection (channel ``team``). The withdrawal is also a batch (no personal
    data), so that cached evaluations are recomputed.
    """
    from sqlmodel import Session

    from livinglab.services import engine
    from livinglab.store import models as db
    from livinglab.store.audit import record_event
    from livinglab.store.consents import consents, record_consent, text_version
    from livinglab.store.consents import withdraw_consent as withdraw

    with Session(engine()) as session, session.begin():
        _stored_pilot(session, pilot_id)
        if isinstance(participant, int):
            row = session.get(db.Participant, participant)
            if row is None or row.pilot_id != pilot_id:
                raise NotFoundError(f"Pilot '{pilot_id}' has no participant {participant}.")
        else:
            row = find_participant(session=session, pilot_id=pilot_id, reference=participant)
        assert row.key is not None
        now = db.utc_now()
        count = withdraw(session=session, pilot_id=pilot_id, participant_key=row.key, at=now)
        if count == 0 and not consents(session=session, pilot_id=pilot_id, participant_key=row.key):
            objection = record_consent(
                session=session,
                pilot_id=pilot_id,
                participant_key=row.key,
                version=text_version(_consent_text(pilot_id)),
                channel="team",
                at=now,
            )
            objection.withdrawn_at = now
            session.add(objection)
            count = 1
        if count:
            session.add(db.ImportBatch(pilot_id=pilot_id, kind="withdrawal", rows=0, inserted=0))
            record_event(
                session=session,
                actor=actor_or_cli(actor),
                action="consent_withdrawn",
                pilot_id=pilot_id,
                detail=f"pseudonym {row.participant_id}",
            )
        return Withdrawal(pilot_id, row.participant_id, bool(count))


def _consent_text(pilot_id: str) -> str:
    """The consent text of the pilot (from its privacy facts), for its version."""
    from livinglab.services import load_pilot
    from livinglab.store.consents import consent_text

    try:
        return consent_text(load_pilot(pilot_id))
    except NotFoundError:  # the pilot's file is gone: its id stands for the text
        return f"pilot {pilot_id}"


def withdrawn_count(pilot_id: str) -> int:
    """How many of the pilot's participants withdrew their consent."""
    from sqlmodel import Session

    from livinglab.services import engine
    from livinglab.store.consents import withdrawn_keys

    with Session(engine()) as session:
        return len(withdrawn_keys(session=session, pilot_id=pilot_id))


def due_for_purge(*, today: date | None = None) -> list[Purge]:
    """The stored pilots whose intervention ended more than their ``retention_days``
    ago (read from the spec the store keeps: a pilot whose file was removed is still
    found). A pilot without privacy facts is never purged."""
    from sqlmodel import Session

    from livinglab.services import engine
    from livinglab.store.erasure import stored_pilots

    day = today or date.today()
    due = []
    with Session(engine()) as session:
        for pilot in stored_pilots(session=session):
            spec = pilot.spec_json or {}
            retention = (spec.get("privacy") or {}).get("retention_days")
            end = ((spec.get("periods") or {}).get("intervention") or {}).get("end")
            if retention is None or end is None:
                continue
            ended_on = date.fromisoformat(str(end))
            purge_from = ended_on + timedelta(days=int(retention) + 1)
            if day >= purge_from:
                due.append(Purge(pilot.id, ended_on, int(retention), purge_from))
    return due


def purge(
    *, dry_run: bool = False, actor: str | None = None, today: date | None = None
) -> list[Purge]:
    """Delete every pilot past its retention period (:func:`due_for_purge`): all its
    rows in every table, one transaction per pilot, each with its audit entry. With
    ``dry_run`` nothing is deleted and the counts say what would be.

    Returns
    -------
    list of Purge
        One per pilot due, with the rows deleted per table.
    """
    from sqlmodel import Session

    from livinglab.services import engine
    from livinglab.store.audit import record_event
    from livinglab.store.erasure import purge_pilot

    done = []
    for due in due_for_purge(today=today):
        with Session(engine()) as session:
            transaction = session.begin()
            deleted = purge_pilot(session=session, pilot_id=due.pilot_id)
            if dry_run:
                transaction.rollback()
            else:
                record_event(
                    session=session,
                    actor=actor_or_cli(actor),
                    action="purge",
                    pilot_id=due.pilot_id,
                    detail=f"intervention ended {due.ended_on}, retention {due.retention_days} "
                    f"days: {sum(deleted.values())} row(s) deleted ("
                    + ", ".join(f"{table} {n}" for table, n in deleted.items())
                    + ")",
                )
                transaction.commit()
        done.append(Purge(due.pilot_id, due.ended_on, due.retention_days, due.purge_from, deleted))
    return done


def pseudonym_table(pilot_id: str, participants: Path) -> pd.DataFrame:
    """The team's own ids beside the pseudonyms the store holds for them: the way back
    from a pseudonym (an erasure request, an invitation list) to a person, for whoever
    holds both the team's participants file and the pilot's key.

    Returns
    -------
    DataFrame
        ``participant_id`` (the team's id, from the file), ``pseudonym``, ``stored``
        (whether the store holds that pseudonym), ``erased`` (a tombstone holds it), in
        the file's order. Nothing of it is written anywhere.
    """
    import pandas as pd
    from sqlmodel import Session, select

    from livinglab.services import engine
    from livinglab.settings import get_settings
    from livinglab.store import models as db
    from livinglab.store.erasure import erased_pseudonyms
    from livinglab.store.pseudonym import pseudonymize

    path = Path(participants)
    if not path.is_file():
        raise NotFoundError(f"The file '{path}' does not exist.")
    ids = _participant_ids(path)
    key = get_settings().pilot_pseudonym_key(pilot_id)
    with Session(engine()) as session:
        stored = set(
            session.exec(
                select(db.Participant.participant_id).where(db.Participant.pilot_id == pilot_id)
            ).all()
        )
        erased = erased_pseudonyms(session=session, pilot_id=pilot_id)
    pseudonyms = [pseudonymize(raw, key) for raw in ids]
    return pd.DataFrame(
        {
            "participant_id": ids,
            "pseudonym": pseudonyms,
            "stored": [p in stored for p in pseudonyms],
            "erased": [p in erased for p in pseudonyms],
        }
    )


def team_ids(pilot_id: str, source: Path | BinaryIO, name: str | None = None) -> dict[str, str]:
    """``pseudonym -> the team's own id`` for every id of the ``participant_id`` column
    of the team's participants file (CSV with its separator detected, or Excel read by
    python-calamine), hashed with the pilot's key: the one way back from pseudonyms to
    people (invitation lists, the participants page, :func:`pseudonym_table`). Nothing
    of it is stored. ``source``: a path or an uploaded binary stream (``name``: its file
    name, for the format and the messages). UsageError for an unreadable file or one
    without that column."""
    from livinglab.settings import get_settings
    from livinglab.store.pseudonym import pseudonymize

    key = get_settings().pilot_pseudonym_key(pilot_id)
    return {pseudonymize(raw, key): raw for raw in _participant_ids(source, name)}


def _participant_ids(source: Path | BinaryIO, name: str | None = None) -> list[str]:
    """The ``participant_id`` column of the team's participants file, in its order,
    without blanks and repeats."""
    import pandas as pd

    label = name or (str(source) if isinstance(source, Path) else "the participants file")
    suffix = Path(name or (source if isinstance(source, Path) else "")).suffix.lower()
    if not isinstance(source, Path):
        source.seek(0)
    try:
        if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            frame = pd.read_excel(source, dtype=str, engine="calamine")
        else:
            frame = pd.read_csv(source, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as err:
        raise UsageError(f"{label}: cannot read the participants file ({err}).") from err
    if "participant_id" not in frame.columns:
        raise UsageError(
            f"{label}: no 'participant_id' column (expected the header of the participants "
            f"file, got {', '.join(map(str, frame.columns))})."
        )
    ids = frame["participant_id"].dropna().astype(str).str.strip()
    return [raw for raw in dict.fromkeys(ids) if raw]

"""A citizen's survey answers in progress, kept against their link (table
``survey_draft``) so that a reload, a closed tab or a phone that sleeps loses nothing.

Each function takes the session and never commits. A draft exists from the moment the
person consents until their answers are stored (then it is deleted with the same
transaction); erasing the participant deletes it through the invitation's cascade.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from livinglab.store import models as db


def start_draft(*, session: Session, invitation_id: int, now: datetime | None = None) -> None:
    """Open an empty draft for the link (kept as it is when one already exists)."""
    if session.get(db.SurveyDraft, invitation_id) is None:
        session.add(
            db.SurveyDraft(
                invitation_id=invitation_id, answers={}, updated_at=now or db.utc_now()
            )
        )
        session.flush()


def draft_answers(*, session: Session, invitation_id: int) -> dict[str, int] | None:
    """The answers saved so far (item id -> value), or None when the person has not
    consented through this link yet (no draft)."""
    draft = session.get(db.SurveyDraft, invitation_id)
    if draft is None:
        return None
    return {str(item): int(value) for item, value in dict(draft.answers).items()}


def save_answers(
    *,
    session: Session,
    invitation_id: int,
    answers: Mapping[str, int],
    now: datetime | None = None,
) -> None:
    """Merge ``answers`` into the link's draft (opening one if needed)."""
    draft = session.get(db.SurveyDraft, invitation_id)
    if draft is None:
        draft = db.SurveyDraft(invitation_id=invitation_id, answers={})
    draft.answers = {**dict(draft.answers), **{k: int(v) for k, v in answers.items()}}
    draft.updated_at = now or db.utc_now()
    session.add(draft)
    session.flush()


def drop_draft(*, session: Session, invitation_id: int) -> None:
    """Delete the link's draft (its answers are stored, or the person said no)."""
    draft = session.get(db.SurveyDraft, invitation_id)
    if draft is not None:
        session.delete(draft)
        session.flush()


def move_draft(*, session: Session, from_ids: Sequence[int], to_id: int) -> None:
    """Give the newest draft of the links ``from_ids`` (replaced by a new link) to the
    link ``to_id``, and delete theirs: the person goes on where they were."""
    drafts = session.exec(
        select(db.SurveyDraft)
        .where(col(db.SurveyDraft.invitation_id).in_(list(from_ids)))
        .order_by(col(db.SurveyDraft.updated_at).desc())
    ).all()
    if not drafts:
        return
    newest = drafts[0]
    session.add(
        db.SurveyDraft(
            invitation_id=to_id, answers=dict(newest.answers), updated_at=newest.updated_at
        )
    )
    for draft in drafts:
        session.delete(draft)
    session.flush()

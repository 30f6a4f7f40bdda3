"""Every table of the store, in one module (SQLModel's advice: no import circles).

Keys and encodings that the rest of the store relies on:

- A participant is known only by a pseudonym (``participant.participant_id``): the
  keyed hash of the raw id (:func:`livinglab.store.pseudonym.pseudonymize`). The raw
  id is never stored.
- Observations and survey answers point to a participant and a metric by their
  integer keys, so that the big table stays narrow.
- Every timestamp is stored in ONE encoding: an integer number of microseconds since
  1970-01-01 00:00:00 UTC (:class:`UtcMicros`). The importer, the SQL reductions and
  the ORM all compare the same integers, so a reading exactly on a period boundary
  cannot change sides between the write path and the read path.
- ``observation`` is keyed (metric_key, participant_key, ts): the natural key that
  makes a re-import store nothing twice, ordered so that a reduction of one metric
  reads one contiguous range grouped by participant. On SQLite the table is
  ``WITHOUT ROWID``, so that key *is* the table: a covering index of
  (metric, participant, timestamp, value) that costs nothing extra to keep. On
  PostgreSQL it is partitioned by metric, then by UTC month (migration 0014,
  :mod:`livinglab.store.partitions`); the partitions are not models.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Named constraints: Alembic's batch mode (SQLite) needs names to alter a table.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch, UTC. A naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """The timezone-aware UTC datetime of an epoch-microsecond integer."""
    return datetime.fromtimestamp(micros // 1_000_000, UTC).replace(microsecond=micros % 1_000_000)


class UtcMicros(sa.types.TypeDecorator[datetime]):
    """A UTC instant stored as a BIGINT of epoch microseconds.

    The ORM sees aware ``datetime`` objects (naive ones are taken as UTC); the
    database sees integers, compared exactly on SQLite and PostgreSQL alike.
    """

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> int | None:
        if value is None or isinstance(value, int):
            return value
        return to_micros(value)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else from_micros(int(value))


def utc_now() -> datetime:
    return datetime.now(UTC)


class Pilot(SQLModel, table=True):
    """A pilot as last loaded from its spec file (the spec itself is the YAML)."""

    __tablename__ = "pilot"

    id: str = Field(primary_key=True, max_length=64)
    title: str = Field(max_length=500)
    spec_hash: str = Field(max_length=64, description="sha256 of the canonical spec JSON")
    spec_json: dict[str, Any] = Field(sa_type=sa.JSON)
    loaded_at: datetime = Field(default_factory=utc_now, sa_type=UtcMicros)
    rollup_timezone: str | None = Field(
        default=None, max_length=64,
        description="the time zone whose local days the pilot's daily roll-ups are",
    )


class Cohort(SQLModel, table=True):
    __tablename__ = "cohort"

    pilot_id: str = Field(primary_key=True, foreign_key="pilot.id", max_length=64)
    id: str = Field(primary_key=True, max_length=64)
    role: str = Field(max_length=16)
    assignment: str = Field(max_length=16)


class ImportBatch(SQLModel, table=True):
    """One write into the store: an imported file, a survey submission, an erasure.

    Its id only grows, so ``max(id)`` is the store's data version.
    """

    __tablename__ = "import_batch"
    __table_args__ = (sa.Index("ix_import_batch_pilot_kind_sha256", "pilot_id", "kind", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    pilot_id: str = Field(foreign_key="pilot.id", max_length=64)
    kind: str = Field(max_length=16)
    file_name: str | None = Field(default=None, max_length=500)
    sha256: str | None = Field(default=None, max_length=64)
    rows: int = 0
    inserted: int = 0
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcMicros)


class Participant(SQLModel, table=True):
    __tablename__ = "participant"
    __table_args__ = (
        sa.UniqueConstraint("pilot_id", "participant_id"),
        sa.ForeignKeyConstraint(
            ["pilot_id", "cohort_id"],
            ["cohort.pilot_id", "cohort.id"],
            name="fk_participant_cohort",
        ),
    )

    key: int | None = Field(default=None, primary_key=True)
    pilot_id: str = Field(foreign_key="pilot.id", max_length=64)
    participant_id: str = Field(max_length=64, description="pseudonym: keyed hash of the raw id")
    cohort_id: str = Field(max_length=64)
    batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    left_on: date | None = Field(
        default=None,
        description="first day the participant no longer takes part (the participants "
        "file's optional left_on column); NULL while they take part",
    )


class ParticipantAttribute(SQLModel, table=True):
    """One attribute of a participant (age_band, neighbourhood...), one row each,
    so that grouping by any attribute is a plain join in SQL."""

    __tablename__ = "participant_attribute"

    participant_key: int = Field(primary_key=True, foreign_key="participant.key")
    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=200)


class Metric(SQLModel, table=True):
    __tablename__ = "metric"
    __table_args__ = (sa.UniqueConstraint("pilot_id", "metric_id"),)

    key: int | None = Field(default=None, primary_key=True)
    pilot_id: str = Field(foreign_key="pilot.id", max_length=64)
    metric_id: str = Field(max_length=64)


class Observation(SQLModel, table=True):
    """One reading of a usage metric. Natural key: metric, participant, timestamp.

    The table declares no foreign keys, on purpose: it holds millions of rows and is
    written only by the importer, which resolves every key against the store inside
    its write transaction (and locks the pilot's participants on PostgreSQL, so an
    erasure cannot slip in between). Per-row foreign-key checks made an import on
    PostgreSQL 2.3x slower (1 M rows: 14.3 s against 6.2 s). An erasure deletes the
    readings first (:func:`livinglab.store.repository.erase_participant`).
    """

    __tablename__ = "observation"
    __table_args__ = {"sqlite_with_rowid": False}

    metric_key: int = Field(primary_key=True)  # metric.key
    participant_key: int = Field(primary_key=True)  # participant.key
    ts: datetime = Field(primary_key=True, sa_type=UtcMicros)
    value: float
    batch_id: int  # import_batch.id


class DailyRollup(SQLModel, table=True):
    """One participant's readings of one metric on one local day, summed up.

    Kept by the importer in the same transaction as the readings
    (:mod:`livinglab.store.rollups`), so that every aggregate (``mean``, ``sum``,
    ``count``, ``rate_per_day``, ``share``) and every weekly series is computed from
    participant-days, not readings. ``day`` is the local date in the pilot's time zone,
    as days since 1970-01-01; the readings themselves stay in ``observation`` (audit,
    re-aggregation). Keyed like ``observation`` (metric first: a reduction reads one
    contiguous range), and by ``participant_key``, so that an erasure removes a
    participant's days with their readings.
    """

    __tablename__ = "daily_rollup"
    __table_args__ = {"sqlite_with_rowid": False}

    metric_key: int = Field(primary_key=True)  # metric.key
    participant_key: int = Field(primary_key=True)  # participant.key
    day: int = Field(primary_key=True, description="local date, days since 1970-01-01")
    n: int = Field(description="readings that day")
    total: float = Field(description="sum of their values")
    squares: float = Field(description="sum of their squared values")
    low: float = Field(description="smallest value")
    high: float = Field(description="largest value")
    last_ts: datetime = Field(sa_type=UtcMicros, description="the day's latest reading")


class SurveyResponse(SQLModel, table=True):
    """One answer to one item. Natural key: participant, instrument, wave, item."""

    __tablename__ = "survey_response"

    participant_key: int = Field(primary_key=True, foreign_key="participant.key")
    instrument_id: str = Field(primary_key=True, max_length=64)
    wave: str = Field(primary_key=True, max_length=16)
    item_id: str = Field(primary_key=True, max_length=64)
    answer: int
    batch_id: int = Field(foreign_key="import_batch.id")
    submitted_at: datetime = Field(default_factory=utc_now, sa_type=UtcMicros)


class Invitation(SQLModel, table=True):
    """A one-time link that lets a citizen answer one instrument in one wave.

    Only the SHA-256 of the link's token is stored (``token_hash``): whoever reads
    the store cannot answer in someone's name. An erasure of the participant deletes
    their invitations with them (``ON DELETE CASCADE``).
    """

    __tablename__ = "invitation"
    __table_args__ = (sa.UniqueConstraint("token_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    pilot_id: str = Field(foreign_key="pilot.id", max_length=64)
    participant_key: int = Field(foreign_key="participant.key", ondelete="CASCADE")
    instrument_id: str = Field(max_length=64)
    wave: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, description="sha256 hex of the link's token")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcMicros)
    expires_at: datetime | None = Field(default=None, sa_type=UtcMicros)
    used_at: datetime | None = Field(default=None, sa_type=UtcMicros)
    consent_at: datetime | None = Field(default=None, sa_type=UtcMicros)
    revoked_at: datetime | None = Field(
        default=None, sa_type=UtcMicros, description="replaced by a newer link (re-invited)"
    )


class SurveyDraft(SQLModel, table=True):
    """A citizen's answers in progress, kept against their link until they submit
    (a reload or a closed tab loses nothing). Created when the person consents,
    deleted when the answers are stored; an erasure of the participant removes it
    with the invitation (``ON DELETE CASCADE``)."""

    __tablename__ = "survey_draft"

    invitation_id: int = Field(primary_key=True, foreign_key="invitation.id", ondelete="CASCADE")
    answers: dict[str, Any] = Field(sa_type=sa.JSON, description="item id -> answer value")
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UtcMicros)


class Account(SQLModel, table=True):
    """A local sign-in account of the innovation team or a decision-maker (citizens have
    none: their invitation link is their only credential).

    Only the argon2id hash of the password is stored. ``failed_attempts`` counts the
    wrong passwords in a row; after too many, ``locked_until`` refuses every attempt,
    right or wrong, for a while (:mod:`livinglab.store.accounts`).
    """

    __tablename__ = "account"
    __table_args__ = (sa.UniqueConstraint("username"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    role: str = Field(max_length=16, description="team or decision (livinglab.access)")
    password_hash: str = Field(max_length=255, description="argon2id, PHC string format")
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UtcMicros)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcMicros)
    last_sign_in_at: datetime | None = Field(default=None, sa_type=UtcMicros)


class IdentityRole(SQLModel, table=True):
    """The role of a person who signs in through the city's identity provider (OIDC),
    keyed by the provider (``iss``) and the person's stable id there (``sub``): an
    e-mail address can change hands, a subject does not. Nobody is let in without one."""

    __tablename__ = "identity_role"

    issuer: str = Field(primary_key=True, max_length=255)
    subject: str = Field(primary_key=True, max_length=255)
    role: str = Field(max_length=16, description="team or decision (livinglab.access)")
    label: str | None = Field(default=None, max_length=255, description="who, for people")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcMicros)


class StoreSetting(SQLModel, table=True):
    """A fact about the store itself, by name. ``pseudonym_key_fingerprint``: a keyed
    digest of the key the store's pseudonyms were made with (never the key), so that an
    import under another key is refused instead of doubling every participant."""

    __tablename__ = "store_setting"

    name: str = Field(primary_key=True, max_length=128)  # "pseudonym_key_fingerprint:<id>"
    value: str = Field(max_length=255)



class Consent(SQLModel, table=True):
    """A participant's consent to a pilot: which text they agreed to (``text_version``,
    the SHA-256 of the consent text they read), when, through what (``channel``:
    ``survey``, ``import``, ``team``), and when they withdrew it.

    A row is never deleted except by an erasure of the person (``ON DELETE CASCADE``):
    a later consent to a new text adds a row; a withdrawal sets ``withdrawn_at`` on every
    open row (:mod:`livinglab.store.consents`).
    """

    __tablename__ = "consent"
    __table_args__ = (sa.Index("ix_consent_pilot_participant", "pilot_id", "participant_key"),)

    id: int | None = Field(default=None, primary_key=True)
    pilot_id: str = Field(foreign_key="pilot.id", max_length=64)
    participant_key: int = Field(foreign_key="participant.key", ondelete="CASCADE")
    text_version: str = Field(max_length=64, description="sha256 hex of the consent text")
    channel: str = Field(max_length=16)
    given_at: datetime = Field(default_factory=utc_now, sa_type=UtcMicros)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UtcMicros)


class AuditEvent(SQLModel, table=True):
    """One entry of the audit log: who did what, when (sign-ins and their failures,
    pilot edits, imports, erasures, consent withdrawals, exports, purges...).

    Append-only: :mod:`livinglab.store.audit` offers no update and no delete. ``pilot_id``
    has no foreign key on purpose: the log outlives a purged pilot. ``detail`` never
    holds a raw participant id (a pseudonym at most).
    """

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, sa_type=UtcMicros)
    actor: str = Field(max_length=255, description="who: account, identity or cli:<user>")
    action: str = Field(max_length=32)
    pilot_id: str | None = Field(default=None, max_length=64)
    detail: str | None = Field(default=None, max_length=2000)


class AnalysisPlan(SQLModel, table=True):
    """A pilot's analysis plan as registered (``seq`` 1: when its first data was
    imported) and every later version of it (``seq`` 2, 3...: a change seen after the
    data came in). Rows are only added (:mod:`livinglab.store.plans`).

    ``spec_json`` is the whole spec of that version, so the evaluation can compute the
    verdict under the registered plan; ``plan_hash`` is the SHA-256 of its analysis plan
    (:func:`livinglab.spec.plan.plan_hash`).
    """

    __tablename__ = "analysis_plan"
    __table_args__ = (sa.UniqueConstraint("pilot_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    pilot_id: str = Field(foreign_key="pilot.id", max_length=64)
    seq: int
    plan_hash: str = Field(max_length=64)
    spec_json: dict[str, Any] = Field(sa_type=sa.JSON)
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UtcMicros)
    recorded_by: str | None = Field(default=None, max_length=255)


class ErasedParticipant(SQLModel, table=True):
    """A tombstone: a participant of a pilot was erased on request (GDPR article 17).

    Only the pseudonym is kept, never the raw id, so that an import of an old file
    skips the person's rows instead of storing them again
    (:mod:`livinglab.store.erasure`). A purge of the pilot deletes its tombstones too.
    """

    __tablename__ = "erased_participant"

    pilot_id: str = Field(primary_key=True, foreign_key="pilot.id", max_length=64)
    participant_id: str = Field(primary_key=True, max_length=64, description="pseudonym")
    erased_at: datetime = Field(default_factory=utc_now, sa_type=UtcMicros)


class DecisionRecord(SQLModel, table=True):
    """What the council decided about a pilot, by whom, when, on which evaluation.

    The evaluation (its ``--json`` object) and the HTML dossier the decision was taken
    on are frozen here, each with its SHA-256, so that the record still shows what
    was read after the data or the code changed. ``verdict`` is the computed verdict
    at that moment, beside the ``decision`` taken. Like the audit log, ``pilot_id``
    has no foreign key: the record outlives a purged pilot's data.
    """

    __tablename__ = "decision_record"

    id: int | None = Field(default=None, primary_key=True)
    pilot_id: str = Field(max_length=64)
    decision: str = Field(max_length=16, description="generalize, stop or extend")
    decided_by: str = Field(max_length=255, description="who decided (a council, a mayor)")
    decided_on: date
    council_reference: str = Field(max_length=200)
    comment: str | None = Field(default=None, max_length=2000)
    verdict: str = Field(max_length=16, description="the computed verdict then")
    evaluation_json: str = Field(sa_type=sa.Text)
    evaluation_sha256: str = Field(max_length=64)
    dossier_html: str = Field(sa_type=sa.Text)
    dossier_sha256: str = Field(max_length=64)
    recorded_by: str = Field(max_length=255, description="the account that recorded it")
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UtcMicros)

metadata = SQLModel.metadata

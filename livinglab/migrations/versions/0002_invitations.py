"""invitations: one-time survey links

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:55:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Timestamps are livinglab.store.models.UtcMicros: BIGINT microseconds since the epoch, UTC.


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("participant_key", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("wave", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.Column("consent_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_key"],
            ["participant.key"],
            name=op.f("fk_invitation_participant_key_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilot.id"], name=op.f("fk_invitation_pilot_id_pilot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("invitation")

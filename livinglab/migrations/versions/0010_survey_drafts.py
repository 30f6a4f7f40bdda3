"""survey drafts and revoked invitations

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 13:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Timestamps are livinglab.store.models.UtcMicros: BIGINT microseconds since the epoch, UTC.


def upgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("revoked_at", sa.BigInteger(), nullable=True))
    op.create_table(
        "survey_draft",
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitation.id"],
            name=op.f("fk_survey_draft_invitation_id_invitation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("invitation_id", name=op.f("pk_survey_draft")),
    )


def downgrade() -> None:
    op.drop_table("survey_draft")
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("revoked_at")

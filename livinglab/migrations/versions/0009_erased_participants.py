"""tombstones of erased participants

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-30 13:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erased_participant",
        sa.Column("pilot_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("participant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("erased_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilot.id"], name=op.f("fk_erased_participant_pilot_id_pilot")
        ),
        sa.PrimaryKeyConstraint("pilot_id", "participant_id", name=op.f("pk_erased_participant")),
    )


def downgrade() -> None:
    op.drop_table("erased_participant")

"""analysis plans: the plan registered at a pilot's first import, and later versions

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 13:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analysis_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("plan_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("spec_json", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilot.id"], name=op.f("fk_analysis_plan_pilot_id_pilot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_plan")),
        sa.UniqueConstraint("pilot_id", "seq", name=op.f("uq_analysis_plan_pilot_id_seq")),
    )


def downgrade() -> None:
    op.drop_table("analysis_plan")

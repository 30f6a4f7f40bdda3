"""decision records: the council's decision on a pilot, with the frozen evaluation and dossier

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 14:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Timestamps are livinglab.store.models.UtcMicros: BIGINT microseconds since the epoch, UTC.


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "decision_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", text(length=64), nullable=False),
        sa.Column("decision", text(length=16), nullable=False),
        sa.Column("decided_by", text(length=255), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("council_reference", text(length=200), nullable=False),
        sa.Column("comment", text(length=2000), nullable=True),
        sa.Column("verdict", text(length=16), nullable=False),
        sa.Column("evaluation_json", sa.Text(), nullable=False),
        sa.Column("evaluation_sha256", text(length=64), nullable=False),
        sa.Column("dossier_html", sa.Text(), nullable=False),
        sa.Column("dossier_sha256", text(length=64), nullable=False),
        sa.Column("recorded_by", text(length=255), nullable=False),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_record")),
    )


def downgrade() -> None:
    op.drop_table("decision_record")

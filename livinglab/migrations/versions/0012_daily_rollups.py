"""daily roll-ups of readings (issue 15), built for the readings already stored

Revision ID: 0012
Revises: 0006
Create Date: 2026-11-30 13:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daily_rollup",
        sa.Column("metric_key", sa.Integer(), nullable=False),
        sa.Column("participant_key", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("squares", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
        sa.Column("last_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("metric_key", "participant_key", "day",
                                name=op.f("pk_daily_rollup")),
        sqlite_with_rowid=False,
    )
    # Each pilot's stored readings, summed up per local day of its time zone.
    from livinglab.store.rollups import rebuild_rollups

    connection = op.get_bind()
    pilots = connection.execute(sa.text("SELECT id, spec_json FROM pilot")).all()
    for pilot_id, spec in pilots:
        spec = spec if isinstance(spec, dict) else __import__("json").loads(spec or "{}")
        rebuild_rollups(connection, pilot_id=pilot_id,
                        timezone=(spec or {}).get("timezone") or "Europe/Paris")


def downgrade() -> None:
    op.drop_table("daily_rollup")

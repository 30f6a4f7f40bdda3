"""daily roll-ups of readings (issue 15), built for the readings already stored

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 13:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | None = "0011"
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
    with op.batch_alter_table("pilot", schema=None) as batch_op:
        zone_type = sqlmodel.sql.sqltypes.AutoString(length=64)
        batch_op.add_column(sa.Column("rollup_timezone", zone_type, nullable=True))
    # Each pilot's stored readings, summed up per local day of its time zone.
    import json

    from livinglab.store.rollups import rebuild_rollups

    connection = op.get_bind()
    pilots = connection.execute(sa.text("SELECT id, spec_json FROM pilot")).all()
    for pilot_id, spec in pilots:
        spec = spec if isinstance(spec, dict) else json.loads(spec or "{}")
        zone = (spec or {}).get("timezone") or "Europe/Paris"
        rebuild_rollups(connection, pilot_id=pilot_id, timezone=zone)
        connection.execute(sa.text("UPDATE pilot SET rollup_timezone = :zone WHERE id = :id"),
                           {"zone": zone, "id": pilot_id})


def downgrade() -> None:
    op.drop_table("daily_rollup")
    # Not a batch (SQLite would copy the table, which other tables point to): SQLite
    # 3.35+ and PostgreSQL drop a column in place.
    op.execute("ALTER TABLE pilot DROP COLUMN rollup_timezone")

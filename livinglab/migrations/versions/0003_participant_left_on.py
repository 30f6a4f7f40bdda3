"""participant.left_on: the day a participant left the pilot

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# NULL while the participant takes part: zero-filled periods of count, sum and
# rate_per_day metrics stop at this date (see livinglab.store.reductions).


def upgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("left_on")

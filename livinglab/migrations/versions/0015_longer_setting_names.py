"""store settings: names of up to 128 characters

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 17:30:00

A pilot's key fingerprint is kept under ``pseudonym_key_fingerprint:<pilot id>``:
26 + 64 characters for the longest pilot id a spec allows, which the 64-character
name refused on PostgreSQL (the import of a pilot whose id has over 38 characters
failed there).
"""

from collections.abc import Sequence

import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("store_setting") as batch:
        batch.alter_column("name", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
                           type_=sqlmodel.sql.sqltypes.AutoString(length=128),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("store_setting") as batch:
        batch.alter_column("name", existing_type=sqlmodel.sql.sqltypes.AutoString(length=128),
                           type_=sqlmodel.sql.sqltypes.AutoString(length=64),
                           existing_nullable=False)

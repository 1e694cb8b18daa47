"""named employees: nicknames on people; a named employee's statement or its waiver on
their participation in a case

Revision ID: n017
Revises: r022
Create Date: 2026-12-03 22:30:00

Plain ADD COLUMN on users (a rebuild of users would cascade its deletes on SQLite);
case_participants is rebuilt in batch mode for the waiver's foreign key, which no table
references, so nothing cascades.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n017"
down_revision: str | None = "r022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("nicknames", sa.JSON(), nullable=True))
    with op.batch_alter_table("case_participants") as batch:
        batch.add_column(sa.Column("statement", sa.String(), nullable=True))
        batch.add_column(sa.Column("statement_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("waived_reason", sa.String(), nullable=True))
        batch.add_column(sa.Column("waived_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("waived_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_case_participants_waived_by_users"), "users", ["waived_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("case_participants") as batch:
        batch.drop_constraint(batch.f("fk_case_participants_waived_by_users"), type_="foreignkey")
        for column in ("waived_by", "waived_at", "waived_reason", "statement_at", "statement"):
            batch.drop_column(column)
    op.drop_column("users", "nicknames")

"""customer fit and parting ways: abusive words flagged on inbound messages, messages
marked automated (never sent to a customer who parted ways), late payments when known

Revision ID: f018
Revises: n017
Create Date: 2026-12-03 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f018"
down_revision: str | None = "n017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN on both engines: a batch rebuild of messages or customers would
    # cascade into the rows that reference them on SQLite.
    op.add_column("messages", sa.Column("abuse", sa.JSON(), nullable=True))
    op.add_column(
        "messages",
        sa.Column("automated", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("customers", sa.Column("late_payments", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_column("late_payments")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_column("automated")
        batch_op.drop_column("abuse")

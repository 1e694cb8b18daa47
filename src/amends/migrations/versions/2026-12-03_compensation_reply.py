"""a compensation remembers the reply that announced it

Revision ID: r008
Revises: c008
Create Date: 2026-12-03 13:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r008"
down_revision: str | None = "c008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A reply promising compensation above the sender's limit waits in the outbox until a
    # manager decides; the decision finds the reply through this column.
    with op.batch_alter_table("compensations") as batch:
        batch.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_compensations_message_id_messages",
            "messages",
            ["message_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("compensations") as batch:
        batch.drop_constraint("fk_compensations_message_id_messages", type_="foreignkey")
        batch.drop_column("message_id")

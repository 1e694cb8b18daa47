"""outbox reply cap and intake lookups: why a reply waited, indexes for recent sends per
address and recent mail per sender

Revision ID: i006
Revises: 0005
Create Date: 2026-12-01 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i006"
down_revision: str | None = "l006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hold_reason", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("held_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_outbox_to_claimed", ["to_address", "claimed_at"], unique=False)
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_from_at", ["from_address", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_from_at")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_to_claimed")
        batch_op.drop_column("held_until")
        batch_op.drop_column("hold_reason")

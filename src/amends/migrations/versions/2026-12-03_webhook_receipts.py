"""webhook_receipts: the ids of signed webhook deliveries already taken, so a replayed
copy is refused

Revision ID: t014
Revises: t016
Create Date: 2026-12-03 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t014"
down_revision: str | None = "t016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_receipts")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_webhook_receipts_delivery_id")),
    )
    op.create_index(
        op.f("ix_webhook_receipts_sent_at"), "webhook_receipts", ["sent_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_receipts_sent_at"), table_name="webhook_receipts")
    op.drop_table("webhook_receipts")

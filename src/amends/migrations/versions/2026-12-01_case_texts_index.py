"""case texts index: a case's inbound messages in id order, without reading the rows

Revision ID: n007
Revises: i006
Create Date: 2026-12-01 11:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "n007"
down_revision: str | None = "i006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_messages_case_direction", "messages", ["case_id", "direction", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_messages_case_direction", table_name="messages")

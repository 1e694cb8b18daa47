"""notifications keep what they say as a message id and its parameters, so each reader
sees it in their own language

Revision ID: ch012
Revises: p011
Create Date: 2026-12-03 16:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ch012"
down_revision: str | None = "p011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        # Rows written before keep their English text and an empty object here.
        batch.add_column(
            sa.Column("data", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("data")

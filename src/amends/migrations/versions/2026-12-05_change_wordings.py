"""change wordings: a corrective action's change as customers of each language are told

Revision ID: i034
Revises: h033
Create Date: 2026-12-05 23:30:00

Plain ADD COLUMN, nullable: an action recorded before has no wordings, and its
description is told as it was written.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i034"
down_revision: str | None = "h033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("corrective_actions", sa.Column("wordings", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("corrective_actions", "wordings")

"""sweep index holds only commitments with a deadline still to judge

Revision ID: l006
Revises: 0005
Create Date: 2026-12-01 08:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "l006"
down_revision: str | None = "t006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("next_check_at IS NOT NULL")


def upgrade() -> None:
    # Judged promises leave the index (one entry removed) instead of moving to its NULL
    # end (removed and inserted): half the index writes of a sweep that judges a million.
    op.drop_index("ix_commitments_status_check", table_name="commitments")
    op.create_index(
        "ix_commitments_status_check",
        "commitments",
        ["status", "next_check_at"],
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_commitments_status_check", table_name="commitments")
    op.create_index("ix_commitments_status_check", "commitments", ["status", "next_check_at"])

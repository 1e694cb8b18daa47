"""escalation reads only running SLA clocks, oldest deadline first

Revision ID: e008
Revises: r009
Create Date: 2026-12-03 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e008"
down_revision: str | None = "r009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each clock with the column its step sets when it stops the clock (as in cases.models).
CLOCKS = (("ack", "acknowledged_at"), ("remedy", "resolved_at"), ("close", "closed_at"))


def upgrade() -> None:
    # Partial: acknowledged, resolved, closed or already escalated cases (nearly all of
    # them) stay out, so the sweep's ordered LIMIT reads only clocks still running.
    for clock, stopped in CLOCKS:
        pending = sa.text(f"{stopped} IS NULL AND {clock}_escalated_at IS NULL")
        op.create_index(
            f"ix_cases_{clock}_pending",
            "cases",
            [f"{clock}_due_at", "id"],
            sqlite_where=pending,
            postgresql_where=pending,
        )


def downgrade() -> None:
    for clock, _stopped in CLOCKS:
        op.drop_index(f"ix_cases_{clock}_pending", table_name="cases")

"""the dashboard's themes and recovery paradox read small indexes, not the cases

Revision ID: q028
Revises: c026
Create Date: 2026-12-04 04:30:00

The recovery paradox compares customers who had a case closed as retained or won back
with those who never had one. Asking each customer "have you such a case?" probes this
index (only recovered closures, by customer and closing time) once per customer, where
listing the distinct customers of every closed case read most of the table.

Themes group the cases of the last two windows by category and customer: a covering
index in opening order gives them those columns without visiting the table (its rows
lie in no particular order, so a month of cases touched most of its pages).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "q028"
down_revision: str | None = "c026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECOVERED = "state = 'closed' AND outcome IN ('retained', 'won_back')"


def upgrade() -> None:
    op.create_index(
        "ix_cases_recovered",
        "cases",
        ["customer_id", "closed_at"],
        sqlite_where=sa.text(RECOVERED),
        postgresql_where=sa.text(RECOVERED),
    )
    op.create_index("ix_cases_themes", "cases", ["opened_at", "category", "customer_id"])


def downgrade() -> None:
    op.drop_index("ix_cases_themes", table_name="cases")
    op.drop_index("ix_cases_recovered", table_name="cases")

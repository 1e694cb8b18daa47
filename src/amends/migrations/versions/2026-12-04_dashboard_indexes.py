"""the dashboard's figures read small indexes instead of every case

Revision ID: d024
Revises: w020
Create Date: 2026-12-04 00:00:00

Repeats (cases with ``repeat_of``) and open cases are a small share of all cases, so
partial indexes hold only them: counting either reads those rows alone. Attainment
week by week reads the cases of the last weeks in opening order, and the covering
index gives it every column it groups by without visiting the table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d024"
down_revision: str | None = "w020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = (
    ("ix_cases_repeats", "repeat_of IS NOT NULL"),
    ("ix_cases_open_age", "closed_at IS NULL"),
)


def upgrade() -> None:
    for name, where in PARTIAL:
        op.create_index(
            name,
            "cases",
            ["opened_at", "owner_id"],
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
    op.create_index(
        "ix_cases_attainment",
        "cases",
        ["opened_at", "owner_id", "ack_within", "remedy_within", "close_within"],
    )


def downgrade() -> None:
    op.drop_index("ix_cases_attainment", table_name="cases")
    for name, _where in PARTIAL:
        op.drop_index(name, table_name="cases")

"""customers and cases remember when their personal content was erased

Revision ID: t016
Revises: tm016
Create Date: 2026-12-03 18:30:00

``amends privacy erase`` and the retention job replace a customer's (or a closed case's)
personal content with a marker and keep the row, so reports and counts stay as they
were; ``erased_at`` says it happened (shown in exports and the API) and lets the
retention job skip cases it has already erased instead of rewriting them every run.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t016"
down_revision: str | None = "tm016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("customers", "cases"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ("customers", "cases"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("erased_at")

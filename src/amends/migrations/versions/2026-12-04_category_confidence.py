"""a case's category may be the model's guess: its confidence is kept beside it

Revision ID: k027
Revises: q028
Create Date: 2026-12-04 04:30:00

A complaint's case is given the category the text model finds, with the model's
probability; NULL means a person or a rule set the category (the ledger sweep's
missed commitments, an agent's change), and only such a category groups cases into
repeats and patterns on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "k027"
down_revision: str | None = "q028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("category_confidence", sa.Float(), nullable=True))


def downgrade() -> None:
    # SQLite drops a plain column in place (3.35+): no copy of the cases table.
    op.drop_column("cases", "category_confidence")

"""gender forms: the grammatical gender a person writes in, and the one a contact is
greeted in, for drafts that need no "ดิฉัน/ผม" or "Αγαπητέ/ή"

Revision ID: h033
Revises: g032
Create Date: 2026-12-05 23:00:00

Plain ADD COLUMN on both tables (nullable: not said until someone says it); a rebuild
of users would cascade its deletes on SQLite, and contacts carries search triggers.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "h033"
down_revision: str | None = "g032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("gender_form", sa.String(10), nullable=True))
    op.add_column("contacts", sa.Column("gender_form", sa.String(10), nullable=True))


def downgrade() -> None:
    op.drop_column("contacts", "gender_form")
    op.drop_column("users", "gender_form")

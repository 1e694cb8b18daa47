"""cell packs: each cell's folded rows in one value, so a query reads a few values

Revision ID: k036
Revises: j035
Create Date: 2026-12-06 05:00:00

A query read the folded rows of its nearest cells row by row: about 4,000 rows, half of
its time at a million cases. ``cell_packs`` holds each cell's case ids and folded rows
in one value, made by the ``index-similar`` job; ``cell_unpacked`` lists the cases put
in a packed cell since its pack was made. Both are derived from ``case_cells`` and are
filled by the job (``amends patterns reindex`` at once).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "k036"
down_revision: str | None = "j035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cell_packs",
        sa.Column("cell", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("pack", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("cell", name=op.f("pk_cell_packs")),
    )
    op.create_table(
        "cell_unpacked",
        sa.Column("cell", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("cell", "case_id", name=op.f("pk_cell_unpacked")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Packs are bytes near random: compressing them would only cost each query the
        # time to try to decompress them.
        op.execute("ALTER TABLE cell_packs ALTER COLUMN pack SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("cell_unpacked")
    op.drop_table("cell_packs")

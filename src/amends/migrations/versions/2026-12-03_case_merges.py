"""case merges: a merged case points to its target, and what moved can be put back

Revision ID: m021
Revises: x023
Create Date: 2026-12-03 22:40:00

A table of its own rather than a column on cases: adding a foreign key to cases would
make SQLite rebuild that table (and its cascades would empty the tables below it).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "m021"
down_revision: str | None = "x023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merged_by", sa.Integer(), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["cases.id"],
            name=op.f("fk_case_merges_source_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["cases.id"],
            name=op.f("fk_case_merges_target_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merged_by"], ["users.id"], name=op.f("fk_case_merges_merged_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["undone_by"], ["users.id"], name=op.f("fk_case_merges_undone_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_merges")),
    )
    op.create_index(
        "ix_case_merges_source_undone", "case_merges", ["source_id", "undone_at"], unique=False
    )
    op.create_index(op.f("ix_case_merges_target_id"), "case_merges", ["target_id"], unique=False)


def downgrade() -> None:
    op.drop_table("case_merges")

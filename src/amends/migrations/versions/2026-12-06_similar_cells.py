"""similar cells: case sketches grouped in cells, so candidates come from a few cells

Revision ID: j035
Revises: i034
Create Date: 2026-12-06 01:30:00

The trigram index (FTS5, pg_trgm) ranked every text sharing any of a query's trigrams,
which grew with the corpus (a second a query at 100,000 cases). Each case's text is now
also kept as a sketch (``case_sketches``) and, folded, in a cell of alike texts
(``case_cells``, see ``patterns.sketches``); a query reads its nearest cells. Both are
made in Python by the ``index-similar`` job; these triggers on ``case_texts`` queue a
case whose text is new or changed in ``similar_pending`` (dropping its old sketch and
cell) and forget a deleted one, so every writer of case texts is covered. Every
existing case is queued here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import amends.db

revision: str = "j035"
down_revision: str | None = "i034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_QUEUE = "INSERT INTO similar_pending (case_id) VALUES ({0}) ON CONFLICT (case_id) DO NOTHING;"
_FORGET = (
    "DELETE FROM case_sketches WHERE case_id = {0}; DELETE FROM case_cells WHERE case_id = {0};"
)
_UNQUEUE = "DELETE FROM similar_pending WHERE case_id = {0};"


def upgrade() -> None:
    op.create_table(
        "case_sketches",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sketch", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_sketches")),
    )
    # The slot (cell * 2**32 + case id) is SQLite's rowid, so a cell's rows are stored
    # together; PostgreSQL reads them from the index on the cell, which carries them.
    op.create_table(
        "case_cells",
        sa.Column(
            "slot",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("cell", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("folded", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_case_cells")),
    )
    op.create_index("ix_case_cells_case_id", "case_cells", ["case_id"], unique=True)
    op.create_index(
        "ix_case_cells_cell", "case_cells", ["cell"], postgresql_include=["case_id", "folded"]
    )
    op.create_table(
        "similar_pending",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_similar_pending")),
    )
    op.create_table(
        "similar_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fitted_at", amends.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("assigned_up_to", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("sizes", sa.LargeBinary(), nullable=True),
        # Last: SQLite reads a row's columns in order, and this one is megabytes long.
        sa.Column("centres", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_similar_models")),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER similar_pending_insert AFTER INSERT ON case_texts BEGIN"
            f" {_QUEUE.format('NEW.case_id')} END"
        )
        op.execute(
            "CREATE TRIGGER similar_pending_update AFTER UPDATE OF body ON case_texts"
            f" WHEN NEW.body IS NOT OLD.body BEGIN {_FORGET.format('NEW.case_id')}"
            f" {_QUEUE.format('NEW.case_id')} END"
        )
        op.execute(
            "CREATE TRIGGER similar_pending_delete AFTER DELETE ON case_texts BEGIN"
            f" {_FORGET.format('OLD.case_id')} {_UNQUEUE.format('OLD.case_id')} END"
        )
    else:
        op.execute(
            f"""
            CREATE FUNCTION similar_pending_from_text() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    {_FORGET.format("OLD.case_id")}
                    {_UNQUEUE.format("OLD.case_id")}
                    RETURN NULL;
                END IF;
                IF TG_OP = 'UPDATE' THEN
                    {_FORGET.format("NEW.case_id")}
                END IF;
                {_QUEUE.format("NEW.case_id")}
                RETURN NULL;
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER similar_pending_insert_delete AFTER INSERT OR DELETE ON case_texts"
            " FOR EACH ROW EXECUTE FUNCTION similar_pending_from_text()"
        )
        op.execute(
            "CREATE TRIGGER similar_pending_update AFTER UPDATE OF body ON case_texts"
            " FOR EACH ROW WHEN (NEW.body IS DISTINCT FROM OLD.body)"
            " EXECUTE FUNCTION similar_pending_from_text()"
        )
    op.execute("INSERT INTO similar_pending (case_id) SELECT case_id FROM case_texts")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS similar_pending_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS similar_pending_insert_delete ON case_texts")
        op.execute("DROP TRIGGER IF EXISTS similar_pending_update ON case_texts")
        op.execute("DROP FUNCTION IF EXISTS similar_pending_from_text()")
    op.drop_table("similar_models")
    op.drop_table("similar_pending")
    op.drop_table("case_cells")
    op.drop_table("case_sketches")

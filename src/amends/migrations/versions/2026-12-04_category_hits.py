"""each customer's latest case in each category, kept for the themes

Revision ID: e030
Revises: d029
Create Date: 2026-12-04 20:00:00

Themes count the customers a category hit in a window and the monthly value still at
stake with them. Finding those customers took the distinct (category, customer) pairs
of every case in the window on each view; ``category_hits`` keeps one row per pair with
its latest case's opening, so a window reads the pairs whose latest case falls in it.

A case written takes only its own pair's row (customer and category), never a row
every case shares, so writers for different customers never wait on each other here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e030"
down_revision: str | None = "d029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRACKED = ("customer_id", "category", "opened_at")
FILL = (
    "INSERT INTO category_hits (customer_id, category, last_opened_at)"
    " SELECT customer_id, category, max(opened_at) FROM cases GROUP BY customer_id, category"
)


def _hit(row: str) -> str:
    """The pair of the case ``row`` (NEW) was hit when it was opened, if not later."""
    return f"""
    INSERT INTO category_hits (customer_id, category, last_opened_at)
    VALUES ({row}.customer_id, {row}.category, {row}.opened_at)
    ON CONFLICT (customer_id, category) DO UPDATE SET last_opened_at = excluded.last_opened_at
    WHERE category_hits.last_opened_at < excluded.last_opened_at;
    """  # noqa: S608 - built from constant names only, never from input


def _recount(row: str) -> str:
    """The pair of ``row`` (OLD) after its case moved or went: its latest case left, or
    no row when none is."""
    cases = f"FROM cases WHERE customer_id = {row}.customer_id AND category = {row}.category"
    pair = f"customer_id = {row}.customer_id AND category = {row}.category"
    return f"""
    DELETE FROM category_hits WHERE {pair} AND NOT EXISTS (SELECT 1 {cases});
    UPDATE category_hits SET last_opened_at = (SELECT max(opened_at) {cases}) WHERE {pair};
    """  # noqa: S608 - built from constant names only, never from input


def _changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in TRACKED)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "category_hits",
        sa.Column("customer_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("category", sa.String(30), primary_key=True),
        sa.Column("last_opened_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_category_hits_last", "category_hits", ["last_opened_at", "category", "customer_id"]
    )
    op.execute(FILL)
    columns = ", ".join(TRACKED)
    if sqlite:
        op.execute(
            f"CREATE TRIGGER category_hits_insert AFTER INSERT ON cases BEGIN {_hit('NEW')} END"
        )
        op.execute(
            f"CREATE TRIGGER category_hits_update AFTER UPDATE OF {columns} ON cases"
            f" WHEN {_changed('IS NOT')} BEGIN {_recount('OLD')} {_hit('NEW')} END"
        )
        op.execute(
            f"CREATE TRIGGER category_hits_delete AFTER DELETE ON cases BEGIN {_recount('OLD')} END"
        )
        return
    op.execute(
        f"""
        CREATE FUNCTION category_hits_keep() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN {_recount("OLD")} END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN {_hit("NEW")} END IF;
            RETURN NULL;
        END
        $$
        """
    )
    run = "FOR EACH ROW EXECUTE FUNCTION category_hits_keep()"
    op.execute(f"CREATE TRIGGER category_hits_insert_delete AFTER INSERT OR DELETE ON cases {run}")
    op.execute(
        f"CREATE TRIGGER category_hits_update AFTER UPDATE OF {columns} ON cases"
        f" FOR EACH ROW WHEN ({_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION category_hits_keep()"
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    on = "" if sqlite else " ON cases"
    for name in ("insert", "update", "delete", "insert_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS category_hits_{name}{on}")
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS category_hits_keep()")
    op.drop_index("ix_category_hits_last", table_name="category_hits")
    op.drop_table("category_hits")

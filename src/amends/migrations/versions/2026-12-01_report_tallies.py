"""recovery report tallies kept by triggers on cases; open-only urgency index

Revision ID: p006
Revises: 0005
Create Date: 2026-12-01 08:00:00

The recovery report sums these counts instead of scanning every case. Triggers keep
them, so every way a case changes (ORM, compare-and-set updates, bulk loads, cascaded
deletes) is counted without each writer having to remember.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "p006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns whose change moves a case between tallies.
TRACKED = ("owner_id", "category", "handoffs", "ack_minutes", "ack_within", "one_interaction",
           "outcome")  # fmt: skip


def _flag(expr: str) -> str:
    # Booleans are 0/1 on SQLite and true/false on PostgreSQL; tallies spell them "1"/"0".
    return f"CASE WHEN {expr} THEN '1' ELSE '0' END"


def _apply(row: str, sign: str) -> str:
    """One upsert adding (sign=1) or removing (sign=-1) the case ``row`` (NEW or OLD)."""
    return f"""
    INSERT INTO case_tallies (owner_id, category, metric, value, n)
    SELECT {row}.owner_id, {row}.category, m.metric, m.value, m.n FROM (
        SELECT 'cases' AS metric, '' AS value, {sign} AS n
        UNION ALL SELECT 'handoffs', '', {sign} * {row}.handoffs WHERE {row}.handoffs <> 0
        UNION ALL SELECT 'ack_minutes', CAST({row}.ack_minutes AS VARCHAR(30)), {sign}
            WHERE {row}.ack_minutes IS NOT NULL
        UNION ALL SELECT 'ack_within', {_flag(f"{row}.ack_within")}, {sign}
            WHERE {row}.ack_within IS NOT NULL
        UNION ALL SELECT 'one_interaction', {_flag(f"{row}.one_interaction")}, {sign}
            WHERE {row}.one_interaction IS NOT NULL
        UNION ALL SELECT 'outcome', {row}.outcome, {sign} WHERE {row}.outcome IS NOT NULL
    ) AS m WHERE true
    ON CONFLICT (owner_id, category, metric, value)
    DO UPDATE SET n = case_tallies.n + excluded.n;
    """  # noqa: S608 - built from constant names only, never from input


def _changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in TRACKED)


# The same counts from scratch, to fill the table for existing cases.
RECOUNT = f"""
INSERT INTO case_tallies (owner_id, category, metric, value, n)
SELECT owner_id, category, 'cases', '', COUNT(*) FROM cases GROUP BY owner_id, category
UNION ALL SELECT owner_id, category, 'handoffs', '', SUM(handoffs) FROM cases
    GROUP BY owner_id, category HAVING SUM(handoffs) <> 0
UNION ALL SELECT owner_id, category, 'ack_minutes', CAST(ack_minutes AS VARCHAR(30)), COUNT(*)
    FROM cases WHERE ack_minutes IS NOT NULL GROUP BY owner_id, category, ack_minutes
UNION ALL SELECT owner_id, category, 'ack_within', {_flag("ack_within")}, COUNT(*)
    FROM cases WHERE ack_within IS NOT NULL GROUP BY owner_id, category, ack_within
UNION ALL SELECT owner_id, category, 'one_interaction', {_flag("one_interaction")}, COUNT(*)
    FROM cases WHERE one_interaction IS NOT NULL GROUP BY owner_id, category, one_interaction
UNION ALL SELECT owner_id, category, 'outcome', outcome, COUNT(*)
    FROM cases WHERE outcome IS NOT NULL GROUP BY owner_id, category, outcome
"""  # noqa: S608 - constant text


OPEN_ONLY = sa.text("urgency_at IS NOT NULL")


def upgrade() -> None:
    # Only open cases have an urgency; the owners' urgency list needs no closed ones.
    op.drop_index("ix_cases_owner_urgency", table_name="cases")
    op.create_index(
        "ix_cases_owner_urgency",
        "cases",
        ["owner_id", "urgency_at", "id"],
        sqlite_where=OPEN_ONLY,
        postgresql_where=OPEN_ONLY,
    )
    op.create_table(
        "case_tallies",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=30), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "owner_id", "category", "metric", "value", name=op.f("pk_case_tallies")
        ),
    )
    op.execute(RECOUNT)
    columns = ", ".join(TRACKED)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE TRIGGER case_tallies_insert AFTER INSERT ON cases BEGIN {_apply('NEW', '1')}"
            " END"
        )
        op.execute(
            f"CREATE TRIGGER case_tallies_update AFTER UPDATE OF {columns} ON cases"
            f" WHEN {_changed('IS NOT')} BEGIN {_apply('OLD', '-1')} {_apply('NEW', '1')} END"
        )
        op.execute(
            f"CREATE TRIGGER case_tallies_delete AFTER DELETE ON cases BEGIN {_apply('OLD', '-1')}"
            " END"
        )
        return
    op.execute(
        f"""
        CREATE FUNCTION case_tallies_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN {_apply("OLD", "-1")} END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN {_apply("NEW", "1")} END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER case_tallies_insert_delete AFTER INSERT OR DELETE ON cases"
        " FOR EACH ROW EXECUTE FUNCTION case_tallies_apply()"
    )
    op.execute(
        f"CREATE TRIGGER case_tallies_update AFTER UPDATE OF {columns} ON cases"
        f" FOR EACH ROW WHEN ({_changed('IS DISTINCT FROM')})"
        " EXECUTE FUNCTION case_tallies_apply()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS case_tallies_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS case_tallies_insert_delete ON cases")
        op.execute("DROP TRIGGER IF EXISTS case_tallies_update ON cases")
        op.execute("DROP FUNCTION IF EXISTS case_tallies_apply()")
    op.drop_table("case_tallies")
    op.drop_index("ix_cases_owner_urgency", table_name="cases")
    op.create_index("ix_cases_owner_urgency", "cases", ["owner_id", "urgency_at", "id"])

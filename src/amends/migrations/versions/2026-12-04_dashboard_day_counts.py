"""the dashboard's figures over time come from counts kept per day; the recovery
paradox from two dates kept on each customer

Revision ID: d029
Revises: k027
Create Date: 2026-12-04 19:40:00

The dashboard opens on all time, where its report already sums the kept tallies; but
its weekly SLA attainment, its open cases by age and its themes' trends counted the
cases of the last weeks on every view, and the recovery paradox asked each customer
whether they ever had a case. At a million cases those were most of the page's time.

``case_day_counts`` holds, per day a case was opened (UTC) and category, how many
cases count for each figure; the view ``case_day_rows`` says once what a case counts
for, as c008's ``case_tally_rows`` does for the report. Triggers only ever *append*
a case's rows (negated before it changes or goes, again after), never update a shared
row: two transactions writing cases at the same time then never wait on each other
here, where running totals updated in place deadlocked them. The ``fold-day-counts``
job replaces the rows of each day that changed by their sums.

``customers.first_case_at`` and ``customers.recovered_at`` (the first closing of one
of their cases as retained or won back) are recomputed for the customer of a case that
is written, from the two small indexes the paradox probed (ix_cases_customer_opened,
ix_cases_recovered); the customer's row is written only when one of them changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d029"
down_revision: str | None = "k027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns whose change moves a case between day counts.
TRACKED = ("opened_at", "category", "closed_at", "ack_within", "remedy_within", "close_within")
# Columns whose change may move a customer's first case or first recovery.
CUSTOMER_TRACKED = ("customer_id", "opened_at", "state", "outcome", "closed_at")
RECOVERED = "state = 'closed' AND outcome IN ('retained', 'won_back')"


def _day(dialect: str) -> str:
    # SQLite keeps naive UTC text ("2026-12-04 17:49:10.000000"), PostgreSQL timestamptz.
    if dialect == "sqlite":
        return "date(opened_at)"
    return "CAST(opened_at AT TIME ZONE 'UTC' AS DATE)"


def _flag(column: str) -> str:
    return f"CASE WHEN {column} THEN '1' ELSE '0' END"


def view(dialect: str) -> str:
    """What each case counts for, by the day it was opened: its rows (case_id,
    opened_at, owner_id, day, category, metric, value, n)."""
    head = f"SELECT id AS case_id, opened_at, owner_id, {_day(dialect)} AS day, category"
    arms = [
        f"{head}, 'cases' AS metric, CAST('' AS VARCHAR(1)) AS value, 1 AS n FROM cases",
        f"{head}, 'open', '', 1 FROM cases WHERE closed_at IS NULL",
    ]
    for clock in ("ack", "remedy", "close"):
        column = f"{clock}_within"
        arms.append(f"{head}, '{column}', {_flag(column)}, 1 FROM cases WHERE {column} IS NOT NULL")
    return "CREATE VIEW case_day_rows AS " + " UNION ALL ".join(arms)


def _append(case_id: str, sign: str) -> str:
    return f"""
    INSERT INTO case_day_counts (day, category, metric, value, n, folded)
    SELECT day, category, metric, value, {sign} * n, false FROM case_day_rows
    WHERE case_id = {case_id};
    """  # noqa: S608 - built from constant names only, never from input


def _recompute(customer_id: str, distinct: str) -> str:
    """Set the customer's first case and first recovery from their cases; their row is
    written only when either changes."""
    first = f"(SELECT min(opened_at) FROM cases WHERE customer_id = {customer_id})"  # noqa: S608
    recovered = (
        f"(SELECT min(closed_at) FROM cases WHERE customer_id = {customer_id} AND {RECOVERED})"  # noqa: S608
    )
    return f"""
    UPDATE customers SET first_case_at = {first}, recovered_at = {recovered}
    WHERE id = {customer_id}
    AND (first_case_at {distinct} {first} OR recovered_at {distinct} {recovered});
    """  # noqa: S608 - built from constant names only, never from input


def _changed(columns: Sequence[str], distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


# Every customer's first case and first recovery, from their cases.
_CUSTOMER_DATES = (
    "UPDATE customers SET first_case_at = (SELECT min(opened_at) FROM cases"  # noqa: S608
    " WHERE cases.customer_id = customers.id), recovered_at = (SELECT min(closed_at)"
    f" FROM cases WHERE cases.customer_id = customers.id AND {RECOVERED})"
)


def fill() -> list[str]:
    """Statements that fill the day counts and the customers' dates from the cases as
    they are (the migration, and a bulk load that ran with the triggers off)."""
    return [
        "DELETE FROM case_day_counts",
        "INSERT INTO case_day_counts (day, category, metric, value, n, folded)"
        " SELECT day, category, metric, value, SUM(n), true FROM case_day_rows"
        " GROUP BY day, category, metric, value HAVING SUM(n) <> 0",
        _CUSTOMER_DATES,
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    sqlite = dialect == "sqlite"
    op.add_column("customers", sa.Column("first_case_at", sa.DateTime(timezone=True)))
    op.add_column("customers", sa.Column("recovered_at", sa.DateTime(timezone=True)))
    op.create_table(
        "case_day_counts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("metric", sa.String(20), nullable=False),
        sa.Column("value", sa.String(1), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("folded", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_case_day_counts_day", "case_day_counts", ["day", "metric"])
    op.create_index(
        "ix_case_day_counts_unfolded",
        "case_day_counts",
        ["day"],
        sqlite_where=sa.text("NOT folded"),
        postgresql_where=sa.text("NOT folded"),
    )
    op.execute(view(dialect))
    for statement in fill():
        op.execute(statement)
    columns = ", ".join(TRACKED)
    customer_columns = ", ".join(CUSTOMER_TRACKED)
    if sqlite:
        op.execute(
            "CREATE TRIGGER case_day_counts_insert AFTER INSERT ON cases"
            f" BEGIN {_append('NEW.id', '1')} {_recompute('NEW.customer_id', 'IS NOT')} END"
        )
        op.execute(
            f"CREATE TRIGGER case_day_counts_before_update BEFORE UPDATE OF {columns} ON cases"
            f" WHEN {_changed(TRACKED, 'IS NOT')} BEGIN {_append('OLD.id', '-1')} END"
        )
        op.execute(
            f"CREATE TRIGGER case_day_counts_after_update AFTER UPDATE OF {columns} ON cases"
            f" WHEN {_changed(TRACKED, 'IS NOT')} BEGIN {_append('NEW.id', '1')} END"
        )
        op.execute(
            "CREATE TRIGGER case_day_counts_delete BEFORE DELETE ON cases"
            f" BEGIN {_append('OLD.id', '-1')} END"
        )
        op.execute(
            "CREATE TRIGGER case_customer_dates_update AFTER UPDATE OF"
            f" {customer_columns} ON cases WHEN {_changed(CUSTOMER_TRACKED, 'IS NOT')}"
            f" BEGIN {_recompute('OLD.customer_id', 'IS NOT')}"
            f" {_recompute('NEW.customer_id', 'IS NOT')} END"
        )
        op.execute(
            "CREATE TRIGGER case_customer_dates_delete AFTER DELETE ON cases"
            f" BEGIN {_recompute('OLD.customer_id', 'IS NOT')} END"
        )
        return
    distinct = "IS DISTINCT FROM"
    op.execute(
        f"""
        CREATE FUNCTION case_day_counts_append() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_WHEN = 'BEFORE' THEN
                {_append("OLD.id", "-1")}
            ELSE
                {_append("NEW.id", "1")}
            END IF;
            -- A BEFORE trigger that returns NULL would cancel the change itself.
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION case_customer_dates() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN {_recompute("OLD.customer_id", distinct)}
            END IF;
            IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE'
                AND NEW.customer_id IS DISTINCT FROM OLD.customer_id) THEN
                {_recompute("NEW.customer_id", distinct)}
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    run = "FOR EACH ROW EXECUTE FUNCTION case_day_counts_append()"
    changed = f"FOR EACH ROW WHEN ({_changed(TRACKED, distinct)})"
    op.execute(f"CREATE TRIGGER case_day_counts_insert AFTER INSERT ON cases {run}")
    op.execute(
        f"CREATE TRIGGER case_day_counts_before_update BEFORE UPDATE OF {columns} ON cases"
        f" {changed} EXECUTE FUNCTION case_day_counts_append()"
    )
    op.execute(
        f"CREATE TRIGGER case_day_counts_after_update AFTER UPDATE OF {columns} ON cases"
        f" {changed} EXECUTE FUNCTION case_day_counts_append()"
    )
    op.execute(f"CREATE TRIGGER case_day_counts_delete BEFORE DELETE ON cases {run}")
    op.execute(
        "CREATE TRIGGER case_customer_dates_insert_delete AFTER INSERT OR DELETE ON cases"
        " FOR EACH ROW EXECUTE FUNCTION case_customer_dates()"
    )
    op.execute(
        f"CREATE TRIGGER case_customer_dates_update AFTER UPDATE OF {customer_columns}"
        f" ON cases FOR EACH ROW WHEN ({_changed(CUSTOMER_TRACKED, distinct)})"
        " EXECUTE FUNCTION case_customer_dates()"
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    on = "" if sqlite else " ON cases"
    for name in ("insert", "before_update", "after_update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS case_day_counts_{name}{on}")
    for name in ("insert_delete", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS case_customer_dates_{name}{on}")
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS case_day_counts_append()")
        op.execute("DROP FUNCTION IF EXISTS case_customer_dates()")
    op.execute("DROP VIEW case_day_rows")
    op.drop_index("ix_case_day_counts_unfolded", table_name="case_day_counts")
    op.drop_index("ix_case_day_counts_day", table_name="case_day_counts")
    op.drop_table("case_day_counts")
    op.drop_column("customers", "recovered_at")
    op.drop_column("customers", "first_case_at")

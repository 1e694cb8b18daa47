"""the dashboard's week-by-week and open-case figures from day tallies; each customer's
first case and latest recovery kept on the customer

Revision ID: y029
Revises: k027
Create Date: 2026-12-04 16:00:00

The dashboard counted, on every view, the open cases by age (every open case) and
each clock's attainment for the last twelve weeks (every case of those weeks), and it
asked each customer twice whether they had a case and a recovered one. At a million
cases that was most of its time.

``case_day_tallies`` holds per opening day (UTC) and owner (and for owner 0 over
everyone) how many cases were opened in each category, how many are still open and each clock's
met/missed counts, kept like
``case_tallies`` by triggers from one view (``case_day_rows``): a report sums the whole
days of a period from it and counts only the cases of a day that a period boundary
cuts. ``customers.first_case_at`` and ``customers.recovered_at`` (the latest closure as
retained or won back) are recomputed by triggers whenever one of the customer's cases
comes, goes or changes what they depend on, so the recovery paradox reads one row per
customer.

``category_hits`` keeps, per customer and case category, when the customer's latest
case in it was opened, with the customer's currency, status and monthly value
(copied by a trigger on ``customers`` when they change): the themes' customers hit in
a window and the revenue at stake are one index range of it, not a distinct over every
case of the window joined to the customers.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "y029"
down_revision: str | None = "k027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns whose change moves a case between day tallies.
TRACKED = ("owner_id", "category", "opened_at", "closed_at", "ack_within", "remedy_within",
           "close_within")  # fmt: skip
# Columns whose change moves a case between category hits, and the customer's columns
# the hits copy.
HIT_BY = ("customer_id", "category", "opened_at")
COPIED = ("currency", "status", "recurring_value")
# Columns whose change can move a customer's first case or latest recovery.
MARKED = ("customer_id", "opened_at", "closed_at", "state", "outcome")


def day(dialect: str) -> str:
    """A case's opening day in UTC (SQLite keeps naive UTC text, PostgreSQL timestamptz)."""
    if dialect == "sqlite":
        return "date(opened_at)"
    return "CAST(opened_at AT TIME ZONE 'UTC' AS DATE)"


def _flag(column: str) -> str:
    return f"CASE WHEN {column} THEN '1' ELSE '0' END"


def view(dialect: str) -> str:
    """Each case's day rows: opened (by category), still open, and each clock met ('1')
    or missed ('0')."""
    d = day(dialect)
    clocks = "".join(
        f"\nUNION ALL SELECT id, opened_at, {d}, owner_id, '{clock}_within',"  # noqa: S608
        f" {_flag(clock + '_within')}, 1 FROM cases WHERE {clock}_within IS NOT NULL"
        for clock in ("ack", "remedy", "close")
    )
    return f"""
CREATE VIEW case_day_rows AS
SELECT id AS case_id, opened_at, {d} AS day, owner_id, 'cases' AS metric,
    CAST(category AS VARCHAR(30)) AS value, 1 AS n FROM cases
UNION ALL SELECT id, opened_at, {d}, owner_id, 'open', '', 1 FROM cases
    WHERE closed_at IS NULL{clocks}
"""  # noqa: S608 - constant text


# Owner 0 (no user has it) holds each day's sum over every owner: the whole workspace's
# figures read a row per day, not one per day and owner.
REFILL = (
    "INSERT INTO case_day_tallies (day, owner_id, metric, value, n)"
    " SELECT day, owner_id, metric, value, SUM(n) FROM case_day_rows"
    " GROUP BY day, owner_id, metric, value"
    " UNION ALL SELECT day, 0, metric, value, SUM(n) FROM case_day_rows"
    " GROUP BY day, metric, value"
)

# Both marks of the customers listed in ``ids``, written only where they change (an
# unchanged customer row is not locked).
_FIRST = "(SELECT MIN(c.opened_at) FROM cases c WHERE c.customer_id = customers.id)"
_RECOVERED = (
    "(SELECT MAX(c.closed_at) FROM cases c WHERE c.customer_id = customers.id"
    " AND c.state = 'closed' AND c.outcome IN ('retained', 'won_back'))"
)

MARK_ALL = f"UPDATE customers SET first_case_at = {_FIRST}, recovered_at = {_RECOVERED}"  # noqa: S608


def mark(ids: str, distinct: str) -> str:
    # Built from constant names only, never from input.
    return (
        f"UPDATE customers SET first_case_at = {_FIRST}, recovered_at = {_RECOVERED}"  # noqa: S608
        f" WHERE id IN ({ids}) AND (first_case_at {distinct} {_FIRST}"
        f" OR recovered_at {distinct} {_RECOVERED});"
    )


HITS_REFILL = (
    "INSERT INTO category_hits (customer_id, category, last_opened_at, currency, status,"
    " recurring_value) SELECT c.customer_id, c.category, MAX(c.opened_at), cu.currency,"
    " cu.status, cu.recurring_value FROM cases c JOIN customers cu ON cu.id = c.customer_id"
    " GROUP BY c.customer_id, c.category, cu.currency, cu.status, cu.recurring_value"
)


def hit(customer: str, category: str) -> str:
    """Bring the hit of one customer and category in line with their cases."""
    pair = f"customer_id = {customer} AND category = {category}"
    return f"""
    INSERT INTO category_hits (customer_id, category, last_opened_at, currency, status,
        recurring_value)
    SELECT c.customer_id, c.category, MAX(c.opened_at), cu.currency, cu.status,
        cu.recurring_value
    FROM cases c JOIN customers cu ON cu.id = c.customer_id
    WHERE c.customer_id = {customer} AND c.category = {category}
    GROUP BY c.customer_id, c.category, cu.currency, cu.status, cu.recurring_value
    ON CONFLICT (customer_id, category)
    DO UPDATE SET last_opened_at = excluded.last_opened_at;
    DELETE FROM category_hits WHERE {pair}
        AND NOT EXISTS (SELECT 1 FROM cases WHERE {pair});
    """  # noqa: S608 - built from constant names only, never from input


COPY_CUSTOMER = (
    "UPDATE category_hits SET currency = NEW.currency, status = NEW.status,"
    " recurring_value = NEW.recurring_value WHERE customer_id = NEW.id;"
)


def _move(case_id: str, sign: str) -> str:
    return f"""
    INSERT INTO case_day_tallies (day, owner_id, metric, value, n)
    SELECT day, owner_id, metric, value, {sign} * n FROM case_day_rows
    WHERE case_id = {case_id}
    UNION ALL SELECT day, 0, metric, value, {sign} * n FROM case_day_rows
    WHERE case_id = {case_id}
    ON CONFLICT (day, owner_id, metric, value)
    DO UPDATE SET n = case_day_tallies.n + excluded.n;
    """  # noqa: S608 - built from constant names only, never from input


def _changed(columns: Sequence[str], distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    sqlite = dialect == "sqlite"
    op.create_table(
        "case_day_tallies",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(20), nullable=False),
        sa.Column("value", sa.String(30), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        # A metric's days for one owner (or all, owner 0) lie together in the key.
        sa.PrimaryKeyConstraint("metric", "owner_id", "day", "value", name="pk_case_day_tallies"),
    )
    op.create_table(
        "category_hits",
        sa.Column(
            "customer_id",
            sa.Integer(),
            sa.ForeignKey(
                "customers.id", ondelete="CASCADE", name="fk_category_hits_customer_id_customers"
            ),
            nullable=False,
        ),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("last_opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("recurring_value", sa.Numeric(14, 2), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "category", name="pk_category_hits"),
    )
    # The themes read one range of it, in opening order, with every column they need.
    op.create_index(
        "ix_category_hits_recent",
        "category_hits",
        ["last_opened_at", "category", "currency", "status", "recurring_value"],
    )
    op.add_column("customers", sa.Column("first_case_at", sa.DateTime(timezone=True)))
    op.add_column("customers", sa.Column("recovered_at", sa.DateTime(timezone=True)))
    op.execute(view(dialect))
    op.execute(REFILL)
    op.execute(MARK_ALL)
    op.execute(HITS_REFILL)
    tracked = ", ".join(TRACKED)
    marked = ", ".join(MARKED)
    hit_by = ", ".join(HIT_BY)
    copied = ", ".join(COPIED)
    if sqlite:
        op.execute(
            "CREATE TRIGGER category_hits_insert AFTER INSERT ON cases"
            f" BEGIN {hit('NEW.customer_id', 'NEW.category')} END"
        )
        op.execute(
            f"CREATE TRIGGER category_hits_update AFTER UPDATE OF {hit_by} ON cases"
            f" WHEN {_changed(HIT_BY, 'IS NOT')} BEGIN {hit('OLD.customer_id', 'OLD.category')}"
            f" {hit('NEW.customer_id', 'NEW.category')} END"
        )
        op.execute(
            "CREATE TRIGGER category_hits_delete AFTER DELETE ON cases"
            f" BEGIN {hit('OLD.customer_id', 'OLD.category')} END"
        )
        op.execute(
            f"CREATE TRIGGER category_hits_customer AFTER UPDATE OF {copied} ON customers"
            f" WHEN {_changed(COPIED, 'IS NOT')} BEGIN {COPY_CUSTOMER} END"
        )
        op.execute(
            "CREATE TRIGGER case_day_tallies_insert AFTER INSERT ON cases"
            f" BEGIN {_move('NEW.id', '1')} {mark('NEW.customer_id', 'IS NOT')} END"
        )
        op.execute(
            f"CREATE TRIGGER case_day_tallies_before_update BEFORE UPDATE OF {tracked} ON cases"
            f" WHEN {_changed(TRACKED, 'IS NOT')} BEGIN {_move('OLD.id', '-1')} END"
        )
        op.execute(
            f"CREATE TRIGGER case_day_tallies_after_update AFTER UPDATE OF {tracked} ON cases"
            f" WHEN {_changed(TRACKED, 'IS NOT')} BEGIN {_move('NEW.id', '1')} END"
        )
        op.execute(
            "CREATE TRIGGER case_day_tallies_delete BEFORE DELETE ON cases"
            f" BEGIN {_move('OLD.id', '-1')} END"
        )
        op.execute(
            f"CREATE TRIGGER customer_marks_update AFTER UPDATE OF {marked} ON cases"
            f" WHEN {_changed(MARKED, 'IS NOT')}"
            f" BEGIN {mark('OLD.customer_id, NEW.customer_id', 'IS NOT')} END"
        )
        op.execute(
            "CREATE TRIGGER customer_marks_delete AFTER DELETE ON cases"
            f" BEGIN {mark('OLD.customer_id', 'IS NOT')} END"
        )
        return
    distinct = "IS DISTINCT FROM"
    op.execute(
        f"""
        CREATE FUNCTION case_day_tallies_move() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_WHEN = 'BEFORE' THEN
                {_move("OLD.id", "-1")}
            ELSE
                {_move("NEW.id", "1")}
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
        CREATE FUNCTION customer_marks_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {mark("NEW.customer_id", distinct)}
            ELSIF TG_OP = 'UPDATE' THEN
                {mark("OLD.customer_id, NEW.customer_id", distinct)}
            ELSE
                {mark("OLD.customer_id", distinct)}
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION category_hits_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                {hit("OLD.customer_id", "OLD.category")}
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                {hit("NEW.customer_id", "NEW.category")}
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION category_hits_copy() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {COPY_CUSTOMER}
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER category_hits_insert_delete AFTER INSERT OR DELETE ON cases"
        " FOR EACH ROW EXECUTE FUNCTION category_hits_apply()"
    )
    op.execute(
        f"CREATE TRIGGER category_hits_update AFTER UPDATE OF {hit_by} ON cases"
        f" FOR EACH ROW WHEN ({_changed(HIT_BY, distinct)})"
        " EXECUTE FUNCTION category_hits_apply()"
    )
    op.execute(
        f"CREATE TRIGGER category_hits_customer AFTER UPDATE OF {copied} ON customers"
        f" FOR EACH ROW WHEN ({_changed(COPIED, distinct)})"
        " EXECUTE FUNCTION category_hits_copy()"
    )
    run = "FOR EACH ROW EXECUTE FUNCTION case_day_tallies_move()"
    changed = f"FOR EACH ROW WHEN ({_changed(TRACKED, distinct)})"
    op.execute(f"CREATE TRIGGER case_day_tallies_insert AFTER INSERT ON cases {run}")
    op.execute(
        f"CREATE TRIGGER case_day_tallies_before_update BEFORE UPDATE OF {tracked} ON cases"
        f" {changed} EXECUTE FUNCTION case_day_tallies_move()"
    )
    op.execute(
        f"CREATE TRIGGER case_day_tallies_after_update AFTER UPDATE OF {tracked} ON cases"
        f" {changed} EXECUTE FUNCTION case_day_tallies_move()"
    )
    op.execute(f"CREATE TRIGGER case_day_tallies_delete BEFORE DELETE ON cases {run}")
    op.execute(
        "CREATE TRIGGER customer_marks_insert_delete AFTER INSERT OR DELETE ON cases"
        " FOR EACH ROW EXECUTE FUNCTION customer_marks_apply()"
    )
    op.execute(
        f"CREATE TRIGGER customer_marks_update AFTER UPDATE OF {marked} ON cases"
        f" FOR EACH ROW WHEN ({_changed(MARKED, distinct)})"
        " EXECUTE FUNCTION customer_marks_apply()"
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    names = ["case_day_tallies_insert", "case_day_tallies_before_update",
             "case_day_tallies_after_update", "case_day_tallies_delete",
             "customer_marks_update"]  # fmt: skip
    names.append("customer_marks_delete" if sqlite else "customer_marks_insert_delete")
    names += ["category_hits_update"]
    names.append("category_hits_delete" if sqlite else "category_hits_insert_delete")
    if sqlite:
        names.append("category_hits_insert")
    for name in names:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if sqlite else " ON cases"))
    op.execute(
        "DROP TRIGGER IF EXISTS category_hits_customer" + ("" if sqlite else " ON customers")
    )
    if not sqlite:
        for function in ("case_day_tallies_move", "customer_marks_apply", "category_hits_apply",
                         "category_hits_copy"):  # fmt: skip
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    op.execute("DROP VIEW case_day_rows")
    op.drop_column("customers", "recovered_at")
    op.drop_column("customers", "first_case_at")
    op.drop_table("category_hits")
    op.drop_table("case_day_tallies")

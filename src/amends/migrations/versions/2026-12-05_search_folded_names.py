"""search: customers and contacts keep their folded text on PostgreSQL

Revision ID: g032
Revises: f031
Create Date: 2026-12-05 02:00:00

i011 indexed ``amends_fold(customers.name)`` and ``amends_fold(contacts.name || ' ' ||
email)`` as expressions. A word found in most contacts (the domain of every contact's
address) makes PostgreSQL read the whole table and fold every row again: 70 ms for
20,000 contacts, twice per search (the cases it finds, then the list's condition). As
x023 did for messages, the folded text is now a column written by a trigger, and the
trigram indexes are on the columns. It is kept in lower case too, so a row is checked
with ``LIKE``: ``ILIKE`` lowers every row it checks, which cost 50 ms more over those
20,000 contacts.

SQLite is unchanged: its FTS5 tables hold their tokens.
"""

# ruff: noqa: S608 - SQL built from constants of this file, never from input
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "g032"
down_revision: str | None = "f031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: (its text as i011 indexed it, with {r} for the row, the columns it reads)
TEXTS = {
    "customers": ("{r}.name", "name"),
    "contacts": ("{r}.name || ' ' || coalesce({r}.email, '')", "name, email"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for name, (expression, columns) in TEXTS.items():
        op.execute(f"ALTER TABLE {name} ADD COLUMN folded text")
        op.execute(
            f"""
            CREATE FUNCTION {name}_fold() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.folded := lower(amends_fold({expression.format(r="NEW")}));
                RETURN NEW;
            END
            $$
            """
        )
        op.execute(
            f"CREATE TRIGGER {name}_fold BEFORE INSERT OR UPDATE OF {columns} ON {name}"
            f" FOR EACH ROW EXECUTE FUNCTION {name}_fold()"
        )
        op.execute(f"UPDATE {name} SET folded = lower(amends_fold({expression.format(r=name)}))")
        op.execute(f"DROP INDEX IF EXISTS ix_search_{name}")
        op.execute(f"CREATE INDEX ix_search_{name} ON {name} USING gin (folded gin_trgm_ops)")
        # Statistics of the new column now, not when autovacuum comes by: until then the
        # planner guesses how many rows a word finds.
        op.execute(f"ANALYZE {name}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for name, (expression, _) in TEXTS.items():
        op.execute(f"DROP INDEX IF EXISTS ix_search_{name}")
        op.execute(f"DROP TRIGGER IF EXISTS {name}_fold ON {name}")
        op.execute(f"DROP FUNCTION IF EXISTS {name}_fold()")
        op.execute(f"ALTER TABLE {name} DROP COLUMN folded")
        op.execute(
            f"CREATE INDEX ix_search_{name} ON {name}"
            f" USING gin (amends_fold({expression.format(r=name)}) gin_trgm_ops)"
        )

"""report tallies defined once, by the case_tally_rows view

Revision ID: c008
Revises: n007
Create Date: 2026-12-03 13:30:00

What a case counts for in the recovery report was written four times: in the
triggers, in the recount that filled the table, in Python for windowed reports, and
in the report's reader. The view ``case_tally_rows`` now says it once, as rows
(case, owner, category, metric, value, n). The triggers add a case's rows after it
is written and take them away before it changes or goes, reading them from the
view; a recount or a windowed report sums the view. So the kept tallies and the
recount can differ only if a trigger misses a change, which is what the tests check.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "c008"
down_revision: str | None = "n007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns whose change moves a case between tallies.
TRACKED = ("owner_id", "category", "handoffs", "ack_minutes", "ack_within", "one_interaction",
           "outcome")  # fmt: skip


def _flag(column: str) -> str:
    # Booleans are 0/1 on SQLite and true/false on PostgreSQL; tallies spell them "1"/"0".
    return f"CASE WHEN {column} THEN '1' ELSE '0' END"


# Each arm reads only the case's own row, so a condition on case_id (the triggers) or
# on opened_at (a windowed report) is pushed into every arm by both engines.
VIEW = f"""
CREATE VIEW case_tally_rows AS
SELECT id AS case_id, opened_at, owner_id, category, 'cases' AS metric,
    CAST('' AS VARCHAR(30)) AS value, 1 AS n FROM cases
UNION ALL SELECT id, opened_at, owner_id, category, 'handoffs', '', handoffs
    FROM cases WHERE handoffs <> 0
UNION ALL SELECT id, opened_at, owner_id, category, 'ack_minutes',
    CAST(ack_minutes AS VARCHAR(30)), 1 FROM cases WHERE ack_minutes IS NOT NULL
UNION ALL SELECT id, opened_at, owner_id, category, 'ack_within', {_flag("ack_within")}, 1
    FROM cases WHERE ack_within IS NOT NULL
UNION ALL SELECT id, opened_at, owner_id, category, 'one_interaction',
    {_flag("one_interaction")}, 1 FROM cases WHERE one_interaction IS NOT NULL
UNION ALL SELECT id, opened_at, owner_id, category, 'outcome', outcome, 1
    FROM cases WHERE outcome IS NOT NULL
"""  # noqa: S608 - constant text


def _move(case_id: str, sign: str) -> str:
    """Add (sign 1) or take away (sign -1) the tally rows of one case."""
    return f"""
    INSERT INTO case_tallies (owner_id, category, metric, value, n)
    SELECT owner_id, category, metric, value, {sign} * n FROM case_tally_rows
    WHERE case_id = {case_id}
    ON CONFLICT (owner_id, category, metric, value)
    DO UPDATE SET n = case_tallies.n + excluded.n;
    """  # noqa: S608 - built from constant names only, never from input


def _changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in TRACKED)


def _drop_p006_triggers(sqlite: bool) -> None:
    if sqlite:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS case_tallies_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS case_tallies_insert_delete ON cases")
        op.execute("DROP TRIGGER IF EXISTS case_tallies_update ON cases")
        op.execute("DROP FUNCTION IF EXISTS case_tallies_apply()")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _drop_p006_triggers(sqlite)
    op.execute(VIEW)
    # Refill from the view: the table then holds exactly what the new triggers maintain.
    op.execute("DELETE FROM case_tallies")
    op.execute(
        "INSERT INTO case_tallies (owner_id, category, metric, value, n)"
        " SELECT owner_id, category, metric, value, SUM(n) FROM case_tally_rows"
        " GROUP BY owner_id, category, metric, value HAVING SUM(n) <> 0"
    )
    columns = ", ".join(TRACKED)
    if sqlite:
        # A case's old rows are read before it changes or goes (BEFORE), its new rows
        # after it is written (AFTER); each trigger reads the view by primary key.
        op.execute(
            f"CREATE TRIGGER case_tallies_insert AFTER INSERT ON cases"
            f" BEGIN {_move('NEW.id', '1')} END"
        )
        op.execute(
            f"CREATE TRIGGER case_tallies_before_update BEFORE UPDATE OF {columns} ON cases"
            f" WHEN {_changed('IS NOT')} BEGIN {_move('OLD.id', '-1')} END"
        )
        op.execute(
            f"CREATE TRIGGER case_tallies_after_update AFTER UPDATE OF {columns} ON cases"
            f" WHEN {_changed('IS NOT')} BEGIN {_move('NEW.id', '1')} END"
        )
        op.execute(
            f"CREATE TRIGGER case_tallies_delete BEFORE DELETE ON cases"
            f" BEGIN {_move('OLD.id', '-1')} END"
        )
        return
    op.execute(
        f"""
        CREATE FUNCTION case_tallies_move() RETURNS trigger LANGUAGE plpgsql AS $$
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
    run = "FOR EACH ROW EXECUTE FUNCTION case_tallies_move()"
    changed = f"FOR EACH ROW WHEN ({_changed('IS DISTINCT FROM')})"
    op.execute(f"CREATE TRIGGER case_tallies_insert AFTER INSERT ON cases {run}")
    op.execute(
        f"CREATE TRIGGER case_tallies_before_update BEFORE UPDATE OF {columns} ON cases"
        f" {changed} EXECUTE FUNCTION case_tallies_move()"
    )
    op.execute(
        f"CREATE TRIGGER case_tallies_after_update AFTER UPDATE OF {columns} ON cases"
        f" {changed} EXECUTE FUNCTION case_tallies_move()"
    )
    op.execute(f"CREATE TRIGGER case_tallies_delete BEFORE DELETE ON cases {run}")


def _p006() -> ModuleType:
    path = Path(__file__).with_name("2026-12-01_report_tallies.py")
    spec = importlib.util.spec_from_file_location("amends_migration_p006", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in ("insert", "before_update", "after_update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS case_tallies_{name}" + ("" if sqlite else " ON cases"))
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS case_tallies_move()")
    op.execute("DROP VIEW case_tally_rows")
    # Back to p006's triggers, which keep the same counts from NEW and OLD directly.
    p006 = _p006()
    columns = ", ".join(p006.TRACKED)
    if sqlite:
        op.execute(
            f"CREATE TRIGGER case_tallies_insert AFTER INSERT ON cases"
            f" BEGIN {p006._apply('NEW', '1')} END"
        )
        op.execute(
            f"CREATE TRIGGER case_tallies_update AFTER UPDATE OF {columns} ON cases"
            f" WHEN {p006._changed('IS NOT')}"
            f" BEGIN {p006._apply('OLD', '-1')} {p006._apply('NEW', '1')} END"
        )
        op.execute(
            f"CREATE TRIGGER case_tallies_delete AFTER DELETE ON cases"
            f" BEGIN {p006._apply('OLD', '-1')} END"
        )
        return
    op.execute(
        f"""
        CREATE FUNCTION case_tallies_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN {p006._apply("OLD", "-1")} END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN {p006._apply("NEW", "1")} END IF;
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
        f" FOR EACH ROW WHEN ({p006._changed('IS DISTINCT FROM')})"
        " EXECUTE FUNCTION case_tallies_apply()"
    )

"""the recovery report counts attainment for every SLA clock

Revision ID: r010
Revises: j011
Create Date: 2026-12-03 14:50:00

Cases gain remedy_within and close_within (as ack_within: set by the step, or False
once the clock breached), and the tally view and its triggers count them: the view and
triggers of c008, with two more metrics and two more tracked columns.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "r010"
down_revision: str | None = "j011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = ("remedy_within", "close_within")


def _c008() -> ModuleType:
    """c008's definitions, loaded afresh (each caller may extend its own copy)."""
    path = Path(__file__).with_name("2026-12-03_case_tally_rows_view.py")
    spec = importlib.util.spec_from_file_location("amends_migration_c008", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _drop_tally_triggers_and_view() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in ("insert", "before_update", "after_update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS case_tallies_{name}" + ("" if sqlite else " ON cases"))
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS case_tallies_move()")
    op.execute("DROP VIEW IF EXISTS case_tally_rows")


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        for column in NEW:
            batch.add_column(sa.Column(column, sa.Boolean(), nullable=True))
    _drop_tally_triggers_and_view()
    c008 = _c008()
    c008.TRACKED = (*c008.TRACKED, *NEW)  # type: ignore[attr-defined]
    # Built from the constant column names above only, never from input.
    arms = "".join(
        f"UNION ALL SELECT id, opened_at, owner_id, category, '{column}', "  # noqa: S608
        f"{c008._flag(column)}, 1\n    FROM cases WHERE {column} IS NOT NULL\n"
        for column in NEW
    )
    c008.VIEW = c008.VIEW.rstrip("\n") + "\n" + arms  # type: ignore[attr-defined]
    c008.upgrade()  # the view, a refill of the tallies from it, and the triggers


def downgrade() -> None:
    _drop_tally_triggers_and_view()
    op.execute("DELETE FROM case_tallies WHERE metric IN ('remedy_within', 'close_within')")
    _c008().upgrade()
    with op.batch_alter_table("cases") as batch:
        for column in NEW:
            batch.drop_column(column)

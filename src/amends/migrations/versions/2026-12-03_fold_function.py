"""SQLite's search triggers fold text with the function amends_fold

Revision ID: f012
Revises: i011
Create Date: 2026-12-03 18:40:00

s008 and i011 fold text for the trigram indexes in SQL: SQLite has no translate(), so
each trigger ran a recursive query of one replace() per accented letter, about 2 ms for
every message written and 3 more for a case's text. The application now registers
``amends_fold`` on every SQLite connection (``amends.db.register_sqlite_functions``,
folding with ``amends.text.indexfold``, the same table as those migrations), and the
triggers call it. The folded text is the same, so the indexes are kept as they are.
PostgreSQL already had ``amends_fold`` as an SQL function; nothing changes there.
"""

# ruff: noqa: S608 - SQL built from constants of this file, never from input
from __future__ import annotations

from collections.abc import Callable, Sequence

from alembic import op

revision: str = "f012"
down_revision: str | None = "i011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As s008 and i011 fold (copied for the downgrade: a migration must not follow later
# changes of another file).
ACCENTED = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆ"
    "ćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐő"
    "ŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžΆΈΉΊΌΎΏΐΪΫάέήίΰϊϋόύ"
    "ώς"
)
PLAIN = (
    "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaac"
    "cccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooo"
    "rrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzαεηιουωιιυαεηιυιυου"
    "ωσ"
)

# index (FTS5 table) -> (its source table, rowid column, indexed text over a row alias,
# the columns whose update refolds it, the update trigger's WHEN clause)
INDEXES = {
    "case_texts_fts": (
        "case_texts",
        "case_id",
        "{r}.body",
        "body",
        " WHEN NEW.body IS NOT OLD.body",
    ),
    "search_messages_fts": (
        "messages",
        "id",
        "{r}.subject || ' ' || {r}.text",
        "subject, text",
        "",
    ),
    "search_customers_fts": ("customers", "id", "{r}.name", "name", ""),
    "search_contacts_fts": (
        "contacts",
        "id",
        "{r}.name || ' ' || coalesce({r}.email, '')",
        "name, email",
        "",
    ),
}


def _function(expr: str) -> str:
    return f"amends_fold({expr})"


def _recursive(expr: str) -> str:
    n = len(ACCENTED)
    return (
        f"(WITH RECURSIVE m(i, s) AS (SELECT 1, {expr} UNION ALL SELECT i + 1,"
        f" replace(s, substr('{ACCENTED}', i, 1), substr('{PLAIN}', i, 1)) FROM m"
        f" WHERE i <= {n}) SELECT s FROM m WHERE i = {n + 1})"
    )


def _triggers(fold: Callable[[str], str]) -> None:
    for fts, (table, key, body, columns, when) in INDEXES.items():
        new, old = fold(body.format(r="NEW")), fold(body.format(r="OLD"))
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
        op.execute(
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN"
            f" INSERT INTO {fts} (rowid, body) VALUES (NEW.{key}, {new}); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {columns} ON {table}{when} BEGIN"
            f" INSERT INTO {fts} ({fts}, rowid, body) VALUES ('delete', OLD.{key}, {old});"
            f" INSERT INTO {fts} (rowid, body) VALUES (NEW.{key}, {new}); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN"
            f" INSERT INTO {fts} ({fts}, rowid, body) VALUES ('delete', OLD.{key}, {old}); END"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _triggers(_function)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _triggers(_recursive)

"""search indexes: every message, customer name and contact, folded, by trigrams

Revision ID: i011
Revises: ch012
Create Date: 2026-12-03 16:00:00

The inbox's search finds a case by any word of any of its messages (subjects too), by
its customer's name and by a contact's name or address. ``case_texts`` (s008) holds
only the title and the first inbound messages, which is right for similarity and not
enough for search, so each searched table gets its own trigram index over its text
folded as s008 folds it (case, accents, the Greek final sigma; Thai as written). A
trigram index finds any substring of three or more characters, so a Thai word from the
middle of an unspaced sentence is found without segmenting it. SQLite: contentless FTS5
``trigram`` tables kept by triggers; PostgreSQL: GIN ``pg_trgm`` indexes on
``amends_fold()`` expressions, which ``ILIKE`` uses.

Also ``ix_cases_urgency``: every open case by its nearest deadline, which the inbox's
"all open cases" view reads in order (the owner's own view has ix_cases_owner_urgency).
"""

# ruff: noqa: S608 - SQL built from constants of this file, never from input
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i011"
down_revision: str | None = "ch012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As s008 folds (copied: a migration must not follow later changes of another file).
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

# table -> (its searched text as SQL over a row named by the alias, columns it reads)
SEARCHED = {
    "messages": ("{r}.subject || ' ' || {r}.text", "subject, text"),
    "customers": ("{r}.name", "name"),
    "contacts": ("{r}.name || ' ' || coalesce({r}.email, '')", "name, email"),
}


def _sqlite_fold(expr: str) -> str:
    # As in s008: no translate() in SQLite, and nested replace() overflows its parser.
    n = len(ACCENTED)
    return (
        f"(WITH RECURSIVE m(i, s) AS (SELECT 1, {expr} UNION ALL SELECT i + 1,"
        f" replace(s, substr('{ACCENTED}', i, 1), substr('{PLAIN}', i, 1)) FROM m"
        f" WHERE i <= {n}) SELECT s FROM m WHERE i = {n + 1})"
    )


def upgrade() -> None:
    op.create_index(
        "ix_cases_urgency",
        "cases",
        ["urgency_at", "id"],
        unique=False,
        sqlite_where=sa.text("urgency_at IS NOT NULL"),
        postgresql_where=sa.text("urgency_at IS NOT NULL"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for name, (body, columns) in SEARCHED.items():
            _sqlite_index(name, body, columns)
    else:
        for name, (body, _) in SEARCHED.items():
            # amends_fold (s008) is IMMUTABLE, so it may index an expression.
            op.execute(
                f"CREATE INDEX ix_search_{name} ON {name}"
                f" USING gin (amends_fold({body.format(r=name)}) gin_trgm_ops)"
            )


def _sqlite_index(name: str, body: str, columns: str) -> None:
    fts = f"search_{name}_fts"
    new, old = _sqlite_fold(body.format(r="NEW")), _sqlite_fold(body.format(r="OLD"))
    # Contentless: the text is in the table itself; a delete names the old tokens.
    op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(body, content='', tokenize='trigram')")
    op.execute(
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {name} BEGIN"
        f" INSERT INTO {fts} (rowid, body) VALUES (NEW.id, {new}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {columns} ON {name} BEGIN"
        f" INSERT INTO {fts} ({fts}, rowid, body) VALUES ('delete', OLD.id, {old});"
        f" INSERT INTO {fts} (rowid, body) VALUES (NEW.id, {new}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {name} BEGIN"
        f" INSERT INTO {fts} ({fts}, rowid, body) VALUES ('delete', OLD.id, {old}); END"
    )
    row = _sqlite_fold(body.format(r=name))
    op.execute(f"INSERT INTO {fts} (rowid, body) SELECT id, {row} FROM {name}")


def downgrade() -> None:
    op.drop_index("ix_cases_urgency", table_name="cases")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in SEARCHED:
        if sqlite:
            fts = f"search_{name}_fts"
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
        else:
            op.execute(f"DROP INDEX IF EXISTS ix_search_{name}")

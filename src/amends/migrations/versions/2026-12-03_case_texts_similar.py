"""case texts kept by triggers, with a trigram index for similar-case candidates

Revision ID: s008
Revises: e008
Create Date: 2026-12-03 13:40:00

Which cases read like a given one is answered from the database, so every process on
every machine gives the same answer and no process keeps an index of its own.
``case_texts`` holds each case's text (its title and first inbound messages); triggers
on ``cases`` and ``messages`` keep it, so every writer (ORM, bulk loads, cascaded
deletes) is covered without having to remember. Candidates come from a trigram index
over the text with accents and the Greek final sigma folded: FTS5's ``trigram``
tokenizer on SQLite (which folds case itself), ``pg_trgm`` on PostgreSQL. Exact scores
are computed in Python from the text, so the folding here only has to find candidates.
"""

# ruff: noqa: S608 - SQL built from constants of this file, never from input
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s008"
down_revision: str | None = "e008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Accented Latin and Greek letters and what amends.text.fold makes of them, as of this
# migration (a migration must not follow later changes of the code). Other scripts are
# indexed as written; Thai has no case and keeps its marks.
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
# A case's text: its title, then its first few inbound messages, each cut short: long
# quoted threads add nothing to what the case is about.
MESSAGES_PER_CASE = 3
MESSAGE_CHARS = 2000


def _sqlite_fold(expr: str) -> str:
    # SQLite has no translate(), and FTS5's trigram tokenizer folds case but not
    # accents; a recursive query replaces one letter per step (nested replace() calls
    # would overflow the parser's stack).
    n = len(ACCENTED)
    return (
        f"(WITH RECURSIVE m(i, s) AS (SELECT 1, {expr} UNION ALL SELECT i + 1,"
        f" replace(s, substr('{ACCENTED}', i, 1), substr('{PLAIN}', i, 1)) FROM m"
        f" WHERE i <= {n}) SELECT s FROM m WHERE i = {n + 1})"
    )


def _body(case: str, dialect: str) -> str:
    """The text of case id ``case``: title and first inbound messages, newline-joined."""
    first = (
        f"SELECT id, substr(text, 1, {MESSAGE_CHARS}) AS t FROM messages"
        f" WHERE case_id = {case} AND direction = 'inbound' ORDER BY id LIMIT {MESSAGES_PER_CASE}"
    )
    if dialect == "sqlite":
        # group_concat keeps the order of an ordered subquery (it reads the rows so).
        joined = f"(SELECT group_concat(t, char(10)) FROM ({first}))"
        return f"cases.title || coalesce(char(10) || {joined}, '')"
    joined = f"(SELECT string_agg(t, chr(10) ORDER BY id) FROM ({first}) m)"
    return f"cases.title || coalesce(chr(10) || {joined}, '')"


def _refresh(case: str, dialect: str) -> str:
    """The statement that writes case ``case``'s text (nothing when it is gone)."""
    return (
        f"INSERT INTO case_texts (case_id, body) SELECT cases.id, {_body(case, dialect)}"
        f" FROM cases WHERE cases.id = {case}"
        " ON CONFLICT (case_id) DO UPDATE SET body = excluded.body;"
    )


# An inbound message changes a case's text only while it is among its first few.
def _among_first(message: str) -> str:
    return (
        f"(SELECT count(*) FROM messages WHERE case_id = {message}.case_id"
        f" AND direction = 'inbound' AND id < {message}.id) < {MESSAGES_PER_CASE}"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "case_texts",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_texts")),
    )
    if dialect == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def _upgrade_sqlite() -> None:
    # Contentless: the text is in case_texts already; a delete names the old tokens.
    op.execute(
        "CREATE VIRTUAL TABLE case_texts_fts USING fts5(body, content='', tokenize='trigram')"
    )
    new, old = _sqlite_fold("NEW.body"), _sqlite_fold("OLD.body")
    op.execute(
        "CREATE TRIGGER case_texts_fts_insert AFTER INSERT ON case_texts BEGIN"
        f" INSERT INTO case_texts_fts (rowid, body) VALUES (NEW.case_id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER case_texts_fts_update AFTER UPDATE OF body ON case_texts"
        " WHEN NEW.body IS NOT OLD.body BEGIN"
        f" INSERT INTO case_texts_fts (case_texts_fts, rowid, body)"
        f" VALUES ('delete', OLD.case_id, {old});"
        f" INSERT INTO case_texts_fts (rowid, body) VALUES (NEW.case_id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER case_texts_fts_delete AFTER DELETE ON case_texts BEGIN"
        f" INSERT INTO case_texts_fts (case_texts_fts, rowid, body)"
        f" VALUES ('delete', OLD.case_id, {old}); END"
    )
    op.execute(
        "CREATE TRIGGER case_texts_case_insert AFTER INSERT ON cases BEGIN"
        f" {_refresh('NEW.id', 'sqlite')} END"
    )
    op.execute(
        "CREATE TRIGGER case_texts_case_title AFTER UPDATE OF title ON cases"
        f" WHEN NEW.title IS NOT OLD.title BEGIN {_refresh('NEW.id', 'sqlite')} END"
    )
    op.execute(
        "CREATE TRIGGER case_texts_case_delete AFTER DELETE ON cases BEGIN"
        " DELETE FROM case_texts WHERE case_id = OLD.id; END"
    )
    op.execute(
        "CREATE TRIGGER case_texts_message_insert AFTER INSERT ON messages"
        " WHEN NEW.direction = 'inbound' AND NEW.case_id IS NOT NULL"
        f" AND {_among_first('NEW')} BEGIN {_refresh('NEW.case_id', 'sqlite')} END"
    )
    op.execute(
        "CREATE TRIGGER case_texts_message_update AFTER UPDATE OF case_id, direction, text"
        " ON messages WHEN 'inbound' IN (OLD.direction, NEW.direction) BEGIN"
        f" {_refresh('OLD.case_id', 'sqlite')} {_refresh('NEW.case_id', 'sqlite')} END"
    )
    op.execute(
        "CREATE TRIGGER case_texts_message_delete AFTER DELETE ON messages"
        f" WHEN OLD.direction = 'inbound' BEGIN {_refresh('OLD.case_id', 'sqlite')} END"
    )
    op.execute(
        f"INSERT INTO case_texts (case_id, body)"
        f" SELECT id, {_body('cases.id', 'sqlite')} FROM cases"
    )


def _upgrade_postgresql() -> None:
    # pg_trgm is a trusted extension: the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE FUNCTION amends_fold(body text) RETURNS text LANGUAGE sql IMMUTABLE"
        f" PARALLEL SAFE AS $$ SELECT translate(body, '{ACCENTED}', '{PLAIN}') $$"
    )
    op.execute(
        f"""
        CREATE FUNCTION case_texts_from_case() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM case_texts WHERE case_id = OLD.id;
            ELSE
                {_refresh("NEW.id", "postgresql")}
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION case_texts_from_message() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                IF NEW.direction = 'inbound' AND NEW.case_id IS NOT NULL
                        AND {_among_first("NEW")} THEN
                    {_refresh("NEW.case_id", "postgresql")}
                END IF;
                RETURN NULL;
            END IF;
            IF OLD.direction = 'inbound' THEN
                {_refresh("OLD.case_id", "postgresql")}
            END IF;
            IF TG_OP = 'UPDATE' AND NEW.direction = 'inbound' THEN
                {_refresh("NEW.case_id", "postgresql")}
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER case_texts_case_insert_delete AFTER INSERT OR DELETE ON cases"
        " FOR EACH ROW EXECUTE FUNCTION case_texts_from_case()"
    )
    op.execute(
        "CREATE TRIGGER case_texts_case_title AFTER UPDATE OF title ON cases"
        " FOR EACH ROW WHEN (NEW.title IS DISTINCT FROM OLD.title)"
        " EXECUTE FUNCTION case_texts_from_case()"
    )
    op.execute(
        "CREATE TRIGGER case_texts_message AFTER INSERT OR DELETE OR UPDATE OF case_id,"
        " direction, text ON messages FOR EACH ROW EXECUTE FUNCTION case_texts_from_message()"
    )
    op.execute(
        f"INSERT INTO case_texts (case_id, body)"
        f" SELECT id, {_body('cases.id', 'postgresql')} FROM cases"
    )
    # Stored folded: pg_trgm rechecks every row the index proposes, and folding each
    # one again there cost more than the whole index scan.
    op.execute(
        "ALTER TABLE case_texts ADD COLUMN folded text"
        " GENERATED ALWAYS AS (amends_fold(body)) STORED"
    )
    op.execute("CREATE INDEX ix_case_texts_trigrams ON case_texts USING gin (folded gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("case_insert", "case_title", "case_delete", "message_insert",
                     "message_update", "message_delete"):  # fmt: skip
            op.execute(f"DROP TRIGGER IF EXISTS case_texts_{name}")
        op.execute("DROP TABLE IF EXISTS case_texts_fts")  # its triggers go with case_texts
    else:
        op.execute("DROP TRIGGER IF EXISTS case_texts_case_insert_delete ON cases")
        op.execute("DROP TRIGGER IF EXISTS case_texts_case_title ON cases")
        op.execute("DROP TRIGGER IF EXISTS case_texts_message ON messages")
        op.execute("DROP FUNCTION IF EXISTS case_texts_from_case()")
        op.execute("DROP FUNCTION IF EXISTS case_texts_from_message()")
        op.execute("DROP INDEX IF EXISTS ix_case_texts_trigrams")
    op.drop_table("case_texts")
    if op.get_bind().dialect.name != "sqlite":
        # After the table: its generated column is computed by the function.
        op.execute("DROP FUNCTION IF EXISTS amends_fold(text)")

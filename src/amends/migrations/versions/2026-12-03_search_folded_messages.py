"""search: messages keep their folded text on PostgreSQL; a faster amends_fold

Revision ID: x023
Revises: p025
Create Date: 2026-12-03 22:40:00

i011 indexed ``amends_fold(subject || ' ' || text)`` as an expression. A trigram
index only proposes rows: PostgreSQL then checks each against the pattern, folding its
text again, and ``translate`` over a 122-letter list costs a third of a millisecond for
a message on this machine; a word found in 10,000 messages spent seconds there. The
folded text is now a column (``messages.folded``) written by a trigger, as s008 stores
``case_texts.folded``, and the index is on the column. A plain column kept by a
trigger rather than a generated one, so a bulk load may write the folded text it
computed itself (the same table, ``amends.text.indexfold``).

``amends_fold`` gives the same text as before but skips ``translate`` when the text
has no letter in the ranges the table's letters come from (U+00C0-U+017E, U+0386-
U+03CE): English and Thai text, half of all mail, is then returned as it is. Indexes
built with it stay valid: every result is unchanged.

SQLite is unchanged: its FTS5 tables hold their tokens, and nothing is folded again
when they are read.
"""

# ruff: noqa: S608 - SQL built from constants of this file, never from input
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "x023"
down_revision: str | None = "p025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As s008 (copied: a migration must not follow later changes of another file).
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
# Every letter of ACCENTED lies in one of these ranges (a test of the fold checks it).
RANGES = "[\u00c0-\u017e\u0386-\u03ce]"
MESSAGE_TEXT = "{r}.subject || ' ' || {r}.text"


def _fold_function(guarded: bool) -> str:
    body = f"translate(body, '{ACCENTED}', '{PLAIN}')"
    if guarded:
        body = f"CASE WHEN body ~ '{RANGES}' THEN {body} ELSE body END"
    return (
        "CREATE OR REPLACE FUNCTION amends_fold(body text) RETURNS text LANGUAGE sql"
        f" IMMUTABLE PARALLEL SAFE AS $$ SELECT {body} $$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute(_fold_function(guarded=True))
    op.execute("ALTER TABLE messages ADD COLUMN folded text")
    op.execute(
        f"""
        CREATE FUNCTION messages_fold() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.folded := amends_fold({MESSAGE_TEXT.format(r="NEW")});
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER messages_fold BEFORE INSERT OR UPDATE OF subject, text ON messages"
        " FOR EACH ROW EXECUTE FUNCTION messages_fold()"
    )
    op.execute(f"UPDATE messages SET folded = amends_fold({MESSAGE_TEXT.format(r='messages')})")
    op.execute("DROP INDEX IF EXISTS ix_search_messages")
    op.execute("CREATE INDEX ix_search_messages ON messages USING gin (folded gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_messages")
    op.execute("DROP TRIGGER IF EXISTS messages_fold ON messages")
    op.execute("DROP FUNCTION IF EXISTS messages_fold()")
    op.execute("ALTER TABLE messages DROP COLUMN folded")
    op.execute(_fold_function(guarded=False))
    op.execute(
        "CREATE INDEX ix_search_messages ON messages"
        f" USING gin (amends_fold({MESSAGE_TEXT.format(r='messages')}) gin_trgm_ops)"
    )

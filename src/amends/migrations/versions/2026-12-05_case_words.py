"""search: a word index of every case's title and messages

Revision ID: f031
Revises: e030
Create Date: 2026-12-05 00:00:00

The search looked every word up in trigram indexes. A trigram names no word: a word in
a few thousand cases, or a Thai word made of common trigrams, had the server check tens
of thousands of candidate messages. ``case_words`` holds each case's words once (Thai
cut into words by newmm), keyed by word, so the cases of a word or of a word's beginning
are one range of the key; a second index, by case, answers "has this case the word?"
when a word is in too many cases to list.

The words are cut in Python (``amends.text.words.index_words``: newmm has no SQL
counterpart), so the rows are written by ``amends.cases.words``, not by triggers, and
filled here from the cases and messages already stored.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from amends.text.words import index_words

revision: str = "f031"
down_revision: str | None = "e030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Cases filled per round: their texts are read, cut and written together.
ROUND = 2000
ROWS = 400


def upgrade() -> None:
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    word = sa.String(60, collation="C") if postgresql else sa.String(60)
    op.create_table(
        "case_words",
        sa.Column("word", word, primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sqlite_with_rowid=False,
    )
    fill(bind)
    op.create_index("ix_case_words_case", "case_words", ["case_id", "word"])


def fill(bind: sa.Connection) -> None:
    """Index every stored case, a round of cases at a time (progress on stderr)."""
    total = bind.execute(sa.text("SELECT count(*) FROM cases")).scalar_one()
    done, last = 0, 0
    while True:
        titles = bind.execute(
            sa.text("SELECT id, title FROM cases WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": ROUND},
        ).all()
        if not titles:
            break
        first, last = titles[0][0], titles[-1][0]
        words: dict[int, set[str]] = {cid: index_words(title or "") for cid, title in titles}
        for cid, subject, body in bind.execute(
            sa.text(
                "SELECT case_id, subject, text FROM messages WHERE case_id BETWEEN :first AND :last"
            ),
            {"first": first, "last": last},
        ):
            words[cid] |= index_words(f"{subject or ''} {body or ''}")
        rows = [{"w": w, "c": cid} for cid, found in words.items() for w in sorted(found)]
        for start in range(0, len(rows), ROWS):
            bind.execute(
                sa.text("INSERT INTO case_words (word, case_id) VALUES (:w, :c)"),
                rows[start : start + ROWS],
            )
        done += len(titles)
        if total > 10 * ROUND:
            print(f"case_words: {done:,} of {total:,} cases", file=sys.stderr)


def downgrade() -> None:
    op.drop_index("ix_case_words_case", table_name="case_words")
    op.drop_table("case_words")

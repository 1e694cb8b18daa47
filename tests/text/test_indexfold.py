"""SQLite's amends_fold (Python) folds exactly as the SQL the migrations first used."""

from __future__ import annotations

import importlib
import random
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from amends import migrate
from amends.db import make_engine
from amends.text.indexfold import ACCENTED, PLAIN, index_fold

FOLD_MIGRATION = importlib.import_module("amends.migrations.versions.2026-12-03_fold_function")
SAMPLES = [
    "Ďakujeme, že ste počkali: objednávka č. 1234 prišla poškodená.",
    "Η παραγγελία μου ήρθε σπασμένη, ΠΟΛΎ ΆΣΧΗΜΑ· ευχαριστώ πολύς",
    "พัสดุมาถึงช้าไปสามวัน และกล่องเสียหาย",
    "Straße İstanbul ŁÓDŹ ñandú Ærø",
    "",
]


def _sql_fold(connection: sqlite3.Connection, value: str | None) -> str | None:
    expr = FOLD_MIGRATION._recursive("?")
    row = connection.execute(f"SELECT {expr}", (value,)).fetchone()
    return None if row is None else row[0]


def test_the_python_fold_gives_what_the_sql_fold_gave_for_every_letter_and_sentence() -> None:
    rng = random.Random(7)
    alphabet = ACCENTED + PLAIN + "ΑΒΓabc ςσ ภาษาไทย ÆŁØ"
    randoms = ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(200)]
    connection = sqlite3.connect(":memory:")
    for value in [*ACCENTED, *SAMPLES, *randoms, None]:
        assert index_fold(value) == _sql_fold(connection, value), value


def test_the_tables_are_the_migrations_tables() -> None:
    # The indexes were built with this table; it changes only with a rebuild.
    assert (ACCENTED, PLAIN) == (FOLD_MIGRATION.ACCENTED, FOLD_MIGRATION.PLAIN)


@pytest.mark.parametrize("word", ["poskodena", "σπασμενη", "ช้าไปสาม"])
def test_rows_indexed_before_the_upgrade_are_updated_and_deleted_cleanly_after(
    tmp_path: Path, word: str
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    migrate.upgrade(engine, "i011")
    body = {"poskodena": SAMPLES[0], "σπασμενη": SAMPLES[1], "ช้าไปสาม": SAMPLES[2]}[word]
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO messages (direction, channel, language, subject,"
                " text, is_draft, at, created_at) VALUES ('inbound', 'email', 'en', 's',"
                " :body, 0, '2026-01-01', '2026-01-01')"
            ),
            {"body": body},
        )
    migrate.upgrade(engine)

    def found(term: str) -> list[int]:
        with engine.connect() as db:
            return list(
                db.scalars(
                    text("SELECT rowid FROM search_messages_fts WHERE body MATCH :q"),
                    {"q": f'"{term}"'},
                )
            )

    assert found(word) == [1]
    with engine.begin() as db:
        db.execute(text("UPDATE messages SET text = 'replaced entirely' WHERE id = 1"))
    # A delete names the tokens it removes: folded otherwise, some would stay behind.
    assert [found(word[i : i + 3]) for i in range(len(word) - 2)] == [[]] * (len(word) - 2)
    assert found("replaced") == [1]
    with engine.begin() as db:
        db.execute(text("DELETE FROM messages WHERE id = 1"))
    assert found("replaced") == []
    engine.dispose()

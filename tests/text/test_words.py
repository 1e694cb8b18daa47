"""A search query's words, read the same way by the case search and the customer search."""

from __future__ import annotations

from amends.text.words import MAX_WORDS, search_words


def test_search_words_are_folded_like_the_index() -> None:
    assert search_words("  Ζαΐρ ΤΕΧΝΙΚΟΣ, zaúčtovaná!  zaúčtovaná ") == [
        "ζαιρ",
        "τεχνικοσ",
        "zauctovana",
    ]
    assert search_words("กล่องเสียหาย") == ["กล่องเสียหาย"]


def test_only_the_first_few_words_are_looked_up() -> None:
    assert search_words(" ".join(f"w{i}" for i in range(10))) == [f"w{i}" for i in range(MAX_WORDS)]

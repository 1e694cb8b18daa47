"""A person's search words as they are looked up (pure): folded as the search indexes
fold text (``amends.text.fold``: case, accents and the Greek final sigma folded, Thai as
written), stripped of the punctuation around them, each once, the first few only. The
case search and the customer search read a query the same way."""

from __future__ import annotations

from amends.text.fold import fold

# Words of a query looked up; more say nothing a person would type.
MAX_WORDS = 6
_EDGE = ".,;:!?()[]{}<>\"'«»“”‘’"


def search_words(query: str) -> list[str]:
    """The folded words of a query, as they are looked up."""
    found: list[str] = []
    for raw in fold(query.strip())[0].split():
        word = raw.strip(_EDGE)
        if word and word not in found:
            found.append(word)
    return found[:MAX_WORDS]

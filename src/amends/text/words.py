"""A person's search words as they are looked up (pure): folded as the search indexes
fold text (``amends.text.fold``: case, accents and the Greek final sigma folded, Thai as
written), stripped of the punctuation around them, each once, the first few only. The
case search and the customer search read a query the same way."""

from __future__ import annotations

import re
from functools import cache

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


# A word this long or longer is looked up through the trigram indexes; a shorter one
# has no trigram and is compared with LIKE over the text itself.
TRIGRAM = 3


def containing(word: str) -> str:
    """The LIKE pattern (escape character backslash) of text containing ``word``."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# Letters and digits, Thai vowel and tone marks included (to `re` they are marks, not
# word characters, and must not cut a Thai word).
_TOKEN = re.compile(r"[^\W_]+(?:[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]+[^\W_]*)*|[\u0e00-\u0e7f]+")
_THAI = re.compile(r"[\u0e01-\u0e4e]")
# Words of the word index: a single letter finds everything; a run this long is a code,
# an address or an encoded blob nobody types.
SHORTEST, LONGEST = 2, 60


def index_words(text: str) -> set[str]:
    """The words of ``text`` as the search's word index holds them (pure): folded as
    search_words folds a query, cut at everything that is not a letter or a digit, and
    runs of Thai cut into words by newmm (a dictionary's longest matches), since Thai
    writes no spaces between them."""
    found: set[str] = set()
    for token in _TOKEN.findall(fold(text)[0]):
        if _THAI.search(token):
            found.update(w for w in thai_words(token) if SHORTEST <= len(w) <= LONGEST)
        elif SHORTEST <= len(token) <= LONGEST:
            found.add(token)
    return found


def thai_words(run: str) -> list[str]:
    """The words of a run of Thai text, in order, as newmm cuts it."""
    from pythainlp.tokenize import newmm

    # newmm asks its dictionary only for prefixes(), which _Words answers as its trie.
    cut = newmm.segment(run, custom_dict=_dictionary())  # type: ignore[arg-type]
    return [w.strip() for w in cut if w.strip()]


class _Words:
    """The dictionary newmm reads, as a set of words: it asks only which words begin at
    a position of the text. pythainlp's own trie of the same 62,000 words held 73 MB,
    which put the mail importer past its memory bound; with the set newmm needs a
    quarter of that."""

    def __init__(self, words: frozenset[str]) -> None:
        self._words = words
        self._lengths = sorted({len(w) for w in words})

    def __bool__(self) -> bool:
        return bool(self._words)

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        """The words that begin at ``start`` of ``text``, shortest first."""
        room = len(text) - start
        found = []
        for n in self._lengths:
            if n > room:
                break
            piece = text[start : start + n]
            if piece in self._words:
                found.append(piece)
        return found


@cache
def _dictionary() -> _Words:
    # pythainlp loads on first use (a quarter of a second), so only a process that
    # meets Thai text pays for it.
    from pythainlp.corpus import thai_words

    return _Words(thai_words())

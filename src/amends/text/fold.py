"""Folding text for matching while keeping a map back to the original offsets (pure).

Greek is matched without accents and with final sigma folded; Slovak and Czech without
diacritics; everything casefolded. Thai is left as it is. Each folded character records
the index of the original character it came from, so a finding can point at the exact
original text a person wrote.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = base.casefold().replace("ς", "σ")
    return folded if folded else ""


# Thai vowel and tone marks are combining marks, not word characters to `re`: they
# must not become separators.
_SPACE = re.compile(r"[^\w\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]+|_+")

_TABLE: dict[int, str] = {}
_ODD: set[str] = set()  # characters that fold to zero or several characters


def fold(text: str) -> tuple[str, list[int] | None]:
    """(folded text, origin) where origin[i] is the original index of folded char i.

    ``origin`` is None when folding kept every character one for one (nearly always):
    then folded and original offsets are the same and no map has to be built.
    """
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return text.lower(), None
    # Table lookups happen on the lower-cased text, so the table is built from it too.
    lowered = text.lower()
    if len(lowered) != len(text):
        return _fold_slow(text)  # a few characters lower-case to two (İ -> i̇)
    chars = set(lowered)
    for ch in chars:
        code = ord(ch)
        if code >= 128 and code not in _TABLE:
            mapped = ch if "\u0e00" <= ch <= "\u0e7f" else _fold_char(ch)
            _TABLE[code] = mapped
            if len(mapped) != 1:
                _ODD.add(ch)
    if _ODD.isdisjoint(chars):
        return lowered.translate(_TABLE), None
    return _fold_slow(text)


def fold_words(text: str) -> str:
    """Folded text with only its words, single-spaced: for comparing texts, not pointing
    into them (punctuation and spacing say nothing about what a text is about)."""
    return only_words(fold(text)[0])


def only_words(folded: str) -> str:
    """The words of an already folded text, single-spaced (what fold_words gives)."""
    return _SPACE.sub(" ", folded).strip()


def _fold_slow(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(unicodedata.normalize("NFC", text)):
        if ch.isascii():
            out.append(ch.lower())
            origin.append(index)
            continue
        if "\u0e00" <= ch <= "\u0e7f":
            # Thai vowels and tone marks are combining characters, but they are letters
            # of the word, not accents: keep them.
            out.append(ch)
            origin.append(index)
            continue
        piece = _fold_char(ch)
        out.append(piece)
        origin.extend([index] * len(piece))
    return "".join(out), origin


def span(origin: list[int] | None, start: int, end: int, length: int) -> tuple[int, int]:
    """Original [start, end) of folded [start, end)."""
    if origin is None:
        return start, end
    if not origin:
        return 0, 0
    first = origin[min(start, len(origin) - 1)]
    last = origin[min(end, len(origin)) - 1] + 1 if end > start else first
    return first, min(last, length)

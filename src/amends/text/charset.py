"""Charset aliases and repair for legacy-encoded mail.

Mail in our languages still arrives in single-byte Windows and ISO code pages, often
mislabelled: Outlook writes ``windows-874`` (a name Python does not know), Thai mail
says TIS-620 but uses cp874's extra punctuation, and Greek/Slovak mail says ISO-8859-7/-2
while the bytes are windows-1253/-1250. ``decode_bytes`` turns such bytes into text,
choosing between the plausible code pages with a cheap score, so that a correct
decoding is never replaced by U+FFFD.
"""

from __future__ import annotations

import codecs
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from amends.text.languages import LANGUAGES

SCORE_LIMIT = 4000

# Labels seen in the wild that Python's codec registry lacks or maps to a narrower
# codec. Supersets are preferred (WHATWG does the same): a message labelled with the
# subset almost always uses the superset's extra characters somewhere.
_ALIASES: dict[str, str] = {
    "windows-874": "cp874",
    "x-windows-874": "cp874",
    "ms874": "cp874",
    "dos-874": "cp874",
    "tis-620": "cp874",
    "tis620": "cp874",
    "iso-8859-11": "cp874",
    "iso8859-11": "cp874",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "windows-31j": "cp932",
    "x-sjis": "shift_jis",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-8-i": "iso8859-8",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "ansi_x3.4-1968": "ascii",
    "us-ascii": "ascii",
    "unicode-1-1-utf-8": "utf-8",
    "utf8": "utf-8",
}

# Codecs that exist in Python but must never decode mail text: they are not text
# encodings, or they interpret backslashes and would mangle "C:\Users\...".
_FORBIDDEN = frozenset(
    {
        "unicode-escape",
        "raw-unicode-escape",
        "idna",
        "punycode",
        "undefined",
        "mbcs",
        "oem",
    }
)

# Labels we widen to a superset, with the narrow codec they name: when the bytes use
# the superset's extra characters the message was mislabelled, and we say so.
_WIDENED: dict[str, str] = {
    "tis-620": "tis-620",
    "tis620": "tis-620",
    "iso-8859-11": "iso8859-11",
    "iso8859-11": "iso8859-11",
    "iso-8859-1": "latin-1",
    "iso8859-1": "latin-1",
    "latin1": "latin-1",
    "latin-1": "latin-1",
}
_C1 = re.compile("[\x80-\x9f]")

# Our own label for each Python codec name, so notes and results read like the
# labels people see in mail headers.
_LABELS: dict[str, str] = {
    "cp874": "windows-874",
    "cp1250": "windows-1250",
    "cp1251": "windows-1251",
    "cp1252": "windows-1252",
    "cp1253": "windows-1253",
    "iso8859-2": "iso-8859-2",
    "iso8859-7": "iso-8859-7",
    "ascii": "us-ascii",
    "utf-8": "utf-8",
}

# Code pages that are confused with one another in practice; a declared label is
# tried against its partner and the more plausible text wins (the label on a tie).
_CONFUSABLE: dict[str, tuple[str, ...]] = {
    "iso8859-2": ("iso8859-2", "cp1250"),
    "cp1250": ("cp1250", "iso8859-2"),
    "iso8859-7": ("iso8859-7", "cp1253"),
    "cp1253": ("cp1253", "iso8859-7"),
}

# Legacy code pages to try, per language, when the bytes carry no usable label.
_LEGACY_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "th": ("cp874",),
    "el": ("cp1253", "iso8859-7"),
    "sk": ("cp1250", "iso8859-2"),
    "cs": ("cp1250", "iso8859-2"),
    "pl": ("cp1250", "iso8859-2"),
    "hu": ("cp1250", "iso8859-2"),
    "ru": ("cp1251", "koi8-r"),
    "uk": ("cp1251", "koi8-u"),
    "bg": ("cp1251",),
    "tr": ("cp1254",),
}
_LEGACY_DEFAULT = ("cp1252",)

# Letters that a language writes beyond ASCII; a decoding that produces them scores
# higher than one that produces symbols or foreign letters from the same bytes.
_NATIVE_LETTERS: dict[str, str] = {
    "th": "".join(chr(c) for c in range(0x0E01, 0x0E5C)),
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "cs": "áčďéěíňóřšťúůýž",
    "el": "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ",
    "pl": "ąćęłńóśźż",
    "hu": "áéíóöőúüű",
    "de": "äöüß",
    "fr": "àâçéèêëîïôùûüÿœæ",
    "es": "áéíñóúü",
    "tr": "çğıöşü",
}

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_THAI_MARKS = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a") | frozenset(
    chr(c) for c in range(0x0E47, 0x0E4F)
)
_THAI_LEADING_VOWELS = frozenset("เแโใไ")
_GREEK_TONOS_CAPITALS = frozenset("ΆΈΉΊΌΎΏ")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes, the charset label used, and a note when we repaired it."""

    text: str
    charset: str
    repaired: bool = False
    note: str | None = None


@functools.lru_cache(maxsize=256)
def codec_for(label: str | None) -> str | None:
    """The Python codec for a mail charset label, or None if unknown or unsafe."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if not name:
        return None
    name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # CodecInfo marks bytes-to-bytes codecs (base64, zlib, rot13) as non-text.
    if not getattr(info, "_is_text_encoding", True) or info.name in _FORBIDDEN:
        return None
    return info.name


def label_of(codec: str) -> str:
    """The label we report for a Python codec name (``cp874`` -> ``windows-874``)."""
    return _LABELS.get(codec, codec)


def legacy_candidates(languages: Iterable[str]) -> tuple[str, ...]:
    """Legacy code pages to try for undeclared 8-bit text, in workspace language order."""
    seen: list[str] = []
    for lang in languages:
        primary = lang.split("-", 1)[0].lower()
        for codec in _LEGACY_BY_LANGUAGE.get(primary, _LEGACY_DEFAULT):
            if codec not in seen:
                seen.append(codec)
    if not seen:
        seen.extend(_LEGACY_DEFAULT)
    return tuple(seen)


def _native_for(codec: str, languages: Sequence[str]) -> frozenset[str]:
    letters: set[str] = set()
    for lang in languages:
        primary = lang.split("-", 1)[0].lower()
        if codec in _LEGACY_BY_LANGUAGE.get(primary, _LEGACY_DEFAULT):
            letters.update(_NATIVE_LETTERS.get(primary, ""))
    return frozenset(letters)


def _script(ch: str) -> str:
    code = ord(ch)
    if code < 0x250 or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    if 0x370 <= code <= 0x3FF or 0x1F00 <= code <= 0x1FFF:
        return "greek"
    if 0xE00 <= code <= 0xE7F:
        return "thai"
    if 0x400 <= code <= 0x52F:
        return "cyrillic"
    return "other"


def plausibility(
    text: str, native: frozenset[str] = frozenset(), positions: Iterable[int] | None = None
) -> int:
    """Score how much ``text`` looks like human writing; higher is more plausible.

    Only non-ASCII characters (or the given ``positions``) and their neighbours are
    examined, so the cost is tiny for mostly-ASCII text. The rules reflect how a wrong
    code page shows up: control characters, symbols glued between letters, scripts
    mixed inside one word, a capital after a small letter, lone Thai characters and
    Thai vowel marks that follow no consonant.
    """
    if positions is None:
        positions = (m.start() for m in _NON_ASCII.finditer(text))
    score = 0
    last = len(text) - 1
    # A few thousand characters decide a code page; scoring megabytes would only
    # let a hostile message stall intake.
    for i in itertools.islice(positions, SCORE_LIMIT):
        ch = text[i]
        prev = text[i - 1] if i > 0 else " "
        nxt = text[i + 1] if i < last else " "
        score += _char_score(ch, prev, nxt, native)
    return score


def _char_score(ch: str, prev: str, nxt: str, native: frozenset[str]) -> int:
    category = unicodedata.category(ch)
    if ch == "\ufffd" or category in ("Cc", "Cn", "Co", "Cs"):
        return -20 if ch not in "\t\n\r\f" else 0
    if ch.isascii() and not ch.isalpha():
        return 0
    score = 0
    if 0xE00 <= ord(ch) <= 0xE7F:
        if not (0xE00 <= ord(prev) <= 0xE7F or 0xE00 <= ord(nxt) <= 0xE7F):
            # Thai words are runs of Thai characters; a lone one is a stray byte.
            score -= 4
        elif ch in native:
            score += 2
        if ch in _THAI_MARKS and not (0xE01 <= ord(prev) <= 0xE4E):
            score -= 5
        elif ch in _THAI_LEADING_VOWELS and not (0xE01 <= ord(nxt) <= 0xE2E):
            score -= 3
        return score
    if ch.isalpha():
        if ch.lower() in native:
            score += 2
        script = _script(ch)
        if (prev.isalpha() and _script(prev) != script) or (
            nxt.isalpha() and _script(nxt) != script
        ):
            score -= 5
        if ch.isupper() and prev.islower():
            score -= 3
        elif ch in _GREEK_TONOS_CAPITALS and prev.isalpha():
            # Greek writes accented capitals only word-initially; all-caps drops accents.
            score -= 3
        return score
    if category[0] in "SP" and prev.isalpha() and nxt.isalpha() and ch not in "’‘'-‐":
        return -5
    if category[0] == "S" and (prev.isalpha() or nxt.isalpha()):
        return -2
    if category in ("Po", "Pf") and nxt.isalpha() and not prev.isalpha() and ch not in "¿¡":
        # Closing quotes and marks such as ¶ do not open a word.
        return -2
    return 0


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


@functools.lru_cache(maxsize=128)
def _differing_bytes(first: str, second: str) -> re.Pattern[bytes] | None:
    """The bytes two single-byte code pages decode differently (None: not single-byte)."""
    every_byte = bytes(range(256))
    one = every_byte.decode(first, "replace")
    two = every_byte.decode(second, "replace")
    if len(one) != 256 or len(two) != 256:
        return None
    differing = b"".join(re.escape(bytes([i])) for i in range(256) if one[i] != two[i])
    # An empty class never matches; the codecs then agree on every byte.
    return re.compile(b"[" + differing + b"]" if differing else b"(?!)")


def _best(
    data: bytes, codecs_to_try: Sequence[str], languages: Sequence[str]
) -> tuple[str, str] | None:
    champion: tuple[str, str] | None = None
    for codec in codecs_to_try:
        # A knockout in preference order, each bout scored only where the two texts
        # differ: characters both code pages agree on say nothing about which is right.
        diff: list[int] | None = None
        if champion is not None:
            pattern = _differing_bytes(champion[0], codec)
            if pattern is not None:
                found = itertools.islice(pattern.finditer(data), SCORE_LIMIT)
                diff = [match.start() for match in found]
                if not diff:
                    continue
        text = _strict(data, codec)
        if text is None:
            continue
        if champion is None:
            champion = (codec, text)
            continue
        mine = plausibility(text, _native_for(codec, languages), diff)
        theirs = plausibility(champion[1], _native_for(champion[0], languages), diff)
        if mine > theirs:
            champion = (codec, text)
    return champion


def decode_undeclared(
    data: bytes, languages: Sequence[str] = LANGUAGES, *, why: str | None = None
) -> Decoded:
    """Decode bytes that carry no usable charset: UTF-8 first, then the languages' code pages."""
    if data.isascii():
        return Decoded(data.decode("ascii"), "us-ascii")
    text = _strict(data, "utf-8")
    if text is not None:
        # Valid multi-byte UTF-8 is vanishingly unlikely in legacy single-byte text.
        return Decoded(text, "utf-8", repaired=why is not None, note=_note(why, "utf-8"))
    chosen = _best(data, legacy_candidates(languages), languages)
    if chosen is not None:
        codec, text = chosen
        return Decoded(text, label_of(codec), repaired=True, note=_note(why, label_of(codec)))
    # No candidate decodes cleanly: keep every valid UTF-8 run and mark only the rest.
    return Decoded(
        data.decode("utf-8", "replace"),
        "utf-8",
        repaired=True,
        note=_note(why or "undecodable bytes", "utf-8 with replacement characters"),
    )


def _note(why: str | None, used: str) -> str | None:
    return None if why is None else f"{why}; decoded as {used}"


def decode_bytes(
    data: bytes, declared: str | None, languages: Sequence[str] = LANGUAGES
) -> Decoded:
    """Decode ``data`` labelled ``declared``, repairing aliases and mislabelled code pages."""
    codec = codec_for(declared)
    if codec is None or codec == "ascii":
        if declared and codec is None:
            return decode_undeclared(data, languages, why=f"unknown charset {declared.strip()!r}")
        if data.isascii():
            return Decoded(data.decode("ascii"), "us-ascii")
        why = "8-bit bytes without a charset" if not declared else "8-bit bytes declared us-ascii"
        return decode_undeclared(data, languages, why=why)
    if data.isascii() and codec not in ("utf-16", "utf-32", "utf-7"):
        # Every code page we accept agrees with ASCII on ASCII bytes; skip the work.
        return Decoded(data.decode("ascii"), label_of(codec))
    candidates = _CONFUSABLE.get(codec, (codec,))
    chosen = _best(data, candidates, languages)
    if chosen is None:
        return decode_undeclared(
            data, languages, why=f"bytes are not valid {declared.strip() if declared else codec}"
        )
    used, text = chosen
    narrow = _WIDENED.get(declared.strip().strip("\"'").lower()) if declared else None
    if narrow is not None:
        strict = _strict(data, narrow)
        if strict is None or _C1.search(strict):
            note = f"declared {declared}, bytes use {label_of(used)} characters"
            return Decoded(text, label_of(used), repaired=True, note=note)
    if used != codec:
        note = f"declared {declared}, bytes are {label_of(used)}"
        return Decoded(text, label_of(used), repaired=True, note=note)
    return Decoded(text, label_of(codec))

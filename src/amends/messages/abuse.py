"""Insults and threats in a customer's message, in English, Slovak, Greek and Thai (pure).

A word list per language, matched on folded text (``text.fold``): Greek without accents
and with its final sigma, Slovak without diacritics, everything casefolded, so "Ηλίθιοι"
and "ηλιθιοι", "kretén" and "kreten" are the same word. A term ending in ``*`` takes any
ending (inflections: "idioti", "ηλίθιους"); any other term is the whole word, so
"μαλακό" (soft) is not "μαλάκα". Words that merely begin like a term are listed as
exceptions ("sprostredkovať" is not "sprostý", "retardant" is not "retard").

Thai is written without spaces, so a Thai term is found inside the running text and
kept only where it is a word of its own: not in the middle of a syllable (a vowel or tone
mark right after it, or a leading vowel just before it that belongs to its first
consonant) and not inside a longer word listed as its exception ("ชั่วโมง", an hour,
holds "ชั่ว", wicked).

The lists flag words a manager should see; they judge nobody. Each hit keeps the words
exactly as the customer wrote them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from amends.text.fold import fold, span


class AbuseKind(StrEnum):
    INSULT = "insult"
    THREAT = "threat"


# Written naturally; folded when compiled. "*": any ending. Spaces: any run of non-letters.
_WORDS: dict[AbuseKind, tuple[str, ...]] = {
    AbuseKind.INSULT: (
        # en
        "idiot*", "moron*", "imbecile*", "cretin*", "retard*", "bastard*", "bitch*",
        "asshole*", "arsehole*", "dickhead*", "scum", "scumbag*", "fuck*", "motherfucker*",
        "piece of shit", "shithead*", "dumbass*",
        # sk (and cs)
        "debil*", "kretén*", "hlupák*", "sprost*", "kokot*", "chuj*", "kurv*", "zmrd*",
        "hajzel", "hajzl*", "blbec", "blbci", "blbca", "blbcov", "idioti", "idiotov",
        "somári", "dement*", "magor*",
        # el
        "ηλίθι*", "βλάκα", "βλάκας", "βλάκες", "βλάκων", "μαλάκα", "μαλάκας", "μαλάκες",
        "μαλακισμέν*", "κάθαρμα", "καθάρματα", "κοπρόσκυλ*", "αποβράσμα*", "ανεγκέφαλ*",
        "γαμώ*", "σκατά", "κόπανε", "κόπανοι", "ηλίθιε",
    ),
    AbuseKind.THREAT: (
        # en
        "kill you", "kill all of you", "beat you up", "smash your face",
        "break your legs", "burn your office*", "burn your shop*", "burn you down",
        "know where you live",
        "you will pay for this", "you ll pay for this", "watch your back", "hurt you",
        "i will find you",
        # sk (and cs)
        "zabijem*", "podpálim*", "zmlátim*", "rozbijem*", "viem kde bývaš", "viem kde bývate",
        "dostanem ťa", "dostanem vás", "zapálim*",
        # el
        "θα σε σκοτώσω", "θα σας σκοτώσω", "σκοτώσω", "θα σας κάψω", "θα σε κάψω",
        "ξέρω πού μένεις", "ξέρω πού μένετε", "ξέρω που μένεις", "ξέρω που μένετε",
        "θα το πληρώσετε", "θα σε σπάσω", "θα σας σπάσω",
    ),
}  # fmt: skip

# Words that begin like a "*" term but are not abuse, folded as the text is.
_NOT_ABUSE = (
    "retardant", "retardation", "sprostredk", "kurviz", "dementi", "bitchin",
)  # fmt: skip

# Thai terms, each with the longer words that hold it without meaning it.
_THAI: dict[AbuseKind, dict[str, tuple[str, ...]]] = {
    AbuseKind.INSULT: {
        "โง่": (),
        "ควาย": (),
        "เหี้ย": (),
        "สัส": ("สัสดี",),
        "ระยำ": (),
        "ชาติหมา": (),
        "ไอ้บ้า": (),
        "อีบ้า": (),
        "ไอ้สัตว์": (),
        "อีสัตว์": (),
        "ตอแหล": (),
        "มึง": (),
        "ชั่ว": ("ชั่วโมง", "ชั่วคราว", "ชั่วขณะ", "ชั่วครู่", "ชั่วชีวิต"),
        "สันดาน": (),
        "หน้าด้าน": (),
    },
    AbuseKind.THREAT: {
        "จะฆ่า": (),
        "ฆ่ามึง": (),
        "ฆ่าแก": (),
        "ฆ่าให้ตาย": (),
        "เผาร้าน": (),
        "เผาบริษัท": (),
        "รู้ว่าบ้านอยู่ไหน": (),
        "ระวังตัวไว้": (),
        "เจอดีแน่": (),
        "กระทืบ": (),
    },
}

# Thai vowels above and below, and tone marks: they belong to the consonant before them.
_THAI_MARKS = re.compile(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
# Leading vowels: written before the consonant they follow in speech.
_THAI_LEADING = re.compile(r"[\u0e40-\u0e44]")


@dataclass(frozen=True)
class Hit:
    word: str  # as the customer wrote it
    kind: AbuseKind
    start: int
    end: int

    def as_dict(self) -> dict[str, str]:
        return {"word": self.word, "kind": self.kind.value}


def _pattern(term: str) -> str:
    prefix = term.endswith("*")
    words = fold(term.rstrip("*"))[0].split()
    body = r"[\W_]+".join(re.escape(w) for w in words)
    return body + (r"\w*" if prefix else "")


@cache
def _compiled() -> tuple[re.Pattern[str], dict[str, AbuseKind]]:
    alternatives: list[tuple[str, AbuseKind]] = []
    for kind, terms in _WORDS.items():
        alternatives.extend((_pattern(t), kind) for t in terms)
    # One named group per kind, longest first: a phrase wins over a word it begins with.
    groups = []
    for kind in AbuseKind:
        mine = sorted({p for p, k in alternatives if k is kind}, key=len, reverse=True)
        groups.append(f"(?P<{kind.value}>{'|'.join(mine)})")
    regex = re.compile(r"(?<!\w)(?:" + "|".join(groups) + r")(?!\w)")
    return regex, {k.value: k for k in AbuseKind}


def _words_in(text: str) -> list[Hit]:
    folded, origin = fold(text)
    regex, kinds = _compiled()
    hits = []
    for match in regex.finditer(folded):
        found = match.group(0)
        if found.startswith(_NOT_ABUSE):
            continue
        name = match.lastgroup
        assert name is not None
        start, end = span(origin, match.start(), match.end(), len(text))
        hits.append(Hit(text[start:end], kinds[name], start, end))
    return hits


def _thai_in(text: str) -> list[Hit]:
    hits = []
    for kind, terms in _THAI.items():
        for term, longer in terms.items():
            at = text.find(term)
            while at != -1:
                end = at + len(term)
                if _thai_word(text, at, end, longer):
                    hits.append(Hit(term, kind, at, end))
                at = text.find(term, at + 1)
    return hits


def _thai_word(text: str, start: int, end: int, longer: tuple[str, ...]) -> bool:
    if end < len(text) and _THAI_MARKS.match(text[end]):
        return False
    if start > 0 and _THAI_LEADING.match(text[start - 1]) and not _THAI_LEADING.match(text[start]):
        return False
    for word in longer:
        # Every place the longer word could sit around this hit.
        first = max(0, end - len(word))
        for begin in range(first, start + 1):
            if text.startswith(word, begin) and begin + len(word) >= end:
                return False
    return True


def find_abuse(text: str) -> list[Hit]:
    """The insults and threats in ``text``, in order, each as written."""
    text = unicodedata.normalize("NFC", text)
    found = sorted(_words_in(text) + _thai_in(text), key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    for hit in found:
        if kept and hit.start < kept[-1].end:
            continue  # inside a longer hit already kept ("ฆ่ามึง" holds "มึง")
        kept.append(hit)
    return kept


def abuse_flags(*texts: str) -> list[dict[str, str]] | None:
    """What a message's subject and text hold, as stored on the message; None if nothing."""
    hits = [h.as_dict() for text in texts if text for h in find_abuse(text)]
    return hits or None

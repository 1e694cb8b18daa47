"""The message coach's checker (pure): findings about blame, excuses, half-apologies and
what a recovery message is missing, each pointing at the words that caused it.

Approach: per-language pattern lexicons (lexicon.py) over folded text (fold.py), so
Greek without accents and Slovak without diacritics match too, with a small negation
window ("it was not your fault" blames nobody); each blame, excuse, half-apology or
minimizing finding points at the words that matched. What a recovery message needs
(ownership, remedy, prevention) and what it must not do are said in more ways than a
list holds: where the lexicons miss an element's cue, a small learned model
(learned.py) weighs the message's words with what the lexicons found. An element it
finds missing is a finding; a fault it finds that the lexicons did not points at the
sentence that says it most. Offsets refer to the NFC-normalised input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from amends.coach import learned
from amends.coach.lexicon import ELEMENTS, LEXICONS, NEGATIONS, PRESENCE
from amends.errors import N_
from amends.text.detect import detect_language
from amends.text.fold import fold, span
from amends.text.languages import LANGUAGES, SPOKEN, spoken


class FindingCode(StrEnum):
    BLAME_CUSTOMER = "blame-customer"
    BLAME_STAFF = "blame-staff"
    BLAME_THIRD_PARTY = "blame-third-party"
    EXCUSE = "excuse"
    CONDITIONAL_APOLOGY = "conditional-apology"
    MINIMIZING = "minimizing"
    NO_OWNERSHIP = "no-ownership"
    NO_REMEDY = "no-remedy"
    NO_PREVENTION = "no-prevention"


# Codes that need an explicit override with a reason before a message may be sent.
BLOCKING = frozenset(
    {
        FindingCode.BLAME_CUSTOMER,
        FindingCode.BLAME_STAFF,
        FindingCode.BLAME_THIRD_PARTY,
        FindingCode.EXCUSE,
        FindingCode.CONDITIONAL_APOLOGY,
    }
)
ALL_ELEMENTS = ("ownership", "remedy", "prevention")
_MISSING = {
    "ownership": FindingCode.NO_OWNERSHIP,
    "remedy": FindingCode.NO_REMEDY,
    "prevention": FindingCode.NO_PREVENTION,
}
# Minimizing is not negatable: "nothing serious" is itself a negation in most languages.
_NEGATABLE = {"blame-customer", "blame-staff", "blame-third-party", "excuse", "ownership"}

# Said in the reader's language where a page shows them: each is a catalog msgid.
EXPLANATIONS = {
    FindingCode.BLAME_CUSTOMER: N_(
        "Shifts the fault to the customer. Even when they played a "
        "part, saying so makes the apology sound like an accusation."
    ),
    FindingCode.BLAME_STAFF: N_(
        "Blames a colleague. To the customer, whoever did it is 'you': "
        "the business owns its people's mistakes."
    ),
    FindingCode.BLAME_THIRD_PARTY: N_(
        "Blames a courier, supplier or partner. The customer chose "
        "you, not them; their failure is yours to own."
    ),
    FindingCode.EXCUSE: N_(
        "Offers circumstances as a justification. Excuses land as badly as silence: own it instead."
    ),
    FindingCode.CONDITIONAL_APOLOGY: N_(
        "A conditional apology ('sorry if…', 'sorry you feel…', "
        "'any inconvenience this may have caused') doubts the harm."
    ),
    FindingCode.MINIMIZING: N_("Plays the failure down. Only the customer decides how big it was."),
    FindingCode.NO_OWNERSHIP: N_(
        "No first-person statement of responsibility ('we got this "
        "wrong'). A passive 'mistakes were made' is not ownership."
    ),
    FindingCode.NO_REMEDY: N_("Says nothing about what was or will be done to fix it."),
    FindingCode.NO_PREVENTION: N_("Says nothing about what changed so it will not happen again."),
}

SUGGESTIONS: dict[str, dict[FindingCode, str]] = {
    "en": {
        FindingCode.BLAME_CUSTOMER: "We should have followed up ourselves, and we did not.",
        FindingCode.BLAME_STAFF: "We got this wrong.",
        FindingCode.BLAME_THIRD_PARTY: "We chose the courier, so this failure is ours.",
        FindingCode.EXCUSE: "No excuses: we did not keep our promise.",
        FindingCode.CONDITIONAL_APOLOGY: "I am sorry. We let you down.",
        FindingCode.MINIMIZING: "We were late, and that is not acceptable.",
        FindingCode.NO_OWNERSHIP: "We made a mistake and it is our responsibility.",
        FindingCode.NO_REMEDY: "Here is what we are doing to fix it today: …",
        FindingCode.NO_PREVENTION: "From now on we … so that it does not happen again.",
    },
    "sk": {
        FindingCode.BLAME_CUSTOMER: "Mali sme sa Vám ozvať sami a neurobili sme to.",
        FindingCode.BLAME_STAFF: "Pomýlili sme sa my.",
        FindingCode.BLAME_THIRD_PARTY: "Kuriéra sme vybrali my, takže je to naša chyba.",
        FindingCode.EXCUSE: "Žiadne výhovorky: nedodržali sme sľub.",
        FindingCode.CONDITIONAL_APOLOGY: "Ospravedlňujem sa. Sklamali sme Vás.",
        FindingCode.MINIMIZING: "Meškali sme a to nie je v poriadku.",
        FindingCode.NO_OWNERSHIP: "Je to naša chyba a preberáme za ňu zodpovednosť.",
        FindingCode.NO_REMEDY: "Ešte dnes to napravíme takto: …",
        FindingCode.NO_PREVENTION: "Odteraz …, aby sa to už neopakovalo.",
    },
    "el": {
        FindingCode.BLAME_CUSTOMER: "Έπρεπε να σας ενημερώσουμε εμείς και δεν το κάναμε.",
        FindingCode.BLAME_STAFF: "Το λάθος είναι δικό μας.",
        FindingCode.BLAME_THIRD_PARTY: "Εμείς επιλέξαμε τη μεταφορική: το λάθος είναι δικό μας.",
        FindingCode.EXCUSE: "Χωρίς δικαιολογίες: δεν κρατήσαμε την υπόσχεσή μας.",
        FindingCode.CONDITIONAL_APOLOGY: "Σας ζητώ συγγνώμη. Σας απογοητεύσαμε.",
        FindingCode.MINIMIZING: "Καθυστερήσαμε και αυτό δεν είναι αποδεκτό.",
        FindingCode.NO_OWNERSHIP: "Κάναμε λάθος και η ευθύνη είναι δική μας.",
        FindingCode.NO_REMEDY: "Σήμερα το διορθώνουμε ως εξής: …",
        FindingCode.NO_PREVENTION: "Από εδώ και πέρα … ώστε να μην ξανασυμβεί.",
    },
    "th": {
        FindingCode.BLAME_CUSTOMER: "เราควรติดตามกับคุณเอง แต่เราไม่ได้ทำ",
        FindingCode.BLAME_STAFF: "ความผิดพลาดนี้เป็นของเราเอง",
        FindingCode.BLAME_THIRD_PARTY: "เราเป็นผู้เลือกบริษัทขนส่ง ความผิดพลาดนี้จึงเป็นของเรา",
        FindingCode.EXCUSE: "ไม่มีข้อแก้ตัว เราไม่ได้ทำตามที่สัญญาไว้",
        FindingCode.CONDITIONAL_APOLOGY: "เราขอโทษค่ะ เราทำให้คุณผิดหวัง",
        FindingCode.MINIMIZING: "เราส่งช้า และนั่นไม่ควรเกิดขึ้น",
        FindingCode.NO_OWNERSHIP: "ความผิดพลาดนี้เป็นของเรา และเรารับผิดชอบเต็มที่",
        FindingCode.NO_REMEDY: "วันนี้เราจะแก้ไขให้ดังนี้ …",
        FindingCode.NO_PREVENTION: "ตั้งแต่นี้เป็นต้นไปเราจะ … เพื่อไม่ให้เกิดขึ้นอีก",
    },
}


@dataclass(frozen=True)
class Finding:
    code: FindingCode
    start: int | None
    end: int | None
    excerpt: str | None
    explanation: str
    suggestion: str
    # Found by the learned model, not by the lexicons' exact words: a fault it finds
    # points at a sentence and warns, but never refuses a reply on its own.
    learned: bool = False

    @property
    def blocks(self) -> bool:
        """Whether the message may be sent only with an override and its reason."""
        return self.code in BLOCKING and not self.learned

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code.value,
            "start": self.start,
            "end": self.end,
            "excerpt": self.excerpt,
            "explanation": self.explanation,
            "suggestion": self.suggestion,
            "learned": self.learned,
        }


@dataclass(frozen=True)
class CheckResult:
    language: str
    findings: tuple[Finding, ...]

    @property
    def codes(self) -> list[str]:
        return sorted({f.code.value for f in self.findings})

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocks]

    def as_dict(self) -> dict[str, object]:
        return {"language": self.language, "findings": [f.as_dict() for f in self.findings]}


@cache
def _compiled(lang: str) -> dict[str, tuple[re.Pattern[str], ...]]:
    # One alternation per code: a single scan of the message instead of one per pattern.
    return {
        code: (re.compile("|".join(f"(?:{p})" for p in patterns)),)
        for code, patterns in LEXICONS[lang].items()
    }


@cache
def _negation(lang: str) -> re.Pattern[str]:
    return re.compile(NEGATIONS[lang])


def _negated(folded: str, start: int, lang: str) -> bool:
    window = folded[max(0, start - (8 if lang == "th" else 28)) : start]
    # Only within the same sentence: a negation in the previous sentence says nothing.
    stops = ".!?:;\n " if lang == "th" else ".!?:;\n"  # Thai separates sentences with spaces
    cut = max(window.rfind(ch) for ch in stops)
    if cut >= 0:
        window = window[cut + 1 :]
    return bool(_negation(lang).search(window))


def _matches(
    folded: str, patterns: Iterable[re.Pattern[str]], lang: str, negatable: bool
) -> list[tuple[int, int]]:
    spans = []
    for pattern in patterns:
        for m in pattern.finditer(folded):
            if negatable and _negated(folded, m.start(), lang):
                continue
            spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _present(folded: str, pattern: re.Pattern[str], lang: str, negatable: bool) -> bool:
    """Whether a cue occurs (not negated); stops at the first one, unlike _matches."""
    position = 0
    while (m := pattern.search(folded, position)) is not None:
        if not (negatable and _negated(folded, m.start(), lang)):
            return True
        position = m.end() if m.end() > m.start() else m.end() + 1
    return False


def check(
    text: str, lang: str | None = None, *, required: Iterable[str] = ALL_ELEMENTS
) -> CheckResult:
    """Findings for one message to a customer.

    ``lang`` is en, th, sk or el (cs is read as sk), or None/"auto" to detect it.
    ``required`` names the elements the message must contain; all three by default, a
    template step may need fewer (an acknowledgment has no prevention yet).
    """
    wanted = set(required)
    unknown = wanted - set(ELEMENTS)
    if unknown:
        raise ValueError(f"unknown required element(s): {', '.join(sorted(unknown))}")
    original = unicodedata.normalize("NFC", text)
    language = _language(original, lang)
    folded, origin = fold(original)
    findings, found = _read(original, folded, origin, language)
    # The lexicons' cues are evidence, not the verdict: where they missed an element's
    # cue, the learned model (learned.py) weighs them with the message's own words.
    judgement = learned.model().read(folded, language, found, len(original))
    reading = judgement.reading
    suggestions = SUGGESTIONS[language]
    for value in reading.found:
        code = FindingCode(value)
        start, end = span(origin, *judgement.where(value), len(original))
        findings.append(
            Finding(
                code,
                start,
                end,
                original[start:end],
                EXPLANATIONS[code],
                suggestions[code],
                learned=True,
            )
        )
    for element in ALL_ELEMENTS:
        if element in wanted and element in reading.missing:
            code = _MISSING[element]
            findings.append(Finding(code, None, None, None, EXPLANATIONS[code], suggestions[code]))
    return CheckResult(language, tuple(findings))


def cues(text: str, lang: str) -> set[str]:
    """What the lexicons find in a message: the presence codes and the elements whose
    cue words occur (the learned model's evidence; scripts/train_coach.py reads it)."""
    original = unicodedata.normalize("NFC", text)
    return _read(original, *fold(original), _language(original, lang))[1]


def _read(
    original: str, folded: str, origin: list[int] | None, language: str
) -> tuple[list[Finding], set[str]]:
    patterns = _compiled(language)
    findings: list[Finding] = []
    suggestions = SUGGESTIONS[language]
    for code in PRESENCE:
        finding_code = FindingCode(code)
        for s, e in _matches(folded, patterns[code], language, code in _NEGATABLE):
            start, end = span(origin, s, e, len(original))
            findings.append(
                Finding(
                    finding_code,
                    start,
                    end,
                    original[start:end],
                    EXPLANATIONS[finding_code],
                    suggestions[finding_code],
                )
            )
    found = {f.code.value for f in findings}
    found |= {
        element
        for element in ALL_ELEMENTS
        if _present(folded, patterns[element][0], language, element in _NEGATABLE)
    }
    return findings, found


def _language(text: str, lang: str | None) -> str:
    if lang in (None, "", "auto"):
        # A draft too short to tell is `und`; it must still be checked with some
        # lexicon, and English is the fallback the interface uses as well.
        return spoken(detect_language(text, LANGUAGES)) or "en"
    assert lang is not None
    found = spoken(lang)
    if found is None:
        raise ValueError(f"the coach speaks {', '.join(SPOKEN)}, not {lang!r}")
    return found

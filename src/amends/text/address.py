"""How a message addresses the customer and speaks for the agent, per language (pure).

Two facts change the words of a draft: the grammatical gender its writer speaks in (Thai
chooses the pronoun "ดิฉัน" or "ผม" and the polite particle by it, Slovak the conditional
"chcela" or "chcel") and the gender of the person it greets (Greek says "Αγαπητή" to a
woman and "Αγαπητέ" to a man, whose name then takes the vocative: "Γιώργο", not
"Γιώργος"). Either may be unknown: then the words are ones that need no gender ("เรา",
the Slovak present tense, a greeting without an adjective), never a "ดิฉัน/ผม" for the
reader to untangle.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

from amends.errors import N_, InvalidInput


class GenderForm(StrEnum):
    """The grammatical gender someone is written about or speaks in."""

    FEMININE = "feminine"
    MASCULINE = "masculine"


def gender_form(value: str | None) -> GenderForm | None:
    """A form from its name; empty or "none" means not said (InvalidInput otherwise)."""
    cleaned = (value or "").strip().lower()
    if cleaned in ("", "none"):
        return None
    try:
        return GenderForm(cleaned)
    except ValueError:
        raise InvalidInput(
            N_("a form of address is feminine, masculine or none"), code="form-invalid"
        ) from None


# The writer's own words that depend on their gender, per language and form (None: not
# said). "i" is the first person, "me" the writer named as a person ("your contact is
# me"), "q" ends a polite question, "want" opens "I would like to ..." (the Slovak
# present "chcem" needs no gender).
_VOICE: dict[str, dict[GenderForm | None, dict[str, str]]] = {
    "th": {
        GenderForm.FEMININE: {"i": "ดิฉัน", "me": "ดิฉัน", "q": "คะ"},
        GenderForm.MASCULINE: {"i": "ผม", "me": "ผม", "q": "ครับ"},
        None: {"i": "เรา", "me": "ผู้เขียนข้อความนี้", "q": ""},
    },
    "sk": {
        GenderForm.FEMININE: {"want": "chcela by som"},
        GenderForm.MASCULINE: {"want": "chcel by som"},
        None: {"want": "chcem"},
    },
}


def voice(lang: str, form: GenderForm | None) -> dict[str, str]:
    """The writer's gendered words for ``lang`` (empty where the language has none)."""
    return dict(_VOICE.get(lang, {}).get(form, {}))


_GREEK = frozenset("αβγδεζηθικλμνξοπρστυφχψωάέήίόύώϊϋΐΰς")
# Endings that mark a Greek given name's gender; the first word of the name decides.
_MASCULINE_ENDINGS = ("ος", "ός", "ης", "ής", "ας", "άς", "ούς")
_FEMININE_ENDINGS = ("α", "ά", "η", "ή", "ω", "ώ", "ού")


def _greek(word: str) -> bool:
    letters = [c for c in word.lower() if c.isalpha()]
    return bool(letters) and all(c in _GREEK for c in letters)


def greek_form_of(name: str) -> GenderForm | None:
    """The gender a Greek name shows by its ending ("Γιώργος", "Μαρία"); None for a name
    in another script or with an ending that tells nothing."""
    words = name.split()
    if not words or not _greek(words[0]):
        return None
    first = words[0].lower()
    if first.endswith(_MASCULINE_ENDINGS):
        return GenderForm.MASCULINE
    if first.endswith(_FEMININE_ENDINGS):
        return GenderForm.FEMININE
    return None


_VOWELS = frozenset("αεηιουωάέήίόύώϊϋΐΰ")
_ACCENTED = frozenset("άέήίόύώΐΰ")


def _vocative_word(word: str) -> str:
    """One masculine Greek name in the vocative: -ης → -η, -ας → -α, -ος → -ο when the
    stress falls just before it ("Γιώργο", "Νίκο"), else -ε ("Αλέξανδρε",
    "Παπαδόπουλε"); a word without a written accent is left as it is."""
    if not _greek(word) or not any(c in _ACCENTED for c in word.lower()):
        return word
    lower = word.lower()
    for ending, vocative in (("ής", "ή"), ("ης", "η"), ("άς", "ά"), ("ας", "α"), ("ούς", "ού")):
        if lower.endswith(ending):
            return word[: -len(ending)] + _like(word[-len(ending) :], vocative)
    if lower.endswith("ός"):
        return word[:-2] + _like(word[-2:], "έ")
    if lower.endswith("ος"):
        stem = lower[:-2]
        stressed = max(i for i, c in enumerate(stem) if c in _ACCENTED)
        # A vowel between the stress and the ending: stressed three from the end.
        three_from_end = any(c in _VOWELS for c in stem[stressed + 1 :])
        return word[:-2] + _like(word[-2:], "ε" if three_from_end else "ο")
    return word


def _like(original: str, replacement: str) -> str:
    # Keep capitals as written ("ΓΙΏΡΓΟΣ" is rare, but stays in capitals).
    return replacement.upper() if original.isupper() else replacement


def greek_vocative(name: str) -> str:
    """A masculine Greek name as one addresses him ("Γιώργος Παπαδόπουλος" →
    "Γιώργο Παπαδόπουλε")."""
    return " ".join(_vocative_word(unicodedata.normalize("NFC", w)) for w in name.split())


def form_of_contact(recorded: GenderForm | None, name: str) -> GenderForm | None:
    """How to greet a contact person: as someone recorded, else as a Greek given name's
    ending shows. Only for a person's name: a company's ("Ψηφιακή Α.Ε.") tells nothing."""
    return recorded or greek_form_of(name)


def greeting(lang: str, name: str, form: GenderForm | None, *, person: bool = True) -> str:
    """The message's first line, addressing ``name`` in ``lang`` (en, th, sk, el);
    ``person`` False for a company's name, which Thai greets without "คุณ"."""
    if lang == "el":
        if form is GenderForm.MASCULINE:
            return f"Αγαπητέ {greek_vocative(name)},"
        if form is GenderForm.FEMININE:
            return f"Αγαπητή {name},"
        return f"Γεια σας, {name},"
    if lang == "th":
        return f"เรียน คุณ{name}" if person else f"เรียน {name}"
    if lang == "sk":
        return f"Dobrý deň, {name},"
    return f"Dear {name},"

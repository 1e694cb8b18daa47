"""Language detection restricted to a workspace's languages.

lingua is accurate but loading all of its models costs about 1.3 GB, so a detector is
built only for the configured languages, once per set, and its models load lazily.
Thai and Greek are decided by their script alone, which is both exact and much
faster than a model; Czech and Slovak, which lingua confuses on short texts, get a
tie-break from the letters and words only one of them uses.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable
from typing import Any

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

from amends.text.languages import LANGUAGES

UNDETERMINED = "und"

# lingua's cost grows with the text (about 1 µs a character); the opening of a message
# says enough, and 200 characters is some 30 words.
SAMPLE_CHARS = 200
MIN_LETTERS = 12
MIN_CONFIDENCE = 0.5

_SCRIPT_LANGUAGES: dict[str, re.Pattern[str]] = {
    "th": re.compile("[\u0e01-\u0e4e]"),
    "el": re.compile("[\u0370-\u03ff\u1f00-\u1fff]"),
}
_NOISE = re.compile(r"(?:https?://|www\.)\S+|[^\s@]+@\S+")
_WORD = re.compile(r"\w+")

# Letters and frequent words used by only one of the two languages. "je to", "už" and
# reflexive "si" are common to both, so they do not count; the verb "to be",
# negation, "as/or/still/what" and "thank you" differ reliably.
_SK_LETTERS = re.compile("[äôĺľŕ]")
_CS_LETTERS = re.compile("[řůě]")
_SK_WORDS = frozenset(
    {"som", "sme", "ste", "sú", "nie", "sa", "ako", "alebo", "ešte", "čo", "keď", "ďakujem"}
    | {"prečo", "lebo", "aj", "veľmi", "môžem", "môžete", "bol", "bola"}
)
_CS_WORDS = frozenset(
    {"jsem", "jsi", "jsme", "jste", "jsou", "není", "se", "jako", "nebo", "ještě", "co", "když"}
    | {"děkuji", "proč", "protože", "již", "mně", "velmi", "můžu", "můžete", "byl", "byla"}
)

# Latin-script text is decided without lingua when the evidence is plain, because one
# lingua call costs about 0.3 ms, as much as parsing the whole email: English function
# words (none of them a Slovak or Czech word) making up a quarter of the text, or
# several West Slavic letters with no English function word.
_WEST_SLAVIC_LETTERS = re.compile("[áäčďéěíĺľňóôŕřšťúůýž]")
_EN_WORDS = frozenset(
    {"the", "and", "of", "is", "was", "were", "we", "our", "you", "your", "for", "it", "not"}
    | {"has", "have", "had", "this", "that", "with", "are", "please", "my", "will", "been"}
    | {"would", "there", "they", "from", "but", "at", "an", "or", "can", "all", "us", "be"}
)
_CLEAR_EN_WORDS = 3
_CLEAR_SLAVIC_LETTERS = 3

_detectors: dict[frozenset[str], Any | None] = {}
_lock = threading.Lock()


def _primary(code: str) -> str:
    return code.strip().replace("_", "-").split("-", 1)[0].lower()


def _lingua_language(code: str) -> Language | None:
    try:
        return Language.from_iso_code_639_1(IsoCode639_1.from_str(code))
    except ValueError:
        return None


@functools.lru_cache(maxsize=64)
def _codes(languages: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_primary(code) for code in languages))


def detector_for(languages: Iterable[str]) -> Any | None:
    """The lingua detector for this language set, built on first use and then cached.

    None when fewer than two of the languages are known to lingua: with no rival
    there is nothing to choose between.
    """
    key = frozenset(_codes(tuple(languages)))
    if key in _detectors:
        return _detectors[key]
    with _lock:
        if key not in _detectors:
            supported = [lang for code in sorted(key) if (lang := _lingua_language(code))]
            _detectors[key] = (
                LanguageDetectorBuilder.from_languages(*supported).build()
                if len(supported) >= 2
                else None
            )
        return _detectors[key]


def slovak_or_czech(text: str) -> str | None:
    """``sk`` or ``cs`` when the text uses letters or words only one of them has."""
    lowered = text.lower()
    score = len(_SK_LETTERS.findall(lowered)) - len(_CS_LETTERS.findall(lowered))
    for word in _WORD.findall(lowered):
        if word in _SK_WORDS:
            score += 1
        elif word in _CS_WORDS:
            score -= 1
    if score > 0:
        return "sk"
    if score < 0:
        return "cs"
    return None


def _plain_latin(sample: str, codes: tuple[str, ...]) -> str | None:
    """English, Slovak or Czech when the words and letters leave no doubt; else None."""
    lowered = sample.lower()
    words = _WORD.findall(lowered)
    english = sum(1 for word in words if word in _EN_WORDS)
    slavic = len(_WEST_SLAVIC_LETTERS.findall(lowered))
    if "en" in codes and english >= _CLEAR_EN_WORDS and english * 4 >= len(words):
        # A quarter of the words English function words: no Slovak or Czech text
        # looks like that, even when it names a person or a town with their letters.
        return "en"
    if slavic >= _CLEAR_SLAVIC_LETTERS and english == 0:
        candidates = [code for code in ("sk", "cs") if code in codes]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            return slovak_or_czech(sample)
    return None


def detect_language(text: str, languages: Iterable[str] = LANGUAGES) -> str:
    """The BCP 47 code of the text's language among ``languages``, or ``und``."""
    codes = _codes(tuple(languages))
    sample = text[: SAMPLE_CHARS * 2]
    if "@" in sample or "://" in sample or "www." in sample:
        # Addresses and links are letters in no language.
        sample = _NOISE.sub(" ", sample)
    if len(sample) > SAMPLE_CHARS:
        # Cut at a space: half a word is a word lingua has never seen.
        cut = sample.rfind(" ", SAMPLE_CHARS // 2, SAMPLE_CHARS)
        sample = sample[: cut if cut > 0 else SAMPLE_CHARS]
    letters = sum(map(str.isalpha, sample))
    if letters == 0:
        return UNDETERMINED
    for code, pattern in _SCRIPT_LANGUAGES.items():
        if code in codes and pattern.search(sample) and len(pattern.findall(sample)) * 2 >= letters:
            return code
    if letters < MIN_LETTERS:
        return UNDETERMINED
    clear = _plain_latin(sample, codes)
    if clear is not None:
        return clear
    mixed = any(p.search(sample) for c, p in _SCRIPT_LANGUAGES.items() if c in codes)
    if not mixed:
        # Text without Thai or Greek letters is never Thai or Greek: leaving those out of
        # the detector keeps their models (tens of MB each) out of memory.
        codes = tuple(c for c in codes if c not in _SCRIPT_LANGUAGES)
    detector = detector_for(codes)
    if detector is None:
        known = [code for code in codes if _lingua_language(code)]
        return known[0] if len(known) == 1 else UNDETERMINED
    values = detector.compute_language_confidence_values(sample)
    if not values:
        return UNDETERMINED
    top = values[0]
    best: str = top.language.iso_code_639_1.name.lower()
    confidence = float(top.value)
    if best in ("sk", "cs") and "sk" in codes and "cs" in codes:
        pair = sum(
            float(v.value) for v in values if v.language.iso_code_639_1.name.lower() in ("sk", "cs")
        )
        if pair >= MIN_CONFIDENCE:
            return slovak_or_czech(sample) or best
    if confidence < MIN_CONFIDENCE:
        return UNDETERMINED
    return best

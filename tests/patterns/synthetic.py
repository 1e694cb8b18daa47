"""Synthetic complaints in English, Thai, Slovak and Greek (pure, deterministic).

Benchmarks and tests of the similarity index need a large corpus that behaves like
real complaints, where the nearest neighbours of a message mean something:

- incidents: one failure (a product, a courier, a date) that many customers write
  about, each in their own words: the systemic pattern the index must surface;
- repeats: the same customer writing again, reworded in part, with typos, or
  without accents (common in Slovak and Greek typed on phones);
- one-off complaints, told with many alternative phrasings so that two unrelated
  customers rarely write the same sentences.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from amends.text.languages import SPOKEN
from tests.patterns.phrasebook import PHRASES

LANGUAGES = SPOKEN
CATEGORIES = (
    "late_delivery",
    "wrong_item",
    "billing",
    "missing_report",
    "rude_courier",
    "broken_product",
)

_PARTS = ("greeting", "opener", "detail", "followup", "request", "closing")
_OPTIONAL = {"greeting": 0.6, "detail": 0.7, "followup": 0.5, "request": 0.9, "closing": 0.6}
_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_ACCENTS = re.compile("[\u0300-\u036f]")
T = TypeVar("T")


@dataclass(frozen=True)
class _Incident:
    """What went wrong, shared by every customer who writes about it."""

    lang: str
    category: str
    product: str
    courier: str
    date: str


@dataclass(frozen=True)
class _Complaint:
    """One customer's complaint: the incident, their details and their wording."""

    incident: _Incident
    slots: dict[str, str]
    parts: tuple[tuple[str, int, int], ...]  # (part, sentence number, wording seed)
    signature: str


def strip_accents(text: str) -> str:
    """The text as typed on a phone without diacritics."""
    return unicodedata.normalize("NFC", _ACCENTS.sub("", unicodedata.normalize("NFD", text)))


def _words(lang: str, key: str) -> list[str]:
    return PHRASES[lang][key][0].split("|")


def _sentences(lang: str, category: str, part: str) -> list[str]:
    return PHRASES[lang][category if part in ("opener", "detail") else part]


class ComplaintStream:
    """An endless, reproducible stream of complaint texts.

    ``repeat_share`` of the messages repeat an earlier complaint of the same
    customer; of the others, ``incident_share`` join a recent incident, the rest
    start a new one. Recent repeats and incidents are picked with a skew, so a few
    grow large (a systemic failure) while most stay small.
    """

    def __init__(
        self,
        seed: int = 7,
        *,
        repeat_share: float = 0.3,
        incident_share: float = 0.85,
        complaints_kept: int = 20_000,
        incidents_kept: int = 3_000,
    ) -> None:
        self._rng = random.Random(seed)
        self._repeat_share = repeat_share
        self._incident_share = incident_share
        self._complaints: _Ring[_Complaint] = _Ring(complaints_kept)
        self._incidents: _Ring[_Incident] = _Ring(incidents_kept)

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        rng = self._rng
        if self._complaints and rng.random() < self._repeat_share:
            return self._render(self._complaints.pick(rng), variant=True)
        if self._incidents and rng.random() < self._incident_share:
            incident = self._incidents.pick(rng)
        else:
            incident = self._new_incident()
            self._incidents.add(incident)
        complaint = self._new_complaint(incident)
        self._complaints.add(complaint)
        return self._render(complaint, variant=False)

    def _new_incident(self) -> _Incident:
        rng = self._rng
        lang = rng.choice(LANGUAGES)
        d, m = rng.randint(1, 28), rng.randint(1, 12)
        date = rng.choice(PHRASES[lang]["date"]).format(
            d=d, m=m, month=_words(lang, "month")[m - 1]
        )
        return _Incident(
            lang,
            rng.choice(CATEGORIES),
            rng.choice(_words(lang, "product")),
            rng.choice(_words(lang, "courier")),
            date,
        )

    def _new_complaint(self, incident: _Incident) -> _Complaint:
        rng = self._rng
        lang = incident.lang
        amount = rng.choice(PHRASES[lang]["amount"]).format(
            whole=rng.randint(5, 3000), cents=f"{rng.randint(0, 99):02d}"
        )
        order = rng.choice(("#{n}", "{n}", "ORD-{n}", "A{n}")).format(n=rng.randint(10**5, 10**8))
        slots = {
            "product": incident.product,
            "courier": incident.courier,
            "date": incident.date,
            "order": order,
            "amount": amount,
            "days": str(rng.randint(2, 21)),
            "years": str(rng.randint(2, 15)),
        }
        parts = []
        opener = -1
        for part in _PARTS:
            if rng.random() > _OPTIONAL.get(part, 1.0):
                continue
            count = len(_sentences(lang, incident.category, part))
            number = rng.randrange(count)
            if part == "detail" and number == opener:
                number = (number + 1) % count
            opener = number if part == "opener" else opener
            parts.append((part, number, rng.randrange(1 << 30)))
        signature = f"{rng.choice(_words(lang, 'first'))} {rng.choice(_words(lang, 'last'))}"
        return _Complaint(incident, slots, tuple(parts), signature)

    def _render(self, complaint: _Complaint, *, variant: bool) -> str:
        rng = self._rng
        incident = complaint.incident
        pieces = []
        for part, number, seed in complaint.parts:
            if variant:
                roll = rng.random()
                if part in ("greeting", "followup", "closing") and roll < 0.25:
                    continue
                if roll > 0.8:  # reworded: same sentence, other alternatives
                    seed = rng.randrange(1 << 30)
                elif roll > 0.65 and part != "opener":  # another sentence altogether
                    number = rng.randrange(len(_sentences(incident.lang, incident.category, part)))
            template = _sentences(incident.lang, incident.category, part)[number]
            pieces.append(_expand(template, seed).format(**complaint.slots))
        if not variant or rng.random() < 0.7:
            pieces.append(complaint.signature)
        text = " ".join(pieces)
        return self._noise(text, incident.lang) if variant else text

    def _noise(self, text: str, lang: str) -> str:
        rng = self._rng
        if lang in ("sk", "el") and rng.random() < 0.3:
            text = strip_accents(text)
        if lang != "th" and rng.random() < 0.15:
            text = text.lower()
        chars = list(text)
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            i = rng.randrange(1, len(chars) - 1)
            kind = rng.randrange(3)
            if kind == 0:
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
            elif kind == 1:
                del chars[i]
            else:
                chars.insert(i, chars[i])
        return "".join(chars)


def _expand(template: str, seed: int) -> str:
    """Pick one alternative in each [a|b|c] of ``template``, reproducibly for ``seed``."""
    position = iter(range(1, 64))

    def pick(match: re.Match[str]) -> str:
        options = match.group(1).split("|")
        # A multiplicative hash of (seed, position): seeding a Random per sentence
        # would cost more than the rest of the text.
        return options[((seed + next(position)) * 2654435761 >> 16) % len(options)]

    return _CHOICE.sub(pick, template)


class _Ring(Generic[T]):
    """The last ``size`` items added, for picking recent ones."""

    def __init__(self, size: int) -> None:
        self._items: list[T] = []
        self._size = size
        self._next = 0

    def __bool__(self) -> bool:
        return bool(self._items)

    def add(self, item: T) -> None:
        if len(self._items) < self._size:
            self._items.append(item)
        else:
            self._items[self._next] = item
            self._next = (self._next + 1) % self._size

    def pick(self, rng: random.Random) -> T:
        # Squaring skews the choice: a few items get picked again and again.
        return self._items[int(len(self._items) * rng.random() ** 2)]


def complaints(count: int, *, seed: int = 7) -> list[str]:
    """The first ``count`` texts of a stream."""
    stream = ComplaintStream(seed)
    return [next(stream) for _ in range(count)]

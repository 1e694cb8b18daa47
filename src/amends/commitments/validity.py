"""Is the customer right? A verdict from the ledger's evidence, with its reasons (pure).

The rule is deliberately simple so anyone can check it by hand: compare what was
promised with what was delivered, for the promises the complaint is about.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from amends.commitments.occurrences import Occurrence, OccurrenceStatus


class Verdict(StrEnum):
    RIGHT = "right"
    PARTLY_RIGHT = "partly_right"
    NOT_RIGHT = "not_right"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Promise:
    commitment_id: int
    title: str
    occurrences: list[Occurrence]


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    reasons: list[str]
    evidence: list[dict[str, object]]


_WORD = re.compile(r"\w{4,}")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).replace("ς", "σ")


def relevant(promises: list[Promise], complaint: str) -> tuple[list[Promise], list[str]]:
    """The promises the complaint names (shared words of 4+ letters, or a Thai title
    appearing in it); all promises when it names none."""
    text = _fold(complaint)
    words = set(_WORD.findall(text))
    named, notes = [], []
    for promise in promises:
        title = _fold(promise.title)
        shared = sorted(w for w in _WORD.findall(title) if w in words or w[:-1] in text)
        thai = any("\u0e00" <= ch <= "\u0e7f" for ch in title) and title.replace(" ", "") in (
            text.replace(" ", "")
        )
        if shared or thai:
            named.append(promise)
            notes.append(f"the complaint mentions “{promise.title}”")
    return (named, notes) if named else (promises, [])


def assess(promises: list[Promise], complaint: str, *, now: datetime) -> Assessment:
    """right: something promised was never delivered; partly_right: delivered, but late;
    not_right: every due occurrence was delivered on time; unknown: nothing was due."""
    chosen, reasons = relevant(promises, complaint)
    judged = [
        (p, o)
        for p in chosen
        for o in p.occurrences
        if o.status in {OccurrenceStatus.ON_TIME, OccurrenceStatus.LATE, OccurrenceStatus.MISSED}
    ]
    if not judged:
        return Assessment(
            Verdict.UNKNOWN,
            [
                *reasons,
                "nothing promised to this customer was "
                "due yet, so the ledger cannot confirm or refute it",
            ],
            [],
        )
    missed = [(p, o) for p, o in judged if o.status is OccurrenceStatus.MISSED]
    late = [(p, o) for p, o in judged if o.status is OccurrenceStatus.LATE]
    if missed:
        verdict = Verdict.RIGHT
        titles = sorted({p.title for p, _ in missed})
        reasons.append(
            f"{len(missed)} promised occurrence(s) were never delivered: " + "; ".join(titles)
        )
        shown = missed + late
    elif late:
        verdict = Verdict.PARTLY_RIGHT
        reasons.append(f"everything was delivered, but {len(late)} occurrence(s) came late")
        shown = late
    else:
        verdict = Verdict.NOT_RIGHT
        reasons.append(f"all {len(judged)} due occurrence(s) were delivered on time")
        shown = judged
    return Assessment(verdict, reasons, [_evidence(p, o) for p, o in shown])


def _evidence(promise: Promise, occ: Occurrence) -> dict[str, object]:
    return {
        "commitment_id": promise.commitment_id,
        "commitment": promise.title,
        "due_at": occ.due_at.isoformat(),
        "deadline": occ.deadline.isoformat(),
        "status": occ.status.value,
        "delivery_id": occ.delivery_id,
        "delivered_at": occ.delivered_at.isoformat() if occ.delivered_at else None,
    }

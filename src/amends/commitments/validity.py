"""Is the customer right? A verdict per promise from the ledger's evidence (pure).

The rule is deliberately simple so anyone can check it by hand. The claims are the
promises the customer's own words are about (a commitment's title, matched across
inflections, accents and Thai script), or, when they name none but speak of something
not delivered, every promise due in the weeks before they wrote. Each claim is judged
against what was delivered: it holds when the promise was missed or kept late. Every
claim holds: right; some: partly right; none: not right; no claim to judge (a complaint
about behaviour): unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from amends.commitments.occurrences import Occurrence, OccurrenceStatus
from amends.text.fold import fold_words

# How far back "everything you promised lately" reaches for a complaint naming nothing.
WINDOW = timedelta(days=62)
_PAST = frozenset({OccurrenceStatus.ON_TIME, OccurrenceStatus.LATE, OccurrenceStatus.MISSED})

# Words that say something promised did not come (or came late), folded as fold_words
# folds them; a complaint naming no promise is about delivery only with one of these.
DELIVERY_CUES = (
    # en
    "not deliver",
    "never deliver",
    "undeliver",
    "not receiv",
    "never receiv",
    "not arriv",
    "never arriv",
    "never came",
    "not come",
    "didn t come",
    "didn t get",
    "haven t got",
    "haven t received",
    "hasn t arrived",
    "still waiting",
    "missing",
    "late",
    "where is",
    "where are",
    "nothing was",
    "not sent",
    "never sent",
    # sk (and cs)
    "nedost",
    "nedoruc",
    "neprisl",
    "nedoraz",
    "mesk",
    "chyb",
    "kde je",
    "kde su",
    "stale cakame",
    "neposlal",
    "nic sme",
    "nedodal",
    "zpozd",
    "nedorucil",
    # el
    "δεν λαβαμε",
    "δεν ηρθ",
    "δεν παραδοθ",
    "δεν παρεδωσ",
    "δεν στειλατε",
    "δεν εχουμε λαβει",
    "δεν εχουμε δει",
    "καθυστερ",
    "λειπ",
    "που ειναι",
    "ακομα περιμενουμε",
    "τιποτα δεν",
    # th (Thai is not folded)
    "ไม่ได้รับ",
    "ยังไม่ได้",
    "ไม่มา",
    "ยังไม่มา",
    "ช้า",
    "ไม่ส่ง",
    "ยังไม่ส่ง",
    "ขาด",
    "ไม่ครบ",
    "อยู่ไหน",
    "ไม่เคยได้",
)


class ClaimStatus(StrEnum):
    KEPT_ON_TIME = "kept_on_time"
    KEPT_LATE = "kept_late"
    MISSED = "missed"
    NOT_YET_DUE = "not_yet_due"


HOLDS = frozenset({ClaimStatus.KEPT_LATE, ClaimStatus.MISSED})


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
    kind: str = ""  # commitments.rules.CommitmentKind's value


# How customers name a promise by its kind when not by its title, folded as fold_words
# folds them (Thai as written). Deliverables and recurring services have no such word:
# their titles say what they are.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "callback": ("call back", "callback", "zavola", "spatne volan", "επανακληση",
                 "να με παρει", "τηλεφωνο", "โทรกลับ"),
    "refund": ("refund", "money back", "vrateni", "vratenie", "vratit", "peniaze spat",
               "επιστροφη χρηματων", "επιστροφη", "คืนเงิน"),
    "service_level": ("response time", "reakcn", "χρονος αποκρισης", "เวลาตอบกลับ"),
}  # fmt: skip


@dataclass(frozen=True)
class Claim:
    """One promise the complaint is about, and how it was kept."""

    commitment_id: int
    commitment: str
    status: ClaimStatus
    named: bool  # the customer's words name it (else: due lately, or the case's own)
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return self.status in HOLDS


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    reasons: list[str]
    claims: list[Claim]

    @property
    def evidence(self) -> list[dict[str, object]]:
        """Each judged occurrence with its delivery, claim by claim."""
        return [_evidence(c, o) for c in self.claims for o in c.occurrences]


_WORD_MIN = 4
_STEM = 5  # Slovak and Greek inflect word endings: "report", "reporty"; "αναφορα", "αναφορεσ"


def _is_thai(text: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)


def names(title: str, words: str) -> bool:
    """Whether folded ``words`` speak of the promise titled ``title``."""
    folded = fold_words(title)
    said = set(words.split())
    stems = {w[:_STEM] for w in said if len(w) >= _STEM}
    for word in folded.split():
        if len(word) < _WORD_MIN:
            continue
        if _is_thai(word):
            # No spaces between Thai words: any six characters of the title in the text.
            if any(word[i : i + 6] in words for i in range(max(1, len(word) - 5))):
                return True
        elif word in said or (len(word) >= _STEM and word[:_STEM] in stems):
            return True
    return False


def about_delivery(words: str) -> bool:
    padded = f" {words} "
    # A cue starts a word ("late", not "translate"); Thai has no spaces to look for.
    return any((cue in words) if _is_thai(cue) else (f" {cue}" in padded) for cue in DELIVERY_CUES)


def _claim(promise: Promise, *, as_of: datetime, named: bool) -> Claim:
    past = [o for o in promise.occurrences if o.status in _PAST and o.due_at <= as_of]
    recent = [o for o in past if o.due_at >= as_of - WINDOW] or past[-1:]
    if any(o.status is OccurrenceStatus.MISSED for o in recent):
        status = ClaimStatus.MISSED
    elif any(o.status is OccurrenceStatus.LATE for o in recent):
        status = ClaimStatus.KEPT_LATE
    elif recent:
        status = ClaimStatus.KEPT_ON_TIME
    else:
        status = ClaimStatus.NOT_YET_DUE
    return Claim(promise.commitment_id, promise.title, status, named, recent)


def assess(
    promises: list[Promise],
    words: str,
    *,
    as_of: datetime,
    own: int | None = None,
) -> Assessment:
    """Judge the complaint in ``words`` (the customer's own, never a case title) against
    ``promises`` graded as of ``as_of``; ``own`` is the promise a proactive case is about,
    judged when the words name none."""
    folded = fold_words(words)
    named = [
        p
        for p in promises
        if folded
        and (names(p.title, folded) or any(w in folded for w in KIND_WORDS.get(p.kind, ())))
    ]
    reasons: list[str] = []
    if named:
        chosen = [_claim(p, as_of=as_of, named=True) for p in named]
        reasons.append("the complaint is about " + "; ".join(f"“{p.title}”" for p in named))
    elif own is not None and any(p.commitment_id == own for p in promises):
        chosen = [_claim(p, as_of=as_of, named=False) for p in promises if p.commitment_id == own]
        reasons.append(f"the case is about “{chosen[0].commitment}”")
    elif about_delivery(folded):
        due = [
            p for p in promises if any(as_of - WINDOW <= o.due_at <= as_of for o in p.occurrences)
        ]
        chosen = [_claim(p, as_of=as_of, named=False) for p in due]
        reasons.append(
            "the complaint names no promise, so every promise due in the "
            f"{WINDOW.days} days before it is judged"
        )
    else:
        return Assessment(
            Verdict.UNKNOWN,
            [
                "the complaint is about no promise (for example about behaviour): the ledger "
                "cannot confirm or refute it"
            ],
            [],
        )
    if not chosen:
        reasons.append("nothing promised was due then, so the ledger cannot confirm or refute it")
        return Assessment(Verdict.UNKNOWN, reasons, [])
    holding = [c for c in chosen if c.holds]
    for claim in chosen:
        reasons.append(f"“{claim.commitment}”: {_SAID[claim.status]}")
    if len(holding) == len(chosen):
        verdict = Verdict.RIGHT
    elif holding:
        verdict = Verdict.PARTLY_RIGHT
    else:
        verdict = Verdict.NOT_RIGHT
    return Assessment(verdict, reasons, chosen)


_SAID = {
    ClaimStatus.MISSED: "never delivered",
    ClaimStatus.KEPT_LATE: "delivered, but late",
    ClaimStatus.KEPT_ON_TIME: "delivered on time",
    ClaimStatus.NOT_YET_DUE: "not due yet",
}


def _evidence(claim: Claim, occ: Occurrence) -> dict[str, object]:
    return {
        "commitment_id": claim.commitment_id,
        "commitment": claim.commitment,
        "due_at": occ.due_at.isoformat(),
        "deadline": occ.deadline.isoformat(),
        "status": occ.status.value,
        "delivery_id": occ.delivery_id,
        "delivered_at": occ.delivered_at.isoformat() if occ.delivered_at else None,
    }


def claim_dict(claim: Claim) -> dict[str, object]:
    return {
        "commitment_id": claim.commitment_id,
        "commitment": claim.commitment,
        "status": claim.status.value,
        "holds": claim.holds,
        "named": claim.named,
        "evidence": [_evidence(claim, o) for o in claim.occurrences],
    }

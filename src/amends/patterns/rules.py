"""Repeat failures (pure): the same customer failed the same way again, recently.

The first failure can be forgiven and even build loyalty; the second one of the same
kind reads as a pattern, so it is treated as more severe.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from amends.errors import InvalidTransition
from amends.playbook.rules import REPEAT_WINDOW, Category, Severity
from amends.playbook.rules import PatternPolicy as PatternPolicy
from amends.text.fold import fold
from amends.text.languages import spoken

SEVERITIES: tuple[Severity, ...] = tuple(Severity)
T = TypeVar("T")


def in_rounds(items: Iterable[T], customer_of: Callable[[T], int]) -> list[list[T]]:
    """``items`` cut into rounds holding at most one per customer, each in order: opened
    or judged round by round, every case sees its customer's earlier ones as it would
    one by one."""
    rounds: list[list[T]] = []
    seen: dict[int, int] = {}
    for item in items:
        customer = customer_of(item)
        level = seen.get(customer, 0)
        seen[customer] = level + 1
        if level == len(rounds):
            rounds.append([])
        rounds[level].append(item)
    return rounds


@dataclass(frozen=True)
class PastCase:
    id: int
    category: str
    opened_at: datetime
    commitment_id: int | None


def repeats(
    *,
    category: str,
    commitment_id: int | None,
    opened_at: datetime,
    history: list[PastCase],
    window: timedelta = REPEAT_WINDOW,
    similar: frozenset[int] = frozenset(),
) -> list[int]:
    """Earlier cases this one repeats: same broken promise, same kind of failure (other
    than the catch-all 'other'), or a text ``similar`` says is alike, within the window."""
    found = []
    for past in history:
        if past.opened_at > opened_at or opened_at - past.opened_at > window:
            continue
        same_promise = commitment_id is not None and past.commitment_id == commitment_id
        same_kind = category != Category.OTHER and past.category == category
        if same_promise or same_kind or past.id in similar:
            found.append(past.id)
    return sorted(found)


def raised(severity: Severity) -> Severity:
    """One level more severe, at most critical."""
    index = SEVERITIES.index(severity) if severity in SEVERITIES else 1
    return SEVERITIES[min(index + 1, len(SEVERITIES) - 1)]


# --- systemic patterns -------------------------------------------------------------------


class PatternStatus(StrEnum):
    OPEN = "open"  # no corrective action yet: its cases cannot explain a change
    ADDRESSED = "addressed"  # a corrective action exists
    RESOLVED = "resolved"  # an action was verified: repeats stopped


_PATTERN_MOVES: dict[PatternStatus, frozenset[PatternStatus]] = {
    PatternStatus.OPEN: frozenset({PatternStatus.ADDRESSED}),
    PatternStatus.ADDRESSED: frozenset({PatternStatus.RESOLVED}),
    # Reopened: the verified change did not hold. Resolved again: another linked change
    # was verified, which dates the resolution to the newer proof.
    PatternStatus.RESOLVED: frozenset({PatternStatus.ADDRESSED, PatternStatus.RESOLVED}),
}


def pattern_transition(status: PatternStatus, to: PatternStatus) -> PatternStatus:
    """``to`` if a pattern in ``status`` may move there, else InvalidTransition.

    A pattern is addressed by linking a corrective action and resolved only by verifying
    one; it never goes back to having no action.
    """
    if to not in _PATTERN_MOVES[status]:
        raise InvalidTransition(f"a pattern that is {status} cannot become {to}")
    return to


@dataclass(frozen=True)
class Neighbour:
    """A case similar to the new one, within the window."""

    case_id: int
    customer_id: int
    pattern_id: int | None  # the unresolved pattern it already belongs to


@dataclass(frozen=True)
class Clustering:
    pattern_id: int | None  # join this pattern; None with members: start a new one
    members: tuple[int, ...]  # cases to add (the new case first)


def is_similar(
    *,
    category: str,
    other_category: str,
    score: float,
    policy: PatternPolicy,
    named_alike: bool,
) -> bool:
    """Two cases describe the same failure: similar text, or the same specific category
    and ``named_alike`` (both found by the sweep, whose category is a rule's finding, or
    both naming the same thing: the courier, the product). A category alone never
    makes a pattern of complaints: five unrelated "quality" complaints are no failure
    the business repeats."""
    same_kind = (
        policy.by_category
        and named_alike
        and category != Category.OTHER
        and category == other_category
    )
    return same_kind or score >= policy.text_similarity


def cluster(
    *, case_id: int, customer_id: int, neighbours: list[Neighbour], policy: PatternPolicy
) -> Clustering | None:
    """Where a new case belongs: the oldest unresolved pattern among its neighbours, else a
    new pattern once the case and its free neighbours span ``min_customers`` customers."""
    joined = sorted({n.pattern_id for n in neighbours if n.pattern_id is not None})
    free = [n for n in neighbours if n.pattern_id is None]
    members = (case_id, *sorted(n.case_id for n in free))
    if joined:
        return Clustering(joined[0], members)
    customers = {customer_id} | {n.customer_id for n in free}
    if len(customers) >= policy.min_customers:
        return Clustering(None, members)
    return None


# --- corrective actions ------------------------------------------------------------------


class ChangeKind(StrEnum):
    """The kinds of change that stop a failure from happening again."""

    QUALITY_CHECK = "quality_check"
    STAFFING = "staffing"
    STOCK = "stock"
    TOOLING = "tooling"
    NAMED_CONTACT = "named_contact"
    CUSTOMER_NOTIFICATION = "customer_notification"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"


class Verdict(StrEnum):
    NOT_DONE = "not_done"  # the change is not in place yet
    WATCHING = "watching"  # in place, no repeat so far, the watch period is still running
    REPEATS_STOPPED = "repeats_stopped"
    REPEATS_CONTINUE = "repeats_continue"


def verdict(
    *, done_at: datetime | None, repeats_after: int, now: datetime, watch: timedelta
) -> Verdict:
    """Did the failures stop once the change was in place?"""
    if done_at is None:
        return Verdict.NOT_DONE
    if repeats_after:
        return Verdict.REPEATS_CONTINUE
    if now - done_at < watch:
        return Verdict.WATCHING
    return Verdict.REPEATS_STOPPED


def next_status(current: ActionStatus, wanted: ActionStatus, *, repeats_after: int) -> ActionStatus:
    """The one transition function of a corrective action.

    Work moves forward; a done or verified change may be reopened (it did not hold).
    Verification is a claim that the failures stopped, so it needs the change done and
    no similar case since.
    """
    if wanted is current:
        raise InvalidTransition(f"the action is already {current.value}")
    if wanted is ActionStatus.VERIFIED:
        if current is not ActionStatus.DONE:
            raise InvalidTransition("only a done change can be verified; mark it done first")
        if repeats_after:
            raise InvalidTransition(
                f"{repeats_after} similar case(s) opened since the change was done: the "
                "failures have not stopped, so it cannot be verified"
            )
    if wanted is ActionStatus.PLANNED and current is not ActionStatus.PLANNED:
        raise InvalidTransition(
            "work on the change has started; reopen it as in_progress instead of planned"
        )
    return wanted


def trend(current: int, previous: int) -> dict[str, object]:
    """This window against the one before it."""
    change = current - previous
    return {
        "previous": previous,
        "change": change,
        "change_pct": round(change * 100 / previous, 1) if previous else None,
        "direction": "up" if change > 0 else "down" if change < 0 else "flat",
    }


# A name shared by every member needs words this long: shorter ones ("the", "a", "na")
# are shared by chance.
NAME_WORD = 4
_WORD = re.compile(r"\w+")
# The first word of the text and every word after what ends a sentence: its capital
# letter says nothing of a name.
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"«»“”()]\s*)(?=\w)")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_OTHER_SCRIPT = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff\u0e00-\u0e7f]")
# English writes these with a capital letter; they name a day, not a thing.
_CALENDAR = frozenset(
    {
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("january", "february", "march", "april", "june", "july", "august"),
        *("september", "october", "november", "december"),
    }
)


def named_things(text: str) -> frozenset[str]:
    """The folded words of ``text`` that name something: written with a capital letter
    where a sentence does not begin, or in Latin letters inside Greek or Thai text
    ("Rychlo Expres" in a Thai complaint), at least NAME_WORD letters long."""
    foreign_latin = len(_OTHER_SCRIPT.findall(text)) > len(_LATIN.findall(text))
    starts = {m.end() for m in _SENTENCE_START.finditer(text)}
    found: set[str] = set()
    for match in _WORD.finditer(text):
        word = match.group()
        if len(word) < NAME_WORD or word.isdigit():
            continue
        latin_aside = foreign_latin and _LATIN.match(word) is not None
        capital = word[0].isupper() and match.start() not in starts
        folded = fold(word)[0]
        if (latin_aside or capital) and folded not in _CALENDAR:
            found.add(folded)
    return frozenset(found)


def name_alike(names: frozenset[str], other: frozenset[str]) -> bool:
    """Both name the same thing: a word of one begins a word of the other ("expres",
    "express"), as shared_name compares them."""
    return any(_same_name(a, b) for a in names for b in other)


def _same_name(a: str, b: str) -> bool:
    """Two folded words of NAME_WORD letters or more name one thing: one begins the
    other."""
    return a.startswith(b) or b.startswith(a)


def shared_name(title: str, others: Iterable[str]) -> str | None:
    """The longest run of words of ``title`` that every one of ``others`` also names, as
    written in ``title``; None when there is none.

    Words are compared folded (case, accents, Greek final sigma) and a word matches one
    it begins or that begins it, so a courier written "Rýchlo Expres" in one complaint,
    "Rychlo Express" in another and inside a Thai sentence in a third names the pattern
    it caused.
    """
    folded_others = [{fold(w)[0] for w in _WORD.findall(o)} for o in others]
    found = list(_WORD.finditer(title))
    words = [fold(m.group())[0] for m in found]

    def named_by_all(word: str) -> bool:
        if len(word) < NAME_WORD or word.isdigit():
            return False
        return all(
            any(_same_name(word, w) for w in seen if len(w) >= NAME_WORD) for seen in folded_others
        )

    best: tuple[int, int] = (0, 0)
    start = 0
    for i, word in enumerate([*words, ""]):
        if i < len(words) and named_by_all(word):
            continue
        if i - start > best[1] - best[0]:
            best = (start, i)
        start = i + 1
    if best == (0, 0):
        return None
    # The run as written, with what stood between its words.
    return title[found[best[0]].start() : found[best[1] - 1].end()]


def change_wording(wordings: Mapping[str, str] | None, description: str, language: str) -> str:
    """The change as a customer who speaks ``language`` is told it: its wording in their
    language (a Czech customer reads the Slovak one: wordings are kept by the language
    spoken); for an action whose languages are unknown, the description as written; else
    "" (the draft then names the kind of change alone, rather than a sentence in a
    language the customer may not read)."""
    if wordings is None:
        return description
    code = spoken(language)
    return wordings.get(code, "") if code is not None else ""


def pattern_ref(pattern_id: int) -> str:
    return f"P-{pattern_id}"

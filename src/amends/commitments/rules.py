"""Commitment vocabularies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from dateutil.rrule import rrule as rrule_type
from dateutil.rrule import rrulestr

from amends.errors import InvalidTransition


class CommitmentKind(StrEnum):
    DELIVERABLE = "deliverable"
    RECURRING_SERVICE = "recurring_service"
    SERVICE_LEVEL = "service_level"
    CALLBACK = "callback"
    REFUND = "refund"


class CommitmentStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


def transition(status: CommitmentStatus, to: CommitmentStatus) -> CommitmentStatus:
    """``to`` if a commitment in ``status`` may move there, else InvalidTransition.

    Pausing and resuming are free; an ended promise stays ended, since resuming it
    would judge every occurrence of the gap as missed. Keeping the status is no move.
    """
    if status is CommitmentStatus.ENDED and to is not CommitmentStatus.ENDED:
        raise InvalidTransition(
            "the commitment has ended; record a new commitment for a new promise"
        )
    return to


def schedule_problem(
    kind: CommitmentKind, due_at: datetime | None, rrule: str | None
) -> str | None:
    """Why a commitment's timing is unusable, or None when it is fine.

    A recurring promise needs an RRULE whose DTSTART is ``due_at``; a one-off promise
    needs a due time. Anything else could never be checked against deliveries.
    """
    if rrule:
        if due_at is None:
            return "a recurring commitment needs due_at as its first occurrence (DTSTART)"
        if len(rrule) > 500:
            return "the RRULE is too long"
        try:
            rule = rrulestr(rrule, dtstart=due_at, forceset=False)
            # A rule that never occurs is a typo, not a promise.
            if isinstance(rule, rrule_type) and rule.after(due_at, inc=True) is None:
                return "the RRULE never produces an occurrence"
        except (ValueError, TypeError, OverflowError) as exc:
            return f"the RRULE is not valid: {exc}"
        return None
    if kind is CommitmentKind.RECURRING_SERVICE:
        return "a recurring service needs an RRULE (e.g. FREQ=MONTHLY;BYMONTHDAY=5)"
    if due_at is None and kind is not CommitmentKind.SERVICE_LEVEL:
        return "a one-off commitment needs due_at"
    return None


class Repeat(StrEnum):
    """The schedules a person picks in a form rather than writing an RRULE."""

    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    LAST_BUSINESS_DAY = "last_business_day"


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def rrule_for(repeat: Repeat, *, weekdays: list[str] | None = None, day: int | None = None) -> str:
    """The RRULE of a picked schedule ("" for once); ValueError when a part is missing."""
    if repeat is Repeat.ONCE:
        return ""
    if repeat is Repeat.DAILY:
        return "FREQ=DAILY"
    if repeat is Repeat.WEEKLY:
        days = [d for d in WEEKDAYS if d in set(weekdays or [])]
        if not days:
            raise ValueError("a weekly schedule needs at least one day of the week")
        return "FREQ=WEEKLY;BYDAY=" + ",".join(days)
    if repeat is Repeat.MONTHLY:
        if day is None or not 1 <= day <= 31:
            raise ValueError("a monthly schedule needs a day of the month from 1 to 31")
        return f"FREQ=MONTHLY;BYMONTHDAY={day}"
    return "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"

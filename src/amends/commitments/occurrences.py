"""When each promise falls due, and which delivery fulfilled which occurrence (pure).

Recurring promises are RFC 5545 RRULEs with DTSTART at the commitment's first due
time. The common shapes (monthly on a day, weekly on a weekday, daily, each with an
optional INTERVAL) are expanded with plain date arithmetic because the ledger sweep
walks hundreds of thousands of them; anything else goes through python-dateutil.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar

from dateutil.rrule import rrulestr

_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_SIMPLE = re.compile(
    r"^FREQ=(?P<freq>DAILY|WEEKLY|MONTHLY)"
    r"(?:;INTERVAL=(?P<interval>[1-9][0-9]?))?"
    r"(?:;BYDAY=(?P<byday>MO|TU|WE|TH|FR|SA|SU))?"
    r"(?:;BYMONTHDAY=(?P<bymonthday>[1-9]|1[0-9]|2[0-8]))?$"
)
MAX_OCCURRENCES = 5000
# A point in time: a datetime, or its canonical UTC text (see utc_text), never mixed.
Moment = TypeVar(
    "Moment", datetime, str
)  # a daily promise kept for 13 years; more is a mistake, not a plan


class OccurrenceStatus(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSED = "missed"
    DUE = "due"  # past the due time, still inside the grace period
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class Occurrence:
    due_at: datetime
    deadline: datetime  # due_at + grace: after this, no delivery means a miss
    delivery_id: int | None
    delivered_at: datetime | None
    status: OccurrenceStatus


def due_times(
    first_due: datetime, rrule: str | None, *, until: datetime, after: datetime | None = None
) -> list[datetime]:
    """Due times in (after, until], in order; a one-off promise has just ``first_due``."""
    times = _expand(first_due, rrule, until)
    if after is not None:
        times = [t for t in times if t > after]
    return times


def _expand(first_due: datetime, rrule: str | None, until: datetime) -> list[datetime]:
    return list(_iterate(first_due, rrule, until))


@lru_cache(maxsize=4096)
def _simple_parts(rrule: str) -> dict[str, str | None] | None:
    # Cached: a ledger holds few distinct rules and many commitments sharing each.
    simple = _SIMPLE.match(rrule.upper().replace(" ", ""))
    if simple is None:
        return None
    parts = simple.groupdict()
    # BYDAY narrows a monthly or daily rule, BYMONTHDAY a daily or weekly one, in ways
    # the plain arithmetic below does not model: python-dateutil handles those.
    if (parts["byday"] and parts["freq"] != "WEEKLY") or (
        parts["bymonthday"] and parts["freq"] != "MONTHLY"
    ):
        return None
    return parts


def _iterate(first_due: datetime, rrule: str | None, until: datetime) -> Iterator[datetime]:
    """Due times up to ``until``, lazily, so a caller may stop early."""
    if not rrule:
        if first_due <= until:
            yield first_due
        return
    parts = _simple_parts(rrule)
    if parts is not None:
        yield from _simple(first_due, until, parts)
        return
    for count, when in enumerate(rrulestr(rrule, dtstart=first_due)):
        if when > until or count >= MAX_OCCURRENCES:
            return
        yield when


def split_at(
    first_due: datetime, rrule: str | None, *, before: datetime, horizon: datetime
) -> tuple[list[datetime], datetime | None]:
    """(due times before ``before``, the first one after them up to ``horizon`` or None)."""
    past: list[datetime] = []
    for when in _iterate(first_due, rrule, horizon):
        if when >= before:
            return past, when
        past.append(when)
    return past, None


def utc_text(value: datetime) -> str:
    """The canonical text of a UTC time, as SQLite stores it; its order is time order."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


class TextSchedule:
    """Due times as canonical UTC texts (see :func:`utc_text`), for the sweep at one moment.

    Deliveries arrive from the database as text of the same form and string order is
    time order, so judging compares strings and never builds a datetime per occurrence.
    Monthly rules on a day every month has, the common shape by far, are expanded by
    slicing DTSTART's text and counting months; values that repeat across a ledger
    (cut-offs per grace period, deadlines of popular due times) are computed once.
    """

    def __init__(self, now: datetime, lookahead: timedelta) -> None:
        self.now = _naive(now)
        self.horizon = self.now + lookahead
        self.horizon_text = utc_text(self.horizon)
        self._cuts: dict[int, tuple[datetime, str, int]] = {}
        self._deadlines: dict[tuple[str, int], str] = {}

    def deadline(self, due: str, grace_hours: int) -> str:
        """``due`` plus the grace period, as text."""
        key = (due, grace_hours)
        found = self._deadlines.get(key)
        if found is None:
            found = utc_text(datetime.fromisoformat(due) + timedelta(hours=grace_hours))
            if len(self._deadlines) < 100_000:
                self._deadlines[key] = found
        return found

    def _cut(self, grace_hours: int) -> tuple[datetime, str, int]:
        # Occurrences due before now - grace have their deadline behind us.
        found = self._cuts.get(grace_hours)
        if found is None:
            cut = self.now - timedelta(hours=grace_hours)
            found = (cut, utc_text(cut), cut.year * 12 + cut.month - 1)
            self._cuts[grace_hours] = found
        return found

    def split(
        self, first_due: str, rrule: str | None, grace_hours: int
    ) -> tuple[list[str], str | None]:
        """(due times whose deadline has passed, the next due time or None), as texts."""
        cut, cut_text, cut_month = self._cut(grace_hours)
        parts = _simple_parts(rrule) if rrule else None
        day = 0
        if parts is not None and parts["freq"] == "MONTHLY":
            day = int(parts["bymonthday"]) if parts["bymonthday"] else int(first_due[8:10])
        if not 1 <= day <= 28:
            past, following = split_at(
                datetime.fromisoformat(first_due), rrule, before=cut, horizon=self.horizon
            )
            return [utc_text(w) for w in past], utc_text(following) if following else None
        assert parts is not None
        step = int(parts["interval"] or 1)
        tail = f"-{day:02d}{first_due[10:]}"  # the day and DTSTART's time of day
        first = int(first_due[0:4]) * 12 + int(first_due[5:7]) - 1
        if day < int(first_due[8:10]):  # this month's occurrence would precede DTSTART
            first += step
        count = max(0, -(-(cut_month - first) // step))  # months before the cut's month
        if _month_text(first + count * step) + tail < cut_text:
            count += 1  # the occurrence in the cut's own month is before the cut too
        count = min(count, MAX_OCCURRENCES)
        end = first + count * step
        if first >= _FIRST_MONTH and end < _FIRST_MONTH + len(_MONTHS):
            # The hot loop of a cold sweep: one list lookup and one concatenation each.
            months = _MONTHS
            texts = [months[m - _FIRST_MONTH] + tail for m in range(first, end, step)]
        else:
            texts = [_month_text(m) + tail for m in range(first, end, step)]
        after = _month_text(end) + tail
        if count >= MAX_OCCURRENCES or after > self.horizon_text:
            return texts, None
        return texts, after


_FIRST_MONTH = 1970 * 12
# "YYYY-MM" for every month from 1970 to 2199, counted as year * 12 + month - 1.
_MONTHS = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(_FIRST_MONTH, 2200 * 12)]


def _month_text(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def fill(due: Sequence[Moment], delivered: Sequence[Moment]) -> list[int]:
    """Which deliveries (sorted by time) fulfil ``due[0]``, ``due[1]``, ... in turn: their
    indices in ``delivered``, one per fulfilled occurrence.

    Each delivery fulfils the earliest occurrence still open whose window has begun (the
    window of an occurrence opens at the previous one's due time), so the fulfilled
    occurrences are always a prefix of ``due``, and a delivery extends it unless it came
    before the previous occurrence's due time. The sweep only needs the length of that
    prefix, on canonical text, so no Occurrence objects are built for millions of
    occurrences; :func:`match` grades the same pairing for a customer's view.
    """
    n = len(due)
    used: list[int] = []
    for index, at in enumerate(delivered):
        if len(used) == n:
            break
        if not used or at > due[len(used) - 1]:
            used.append(index)
    return used


def _simple(start: datetime, until: datetime, parts: dict[str, str | None]) -> Iterator[datetime]:
    interval = int(parts["interval"] or 1)
    freq = parts["freq"]
    count = 0
    if freq == "DAILY":
        when = start
        while when <= until and count < MAX_OCCURRENCES:
            yield when
            count += 1
            when += timedelta(days=interval)
    elif freq == "WEEKLY":
        weekday = _WEEKDAYS[parts["byday"]] if parts["byday"] else start.weekday()
        when = start + timedelta(days=(weekday - start.weekday()) % 7)
        while when <= until and count < MAX_OCCURRENCES:
            yield when
            count += 1
            when += timedelta(weeks=interval)
    else:  # MONTHLY, on a day that exists in every month (1..28) or DTSTART's day
        day = int(parts["bymonthday"]) if parts["bymonthday"] else start.day
        always = day <= 28  # no month lacks the day: skip the calendar lookup
        year, month = start.year, start.month
        last = (until.year, until.month)
        clock = (start.hour, start.minute, start.second, start.microsecond)
        while count < MAX_OCCURRENCES and (year, month) <= last:
            if always or day <= monthrange(year, month)[1]:
                # RFC 5545 skips months without the day (DTSTART on the 31st).
                when = datetime(year, month, day, *clock, tzinfo=start.tzinfo)
                if when >= start:
                    if when > until:
                        return
                    yield when
                    count += 1
            month += interval
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def match(
    due: Sequence[datetime],
    deliveries: Sequence[tuple[int, datetime]],
    *,
    grace: timedelta,
    now: datetime,
) -> list[Occurrence]:
    """Pair deliveries with occurrences and grade each one.

    Deliveries are taken in time order; each fulfils the earliest occurrence still open
    whose window has begun (the window of an occurrence opens at the previous one's due
    time). So a report sent early for May counts for May, and a late one catches up
    the oldest month still owed — the customer is owed every occurrence, in order.
    """
    ordered = sorted(deliveries, key=lambda d: (d[1], d[0]))
    picked = [ordered[i] for i in fill(due, [at for _, at in ordered])]
    assigned: list[tuple[int, datetime] | None] = [*picked, *[None] * (len(due) - len(picked))]
    result = []
    for when, got in zip(due, assigned, strict=True):
        deadline = when + grace
        if got is not None:
            status = OccurrenceStatus.ON_TIME if got[1] <= deadline else OccurrenceStatus.LATE
            result.append(Occurrence(when, deadline, got[0], got[1], status))
        elif now > deadline:
            result.append(Occurrence(when, deadline, None, None, OccurrenceStatus.MISSED))
        elif now >= when:
            result.append(Occurrence(when, deadline, None, None, OccurrenceStatus.DUE))
        else:
            result.append(Occurrence(when, deadline, None, None, OccurrenceStatus.UPCOMING))
    return result


def breach_severity(value: float, currency_large: float, lateness: timedelta) -> str:
    """Severity of a missed occurrence from what it is worth and how late it is.

    ``currency_large`` is what counts as a large amount in the commitment's currency
    (e.g. 1,000 EUR, 35,000 THB), so one rule serves every currency.
    """
    if value >= 5 * currency_large or lateness > timedelta(days=30):
        return "critical"
    if value >= currency_large or lateness > timedelta(days=7):
        return "high"
    if value >= currency_large / 20:
        return "medium"
    return "low"

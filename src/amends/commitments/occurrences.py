"""When each promise falls due, and which delivery fulfilled which occurrence (pure).

Recurring promises are RFC 5545 RRULEs with DTSTART at the commitment's first due
time. The common shapes (monthly on a day, weekly on a weekday, daily, each with an
optional INTERVAL) are expanded with plain date arithmetic because the ledger sweep
walks hundreds of thousands of them; anything else goes through python-dateutil.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from calendar import monthrange
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dateutil.rrule import rrulestr

_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_SIMPLE = re.compile(
    r"^FREQ=(?P<freq>DAILY|WEEKLY|MONTHLY)"
    r"(?:;INTERVAL=(?P<interval>[1-9][0-9]?))?"
    r"(?:;BYDAY=(?P<byday>MO|TU|WE|TH|FR|SA|SU))?"
    r"(?:;BYMONTHDAY=(?P<bymonthday>[1-9]|1[0-9]|2[0-8]))?$"
)
MAX_OCCURRENCES = 5000  # a daily promise kept for 13 years; more is a mistake, not a plan


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
    if not rrule:
        return [first_due] if first_due <= until else []
    simple = _SIMPLE.match(rrule.upper().replace(" ", ""))
    if simple:
        return list(_simple(first_due, until, simple.groupdict()))
    rule = rrulestr(rrule, dtstart=first_due)
    out: list[datetime] = []
    for when in rule:
        if when > until or len(out) >= MAX_OCCURRENCES:
            break
        out.append(when)
    return out


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
    assigned: list[tuple[int, datetime] | None] = [None] * len(due)
    first_open = 0
    for delivery in ordered:
        while first_open < len(due) and assigned[first_open] is not None:
            first_open += 1
        if first_open >= len(due):
            break
        # Windows open at the previous due time: find the last occurrence whose window
        # has opened by this delivery, and fill the earliest open one up to it.
        opened_upto = bisect_left(due, delivery[1]) if delivery[1] > due[0] else 0
        if first_open <= opened_upto:
            assigned[first_open] = delivery
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

"""Business-hours arithmetic for SLA clocks (pure: no I/O, no database).

An SLA of "1 business hour" opened on Friday at 16:30 with hours 09:00-17:00 is due
on Monday at 09:30 — or on Tuesday if Monday is a holiday. All inputs and outputs are
aware UTC datetimes; the calendar converts to the workspace's local time internally,
so daylight-saving changes are handled by zoneinfo.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Searching further than this for open hours means the calendar has none at all.
_MAX_DAYS = 3660


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "UTC"
    # Per weekday (0 = Monday) the open intervals as (start, end) local times.
    hours: tuple[tuple[tuple[time, time], ...], ...] = field(
        default_factory=lambda: tuple(((time(9), time(17)),) if day < 5 else () for day in range(7))
    )
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if len(self.hours) != 7:
            raise ValueError("business hours need an entry for each of the 7 weekdays")
        if not any(self.hours):
            raise ValueError("business hours are empty: no day has open hours")
        for day in self.hours:
            for start, end in day:
                if not start < end:
                    raise ValueError(f"business hours interval {start}-{end} is empty")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        if day in self.holidays:
            return
        for start, end in self.hours[day.weekday()]:
            yield (
                datetime.combine(day, start, self.zone).astimezone(UTC),
                datetime.combine(day, end, self.zone).astimezone(UTC),
            )

    def _open_intervals_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = moment.astimezone(self.zone).date()
        for offset in range(_MAX_DAYS):
            for start, end in self._intervals(day + timedelta(days=offset)):
                if end > moment:
                    yield max(start, moment), end

    def add(self, moment: datetime, duration: timedelta) -> datetime:
        """The moment when ``duration`` of business time has passed after ``moment``."""
        remaining = duration
        for start, end in self._open_intervals_from(moment):
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
        raise ValueError("no business hours found within ten years")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from ``start`` to ``end`` (zero if end is not later)."""
        total = timedelta()
        if end <= start:
            return total
        for open_start, open_end in self._open_intervals_from(start):
            if open_start >= end:
                break
            total += min(open_end, end) - open_start
        return total

    def is_open(self, moment: datetime) -> bool:
        return any(s <= moment < e for s, e in self._intervals(moment.astimezone(self.zone).date()))


def parse_hours(spec: str) -> tuple[tuple[time, time], ...]:
    """'09:00-12:00, 13:00-17:00' -> intervals; '' or 'closed' -> no hours."""
    spec = spec.strip().lower()
    if spec in {"", "closed"}:
        return ()
    intervals = []
    for part in spec.split(","):
        try:
            start_text, end_text = (p.strip() for p in part.split("-"))
            start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
        except ValueError:
            raise ValueError(f"business hours {part.strip()!r} are not like 09:00-17:00") from None
        intervals.append((start, end))
    return tuple(sorted(intervals))

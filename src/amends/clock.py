"""The injected clock: production reads the system time, tests move it by hand."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from amends.errors import N_, InvalidInput

# Another machine's clock may run a little ahead of ours; a time later than now by more
# than this is a mistake (or a trick to make a deadline look met), never a fact.
CLOCK_SKEW = timedelta(minutes=2)


def refuse_future(at: datetime | None, now: datetime) -> None:
    """Refuse a time given for something that happened when it lies in the future."""
    if at is not None and at > now + CLOCK_SKEW:
        raise InvalidInput.saying(
            N_("That time is in the future; give the time when it really happened."),
            code="time-in-future",
        )


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to; nothing in tests ever sleeps."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FrozenClock needs timezone-aware times")
        with self._lock:
            self._now = when.astimezone(UTC)


class FileClock:
    """A clock read from a file that a test or rehearsal rewrites: every process pointed at
    the same file (``AMENDS_CLOCK_FILE``) sees the same time, so a day of jobs across
    several servers and workers runs without anyone sleeping. Never on by default.

    The file holds one ISO 8601 timestamp with an offset; writers replace it atomically
    (write a sibling, then rename) so a reader never sees half a time.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        text = self.path.read_text().strip()
        when = datetime.fromisoformat(text)
        if when.tzinfo is None:
            raise ValueError(f"{self.path}: the clock file needs a timezone-aware time")
        return when.astimezone(UTC)

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FileClock needs timezone-aware times")
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(when.astimezone(UTC).isoformat())
        partial.replace(self.path)

    def advance(self, delta: timedelta) -> datetime:
        when = self.now() + delta
        self.set(when)
        return when


def clock_for(clock_file: Path | None) -> Clock:
    """The system clock, unless a clock file is configured (tests and rehearsals only)."""
    return FileClock(clock_file) if clock_file is not None else SystemClock()


def utcnow() -> datetime:
    """System time for places that have no clock passed in (defaults, file names)."""
    return datetime.now(UTC)

"""The case page's read-only panels: the case view with the few formatters its template
needs in the reader's language (durations, file sizes, scores)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel import Locale
from babel.numbers import format_percent
from babel.units import format_unit

from amends.recovery.schemas import CaseView


def duration(seconds: int, language: str) -> str:
    """A span as people say it ("2 days 3 hr", "2 hr 15 min", "5 min"), never "135.0"."""
    locale = Locale.parse(language)
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [("duration-day", days), ("duration-hour", hours), ("duration-minute", mins)]
    shown = [format_unit(n, unit, length="short", locale=locale) for unit, n in parts if n]
    # Two units are precise enough for a deadline; a third only adds noise.
    return " ".join(shown[:2]) or format_unit(0, "duration-minute", length="short", locale=locale)


def file_size(size: int, language: str) -> str:
    """Bytes as a size people read: 13 kB, 1.2 MB."""
    locale = Locale.parse(language)
    if size < 1000:
        return format_unit(size, "digital-byte", length="short", locale=locale)
    if size < 1_000_000:
        return format_unit(round(size / 1000), "digital-kilobyte", length="short", locale=locale)
    return format_unit(
        round(size / 1_000_000, 1), "digital-megabyte", length="short", locale=locale
    )


@dataclass(frozen=True)
class CaseFacts:
    view: CaseView
    language: str

    def duration(self, seconds: int) -> str:
        return duration(seconds, self.language)

    def size(self, size: int) -> str:
        return file_size(size, self.language)

    def time(self, value: object) -> datetime | None:
        """A moment from the verdict's evidence, which keeps its times as ISO 8601 text."""
        if isinstance(value, datetime):
            return value
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None

    def score(self, value: float) -> str:
        return format_percent(value, locale=Locale.parse(self.language))

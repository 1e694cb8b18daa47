"""A commitment's schedule (an RFC 5545 RRULE) said in words, in the reader's language.

"FREQ=MONTHLY;BYMONTHDAY=5" is "monthly on the 5th", "každý mesiac 5.", "ทุกเดือนวันที่ 5"
or "κάθε μήνα στις 5". The shapes people set up are said; any other rule is shown as it is
(``None`` here), since a wrong sentence about a promise is worse than a technical one.
"""

from __future__ import annotations

from collections.abc import Callable

from babel.dates import get_day_names
from babel.lists import format_list

from amends.text.digits import is_digits
from amends.web.i18n import translations

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WORKDAYS = frozenset(_DAYS[:5])


def _parts(rule: str) -> dict[str, str] | None:
    parts: dict[str, str] = {}
    for piece in rule.upper().replace(" ", "").removeprefix("RRULE:").split(";"):
        key, sep, value = piece.partition("=")
        if not sep or not value or key in parts:
            return None
        parts[key] = value
    return parts


def _interval(parts: dict[str, str]) -> int | None:
    text = parts.pop("INTERVAL", "1")
    return int(text) if is_digits(text) and int(text) > 0 else None


def _day_of_month(day: int, language: str) -> str:
    """A day of the month as the sentence around it needs it."""
    if language == "en":
        suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        return f"{day}{suffix}"
    if language == "sk":
        return f"{day}."  # Slovak ordinals are written with a full stop
    return str(day)


def in_words(rule: str | None, language: str) -> str | None:
    """The schedule in words, or None when it is not one of the shapes said here."""
    if not rule:
        return None
    parts = _parts(rule)
    if parts is None:
        return None
    ngettext: Callable[[str, str, int], str] = translations(language).ngettext
    gettext: Callable[[str], str] = translations(language).gettext
    parts.pop("WKST", None)
    freq = parts.pop("FREQ", "")
    every = _interval(parts)
    if every is None:
        return None
    if freq == "DAILY" and not parts:
        if every == 1:
            return gettext("daily")
        return ngettext("every %(n)s day", "every %(n)s days", every) % {"n": every}
    if freq == "WEEKLY" and set(parts) <= {"BYDAY"}:
        days = parts.get("BYDAY", "").split(",") if parts else []
        if not days or any(d not in _DAYS for d in days) or len(set(days)) != len(days):
            return None
        names = get_day_names("wide", locale=language)
        listed = format_list(
            [names[_DAYS.index(d)] for d in sorted(days, key=_DAYS.index)], locale=language
        )
        if every == 1:
            return gettext("weekly on %(days)s") % {"days": listed}
        return ngettext("every %(n)s week on %(days)s", "every %(n)s weeks on %(days)s", every) % {
            "n": every,
            "days": listed,
        }
    if freq == "MONTHLY":
        return _monthly(parts, every, language, gettext, ngettext)
    return None


def _monthly(
    parts: dict[str, str],
    every: int,
    language: str,
    gettext: Callable[[str], str],
    ngettext: Callable[[str, str, int], str],
) -> str | None:
    if set(parts) == {"BYMONTHDAY"}:
        text = parts["BYMONTHDAY"]
        if text == "-1":
            if every == 1:
                return gettext("monthly on the last day")
            return ngettext(
                "every %(n)s month on the last day",
                "every %(n)s months on the last day",
                every,
            ) % {"n": every}
        if not is_digits(text) or not 1 <= int(text) <= 31:
            return None
        day = _day_of_month(int(text), language)
        if every == 1:
            return gettext("monthly on the %(day)s") % {"day": day}
        return ngettext(
            "every %(n)s month on the %(day)s", "every %(n)s months on the %(day)s", every
        ) % {"n": every, "day": day}
    days = set(parts.get("BYDAY", "").split(","))
    if set(parts) == {"BYDAY", "BYSETPOS"} and days == _WORKDAYS and parts["BYSETPOS"] == "-1":
        if every == 1:
            return gettext("monthly on the last business day")
        return ngettext(
            "every %(n)s month on the last business day",
            "every %(n)s months on the last business day",
            every,
        ) % {"n": every}
    return None

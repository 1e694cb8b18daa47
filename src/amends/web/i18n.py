"""Interface translations (gettext catalogs) and locale-aware formatting via Babel.

Catalogs live as .po files in ``web/locale/<lang>/LC_MESSAGES/amends.po`` and are
compiled in memory at start, so an install needs no build step and no binary files.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.units import format_unit

from amends.errors import english_value
from amends.errors import said as said
from amends.text.languages import spoken

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "amends"


@cache
def translations(language: str) -> gettext.NullTranslations:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def terminal_language(environ: Mapping[str, str]) -> str:
    """The language a command speaks in: the first of LANGUAGE, LC_ALL, LC_MESSAGES and
    LANG (the POSIX order) that we speak, else English."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for tag in environ.get(name, "").split(":"):
            found = spoken(tag.split(".")[0]) if tag and tag not in {"C", "POSIX"} else None
            if found is not None:
                return found
    return "en"


def pick_language(preferred: str | None, accept_language: str | None) -> str:
    """The user's own language if we speak it, else the browser's first match, else English."""
    candidates: list[str] = []
    if preferred:
        candidates.append(preferred)
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip()
        if tag:
            candidates.append(tag)
    for tag in candidates:
        found = spoken(tag)
        if found is not None:
            return found
    return "en"


@lru_cache(maxsize=64)
def locale_of(language: str) -> Locale:
    """The Babel locale of a language code, parsed once: a report page formats thousands
    of numbers, and parsing the code each time was a tenth of its time."""
    return Locale.parse(language)


def when(value: datetime | None, language: str, timezone: str) -> str:
    """A moment in the reader's timezone: the locale's medium date and short time
    (seconds say nothing a person acts on)."""
    if value is None:
        return "—"
    locale = locale_of(language)
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(ZoneInfo(timezone))
    pattern = str(locale.datetime_formats["medium"])
    return pattern.format(
        format_time(local, format="short", locale=locale),
        format_date(local, format="medium", locale=locale),
    )


def money(amount: Decimal, currency: str, language: str) -> str:
    return format_currency(amount, currency, locale=locale_of(language))


def day(value: date | datetime | None, language: str, timezone: str) -> str:
    """A day (a date, or the day a moment falls on in the reader's timezone)."""
    if value is None:
        return "—"
    if isinstance(value, datetime) and value.tzinfo:
        value = value.astimezone(ZoneInfo(timezone))
    return format_date(value, format="medium", locale=locale_of(language))


def language_name(code: str, language: str) -> str:
    """A language's name in the reader's language ("th" is "Ταϊλανδικά" to a Greek reader);
    an unknown code stays as it is, "und" (not detected) is a dash."""
    if not code or code == "und":
        return "—"
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(locale_of(language))
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return name or code


def number(value: float | int | Decimal, language: str) -> str:
    return format_decimal(value, locale=locale_of(language))


def percent(value: float | int | Decimal | None, language: str) -> str:
    """A share given in percent (the reports' unit: 87.5 means 87.5 %); None is a dash."""
    if value is None:
        return "—"
    share = Decimal(str(value)) / 100
    return format_percent(share, format="#,##0.#%", locale=locale_of(language))


_UNITS = (("duration-day", 1440), ("duration-hour", 60), ("duration-minute", 1))


def duration(value: timedelta | float | int | None, language: str) -> str:
    """A span of time as people say it: "2 hr 15 min", "3 days 4 hr", in the language.

    A number is minutes (the unit the engine counts SLA times in). Two units at most: a
    deadline three days away needs no minutes. The sign is the caller's to say.
    """
    if value is None:
        return "—"
    minutes = value.total_seconds() / 60 if isinstance(value, timedelta) else float(value)
    left = round(abs(minutes))
    locale = locale_of(language)
    parts: list[str] = []
    for unit, size in _UNITS:
        amount, left = divmod(left, size)
        if amount and len(parts) < 2:
            parts.append(format_unit(amount, unit, length="short", locale=locale))
        elif parts:
            break  # "3 days 15 min" would skip the hours: stop at the first gap
    if not parts:
        parts.append(format_unit(0, "duration-minute", length="short", locale=locale))
    return " ".join(parts)


# --- messages stored as an id and parameters, said at display time ---------------------

MESSAGE_KEY = "msg"
ARGS_KEY = "args"
FORMATS_KEY = "fmt"
# How a parameter is shown: a vocabulary value translated, a moment or a day in the
# reader's timezone, an amount in the currency named by the "currency" parameter; "trs"
# a list of vocabulary values.
FORMATS = ("tr", "trs", "when", "day", "money", "percent", "number")


class Reader(Protocol):
    language: str
    timezone: str


def english(stored: Mapping[str, Any]) -> str:
    """The English sentence, for notes and texts that the API and CLI show as they are."""
    return say(stored, gettext.NullTranslations().gettext) or ""


def _inside_sentence(label: str) -> str:
    """A vocabulary label ("Credit", "Dobropis") as a word inside a sentence: lower case,
    unless it is an abbreviation ("SLA") or a script without case (Thai)."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _shown(
    value: Any,
    how: str,
    gettext_: Callable[[str], str],
    reader: Reader | None,
    args: Mapping[str, Any],
) -> Any:
    if how == "tr" and isinstance(value, str):
        return _inside_sentence(gettext_(value))
    if how == "trs" and isinstance(value, list):
        return ", ".join(_inside_sentence(gettext_(str(v))) for v in value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if how in ("when", "day") and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if reader is None:
            return moment.strftime("%Y-%m-%d %H:%M") if how == "when" else moment.date().isoformat()
        show = when if how == "when" else day
        return show(moment, reader.language, reader.timezone)
    if reader is None:
        return english_value(value, how, str(args.get("currency", "")))
    try:
        if how == "money":
            amount, currency = Decimal(str(value)), str(args.get("currency", ""))
            return money(amount, currency, reader.language)
        if how == "percent":
            return format_percent(Decimal(str(value)), locale=locale_of(reader.language))
        if how == "number":
            return number(Decimal(str(value)), reader.language)
    except (ArithmeticError, ValueError):
        return value
    return value


def say(
    stored: Mapping[str, Any] | None,
    gettext_: Callable[[str], str],
    reader: Reader | None = None,
) -> str | None:
    """The stored sentence in the reader's language, or None when none was stored."""
    if not stored or not isinstance(stored.get(MESSAGE_KEY), str):
        return None
    raw = dict(stored.get(ARGS_KEY) or {})
    formats = stored.get(FORMATS_KEY) or {}
    args = {
        name: _shown(value, formats.get(name, ""), gettext_, reader, raw)
        for name, value in raw.items()
    }
    message: str = stored[MESSAGE_KEY]
    text = gettext_(message)
    try:
        return text % args if args else text
    except (KeyError, ValueError, TypeError):
        # A translation that lost a field must not break the page: say it in English.
        try:
            return message % args if args else message
        except (KeyError, ValueError, TypeError):
            return message


def refusal(error: Any, gettext_: Callable[[str], str], reader: Reader | None = None) -> str:
    """Why a domain error refused, in the reader's language: its stored sentence, else its
    message if the catalogs know it, else the English message as it is."""
    stored = getattr(error, "extra", {}).get("said")
    spoken = say(stored, gettext_, reader) if isinstance(stored, dict) else None
    if spoken is not None:
        return spoken
    message = str(getattr(error, "message", error))
    return gettext_(message)

"""Interface translations (gettext catalogs) and locale-aware formatting via Babel.

Catalogs live as .po files in ``web/locale/<lang>/LC_MESSAGES/amends.po`` and are
compiled in memory at start, so an install needs no build step and no binary files.
"""

from __future__ import annotations

import gettext
from datetime import datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency

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


def when(value: datetime | None, language: str, timezone: str) -> str:
    if value is None:
        return "—"
    return format_datetime(
        value, format="medium", tzinfo=ZoneInfo(timezone), locale=Locale.parse(language)
    )


def money(amount: Decimal, currency: str, language: str) -> str:
    return format_currency(amount, currency, locale=Locale.parse(language))

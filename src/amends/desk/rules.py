"""Pure decisions of the desk: when presence has lapsed, and how placeholders fill."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta

# The case page asks every 5 seconds; three missed asks (a closed tab, a sleeping laptop)
# and the person is gone. Typing shows for a little longer than one ask, so a pause to
# think does not make the notice flicker.
POLL_SECONDS = 5
PRESENCE_TTL = timedelta(seconds=3 * POLL_SECONDS)
TYPING_TTL = timedelta(seconds=2 * POLL_SECONDS)

LANGUAGES = ("en", "th", "sk", "el")
TITLE_MAX = 200
TEXT_MAX = 10_000

# What a saved reply may name; each is filled from the case, in the customer's locale.
PLACEHOLDERS = (
    "customer_name",
    "case_ref",
    "agent_name",
    "business_name",
    "today",
    "due_date",
    "compensation",
)
_FIELD = re.compile(r"\{([a-z_]+)\}")


def present(seen_at: datetime, now: datetime) -> bool:
    return now - seen_at < PRESENCE_TTL


def typing(typing_at: datetime | None, now: datetime) -> bool:
    return typing_at is not None and now - typing_at < TYPING_TTL


def fill(text: str, values: Mapping[str, str]) -> str:
    """``{name}`` replaced by its value; a name we do not know stays as written, so a
    typo shows in the composer instead of vanishing from the customer's mail."""
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def unknown_placeholders(text: str) -> list[str]:
    return sorted({m for m in _FIELD.findall(text) if m not in PLACEHOLDERS})

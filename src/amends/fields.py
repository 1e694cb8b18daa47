"""Validated field types shared by every domain's schemas.

Input is cleaned at the edge so no domain has to think about NUL bytes, lone
surrogates, unnormalised Unicode or times without a zone — each of which would
otherwise surface as a database error deep inside a request.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies
from pydantic import AfterValidator, BeforeValidator, Field

from amends.text.header import header_problem

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]{1,64}@[^@\s<>(),;:\"\[\]]{1,190}\.[^@\s<>()\.]{2,63}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
CURRENCIES = frozenset(list_currencies())
# Ids are INTEGER on both engines (int4 on PostgreSQL): larger numbers cannot exist.
MAX_DB_INT = 2**31 - 1


def clean_text(value: str) -> str:
    """NFC text without control characters (newlines and tabs stay)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text contains invalid Unicode (lone surrogates)") from None
    if _CONTROL.search(value):
        raise ValueError("text contains control characters")
    return unicodedata.normalize("NFC", value)


def clean_line(value: str) -> str:
    """A single line: clean text, surrounding space removed, and nothing that would break
    a mail header (line breaks of any kind, tabs, C1 controls) — titles and subjects
    become mail headers."""
    value = clean_text(value).strip()
    if header_problem(value) is not None:
        raise ValueError("must be a single line without control characters")
    return value


def clean_email(value: str) -> str:
    value = clean_line(value).lower()
    if not _EMAIL.match(value):
        raise ValueError("not a valid email address")
    return value


def clean_language(value: str) -> str:
    value = clean_line(value)
    if not _LANGUAGE.match(value):
        raise ValueError("not a BCP 47 language code (e.g. en, th, sk, el)")
    return value


def clean_currency(value: str) -> str:
    code = clean_line(value).upper()
    if code not in CURRENCIES:
        raise ValueError("not an ISO 4217 currency code (e.g. EUR, THB)")
    return code


def clean_timezone(value: str) -> str:
    value = clean_line(value)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not an IANA timezone (e.g. Asia/Bangkok)") from None
    return value


def utc_datetime(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time needs a UTC offset (e.g. 2026-05-05T09:00:00+07:00)")
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("time is out of range") from None


def _iso_only(value: object) -> object:
    # pydantic would read a bare number as a Unix timestamp; a typo like "11" (or "5e-7")
    # must not silently become 1970-01-01.
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        raise ValueError("use an ISO 8601 time with an offset, e.g. 2026-05-05T09:00:00+07:00")
    return value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _not_a_truth_value(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("an id is a number, not true or false")
    return value


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


Line = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(clean_line)]
# Words to search for: a NUL or other control character is a mistake to refuse, not a
# pattern (PostgreSQL cannot hold a NUL in text; SQLite matched every row with it).
SearchWords = Annotated[str, AfterValidator(clean_line)]
OptionalLine = Annotated[str, Field(max_length=300), AfterValidator(clean_line)]
Text = Annotated[str, Field(max_length=200_000), AfterValidator(clean_text)]
# A mail subject: one line (it becomes a header), possibly empty.
Subject = Annotated[str, Field(max_length=1000), AfterValidator(clean_line)]
Email = Annotated[str, BeforeValidator(_strip), Field(max_length=254), AfterValidator(clean_email)]
Language = Annotated[str, Field(max_length=35), AfterValidator(clean_language)]
Currency = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(clean_currency)]
Timezone = Annotated[str, Field(max_length=64), AfterValidator(clean_timezone)]
UTCTime = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(utc_datetime)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False)]
# JSON's true is not an id: read leniently it is the number 1 (a survey for `"customer_id":
# true` went to customer 1). Numbers and digit strings are ids; true and false are not.
Id = Annotated[int, BeforeValidator(_not_a_truth_value), Field(ge=1, le=MAX_DB_INT)]

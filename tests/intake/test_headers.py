"""Header decoding: encoded words, raw 8-bit, addresses, dates and ids."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from amends.intake.headers import (
    addresses,
    b64decode_lenient,
    decode_header,
    message_id,
    message_ids,
    parse_date,
)

LANGS = ("en", "th", "sk", "cs", "el")


def _b(data: bytes, charset: str = "utf-8") -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("plain subject", "plain subject"),
        ("=?utf-8?Q?Dobr=C3=BD_de=C5=88?=", "Dobrý deň"),
        (_b("Kalimméra".encode(), "UTF-8"), "Kalimméra"),
        ("=?utf-8?q?a?= =?utf-8?q?b?=", "ab"),
        ("=?utf-8?q?a?=\r\n\t=?utf-8?q?b?=", "ab"),
        ("Re: =?utf-8?q?a?= tail", "Re: a tail"),
        (_b("Τιμολόγιο".encode("iso8859-7"), "iso-8859-7"), "Τιμολόγιο"),
        ("=?windows-874?Q?=CA=C7=D1=CA=B4=D5?=", "สวัสดี"),
        ("=?utf-8*sk?Q?=C5=BEiados=C5=A5?=", "žiadosť"),
        ("=?x-unknown?Q?Vr=C3=A1tenie?=", "Vrátenie"),
        ("=?x-unknown?Q?Vr=E1tenie_pe=F2az=ED?=", "Vrátenie peňazí"),
        ("=?utf-8?B?!!!?=", ""),
        ("=?utf-8?B?SGk?=", "Hi"),
        ("=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated"),
        ("line\r\n folded", "line folded"),
        ("ctrl\x00\x07chars", "ctrlchars"),
    ],
)
def test_decode_header(raw: str, text: str) -> None:
    assert decode_header(raw, LANGS) == text


def test_split_multibyte_across_words_is_joined() -> None:
    data = "สินค้าชำรุด".encode()
    raw = f"{_b(data[:4])} {_b(data[4:11])}\r\n {_b(data[11:])}"
    assert decode_header(raw, LANGS) == "สินค้าชำรุด"


def test_words_of_different_charsets_are_not_joined() -> None:
    raw = "=?iso-8859-2?Q?=B9?= =?utf-8?Q?=C5=A1?="
    assert decode_header(raw, LANGS) == "šš"


def test_raw_8bit_headers() -> None:
    assert decode_header("Λάθος χρέωση".encode(), LANGS) == "Λάθος χρέωση"
    assert decode_header("สินค้า".encode("cp874"), LANGS) == "สินค้า"
    assert decode_header("Žiadosť".encode("cp1250"), LANGS) == "Žiadosť"
    # What the parser stores: undecodable bytes as surrogate escapes.
    stored = "Žiadosť".encode().decode("ascii", "surrogateescape")
    assert decode_header(stored, LANGS) == "Žiadosť"


def test_nfc() -> None:
    assert decode_header("=?utf-8?Q?fakturu=CC=81ra?=", LANGS) == "fakturúra"


def test_b64_lenient() -> None:
    assert b64decode_lenient(b"aGVsbG8") == b"hello"
    assert b64decode_lenient(b"aGVs\r\nbG8=") == b"hello"
    assert b64decode_lenient(b"aGVs bG8*") == b"hello"
    assert b64decode_lenient(b"a") == b""
    assert b64decode_lenient(b"") == b""


def test_addresses_parse_before_decoding() -> None:
    raw = ['"=?utf-8?Q?Nov=C3=A1k=2C_J=C3=A1n?=" <Jan@Example.SK>, =?utf-8?Q?P=2C_Q?= <pq@x.y>']
    assert addresses(raw, LANGS) == [("Novák, Ján", "jan@example.sk"), ("P, Q", "pq@x.y")]


def test_addresses_ignore_garbage() -> None:
    assert addresses(["undisclosed-recipients:;"], LANGS) == []
    assert addresses(["<<<>>>"], LANGS) == []


@pytest.mark.parametrize(
    ("raw", "when"),
    [
        ("Mon, 3 Mar 2025 10:15:00 +0700", datetime(2025, 3, 3, 3, 15, tzinfo=UTC)),
        ("3 Mar 2025 10:15:00 -0000", datetime(2025, 3, 3, 10, 15, tzinfo=UTC)),
        ("Mon, 3 Mar 2025 10:15:00 GMT", datetime(2025, 3, 3, 10, 15, tzinfo=UTC)),
        ("yesterday", None),
        ("Mon, 99 Mar 2025 10:15:00 +0700", None),
        ("Mon, 3 Mar 99999 10:15:00 +0700", None),
        ("Mon, 3 Mar 2025 10:15:00 +9999", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(raw: str | None, when: datetime | None) -> None:
    assert parse_date(raw) == when


def test_message_ids() -> None:
    assert message_id(" <abc@x.example> ") == "abc@x.example"
    assert message_id("abc@x.example") == "abc@x.example"
    assert message_id("") is None
    assert message_id(None) is None
    assert message_id("<a@b> (Jan's message of Monday)") == "a@b"
    assert message_ids("<a@b>\r\n <c@d> <e@f>") == ["a@b", "c@d", "e@f"]
    assert message_ids("no ids here") == []

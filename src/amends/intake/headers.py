"""Header values: encoded words, raw 8-bit text, addresses, dates and message ids.

The standard library decodes each RFC 2047 encoded word on its own, so a character
split across two words becomes U+FFFD, and it gives up on unknown charsets and raw
8-bit headers. This decoder joins adjacent words of one charset before decoding and
sends everything through the same charset repair as bodies.
"""

from __future__ import annotations

import binascii
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import getaddresses, parsedate_to_datetime

from amends.text.charset import decode_bytes, decode_undeclared
from amends.text.header import header_problem
from amends.text.languages import LANGUAGES

_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=")
_FOLD = re.compile(rb"\r?\n(?=[ \t])")
_LINE_BREAK = re.compile(rb"[\r\n]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# Anything a mail client, a terminal or a header writer could read as the end of a line:
# a space in its place keeps the words apart, and no line break reaches an outgoing
# header (a subject is quoted in replies, a display name becomes a contact's name).
_BREAK = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_ADDR_SPEC = r"[^<>\s,;:\"()\\\[\]@]+@[^<>\s,;:\"()\\\[\]@]+"
# One addr-spec and nothing else; \s covers U+2028 and U+2029 too.
_MAILBOX_PART = r"[^\s@<>,;:\"()\\\[\]\x00-\x1f\x7f-\x9f]+"
_MAILBOX = re.compile(f"{_MAILBOX_PART}@{_MAILBOX_PART}")
_SIMPLE_ADDRESS = re.compile(
    rf"\s*(?:([^<>,;:\"()\\\[\]@\s][^<>,;:\"()\\\[\]@]*?)?\s*<({_ADDR_SPEC})>|({_ADDR_SPEC}))\s*"
)


def to_bytes(value: str) -> bytes:
    """The original bytes of a header the parser read with ``surrogateescape``."""
    return value.encode("utf-8", "surrogateescape")


def b64decode_lenient(data: bytes) -> bytes:
    """Base64 that tolerates junk characters and missing or misplaced padding."""
    clean = _B64_JUNK.sub(b"", data)
    extra = len(clean) % 4
    if extra == 1:
        # One stray character cannot encode a byte: a truncated tail; drop it.
        clean = clean[:-1]
    elif extra:
        clean += b"=" * (4 - extra)
    try:
        return binascii.a2b_base64(clean)
    except binascii.Error:
        return b""


def _decode_word(encoding: bytes, text: bytes) -> bytes:
    if encoding in (b"B", b"b"):
        return b64decode_lenient(text)
    return binascii.a2b_qp(text, header=True)


def _plain(chunk: bytes, languages: Sequence[str]) -> str:
    if not chunk:
        return ""
    if chunk.isascii():
        return chunk.decode("ascii")
    return decode_undeclared(chunk, languages).text


def decode_header(value: str | bytes, languages: Sequence[str] = LANGUAGES) -> str:
    """A header value as text: unfolded, encoded words decoded, NFC, controls removed."""
    if isinstance(value, str):
        if value.isascii() and "=?" not in value and not _ANY_CONTROL.search(value):
            # Most header values are plain ASCII: nothing to decode, and ASCII is NFC.
            return value
        raw = to_bytes(value)
    else:
        raw = value
    raw = _LINE_BREAK.sub(b"", _FOLD.sub(b"", raw))
    pieces: list[str] = []
    pending: bytearray | None = None
    pending_charset = ""
    position = 0
    for match in _ENCODED_WORD.finditer(raw):
        between = raw[position : match.start()]
        # RFC 2047 6.2: whitespace between two encoded words is not part of the text.
        if pending is None or between.strip(b" \t"):
            if pending is not None:
                pieces.append(decode_bytes(bytes(pending), pending_charset, languages).text)
                pending = None
            pieces.append(_plain(between, languages))
        charset = match.group(1).decode("ascii", "replace").split("*", 1)[0]
        data = _decode_word(match.group(2), match.group(3))
        if pending is not None and charset.lower() == pending_charset.lower():
            # Join before decoding: senders split multi-byte characters across words.
            pending += data
        else:
            if pending is not None:
                pieces.append(decode_bytes(bytes(pending), pending_charset, languages).text)
            pending, pending_charset = bytearray(data), charset
        position = match.end()
    if pending is not None:
        pieces.append(decode_bytes(bytes(pending), pending_charset, languages).text)
    pieces.append(_plain(raw[position:], languages))
    text = "".join(pieces)
    if header_problem(text) is not None:
        text = _CONTROL.sub("", _BREAK.sub(" ", text))
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def is_mailbox(address: str) -> bool:
    """Whether a decoded address is exactly one ``local@domain`` mailbox (nothing that a
    header writer could read as a list, a comment, a route or a second line)."""
    return _MAILBOX.fullmatch(address) is not None


def collapse(text: str) -> str:
    """Whitespace runs to single spaces, ends trimmed."""
    return " ".join(text.split())


def addresses(values: Sequence[str], languages: Sequence[str]) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs from raw address headers.

    The structure is parsed before any decoding, so a comma or quote inside an
    encoded display name cannot split or merge addresses.
    """
    result: list[tuple[str, str]] = []
    unfolded = [value.replace("\r", "").replace("\n", "") for value in values]
    simple = _SIMPLE_ADDRESS.fullmatch(unfolded[0]) if len(unfolded) == 1 else None
    if simple is not None:
        # One plain "Name <address>" or bare address: the stdlib address parser is
        # exact but slow, and it would return the same pair.
        found = [(simple.group(1) or "", simple.group(2) or simple.group(3))]
    else:
        found = getaddresses(unfolded)
    for name, address in found:
        if not address:
            continue
        decoded_address = collapse(decode_header(address, languages)).lower()
        decoded_name = collapse(decode_header(name, languages)) if name else ""
        result.append((decoded_name, decoded_address))
    return result


def parse_date(value: str | None) -> datetime | None:
    """An aware UTC datetime from a Date header, or None if missing or unparseable."""
    if not value:
        return None
    text = to_bytes(value).decode("ascii", "replace").strip()
    try:
        parsed = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        # RFC 5322 "-0000" means the zone is unknown; UTC is the honest reading.
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def message_ids(value: str | None) -> list[str]:
    """Message ids in a header (References, In-Reply-To), without angle brackets."""
    if not value:
        return []
    text = to_bytes(value).decode("utf-8", "replace")
    found = _MESSAGE_ID.findall(text)
    if found:
        return found
    # Some clients omit the brackets; then ids are the words that look like one.
    return [word.strip("<>") for word in text.split() if "@" in word]


def message_id(value: str | None) -> str | None:
    """The first message id in a header, or None."""
    ids = message_ids(value)
    return ids[0] if ids else None

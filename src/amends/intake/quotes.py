"""Separate what the sender just wrote from the quoted conversation and the signature.

Customers reply from Gmail, Outlook, Apple Mail and phones, in English, Thai,
Slovak, Czech and Greek; each client marks the quoted part differently. The markers
recognised here are the attribution line ("On ... wrote:" and its translations), the
Outlook header block ("From: ... Sent: ..." and its translations), separator lines
("-----Original Message-----", "---------- Forwarded message ----------"), ``>``
quoting, the ``-- `` signature delimiter and the phones' "Sent from my iPhone".
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReplyParts:
    """A body split into new text, quoted text and signature (each stripped)."""

    new_text: str
    quoted_text: str
    signature: str


# "wrote:" in the languages we serve, plus the neighbours customers' clients use.
_WROTE = re.compile(
    r"(?:\bwrote|napísal(?:\(a\)|\(-a\)|a)?|napsal(?:\(a\)|\(-a\)|a)?|έγραψε|"
    r"เขียนว่า|เขียน|\bschrieb(?:\s.{0,200})?|a\s+écrit|escribió|napisał(?:\(a\)|a)?)\s*:\s*$",
    re.IGNORECASE,
)
# Words that open an attribution line, so a wrapped one can be joined safely.
_ATTRIBUTION_START = re.compile(
    r"^(?:On|Dňa|Dne|Στις|Την|Ο|Η|เมื่อ|Am|Le|El|W\s+dniu)\s", re.IGNORECASE
)
_HAS_DATE_OR_ADDRESS = re.compile(r"\d|@")

_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:original message|forwarded message|pôvodná správa|preposlaná správa|"
    r"původní zpráva|přeposlaná zpráva|αρχικό μήνυμα|προωθημένο μήνυμα|ข้อความต้นฉบับ|"
    r"ข้อความที่ส่งต่อ|ursprüngliche nachricht|weitergeleitete nachricht|"
    r"message d'origine)\s*-{2,}\s*$"
    r"|^\s*(?:begin forwarded message|začiatok preposlanej správy|"
    r"začátek přeposlané zprávy|έναρξη προωθημένου μηνύματος)\s*:\s*$",
    re.IGNORECASE,
)
# Every marker line contains one of these, which lets most lines be skipped cheaply.
_MARKS = (":", "@", "<", "--", "__")
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")

_FIELD = r"^\s*\*?(?:{})\s*\*?\s*:"
_OUTLOOK_FROM = re.compile(
    _FIELD.format("From|Od|Από|จาก|Von|De|Van|Från|Fra") + r"\*?\s*\S", re.IGNORECASE
)
_OUTLOOK_SENT = re.compile(
    _FIELD.format(
        "Sent|Date|Odoslané|Odesláno|Dátum|Datum|Στάλθηκε|Ημερομηνία|ส่ง|วันที่|"
        "Gesendet|Envoyé|Enviado|Skickat"
    ),
    re.IGNORECASE,
)
_OUTLOOK_TO = re.compile(
    _FIELD.format(
        "To|Komu|Προς|ถึง|An|À|Para|Till|Subject|Predmet|Předmět|Θέμα|เรื่อง|Betreff|"
        "Objet|Asunto|Cc|Kópia|Kopie|Κοιν"
    ),
    re.IGNORECASE,
)

_SIGNOFF = re.compile(
    r"^(?:Sent from my \S+(?: \S+){0,3}|Sent from (?:Outlook|Mail|Yahoo Mail)\b.{0,40}|"
    r"Get Outlook for (?:iOS|Android)|"
    r"Odoslané z (?:môjho )?\S+(?: \S+){0,3}|Odesláno z (?:mého )?\S+(?: \S+){0,3}|"
    r"Στάλθηκε από (?:το |τη |την )?\S+(?: \S+){0,3}|Εστάλη από \S+(?: \S+){0,3}|"
    r"ส่งจาก \S+(?: \S+){0,3}|Von meinem \S+ gesendet)\s*$",
    re.IGNORECASE,
)
_SIGNOFF_MAX_AFTER = 3
_DASHES_MAX_AFTER = 15


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _ends_like_attribution(line: str) -> bool:
    # The cheap test first: bodies are long and almost no line ends with a colon.
    return line.rstrip().endswith(":") and len(line) < 400 and bool(_WROTE.search(line))


def _attribution_at(lines: list[str], i: int) -> int:
    """Lines in the attribution starting at ``i`` (0 if none); it may wrap over 3 lines."""
    first = lines[i]
    if _is_quoted(first) or not first.strip():
        return 0
    if _ends_like_attribution(first) and _HAS_DATE_OR_ADDRESS.search(first):
        return 1
    wraps = bool(_ATTRIBUTION_START.match(first.strip())) or "@" in first or "<" in first
    if not wraps:
        return 0
    for size in (2, 3):
        chunk = lines[i : i + size]
        if len(chunk) < size or any(_is_quoted(line) or not line.strip() for line in chunk):
            return 0
        last = chunk[-1]
        if not _ends_like_attribution(last):
            continue
        if _HAS_DATE_OR_ADDRESS.search(" ".join(chunk)):
            # If the last line is a whole attribution on its own, it starts there instead.
            if _ATTRIBUTION_START.match(last.strip()) and _HAS_DATE_OR_ADDRESS.search(last):
                return 0
            return size
    return 0


def _outlook_block_at(lines: list[str], i: int) -> bool:
    if not _OUTLOOK_FROM.match(lines[i]):
        return False
    window = lines[i + 1 : i + 7]
    return any(_OUTLOOK_SENT.match(line) for line in window) and any(
        _OUTLOOK_TO.match(line) for line in window
    )


def find_quote_start(lines: list[str]) -> tuple[int, str] | None:
    """Index of the first line of the quoted conversation and its kind, if any."""
    for i, line in enumerate(lines):
        if _is_quoted(line) or not any(mark in line for mark in _MARKS):
            continue
        if _SEPARATOR.match(line):
            return i, "separator"
        if _UNDERSCORES.match(line) and any(
            _outlook_block_at(lines, j) for j in range(i + 1, min(i + 3, len(lines)))
        ):
            return i, "separator"
        if _outlook_block_at(lines, i):
            return i, "outlook"
        if _attribution_at(lines, i):
            return i, "attribution"
    return None


def _split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    for i, line in enumerate(lines):
        if line == "-- " or (
            line.rstrip() == "--" and _count_text(lines[i + 1 :]) <= _DASHES_MAX_AFTER
        ):
            return lines[:i], lines[i + 1 :]
    for i, line in enumerate(lines):
        if _SIGNOFF.match(line.strip()) and _count_text(lines[i + 1 :]) <= _SIGNOFF_MAX_AFTER:
            return lines[:i], lines[i:]
    return lines, []


def _count_text(lines: list[str]) -> int:
    return sum(1 for line in lines if line.strip())


def _join(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip("\n").strip()


def split_reply(text: str) -> ReplyParts:
    """Split a plain-text body (``\\n`` line ends) into new text, quotes and signature."""
    lines = text.split("\n")
    found = find_quote_start(lines)
    quoted: list[str] = []
    if found is None:
        head = lines
    else:
        start, kind = found
        head, tail = lines[:start], lines[start:]
        if kind == "attribution" and not _count_text(head):
            # Nothing above the attribution: an inline or bottom-posted reply, where
            # the sender's answers sit between the quoted lines.
            size = _attribution_at(lines, start)
            head = [line for line in tail[size:] if not _is_quoted(line)]
            quoted = tail[:size] + [line for line in tail[size:] if _is_quoted(line)]
            tail = []
        quoted += tail
    inline_quotes = [line for line in head if _is_quoted(line)]
    if inline_quotes:
        head = [line for line in head if not _is_quoted(line)]
        quoted = inline_quotes + quoted
    body, signature = _split_signature(head)
    return ReplyParts(_join(body), _join(quoted), _join(signature))

"""What counts as personal content, and how it is replaced: pure decisions, no I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from amends.people.rules import Role

# What erased text reads as everywhere (pages, API, exports). One plain ASCII token, so
# it fits every column (the shortest is 30 characters) and never looks like data.
MARKER = "[erased]"

# Keys of timeline, notification and verdict JSON whose string values are words people
# wrote or copied from a customer (a hand-off reason, a pattern's title taken from a
# case, a corrective action's sentence). Everything else there is structure: message
# ids, steps, kinds, amounts, currencies, ids, which a page needs to draw the event.
FREE_TEXT_KEYS = frozenset(
    {
        "after",
        "before",
        "body",
        "commitment",
        "decision_note",
        "description",
        "email",
        "name",
        "note",
        "override_reason",
        "pattern",
        "quote",
        "rationale",
        "reason",
        "reasons",
        "root_cause",
        "subject",
        "text",
        "title",
    }
)
# Needles shorter than this would match inside ordinary words of other people's text.
MIN_NEEDLE = 4


def may_handle_personal_data(role: Role) -> bool:
    """Only owners export or erase a customer: it is all of their data at once, and an
    erasure cannot be undone."""
    return role is Role.OWNER


def hidden_key(value: str | None) -> str | None:
    """An idempotency key with its content gone but still unique (Message-IDs may name the
    sender), so the same mail arriving again is still recognised as seen."""
    if value is None or value.startswith("erased:"):
        return value
    return "erased:" + hashlib.sha256(value.encode()).hexdigest()


def erased_text(value: str | None) -> str | None:
    """The marker in place of any non-empty text; empty and missing stay as they were."""
    return MARKER if value else value


def needles(values: Iterable[str | None]) -> list[str]:
    """The strings that identify a person (names, addresses, phones), longest first, so a
    full name is replaced before the shorter parts it contains."""
    found = {v.strip() for v in values if v and len(v.strip()) >= MIN_NEEDLE}
    return sorted(found - {MARKER}, key=len, reverse=True)


def redact(text: str, found: Iterable[str]) -> str:
    """``text`` with every occurrence of each needle (any case) replaced by the marker."""
    lowered = text.casefold()
    for needle in found:
        folded = needle.casefold()
        if folded not in lowered:
            continue
        text = _replace_folded(text, needle)
        lowered = text.casefold()
    return text


def _replace_folded(text: str, needle: str) -> str:
    # casefold can change lengths (ß -> ss), so positions are found on a copy folded
    # character by character, where lengths still line up with the original.
    folded_chars = [c.casefold() for c in text]
    target = needle.casefold()
    out: list[str] = []
    i = 0
    while i < len(text):
        j, acc = i, ""
        while j < len(text) and len(acc) < len(target):
            acc += folded_chars[j]
            j += 1
        if acc == target:
            out.append(MARKER)
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def scrub(value: Any, found: Iterable[str], *, key: str = "") -> Any:
    """JSON with free text (by key) replaced and identifying strings redacted elsewhere;
    numbers, ids, flags and structural strings are kept so the event still reads."""
    found = list(found)
    if isinstance(value, dict):
        return {k: scrub(v, found, key=str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, found, key=key) for v in value]
    if isinstance(value, str):
        if key in FREE_TEXT_KEYS and value:
            return MARKER
        return redact(value, found)
    return value

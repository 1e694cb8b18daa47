"""Email intake: raw message bytes to decoded, structured text (``parse_message``).

The pure core lives here; storing raw bytes, threading into cases and the IMAP/SMTP
channels build on it. The names below load on first use (PEP 562): the parser
compiles many patterns, and commands such as the CSV import should not pay for that.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amends.intake.mime import Limits
    from amends.intake.parse import parse_message
    from amends.intake.result import (
        Attachment,
        ForwardedMessage,
        ParsedMessage,
        SkippedAttachment,
    )
    from amends.intake.rules import IgnoreReason

_EXPORTS = {
    "Attachment": "amends.intake.result",
    "ForwardedMessage": "amends.intake.result",
    "IgnoreReason": "amends.intake.rules",
    "Limits": "amends.intake.mime",
    "ParsedMessage": "amends.intake.result",
    "SkippedAttachment": "amends.intake.result",
    "parse_message": "amends.intake.parse",
}

__all__ = [
    "Attachment",
    "ForwardedMessage",
    "IgnoreReason",
    "Limits",
    "ParsedMessage",
    "SkippedAttachment",
    "parse_message",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'amends.intake' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

"""Email intake: raw message bytes to decoded, structured text (``parse_message``).

The pure core lives here; storing raw bytes, threading into cases and the IMAP/SMTP
channels build on it.
"""

from amends.intake.mime import Limits
from amends.intake.parse import parse_message
from amends.intake.result import Attachment, ForwardedMessage, ParsedMessage, SkippedAttachment
from amends.intake.rules import IgnoreReason

__all__ = [
    "Attachment",
    "ForwardedMessage",
    "IgnoreReason",
    "Limits",
    "ParsedMessage",
    "SkippedAttachment",
    "parse_message",
]

"""What parsing an email produces: plain frozen values, independent of storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from amends.intake.rules import IgnoreReason


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file carried by the message, under a name that is safe to store and serve."""

    filename: str
    content_type: str
    data: bytes
    sha256: str
    size: int
    content_id: str | None = None
    inline: bool = False


@dataclass(frozen=True, slots=True)
class SkippedAttachment:
    """A file left out because of a size limit; ``code`` says which limit."""

    filename: str
    content_type: str
    size: int
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class ForwardedMessage:
    """A ``message/rfc822`` part: the forwarded mail's envelope and its text."""

    message_id: str | None
    from_address: str | None
    from_name: str
    subject: str
    date: datetime | None
    body_text: str


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """One email, decoded and structured; all text is NFC with ``\\n`` line ends."""

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    from_address: str | None
    from_name: str
    reply_to: tuple[str, ...]
    to_addresses: tuple[str, ...]
    cc_addresses: tuple[str, ...]
    subject: str
    normalised_subject: str
    case_ref: str | None
    date: datetime | None
    content_type: str
    body_text: str
    new_text: str
    quoted_text: str
    signature: str
    html_converted: bool
    charset_used: str | None
    charset_repaired: bool
    notes: tuple[str, ...]
    attachments: tuple[Attachment, ...]
    skipped_attachments: tuple[SkippedAttachment, ...]
    forwarded: tuple[ForwardedMessage, ...]
    language: str
    ignore_reason: IgnoreReason | None

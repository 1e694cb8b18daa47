"""Parsed mail fitted to the columns it is written to, the same on every engine.

PostgreSQL refuses a value longer than its VARCHAR while SQLite stores it whole, so a
mail that was fine on one engine stopped intake on the other. Every limit is read here
from the model columns (the one place they are declared), and applied before the
database is reached: text a person reads (a subject, a name) is cut with a marker; a
Message-ID or an address that does not fit cannot be cut without becoming another
one, so that mail is quarantined with the reason.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from amends.customers.models import Contact, Customer
from amends.errors import N_, Quarantined
from amends.intake.models import RawMail
from amends.intake.result import Attachment, ParsedMessage
from amends.intake.rules import shorten
from amends.messages.models import Message, StoredAttachment

FALLBACK_TYPE = "application/octet-stream"


def _length(model: Any, name: str) -> int:
    length = getattr(model.__table__.c[name].type, "length", None)
    assert isinstance(length, int), f"{model.__name__}.{name} has no length"
    return length


SUBJECT = _length(Message, "subject")
NAME = min(_length(Contact, "name"), _length(Customer, "name"))
MESSAGE_ID = min(_length(Message, "message_key"), _length(RawMail, "message_key"))
ADDRESS = min(_length(Message, "from_address"), _length(Contact, "email"))
SOURCE_REF = _length(RawMail, "source_ref")
CONTENT_TYPE = _length(StoredAttachment, "content_type")
FILENAME = _length(StoredAttachment, "filename")


def fit(parsed: ParsedMessage) -> ParsedMessage:
    """``parsed`` with every stored value within its column, or ``Quarantined``."""
    if parsed.message_id is not None and len(parsed.message_id) > MESSAGE_ID:
        raise Quarantined.saying(
            N_("the Message-ID is %(length)s characters long; at most %(limit)s are kept"),
            code="mail-id-too-long",
            length=len(parsed.message_id),
            limit=MESSAGE_ID,
        )
    if parsed.from_address is not None and len(parsed.from_address) > ADDRESS:
        raise Quarantined.saying(
            N_("the sender's address is %(length)s characters long; at most %(limit)s are kept"),
            code="mail-address-too-long",
            length=len(parsed.from_address),
            limit=ADDRESS,
        )
    subject = shorten(parsed.subject, SUBJECT)
    name = shorten(parsed.from_name, NAME)
    attachments = tuple(_fit_attachment(a) for a in parsed.attachments)
    if (subject, name, attachments) == (parsed.subject, parsed.from_name, parsed.attachments):
        return parsed  # nearly every mail: nothing to copy
    return dataclasses.replace(parsed, subject=subject, from_name=name, attachments=attachments)


def _fit_attachment(attachment: Attachment) -> Attachment:
    if len(attachment.content_type) <= CONTENT_TYPE and len(attachment.filename) <= FILENAME:
        return attachment
    content_type = attachment.content_type
    if len(content_type) > CONTENT_TYPE:
        # A type cut short would be another type; the bytes are served as bytes anyway.
        content_type = FALLBACK_TYPE
    return dataclasses.replace(
        attachment, content_type=content_type, filename=shorten(attachment.filename, FILENAME)
    )

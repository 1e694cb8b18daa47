"""Raw email bytes to a ``ParsedMessage``, or ``Quarantined`` with a stable code.

The MIME tree is the one the stdlib parser builds with the ``compat32`` policy (the
``default`` policy parses every header into objects while reading, which costs ten
times more and still decodes encoded words one by one); ``mime.parse_tree`` builds it
faster. Everything the stdlib lacks
is done here and in the sibling modules: header decoding, charset repair, HTML to
text, quote splitting, language detection and loop detection.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from email.message import Message

from amends.errors import N_, Quarantined
from amends.intake.headers import (
    addresses,
    collapse,
    decode_header,
    is_mailbox,
    message_id,
    message_ids,
)
from amends.intake.headers import parse_date as _parse_date
from amends.intake.html import html_to_text
from amends.intake.mime import (
    Limits,
    check_raw,
    check_tree,
    children,
    parse_params,
    parse_tree,
    payload_bytes,
    raw_headers,
    unflow,
)
from amends.intake.quotes import split_reply
from amends.intake.result import Attachment, ForwardedMessage, ParsedMessage, SkippedAttachment
from amends.intake.rules import ignore_reason, normalise_subject, safe_filename
from amends.messages.rules import ref_in_subject
from amends.text.charset import decode_bytes
from amends.text.detect import MIN_LETTERS, UNDETERMINED, detect_language
from amends.text.languages import LANGUAGES

FORWARD_MARKER = "---------- Forwarded message ----------"

# A message must carry at least one of these to be mail rather than some other file.
_MAIL_HEADERS = frozenset(
    {
        "from",
        "sender",
        "to",
        "cc",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "received",
        "return-path",
        "reply-to",
        "delivered-to",
    }
)
# C0 controls except tab and newline: PostgreSQL text rejects NUL, and none of them
# means anything to a reader.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "text/csv": ".csv",
    "message/rfc822": ".eml",
    "message/delivery-status": ".txt",
}


_BODY_TYPES = frozenset({"text/plain", "text/html"})


@dataclass(frozen=True, slots=True)
class _PartInfo:
    ctype: str
    params: dict[str, str]
    disposition: str
    disposition_params: dict[str, str]
    content_id: str | None

    @property
    def filename(self) -> str | None:
        return self.disposition_params.get("filename") or self.params.get("name") or None


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


class _Walker:
    """Collects body text, attachments and forwarded mail from one MIME tree."""

    def __init__(
        self,
        languages: Sequence[str],
        limits: Limits,
        known_headers: dict[int, dict[str, list[str]]] | None = None,
    ) -> None:
        self.languages = languages
        self.limits = limits
        self.attachments: list[Attachment] = []
        self.skipped: list[SkippedAttachment] = []
        self.forwarded: list[ForwardedMessage] = []
        self.notes: list[str] = []
        self.charset_used: str | None = None
        self.charset_repaired = False
        self.html_converted = False
        self.attached_bytes = 0
        # Parts are described once: alternatives are inspected before they are walked.
        self._described: dict[int, _PartInfo] = {}
        self._known_headers = known_headers or {}

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def _describe(self, part: Message) -> _PartInfo:
        cached = self._described.get(id(part))
        if cached is not None:
            return cached
        info = self._read_part_headers(part)
        self._described[id(part)] = info
        return info

    def _read_part_headers(self, part: Message) -> _PartInfo:
        headers = self._known_headers.get(id(part)) or raw_headers(part)
        ctype, params = parse_params(_first(headers, "content-type"), self.languages)
        if ctype.count("/") != 1 or " " in ctype:
            # RFC 2045 5.2: an invalid Content-Type means the default type.
            ctype = part.get_default_type()
        disposition, dparams = parse_params(_first(headers, "content-disposition"), self.languages)
        content_id = collapse(_first(headers, "content-id") or "").strip("<>") or None
        return _PartInfo(ctype, params, disposition, dparams, content_id)

    def walk(self, part: Message, *, text: bool = True) -> list[str]:
        """Text segments of ``part``; attachments and forwards are recorded on the side.

        With ``text=False`` only files are collected: for the branches of an
        alternative or related group that are not shown.
        """
        for defect in part.defects:
            self.note(f"defect: {type(defect).__name__}")
        info = self._describe(part)
        subparts = children(part)
        if info.ctype.startswith("multipart/") and subparts is not None:
            subtype = info.ctype.partition("/")[2]
            if subtype == "alternative":
                return self._alternative(subparts, text=text)
            if subtype == "related":
                return self._related(subparts, info.params.get("start"), text=text)
            if subtype == "signed":
                # The second part is the signature itself, not a file the sender chose.
                return self.walk(subparts[0], text=text) if subparts else []
            segments: list[str] = []
            for child in subparts:
                segments.extend(self.walk(child, text=text))
            return segments
        if info.ctype in ("message/rfc822", "message/global") and subparts and text:
            return [self._forward(subparts[0])]
        is_body = info.ctype.startswith("multipart/") or (
            info.ctype in _BODY_TYPES and info.disposition != "attachment" and not info.filename
        )
        if is_body:
            return [self._text(part, info)] if text else []
        self._attach(part, info)
        return []

    def _kind(self, part: Message) -> str:
        return self._describe(part).ctype

    def _alternative(self, children: list[Message], *, text: bool) -> list[str]:
        chosen: Message | None = None
        segments: list[str] = []
        for wanted in ("text/plain", "text/html"):
            for child in children:
                if self._kind(child) != wanted:
                    continue
                segments = self.walk(child, text=text)
                # Some clients send an empty text/plain beside the real HTML body.
                if not text or any(segment.strip() for segment in segments):
                    chosen = child
                    break
            if chosen is not None:
                break
        if chosen is None:
            segments = []
            # No usable text part: the last alternative is the richest (RFC 2046 5.1.4).
            for child in reversed(children):
                if self._kind(child).startswith(("multipart/", "message/")):
                    chosen = child
                    segments = self.walk(child, text=text)
                    break
        for child in children:
            if child is not chosen and self._kind(child) not in _BODY_TYPES:
                # Files inside branches we do not show (a screenshot pasted into the HTML
                # branch, a calendar invitation) are still things the customer sent.
                self.walk(child, text=False)
        return segments

    def _related(self, children: list[Message], start: str | None, *, text: bool) -> list[str]:
        if not children:
            return []
        root = children[0]
        if start:
            wanted = start.strip().strip("<>")
            for child in children:
                if self._describe(child).content_id == wanted:
                    root = child
                    break
        segments = self.walk(root, text=text)
        for child in children:
            if child is not root:
                self.walk(child, text=False)
        return segments

    def _text(self, part: Message, info: _PartInfo) -> str:
        data = payload_bytes(part)
        decoded = decode_bytes(data, info.params.get("charset"), self.languages)
        if self.charset_used is None:
            self.charset_used = decoded.charset
        if decoded.repaired:
            self.charset_repaired = True
        if decoded.note:
            self.note(decoded.note)
        content = decoded.text
        if len(content) > self.limits.max_text_chars:
            content = content[: self.limits.max_text_chars]
            self.note(f"text part cut to {self.limits.max_text_chars} characters")
        content = content.replace("\r\n", "\n").replace("\r", "\n")
        if info.ctype == "text/html":
            self.html_converted = True
            return html_to_text(content)
        if info.params.get("format", "").lower() == "flowed":
            return unflow(content, delsp=info.params.get("delsp", "").lower() == "yes")
        return content

    def _forward(self, inner: Message) -> str:
        envelope = _Envelope(inner, self.languages)
        position = len(self.forwarded)
        body = _join_segments(self.walk(inner))
        self.forwarded.insert(
            position,
            ForwardedMessage(
                message_id=envelope.message_id,
                from_address=envelope.from_address,
                from_name=envelope.from_name,
                subject=envelope.subject,
                date=envelope.date,
                body_text=body,
            ),
        )
        lines = [FORWARD_MARKER]
        if envelope.from_address:
            sender = envelope.from_address
            lines.append(f"From: {envelope.from_name} <{sender}>" if envelope.from_name else sender)
        if envelope.subject:
            lines.append(f"Subject: {envelope.subject}")
        return "\n".join(lines) + "\n\n" + body

    def _attach(self, part: Message, info: _PartInfo) -> None:
        subparts = children(part)
        if subparts is not None:
            data = b"\n".join(_flatten(child) for child in subparts)
        else:
            data = payload_bytes(part)
        if info.filename:
            name = safe_filename(info.filename)
        else:
            name = "attachment" + _EXTENSIONS.get(info.ctype, "")
        size = len(data)
        limits = self.limits
        if size > limits.max_attachment_bytes:
            reason = f"{size} bytes, over the limit of {limits.max_attachment_bytes}"
            self.skipped.append(
                SkippedAttachment(name, info.ctype, size, "attachment-too-large", reason)
            )
            return
        if self.attached_bytes + size > limits.max_total_attachment_bytes:
            reason = f"attachments together exceed {limits.max_total_attachment_bytes} bytes"
            self.skipped.append(
                SkippedAttachment(name, info.ctype, size, "attachments-total-too-large", reason)
            )
            return
        self.attached_bytes += size
        self.attachments.append(
            Attachment(
                filename=name,
                content_type=info.ctype,
                data=data,
                sha256=hashlib.sha256(data).hexdigest(),
                size=size,
                content_id=info.content_id,
                inline=info.disposition == "inline",
            )
        )


def _flatten(message: Message) -> bytes:
    # Status parts (message/delivery-status) hold header blocks; rebuild them verbatim.
    lines = [f"{name}: {value}" for name, value in message.raw_items()]
    head = ("\n".join(lines) + "\n\n").encode("utf-8", "surrogateescape")
    return head + payload_bytes(message)


def _join_segments(segments: list[str]) -> str:
    text = "\n\n".join(s.strip("\n") for s in segments if s.strip())
    return _clean_text(text).strip("\n")


class _Envelope:
    """The addressing and identity headers of one message, decoded."""

    def __init__(self, message: Message, languages: Sequence[str]) -> None:
        self.headers = raw_headers(message)
        self.senders = addresses(self.headers.get("from", []), languages)
        self.from_name, address = self.senders[0] if self.senders else ("", "")
        self.from_address: str | None = address if is_mailbox(address) else None
        subject = _first(self.headers, "subject")
        self.subject = collapse(decode_header(subject, languages)) if subject else ""
        self.date = _parse_date(_first(self.headers, "date"))
        self.message_id = message_id(_first(self.headers, "message-id"))

    def addresses(self, name: str, languages: Sequence[str]) -> tuple[str, ...]:
        found = addresses(self.headers.get(name, []), languages)
        return tuple(address for _, address in found if is_mailbox(address))

    def check_sender(self) -> None:
        """Refuse a From that is not exactly one mailbox once decoded: whatever it is
        turned into (a contact's email, the address a reply goes to) must be one person.
        """
        if not self.senders:
            return  # no sender at all: the batch quarantines it as unanswerable
        if len(self.senders) > 1 or self.from_address is None:
            raise Quarantined.saying(
                N_("the sender (From) is not exactly one mailbox: %(sender)s"),
                code="mail-bad-sender",
                sender=", ".join(address for _, address in self.senders)[:300],
            )


def _language(new_text: str, body_text: str, subject: str, languages: Sequence[str]) -> str:
    sample = new_text or body_text
    found = detect_language(sample, languages)
    if found == UNDETERMINED and sum(map(str.isalpha, sample[:400])) < MIN_LETTERS:
        # A reply of a word or two: its subject usually says enough more.
        found = detect_language(f"{subject}\n{sample}", languages)
    return found


def parse_message(
    raw: bytes,
    *,
    languages: Sequence[str] = LANGUAGES,
    own_addresses: Collection[str] = (),
    limits: Limits = Limits(),
) -> ParsedMessage:
    """Decode and structure one raw email; raise ``Quarantined`` if it cannot be read."""
    data = bytes(raw)
    check_raw(data, limits)
    try:
        return _parse(data, languages, own_addresses, limits)
    except Quarantined:
        raise
    except RecursionError as exc:
        raise Quarantined("MIME structure is nested too deeply", code="mail-too-deep") from exc
    except Exception as exc:
        # Hostile bytes must never crash intake; the raw message is already stored, so
        # quarantining it with the error keeps it for a person and for a bug report.
        raise Quarantined(
            f"parser error {type(exc).__name__}: {exc}", code="mail-parser-error"
        ) from exc


def _parse(
    raw: bytes, languages: Sequence[str], own_addresses: Collection[str], limits: Limits
) -> ParsedMessage:
    try:
        message = parse_tree(raw)
    except RecursionError:
        raise
    except (ValueError, TypeError, LookupError, UnicodeError, IndexError) as exc:
        # The stdlib parser consults header parameters while it reads (boundary,
        # charset) and a hostile value can make it raise; that input is unreadable.
        raise Quarantined(
            f"MIME structure could not be read: {type(exc).__name__}: {exc}",
            code="mail-unparseable",
        ) from exc
    envelope = _Envelope(message, languages)
    if not _MAIL_HEADERS.intersection(envelope.headers):
        raise Quarantined("no mail headers found: this is not an email", code="mail-no-headers")
    envelope.check_sender()
    check_tree(message, limits)
    walker = _Walker(languages, limits, {id(message): envelope.headers})
    body_text = _join_segments(walker.walk(message))
    parts = split_reply(body_text)
    subject = envelope.subject
    content_type = parse_params(_first(envelope.headers, "content-type"), languages)[0]
    if content_type.count("/") != 1:
        content_type = "text/plain"
    return ParsedMessage(
        message_id=envelope.message_id,
        in_reply_to=message_id(_first(envelope.headers, "in-reply-to")),
        references=tuple(message_ids(" ".join(envelope.headers.get("references", [])))),
        from_address=envelope.from_address,
        from_name=envelope.from_name,
        reply_to=envelope.addresses("reply-to", languages),
        to_addresses=envelope.addresses("to", languages),
        cc_addresses=envelope.addresses("cc", languages),
        subject=subject,
        normalised_subject=normalise_subject(subject),
        case_ref=ref_in_subject(subject),
        date=envelope.date,
        content_type=content_type,
        body_text=body_text,
        new_text=parts.new_text,
        quoted_text=parts.quoted_text,
        signature=parts.signature,
        html_converted=walker.html_converted,
        charset_used=walker.charset_used,
        charset_repaired=walker.charset_repaired,
        notes=tuple(walker.notes),
        attachments=tuple(walker.attachments),
        skipped_attachments=tuple(walker.skipped),
        forwarded=tuple(walker.forwarded),
        language=_language(parts.new_text, body_text, subject, languages),
        ignore_reason=ignore_reason(
            envelope.headers,
            content_type=content_type,
            from_address=envelope.from_address,
            own_addresses=own_addresses,
        ),
    )

"""Pure decisions about incoming mail: loops, file names, subjects and case references."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from amends.errors import InvalidTransition

# Subjects are read the same way wherever mail is threaded (here and in replies).
from amends.messages.rules import normalise_subject as normalise_subject
from amends.messages.rules import subject_key as subject_key


class RawMailStatus(StrEnum):
    """Where a received email's stored bytes are: waiting, or what reading them found."""

    PENDING = "pending"  # stored, not yet (or, after a crash, not completely) processed
    STORED = "stored"  # became a message on a case
    DUPLICATE = "duplicate"
    IGNORED = "ignored"  # an auto-reply, a bounce, a robot: kept, never answered
    QUARANTINED = "quarantined"  # unreadable or unanswerable until someone looks


_UNDECIDED = frozenset({RawMailStatus.PENDING, RawMailStatus.QUARANTINED})


def raw_mail_transition(status: RawMailStatus, to: RawMailStatus) -> RawMailStatus:
    """``to`` if a raw email in ``status`` may move there, else InvalidTransition.

    A pending email is processed once; a quarantined one again after a fix (``intake
    retry``). Once it is a message, a duplicate or ignored, that is settled: processing
    it again would thread the same words twice.
    """
    if status not in _UNDECIDED:
        raise InvalidTransition(f"the email was already processed ({status})")
    if to is RawMailStatus.PENDING:
        raise InvalidTransition("a processed email does not become pending again")
    return to


@dataclass(frozen=True, slots=True)
class IgnoreReason:
    """Why a message must not be answered automatically; ``code`` is stable."""

    code: str
    text: str


_PRECEDENCE_IGNORED = frozenset({"bulk", "list", "junk", "auto_reply"})
_FALSE_VALUES = frozenset({"no", "false", "0", "off"})
_BOUNCE_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster"})


def _first(headers: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = headers.get(name)
    # Values may still be folded over several lines.
    return " ".join(values[0].split()) if values else None


def message_key(message_id: str | None, raw_sha256: str) -> str:
    """What makes a received message the same one again: its Message-ID, or the SHA-256
    of its raw bytes when it has none."""
    return message_id or "sha256:" + raw_sha256


def ignore_reason(
    headers: Mapping[str, Sequence[str]],
    *,
    content_type: str,
    from_address: str | None,
    own_addresses: Collection[str] = (),
) -> IgnoreReason | None:
    """Decide whether a message is automatic mail that must not open or answer a case.

    ``headers`` maps lower-case header names to their values. Answering automatic mail
    is how two systems end up mailing each other forever (RFC 3834), so anything that
    declares itself automatic, bulk, a list post or a bounce is ignored, as is mail
    from our own addresses.
    """
    sender = (from_address or "").strip().lower()
    own = {address.strip().lower() for address in own_addresses}
    if sender and sender in own:
        return IgnoreReason("own-address", f"sent from our own address {sender}")
    auto = _first(headers, "auto-submitted")
    if auto is not None:
        value = auto.split(";", 1)[0].strip().lower()
        if value != "no":
            return IgnoreReason("auto-submitted", f"Auto-Submitted: {value or '(empty)'}")
    for name in ("x-autoreply", "x-autorespond"):
        flag = _first(headers, name)
        if flag is not None and flag.lower() not in _FALSE_VALUES:
            return IgnoreReason("auto-reply-header", f"{name} header present")
    precedence = _first(headers, "precedence")
    if precedence is not None and precedence.lower() in _PRECEDENCE_IGNORED:
        return IgnoreReason("precedence", f"Precedence: {precedence.lower()}")
    listed = sorted(name for name in headers if name.startswith("list-"))
    if listed:
        return IgnoreReason("mailing-list", f"mailing-list header {listed[0]} present")
    return_path = _first(headers, "return-path")
    if return_path is not None and return_path.replace(" ", "") in ("<>", ""):
        return IgnoreReason("null-return-path", "empty Return-Path (<>): a bounce or notice")
    if content_type.lower() == "multipart/report":
        return IgnoreReason("bounce-report", "multipart/report: a delivery or read report")
    if sender.split("@", 1)[0] in _BOUNCE_LOCAL_PARTS:
        return IgnoreReason("bounce-sender", f"sent by {sender}")
    return None


# Characters a file name must never carry: bidi overrides and zero-width characters
# disguise extensions ("invoice\u202egpj.exe" shows as "invoiceexe.jpg").
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_WINDOWS_UNSAFE = re.compile(r'[<>:"|?*]')
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
DEFAULT_NAME = "attachment"


def safe_filename(name: str | None, *, max_bytes: int = 180) -> str:
    """A file name safe to store and offer for download, keeping the letters people wrote.

    Drops any path, control, zero-width and bidi characters, leading dots, Windows-
    reserved names and characters, and caps the UTF-8 length (most file systems allow
    255 bytes; Thai takes 3 bytes a letter) while keeping the extension.
    """
    if not name:
        return DEFAULT_NAME
    text = unicodedata.normalize("NFC", name).replace("\\", "/")
    text = text.rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROP_CATEGORIES)
    text = _WINDOWS_UNSAFE.sub("_", text)
    text = " ".join(text.split())
    text = unicodedata.normalize("NFC", text).lstrip(". ").rstrip(". ")
    if not text:
        return DEFAULT_NAME
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > 16 or " " in ext:
        stem, dot, ext = text, "", ""
    if stem.split(".", 1)[0].lower() in _WINDOWS_RESERVED:
        stem = "_" + stem
    room = max_bytes - len((dot + ext).encode("utf-8"))
    if len(stem.encode("utf-8")) > room:
        stem = _cut_utf8(stem, max(room, 1)).rstrip(". ")
    result = stem + dot + ext
    return result or DEFAULT_NAME


def _cut_utf8(text: str, limit: int) -> str:
    cut = text.encode("utf-8")[:limit].decode("utf-8", "ignore")
    # Cutting between a letter and its combining marks (Thai vowels and tones) would
    # leave a different word; cut before the letter instead.
    while cut and len(cut) < len(text) and unicodedata.category(text[len(cut)]).startswith("M"):
        cut = cut[:-1]
    return cut

"""MIME plumbing: structural limits, header parameters, transfer encodings, format=flowed."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import errors
from email.message import Message
from email.parser import Parser
from email.policy import compat32
from urllib.parse import unquote_to_bytes

from amends.errors import Quarantined
from amends.intake.headers import decode_header, to_bytes
from amends.text.charset import decode_bytes
from amends.text.digits import is_digits

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep a hostile message from exhausting time or memory."""

    max_message_bytes: int = 50 * MiB
    max_header_bytes: int = 128 * 1024
    max_depth: int = 20
    max_parts: int = 500
    max_attachment_bytes: int = 25 * MiB
    max_total_attachment_bytes: int = 40 * MiB
    # Text beyond this is no longer a customer writing; it is cut, with a note.
    max_text_chars: int = 1_000_000


_SCAN = re.compile(
    rb"^(?:--(?P<delim>[^\r\n]*)|content-type:[ \t]*(?:\r?\n[ \t]+)?(?P<kind>multipart|message)/"
    rb"(?P<rest>[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*))",
    re.MULTILINE | re.IGNORECASE,
)
_DELIMITER_LINE = re.compile(rb"^--([^\r\n]*)", re.MULTILINE)
_BOUNDARY_VALUE = re.compile(rb"""\s*=\s*(?:"([^"\r\n]*)"|([^\s;"]+))""")
_BOUNDARY = re.compile(rb"""boundary\s*=\s*(?:"([^"\r\n]*)"|([^\s;"]+))""", re.IGNORECASE)


def check_raw(raw: bytes, limits: Limits) -> None:
    """Quarantine input whose size or structure exceeds the limits, before parsing it.

    Python's parser recurses once per nesting level and compares every line with every
    open boundary, so a thousand nested parts costs seconds and ends in RecursionError;
    these scans are linear and stop early.
    """
    if len(raw) > limits.max_message_bytes:
        raise Quarantined(
            f"message is {len(raw)} bytes, over the limit of {limits.max_message_bytes}",
            code="mail-too-large",
        )
    window = limits.max_header_bytes + 4
    ends = [at for at in (raw.find(b"\n\n", 0, window), raw.find(b"\n\r\n", 0, window)) if at >= 0]
    header_bytes = min(ends) if ends else len(raw)
    if header_bytes > limits.max_header_bytes:
        raise Quarantined(
            f"header block is over the limit of {limits.max_header_bytes} bytes",
            code="mail-header-too-large",
        )
    # Cheap upper bounds first (bytes.count runs at memory speed); the line scans run
    # only for the rare message that could be over a limit.
    lowered = raw.lower()
    containers = lowered.count(b"multipart/") + lowered.count(b"message/")
    if containers > limits.max_depth and nesting_depth(raw, limits.max_depth) > limits.max_depth:
        raise Quarantined(
            f"MIME parts are nested deeper than {limits.max_depth} levels", code="mail-too-deep"
        )
    if b"boundary" not in lowered:
        return
    boundaries: set[bytes] = set()
    at = lowered.find(b"boundary")
    while at >= 0:
        value = _BOUNDARY_VALUE.match(raw, at + 8)
        if value is not None and (value.group(1) or value.group(2)):
            boundaries.add(value.group(1) or value.group(2))
        at = lowered.find(b"boundary", at + 8)
    if len(boundaries) > limits.max_parts:
        raise _too_many_parts(limits)
    # Each part opens with one delimiter line; closers add one per multipart.
    if sum(raw.count(b"\n--" + boundary) for boundary in boundaries) <= 2 * limits.max_parts:
        return
    delimiters = 0
    for match in _DELIMITER_LINE.finditer(raw):
        token = match.group(1).rstrip()
        if token in boundaries or token[:-2] in boundaries:
            delimiters += 1
            if delimiters > 2 * limits.max_parts:
                raise _too_many_parts(limits)


def _too_many_parts(limits: Limits) -> Quarantined:
    return Quarantined(f"message has over {limits.max_parts} parts", code="mail-too-many-parts")


def nesting_depth(raw: bytes, stop_at: int) -> int:
    """How deeply multipart and message containers nest, read from lines alone."""
    stack: list[bytes | None] = []
    deepest = 0
    for match in _SCAN.finditer(raw):
        delimiter = match.group("delim")
        if delimiter is not None:
            token = delimiter.rstrip()
            for k in range(len(stack) - 1, -1, -1):
                boundary = stack[k]
                if boundary is None:
                    continue
                if token == boundary:
                    del stack[k + 1 :]
                    break
                if token == boundary + b"--":
                    del stack[k:]
                    break
            continue
        if match.group("kind").lower() == b"multipart":
            found = _BOUNDARY.search(match.group("rest"))
            if found is None:
                continue
            stack.append(found.group(1) or found.group(2))
        else:
            # A message container ends with its enclosing part, not with a delimiter.
            stack.append(None)
        deepest = max(deepest, len(stack))
        if deepest > stop_at:
            break
    return deepest


def check_tree(message: Message, limits: Limits) -> None:
    """Quarantine a parsed message whose parts nest too deeply or are too many."""
    stack: list[tuple[Message, int]] = [(message, 0)]
    count = 0
    while stack:
        part, depth = stack.pop()
        count += 1
        if count > limits.max_parts:
            raise _too_many_parts(limits)
        if depth > limits.max_depth:
            raise Quarantined(
                f"MIME parts are nested deeper than {limits.max_depth} levels",
                code="mail-too-deep",
            )
        stack.extend((sub, depth + 1) for sub in children(part) or ())


def children(part: Message) -> list[Message] | None:
    """The sub-parts of a multipart or ``message/*`` part; None for a leaf.

    Leaves are never asked for ``get_payload()`` here: without ``decode`` it decodes
    text with the declared charset, which raises on a hostile charset name.
    """
    if not part.is_multipart():
        return None
    payload = part.get_payload()
    if not isinstance(payload, list):
        return []
    return [sub for sub in payload if isinstance(sub, Message)]


def raw_headers(part: Message) -> dict[str, list[str]]:
    """Header values as the parser stored them (folded, undecoded), by lower-case name."""
    headers: dict[str, list[str]] = {}
    for name, value in part.raw_items():
        headers.setdefault(name.strip().lower(), []).append(value)
    return headers


def _split_params(value: str) -> list[str]:
    if '"' not in value:
        return value.split(";")
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in value:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\" and quoted:
            current.append(ch)
            escaped = True
        elif ch == '"':
            current.append(ch)
            quoted = not quoted
        elif ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        return re.sub(r"\\(.)", r"\1", inner) if "\\" in inner else inner
    return value.strip('"')


def parse_params(value: str | None, languages: Sequence[str]) -> tuple[str, dict[str, str]]:
    """The main value (lower-case) and decoded parameters of a MIME header.

    Handles RFC 2231 extended values and continuations (``filename*0*=utf-8''...``),
    quoted strings, and the non-standard but common encoded words and raw 8-bit text
    in ``name=`` and ``filename=``.
    """
    if not value:
        return "", {}
    flat = value.replace("\r", "").replace("\n", "")
    first, *rest = _split_params(flat)
    plain: dict[str, str] = {}
    sections: dict[str, list[tuple[int, bool, str]]] = {}
    for item in rest:
        key, eq, raw_value = item.partition("=")
        key = key.strip().lower()
        if not eq or not key:
            continue
        if "*" in key:
            base, _, index = key.partition("*")
            encoded = index.endswith("*") or index == ""
            number = index.rstrip("*")
            position = int(number) if is_digits(number) else 0
            sections.setdefault(base, []).append((position, encoded, _unquote(raw_value)))
        else:
            plain.setdefault(key, _unquote(raw_value))
    params = {key: decode_header(text, languages) for key, text in plain.items()}
    for base, pieces in sections.items():
        params[base] = _rfc2231(sorted(pieces, key=lambda piece: piece[0]), languages)
    return first.strip().lower(), params


def _rfc2231(pieces: list[tuple[int, bool, str]], languages: Sequence[str]) -> str:
    charset: str | None = None
    data = bytearray()
    for number, (_, encoded, text) in enumerate(pieces):
        if encoded and number == 0 and text.count("'") >= 2:
            charset, _, text = text.split("'", 2)
        data += unquote_to_bytes(to_bytes(text)) if encoded else to_bytes(text)
    return decode_bytes(bytes(data), charset or None, languages).text


def payload_bytes(part: Message) -> bytes:
    """A leaf part's content with its transfer encoding undone, as the original bytes.

    ``get_payload()`` without ``decode`` would decode 8-bit text with the declared
    charset and U+FFFD for errors, which is the very repair we must do ourselves; with
    ``decode=True`` the stdlib undoes base64 (leniently), quoted-printable and
    uuencode, and returns 8-bit bodies untouched.
    """
    if part.is_multipart():
        return b""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def unflow(text: str, *, delsp: bool) -> str:
    """Join the soft line breaks of a ``format=flowed`` body (RFC 3676)."""
    out: list[str] = []
    buffer: str | None = None
    buffer_depth = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]
        # "-- " is the signature separator, never a soft break.
        flowed = content.endswith(" ") and content != "-- "
        if buffer is not None and depth != buffer_depth:
            out.append(_quote(buffer_depth, buffer))
            buffer = None
        piece = content[:-1] if flowed and delsp else content
        buffer = piece if buffer is None else buffer + piece
        buffer_depth = depth
        if not flowed:
            out.append(_quote(depth, buffer))
            buffer = None
    if buffer is not None:
        out.append(_quote(buffer_depth, buffer))
    return "\n".join(out)


def _quote(depth: int, content: str) -> str:
    if not depth:
        return content
    return ">" * depth + (" " + content if content else "")


# Entities are split here (headers from body, a multipart's body into its parts) and
# the stdlib parser reads only each entity's header lines. Its feed parser splitting a
# multipart compiles a regular expression for each boundary, and a boundary is unique
# to its message, so the compile cache never helps: about 0.5 ms a message, as much as
# all the rest of MIME parsing. The rules below are the ones the stdlib applies (RFC
# 5322 header lines, RFC 2046 delimiter lines with trailing blanks tolerated), and
# tests/intake/test_mime.py checks the trees against the stdlib's on the mail corpus.
_HEADER_LINE = re.compile(r"From |[\041-\071\073-\176]*:|[\t ]")
_LINE_END = re.compile(r"\r\n|\r|\n")
_DELIMITER_TAIL = re.compile(r"(--)?[ \t]*(\r\n|\r|\n)?\Z")
_EOL_AT_END = re.compile(r"(\r\n|\r|\n)\Z")


def parse_tree(raw: bytes) -> Message:
    """The MIME tree of ``raw`` exactly as ``BytesParser(policy=compat32)`` builds it:
    headers, payloads, preamble, epilogue and defects."""
    lines = io.StringIO(raw.decode("ascii", "surrogateescape"), newline="").readlines()
    root = _entity(lines, 0, len(lines), digest=False, delimited=False)
    if root.get_content_maintype() == "multipart" and not root.is_multipart():
        root.defects.append(errors.MultipartInvariantViolationDefect())
    return root


def _entity(lines: list[str], start: int, end: int, *, digest: bool, delimited: bool) -> Message:
    """The entity in ``lines[start:end]``.

    ``delimited``: a delimiter line follows, and the line end before it belongs to the
    delimiter (RFC 2046 5.1.1), so it comes off the text read last.
    """
    at = start
    while at < end and _HEADER_LINE.match(lines[at]):
        at += 1
    # A "From " line closing the headers is taken for the body's first line (as mbox
    # writers escape it), unless it is the only one: then it is the envelope line.
    pushed_back = at - 1 > start and lines[at - 1].startswith("From ")
    header_end = at - 1 if pushed_back else at
    part = Parser(policy=compat32).parsestr("".join(lines[start:header_end]), headersonly=True)
    if at < end:
        if _LINE_END.match(lines[at]):
            at += 1  # the blank line that ends the headers
        else:
            part.defects.insert(0, errors.MissingHeaderBodySeparatorDefect())
    if pushed_back:  # the "From " line, back in front of the body
        lines = [*lines[:start], lines[header_end], *lines[at:end]]
        at, end = start, start + 1 + end - at
    if digest:
        part.set_default_type("message/rfc822")  # RFC 2046 5.1.5
    ctype = part.get_content_type()
    if ctype == "message/delivery-status":
        # Blocks of header fields (RFC 3464), each ended by a blank line.
        ranges = []
        while True:
            stop = at
            while stop < end and not _LINE_END.match(lines[stop]):
                stop += 1
            ranges.append((at, stop))
            at = min(stop + 1, end)
            if at == end:
                break
        part.set_payload(
            [
                _entity(lines, a, b, digest=False, delimited=delimited and i == len(ranges) - 1)
                for i, (a, b) in enumerate(ranges)
            ]
        )
    elif ctype.startswith("message/"):
        part.set_payload([_entity(lines, at, end, digest=False, delimited=delimited)])
    elif ctype.startswith("multipart/"):
        _split(part, lines, at, end, delimited=delimited)
    else:
        body = "".join(lines[at:end])
        part.set_payload(_strip_eol(body) if delimited else body)
    return part


def _split(part: Message, lines: list[str], start: int, end: int, *, delimited: bool) -> None:
    """A multipart's body, ``lines[start:end]``, split into its parts at its delimiters."""
    boundary = part.get_boundary()
    if boundary is None:
        part.defects.append(errors.NoBoundaryInMultipartDefect())
        part.set_payload("".join(lines[start:end]))
        return
    encoding = str(part.get("content-transfer-encoding", "8bit")).lower()
    if encoding not in {"7bit", "8bit", "binary"}:
        part.defects.append(errors.InvalidMultipartContentTransferEncodingDefect())
    separator = "--" + boundary

    def delimiter(index: int) -> re.Match[str] | None:
        line = lines[index]
        if not line.startswith(separator):
            return None
        return _DELIMITER_TAIL.match(line, len(separator))

    at = start
    while at < end and not delimiter(at):
        at += 1
    first = delimiter(at) if at < end else None
    if first is None or first.group(1):
        # No opening delimiter (a closing one first counts as none): the body stays the
        # payload, and the stdlib drops what follows a closing delimiter.
        part.defects.append(errors.StartBoundaryNotFoundDefect())
        part.set_payload("".join(lines[start:at]))
        part.epilogue = None if delimited else ""
        return
    if at > start:
        part.preamble = "".join(lines[start : at - 1]) + _strip_eol(lines[at - 1])
    digest = part.get_content_type() == "multipart/digest"
    subparts: list[Message | str] = []
    closing: re.Match[str] | None = None
    while at < end and closing is None:
        # Delimiters in a row (a closing one too) open one part, not empty ones.
        while at < end and delimiter(at):
            at += 1
        begin = at
        while at < end and not delimiter(at):
            at += 1
        subparts.append(_entity(lines, begin, at, digest=digest, delimited=True))
        found = delimiter(at) if at < end else None
        if found is not None and found.group(1):
            closing = found
    part.set_payload(subparts)
    if closing is None:
        part.defects.append(errors.CloseBoundaryNotFoundDefect())
        return
    epilogue = "".join(lines[at + 1 : end]) if closing.group(2) else ""
    if delimited:
        part.epilogue = _strip_eol(epilogue) if epilogue else None
    else:
        part.epilogue = epilogue


def _strip_eol(text: str) -> str:
    found = _EOL_AT_END.search(text)
    return text[: found.start()] if found else text

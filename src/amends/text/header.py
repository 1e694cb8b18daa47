"""Is a value safe in one line of a mail header, and how to make it so.

A mail header ends at a line break, and Python's email package refuses to write any
value that contains one — including the Unicode line and paragraph separators and NEL
(U+0085), which it counts as line breaks too. One such character in a subject written
from customer or agent text used to stop the whole outbox. Every value that becomes a
header is checked with :func:`header_problem` where it enters, and passed through
:func:`clean_header` again where the mail is built. Pure: intake and the outbox both
use it.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls (tab included: a pasted tab in a subject is never meant), DEL, C1
# controls (NEL among them) and the Unicode line and paragraph separators.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_UNSAFE_RUN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# One bare address: no spaces, no list or route separators, no quotes or brackets.
_ADDRESS = r"[^@\s<>(),;:\"\[\]\\]{1,64}@[^@\s<>(),;:\"\[\]\\]{1,190}\.[^@\s<>(),;:\"\[\]\\.]{2,63}"
_BARE = re.compile(_ADDRESS)
# ``Name <address>``: a display name without separators or a quoted one, then one address.
_NAMED = re.compile(rf"(?:\"[^\"\\]*\"|[^<>,;:\"@]*)\s*<({_ADDRESS})>")


def header_problem(value: str) -> str | None:
    """Why ``value`` cannot be one header line as it is, or None when it can."""
    found = _UNSAFE.search(value)
    if found is None:
        return None
    return f"contains a line break or control character (U+{ord(found.group()):04X})"


def clean_header(value: str) -> str:
    """``value`` as one header line: each run of control or line-break characters
    becomes one space; NFC; no surrounding space."""
    return unicodedata.normalize("NFC", _UNSAFE_RUN.sub(" ", value)).strip()


def one_mailbox(value: str) -> str | None:
    """The single address ``value`` names, in lower case and without a display name; None
    when it names none, several ("a@x, b@y"), or holds anything unsafe in a header.

    Lower case because the hourly cap must count ``Somsri@X`` and ``somsri@x`` as the
    one inbox they reach in practice.
    """
    text = value.strip()
    if not text or header_problem(text) is not None:
        return None
    if _BARE.fullmatch(text):
        return text.lower()
    named = _NAMED.fullmatch(text)
    return named.group(1).lower() if named else None

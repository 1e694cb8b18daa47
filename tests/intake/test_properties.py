"""Property: whatever bytes arrive, parse_message returns or raises Quarantined.

"mail-parser-error" is the catch-all quarantine for unexpected exceptions; it keeps
intake alive in production, but here it would mean a bug, so it fails the test.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amends.errors import Quarantined
from amends.intake import ParsedMessage, parse_message

MAIL = Path(__file__).resolve().parents[1] / "data" / "mail"
SMALL_CORPUS = sorted(
    (MAIL / name).read_bytes()
    for name, expected in json.loads((MAIL / "expected.json").read_text("utf-8")).items()
    if expected["quarantine"] is None and (MAIL / name).stat().st_size < 8000
)

# No example database: the tests must not write files into the working tree.
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Fragments that steer random input into the parser's interesting corners.
TOKENS = [
    b"\r\n",
    b"\n",
    b"\r\n\r\n",
    b": ",
    b"From: ",
    b"Subject: ",
    b"Content-Type: multipart/mixed; boundary=b\r\n",
    b'Content-Type: multipart/alternative; boundary="b"\r\n',
    b"Content-Type: message/rfc822\r\n",
    b"Content-Type: text/html; charset=x-unknown\r\n",
    b"Content-Type: text/plain; charset=windows-874; format=flowed; delsp=yes\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"Content-Transfer-Encoding: x-uuencode\r\n",
    b"Content-Disposition: attachment; filename*0*=utf-8''%E0%B8; filename*1=\"..\\\\x\"\r\n",
    b"--b\r\n",
    b"--b--\r\n",
    b"=?utf-8?B?4Liq?=",
    b"=?x-unknown?Q?=E1=?=",
    b"=?",
    b"?=",
    b"=\r\n",
    b"=C3",
    b"<blockquote>",
    b"<script>",
    b"&#xD800;",
    b"> ",
    b"-- \r\n",
    b"On Mon, 3 Mar 2025 <a@b> wrote:\r\n",
    b"\xe0\xb8",
    b"\xa2\xb6\x8a\x9d\x9e",
    b"\x00",
    b"\xff\xfe",
]


def _assert_contract(raw: bytes) -> None:
    bug: str | None = None
    try:
        parsed = parse_message(raw)
    except Quarantined as exc:
        if exc.code == "mail-parser-error":
            bug = exc.message
        else:
            return
    assert bug is None, bug
    assert isinstance(parsed, ParsedMessage)
    for text in (parsed.subject, parsed.body_text, parsed.new_text, parsed.from_name):
        assert "\x00" not in text
        assert "\r" not in text


@PROPERTY
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(raw: bytes) -> None:
    _assert_contract(raw)


@PROPERTY
@given(st.lists(st.one_of(st.sampled_from(TOKENS), st.binary(max_size=40)), max_size=60))
def test_mime_shaped_noise(pieces: list[bytes]) -> None:
    _assert_contract(b"From: a@example.com\r\n" + b"".join(pieces))


@PROPERTY
@given(
    st.sampled_from(SMALL_CORPUS),
    st.lists(
        st.tuples(st.integers(min_value=0), st.sampled_from(TOKENS) | st.binary(max_size=8)),
        max_size=8,
    ),
    st.integers(min_value=0),
)
def test_mutated_corpus(raw: bytes, edits: list[tuple[int, bytes]], cut: int) -> None:
    data = bytearray(raw)
    for position, insert in edits:
        at = position % (len(data) + 1)
        data[at : at + len(insert) // 2] = insert
    _assert_contract(bytes(data[: len(data) - cut % (len(data) + 1) // 3]))


def _same_tree_as_the_stdlib(raw: bytes) -> None:
    from email import policy
    from email.parser import BytesParser

    from amends.intake.mime import Limits, check_raw, parse_tree

    try:
        check_raw(raw, Limits())  # intake parses nothing beyond these limits
    except Quarantined:
        return
    ours, theirs = parse_tree(raw), BytesParser(policy=policy.compat32).parsebytes(raw)
    for a, b in zip(ours.walk(), theirs.walk(), strict=True):
        assert a.get_content_type() == b.get_content_type()
        assert a.get_unixfrom() == b.get_unixfrom()
        assert list(a.raw_items()) == list(b.raw_items())
        assert (a.preamble, a.epilogue) == (b.preamble, b.epilogue)
        assert [type(d) for d in a.defects] == [type(d) for d in b.defects]
        assert a.is_multipart() == b.is_multipart()
        if not a.is_multipart():
            assert a.get_payload(decode=True) == b.get_payload(decode=True)


@PROPERTY
@given(st.lists(st.one_of(st.sampled_from(TOKENS), st.binary(max_size=40)), max_size=60))
def test_mime_shaped_noise_splits_as_the_stdlib_splits(pieces: list[bytes]) -> None:
    _same_tree_as_the_stdlib(b"From: a@example.com\r\n" + b"".join(pieces))


@PROPERTY
@given(
    st.sampled_from(SMALL_CORPUS),
    st.lists(
        st.tuples(st.integers(min_value=0), st.sampled_from(TOKENS) | st.binary(max_size=8)),
        max_size=8,
    ),
)
def test_mutated_corpus_splits_as_the_stdlib_splits(
    raw: bytes, edits: list[tuple[int, bytes]]
) -> None:
    data = bytearray(raw)
    for position, insert in edits:
        at = position % (len(data) + 1)
        data[at : at + len(insert) // 2] = insert
    _same_tree_as_the_stdlib(bytes(data))

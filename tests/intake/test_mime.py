"""MIME plumbing: structural limits, parameters (RFC 2231) and format=flowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from amends.errors import Quarantined
from amends.intake.mime import (
    Limits,
    check_raw,
    nesting_depth,
    parse_params,
    parse_tree,
    unflow,
)

LANGS = ("en", "th", "sk", "cs", "el")


def _nested(levels: int) -> bytes:
    out = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    for i in range(1, levels):
        out += f'--b{i - 1}\r\nContent-Type: multipart/mixed;\r\n boundary="b{i}"\r\n\r\n'.encode()
    out += f"--b{levels - 1}\r\n\r\nhi\r\n".encode()
    for i in reversed(range(levels)):
        out += f"--b{i}--\r\n".encode()
    return out


def test_nesting_depth_counts_open_containers() -> None:
    assert nesting_depth(_nested(3), 100) == 3
    assert nesting_depth(_nested(50), 100) == 50
    assert nesting_depth(_nested(50), 10) == 11  # stops as soon as the limit is passed


def test_siblings_do_not_add_depth() -> None:
    parts = b"".join(
        f"--top\r\nContent-Type: multipart/alternative; boundary=s{i}\r\n\r\n"
        f"--s{i}\r\n\r\nx\r\n--s{i}--\r\n".encode()
        for i in range(40)
    )
    raw = b"Content-Type: multipart/mixed; boundary=top\r\n\r\n" + parts + b"--top--\r\n"
    assert nesting_depth(raw, 20) == 2
    check_raw(raw, Limits())  # forty siblings are fine


def test_forwarded_messages_nest_until_their_part_ends() -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=top\r\n\r\n"
        + b"--top\r\nContent-Type: message/rfc822\r\n\r\nFrom: x\r\n\r\nbody\r\n" * 30
        + b"--top--\r\n"
    )
    assert nesting_depth(raw, 20) == 2


@pytest.mark.parametrize(
    ("raw", "limits", "code"),
    [
        (b"x" * 101, Limits(max_message_bytes=100), "mail-too-large"),
        (
            b"X: " + b"y" * 200 + b"\r\n\r\nbody",
            Limits(max_header_bytes=100),
            "mail-header-too-large",
        ),
        (b"X: " + b"y" * 200, Limits(max_header_bytes=100), "mail-header-too-large"),
        (_nested(30), Limits(), "mail-too-deep"),
        (_nested(6), Limits(max_depth=5), "mail-too-deep"),
    ],
)
def test_check_raw_quarantines(raw: bytes, limits: Limits, code: str) -> None:
    with pytest.raises(Quarantined) as caught:
        check_raw(raw, limits)
    assert caught.value.code == code
    assert caught.value.message


def test_check_raw_accepts_the_limit_itself() -> None:
    check_raw(_nested(20), Limits())
    check_raw(b"x" * 100, Limits(max_message_bytes=100))


def test_too_many_distinct_boundaries() -> None:
    raw = b"".join(b"Content-Type: multipart/mixed; boundary=z%d\r\n" % i for i in range(20))
    with pytest.raises(Quarantined) as caught:
        check_raw(raw, Limits(max_parts=10, max_depth=100))
    assert caught.value.code == "mail-too-many-parts"


@pytest.mark.parametrize(
    ("value", "main", "params"),
    [
        ("text/plain", "text/plain", {}),
        ('Text/HTML; Charset="UTF-8"', "text/html", {"charset": "UTF-8"}),
        (
            'attachment; filename="a;b.txt"; size=5',
            "attachment",
            {"filename": "a;b.txt", "size": "5"},
        ),
        ('attachment; filename="say \\"hi\\".txt"', "attachment", {"filename": 'say "hi".txt'}),
        (
            "attachment; filename*=utf-8''%C5%BEiados%C5%A5.pdf",
            "attachment",
            {"filename": "žiadosť.pdf"},
        ),
        (
            "attachment; filename*=iso-8859-7'el'%D4%E9%EC%DE.txt",
            "attachment",
            {"filename": "Τιμή.txt"},
        ),
        (
            "attachment; filename*0*=utf-8''%E0%B8; filename*1*=%AA%E0%B8%B7%E0%B9%88%E0%B8%AD"
            "; filename*2=.pdf",
            "attachment",
            {"filename": "สื่อ.pdf"},
        ),
        (
            "attachment; filename=\"fallback.pdf\"; filename*=utf-8''%CE%B1.pdf",
            "attachment",
            {"filename": "α.pdf"},
        ),
        ('attachment; filename="=?UTF-8?B?zrEucGRm?="', "attachment", {"filename": "α.pdf"}),
        ("attachment; filename*=x-unknown''%C5%BE.txt", "attachment", {"filename": "ž.txt"}),
        ("attachment; filename*=''%C5%BE.txt", "attachment", {"filename": "ž.txt"}),
        ("attachment;;; =x; novalue; filename=ok", "attachment", {"filename": "ok"}),
        ("", "", {}),
        (None, "", {}),
    ],
)
def test_parse_params(value: str | None, main: str, params: dict[str, str]) -> None:
    assert parse_params(value, LANGS) == (main, params)


def test_parse_params_raw_8bit() -> None:
    raw = 'attachment; filename="ใบเสร็จ.pdf"'.encode().decode("ascii", "surrogateescape")
    assert parse_params(raw, LANGS) == ("attachment", {"filename": "ใบเสร็จ.pdf"})


def test_unflow() -> None:
    wire = "one \ntwo \nthree\n\n> quoted \n> more\n>> deeper\n-- \nsig"
    assert unflow(wire, delsp=False) == "one two three\n\n> quoted more\n>> deeper\n-- \nsig"


def test_unflow_delsp_and_space_stuffing() -> None:
    assert unflow("Bra \ntislava\n From here", delsp=True) == "Bratislava\nFrom here"


_TRICKY_BOUNDARIES = ["simple", "a+b(c)?.*[x]{2}|^$", "==_Part_1.2_\\end", "x y'z=:/,-_", "--"]


def _stdlib_tree(raw: bytes) -> Any:
    from email import policy
    from email.parser import BytesParser

    return BytesParser(policy=policy.compat32).parsebytes(raw)


def _tree(message: Any) -> list[tuple[Any, ...]]:
    """Everything intake reads of a MIME tree, part by part (payloads as stored)."""
    out: list[tuple[Any, ...]] = []
    for part in message.walk():
        out.append(
            (
                part.get_content_type(),
                part.get_default_type(),
                part.get_unixfrom(),
                tuple(part.raw_items()),
                part.preamble,
                part.epilogue,
                tuple(type(d).__name__ for d in part.defects),
                None if part.is_multipart() else part.get_payload(decode=True),
            )
        )
    return out


@pytest.mark.parametrize("boundary", _TRICKY_BOUNDARIES)
def test_parts_split_at_their_delimiters_like_the_stdlib(boundary: str) -> None:
    raw = (
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f"preamble\r\n--{boundary}\r\nContent-Type: text/plain\r\n\r\nPrvá časť\r\n"
        f"--{boundary}  \r\n--{boundary}\r\nContent-Type: text/html\r\n\r\n<p>Δεύτερο</p>\r\n"
        f"--{boundary}x\r\nnot a boundary line\r\n"
        f"--{boundary}--\r\nepilogue\r\n"
    ).encode()
    ours = _tree(parse_tree(raw))
    assert ours == _tree(_stdlib_tree(raw))
    assert len(ours) == 3


_ODD_STRUCTURES = {
    "no start delimiter": b"Content-Type: multipart/mixed; boundary=b\n\nonly text\n--b--\nlost\n",
    "no close delimiter": b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n",
    "no boundary": b"Content-Type: multipart/mixed\n\n--b\n\nbody\n--b--\n",
    "base64 multipart": (
        b"Content-Type: multipart/mixed; boundary=b\nContent-Transfer-Encoding: base64\n\n"
        b"--b\n\nx\n--b--\n"
    ),
    "delimiters in a row": b"Content-Type: multipart/mixed; boundary=b\n\n--b\n--b--\n--b\n\nx\n--b--",
    "bare CR line ends": b"Content-Type: multipart/mixed; boundary=b\r\r--b\r\rone\r--b--\rafter\r",
    "digest": (
        b"Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nfirst\n"
        b"--d\nContent-Type: text/plain\n\nsecond\n--d--\n"
    ),
    "nested with epilogues": (
        b"Content-Type: multipart/mixed; boundary=o\n\n--o\n"
        b"Content-Type: multipart/alternative; boundary=i\n\n--i\n\nplain\n--i--\ninner tail\n\n"
        b"--o\nContent-Type: message/rfc822\n\nSubject: fwd\n\nforwarded\n\n--o--\n\n"
    ),
    "inner ended by the outer delimiter": (
        b"Content-Type: multipart/mixed; boundary=o\n\n--o\n"
        b"Content-Type: multipart/mixed; boundary=i\n\n--i\n\nunclosed\n--o--\n"
    ),
    "delivery status": (
        b"Content-Type: multipart/report; boundary=r\n\n--r\n\nbounced\n--r\n"
        b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
        b"Final-Recipient: rfc822; x@example.com\nAction: failed\n\n\n--r--\n"
    ),
    "header without separator": b"Subject: x\nnot a header line\nbody\n",
    "envelope lines": b"From someone\nSubject: x\nFrom here\n\nbody\n",
    "empty": b"",
}


@pytest.mark.parametrize("name", sorted(_ODD_STRUCTURES))
def test_odd_structures_give_the_stdlib_tree(name: str) -> None:
    raw = _ODD_STRUCTURES[name]
    assert _tree(parse_tree(raw)) == _tree(_stdlib_tree(raw))


def test_the_mail_corpus_gives_the_stdlib_trees() -> None:
    """Every file of the corpus that intake parses (within the limits ``check_raw``
    holds before parsing, hostile ones included) parses to the stdlib's tree."""
    compared = 0
    for path in sorted((Path(__file__).parent.parent / "data" / "mail").glob("*.eml")):
        raw = path.read_bytes()
        try:
            check_raw(raw, Limits())
        except Quarantined:
            continue
        assert _tree(parse_tree(raw)) == _tree(_stdlib_tree(raw)), path.name
        compared += 1
    assert compared >= 45

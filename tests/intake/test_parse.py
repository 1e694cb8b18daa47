"""parse_message behaviour beyond the corpus: parameters, fallbacks and guards."""

from __future__ import annotations

import hashlib
from dataclasses import FrozenInstanceError

import pytest

from amends.errors import Quarantined
from amends.intake import Limits, parse_message

SIMPLE = (
    b"From: Customer <c@example.com>\r\nTo: support@amends.example\r\n"
    b"Subject: Order\r\nMessage-ID: <m1@example.com>\r\n\r\n"
    b"My order has still not arrived after two weeks of waiting.\r\n"
)


def test_result_is_frozen() -> None:
    parsed = parse_message(SIMPLE)
    with pytest.raises(FrozenInstanceError):
        parsed.subject = "changed"  # type: ignore[misc]


def test_own_addresses_parameter() -> None:
    assert parse_message(SIMPLE).ignore_reason is None
    ignored = parse_message(SIMPLE, own_addresses=["C@Example.com"]).ignore_reason
    assert ignored is not None and ignored.code == "own-address"


def test_languages_parameter_limits_detection_and_fallback_charsets() -> None:
    greek = "Η παραγγελία μου δεν έφτασε ακόμα, περιμένω δύο εβδομάδες.".encode("cp1253")
    raw = b"From: a@example.gr\r\nSubject: x\r\n\r\n" + greek
    assert parse_message(raw, languages=["el", "en"]).language == "el"
    assert parse_message(raw, languages=["el", "en"]).charset_used == "windows-1253"
    assert parse_message(raw, languages=["en", "sk"]).language != "el"


def test_short_reply_uses_the_subject_for_language() -> None:
    raw = (
        "From: a@example.sk\r\nSubject: =?utf-8?Q?Re:_Reklam=C3=A1cia_pokazenej_pr=C3=A1=C4=8Dky?="
        "\r\n\r\nĎakujem!\r\n"
    ).encode()
    assert parse_message(raw).language == "sk"


def test_empty_body() -> None:
    parsed = parse_message(b"From: a@example.com\r\nSubject: Hello\r\n\r\n")
    assert (parsed.body_text, parsed.new_text, parsed.language) == ("", "", "und")


def test_headers_only_without_blank_line() -> None:
    parsed = parse_message(b"From: a@example.com\r\nSubject: Hello")
    assert parsed.subject == "Hello"


def test_mbox_from_line_is_tolerated() -> None:
    parsed = parse_message(b"From a@example.com Mon Mar  3 10:15:00 2025\n" + SIMPLE)
    assert parsed.message_id == "m1@example.com"


def test_nul_and_controls_are_removed_from_text() -> None:
    raw = b"From: a@example.com\r\nSubject: x\r\n\r\nbad\x00 bytes\x07 here and more words\r\n"
    assert parse_message(raw).body_text == "bad bytes here and more words"


def test_lf_and_cr_line_ends_become_lf() -> None:
    raw = b"From: a@example.com\nSubject: x\n\none\rtwo\r\nthree\n"
    assert parse_message(raw).body_text == "one\ntwo\nthree"


def test_multipart_without_boundary_is_read_as_text() -> None:
    raw = b"From: a@example.com\r\nContent-Type: multipart/mixed\r\n\r\nJust text.\r\n"
    assert parse_message(raw).body_text == "Just text."


def test_invalid_content_type_means_text_plain() -> None:
    raw = b"From: a@example.com\r\nContent-Type: garbage\r\n\r\nJust text.\r\n"
    assert parse_message(raw).body_text == "Just text."


def test_text_attachment_is_not_body() -> None:
    raw = (
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nBody text.\r\n"
        b"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=log.txt\r\n"
        b"\r\nlog line\r\n--b\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n--b--\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_text == "Body text."
    assert [(a.filename, a.data) for a in parsed.attachments] == [
        ("log.txt", b"log line"),
        ("attachment.ics", b"BEGIN:VCALENDAR"),
    ]


def test_html_alternative_used_when_plain_is_empty() -> None:
    raw = (
        b"From: a@example.com\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\n \r\n"
        b"--b\r\nContent-Type: text/html\r\n\r\n<p>Real text</p>\r\n--b--\r\n"
    )
    parsed = parse_message(raw)
    assert (parsed.body_text, parsed.html_converted) == ("Real text", True)


def test_signed_message_uses_the_signed_content() -> None:
    raw = (
        b"From: a@example.com\r\nContent-Type: multipart/signed; boundary=s;"
        b' protocol="application/pgp-signature"\r\n\r\n'
        b"--s\r\nContent-Type: text/plain\r\n\r\nSigned words here.\r\n"
        b"--s\r\nContent-Type: application/pgp-signature\r\n\r\n-----BEGIN PGP-----\r\n--s--\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_text == "Signed words here."
    assert parsed.attachments == ()


def test_attachment_fields() -> None:
    raw = (
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nSee file.\r\n"
        b'--b\r\nContent-Type: Application/PDF; name="r.pdf"\r\nContent-ID: <r1@x>\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n--b--\r\n"
    )
    (attachment,) = parse_message(raw).attachments
    assert attachment.filename == "r.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.data == b"%PDF"
    assert attachment.size == 4
    assert attachment.sha256 == hashlib.sha256(b"%PDF").hexdigest()
    assert attachment.content_id == "r1@x"
    assert attachment.inline is False


def test_recursion_error_is_quarantined() -> None:
    # The depth checks normally stop this first; with them lifted, the stdlib parser's
    # own RecursionError must still come out as a quarantine, not a crash.
    raw = b"From: a@example.com\r\nContent-Type: message/rfc822\r\n\r\n" * 1500 + b"x"
    lifted = Limits(max_depth=100_000, max_parts=100_000)
    with pytest.raises(Quarantined) as caught:
        parse_message(raw, limits=lifted)
    assert caught.value.code == "mail-too-deep"


def test_quarantine_has_a_reason() -> None:
    with pytest.raises(Quarantined) as caught:
        parse_message(b"\x00\x01\x02 not mail")
    assert caught.value.code == "mail-no-headers"
    assert "not an email" in caught.value.message


def test_huge_undeclared_8bit_body_is_bounded() -> None:
    noise = bytes(range(128, 256)) * 40_000  # 5 MB of 8-bit bytes, no charset
    raw = b"From: a@example.com\r\nSubject: x\r\n\r\n" + noise
    # Only a bounded sample is scored (charset.SCORE_LIMIT), so this returns promptly.
    parsed = parse_message(raw)
    assert parsed.charset_repaired


def test_long_text_is_cut_with_a_note() -> None:
    raw = b"From: a@example.com\r\nSubject: x\r\n\r\n" + b"word " * 1000
    parsed = parse_message(raw, limits=Limits(max_text_chars=100))
    assert len(parsed.body_text) <= 100
    assert "text part cut to 100 characters" in parsed.notes


def test_deeply_nested_html_quotes_stay_small() -> None:
    html = "<blockquote>" * 20_000 + "deep<br>" * 100
    raw = b"From: a@example.com\r\nContent-Type: text/html\r\n\r\n" + html.encode()
    parsed = parse_message(raw)
    assert len(parsed.quoted_text) < 2_000

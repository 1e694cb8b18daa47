"""Pure intake rules: loop safety, safe file names, subjects and case references."""

from __future__ import annotations

import pytest

from amends.errors import InvalidTransition
from amends.intake.rules import (
    RawMailStatus,
    ignore_reason,
    normalise_subject,
    raw_mail_transition,
    safe_filename,
    subject_key,
)
from amends.messages.rules import ref_in_subject


def _reason(
    headers: dict[str, list[str]],
    *,
    content_type: str = "text/plain",
    sender: str | None = "customer@example.com",
    own: tuple[str, ...] = ("support@amends.example",),
) -> str | None:
    found = ignore_reason(
        headers, content_type=content_type, from_address=sender, own_addresses=own
    )
    return found.code if found else None


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"auto-submitted": ["auto-replied"]}, "auto-submitted"),
        ({"auto-submitted": ["auto-generated; owner-email=x@example.com"]}, "auto-submitted"),
        ({"auto-submitted": ["Auto-Notified"]}, "auto-submitted"),
        ({"auto-submitted": ["no"]}, None),
        ({"auto-submitted": [" No "]}, None),
        ({"x-autoreply": ["yes"]}, "auto-reply-header"),
        ({"x-autorespond": ["Vacation"]}, "auto-reply-header"),
        ({"x-autoreply": ["no"]}, None),
        ({"precedence": ["bulk"]}, "precedence"),
        ({"precedence": ["List"]}, "precedence"),
        ({"precedence": ["junk"]}, "precedence"),
        ({"precedence": ["first-class"]}, None),
        ({"list-id": ["<users.lists.example>"]}, "mailing-list"),
        ({"list-unsubscribe": ["<mailto:leave@lists.example>"]}, "mailing-list"),
        ({"list-post": ["NO"]}, "mailing-list"),
        ({"return-path": ["<>"]}, "null-return-path"),
        ({"return-path": ["< >"]}, "null-return-path"),
        ({"return-path": ["<bounce@example.com>"]}, None),
        ({}, None),
    ],
)
def test_loop_headers(headers: dict[str, list[str]], code: str | None) -> None:
    assert _reason(headers) == code


def test_report_content_type_is_a_bounce() -> None:
    assert _reason({}, content_type="multipart/report") == "bounce-report"
    assert _reason({}, content_type="multipart/mixed") is None


def test_mailer_daemon_without_report_is_a_bounce() -> None:
    assert _reason({}, sender="MAILER-DAEMON@mx.example.com") == "bounce-sender"
    assert _reason({}, sender="postmaster@example.com") == "bounce-sender"


def test_own_address_is_ignored_whatever_the_case() -> None:
    assert _reason({}, sender="Support@Amends.Example") == "own-address"
    assert _reason({}, sender="support@amends.example.evil.com") is None
    assert _reason({}, sender=None) is None


def test_reason_has_readable_text() -> None:
    found = ignore_reason(
        {"precedence": ["bulk"]}, content_type="text/plain", from_address=None, own_addresses=()
    )
    assert found is not None
    assert "bulk" in found.text


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/absolute/path/report.pdf", "report.pdf"),
        ("C:\\Users\\novak\\Documents\\faktura.pdf", "faktura.pdf"),
        ("a\x00b\x1f\x7f.txt", "ab.txt"),
        ("new\r\nline.txt", "newline.txt"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("\u200bzero\u200c\u200dwidth\u200e\u200f.pdf", "zerowidth.pdf"),
        ("\u202a\u202b\u202c\u202d\u202eembed.doc", "embed.doc"),
        ("\u2066iso\u2067late\u2068d\u2069.doc", "isolated.doc"),
        ("\ufeffbom.txt", "bom.txt"),
        (".bashrc", "bashrc"),
        ("...hidden.txt", "hidden.txt"),
        ("..", "attachment"),
        ("", "attachment"),
        (None, "attachment"),
        ("\u200b\u200b", "attachment"),
        ("   ", "attachment"),
        ("CON.txt", "_CON.txt"),
        ("lpt1", "_lpt1"),
        ('what?<is>:this|"*.txt', "what__is__this___.txt"),
        ("trailing dot.", "trailing dot"),
        ("ใบแจ้งหนี้ที่ 5.pdf", "ใบแจ้งหนี้ที่ 5.pdf"),
        ("Τιμολόγιο Μαρτίου.pdf", "Τιμολόγιο Μαρτίου.pdf"),
        ("žiadosť o reklamáciu.docx", "žiadosť o reklamáciu.docx"),
        ("faktu\u0301ra.pdf", "faktúra.pdf"),
        ("two   spaces\there.txt", "two spaceshere.txt"),
    ],
)
def test_safe_filename(name: str | None, safe: str) -> None:
    assert safe_filename(name) == safe


def test_safe_filename_caps_utf8_length_and_keeps_extension() -> None:
    long_latin = safe_filename("x" * 500 + ".pdf")
    assert long_latin == "x" * 176 + ".pdf"
    long_thai = safe_filename("ที่" * 200 + ".pdf", max_bytes=60)
    assert long_thai.endswith(".pdf")
    assert len(long_thai.encode("utf-8")) <= 60
    # Cut between whole letters: never a tone mark without its consonant.
    assert long_thai.removesuffix(".pdf") == "ที่" * (len(long_thai.removesuffix(".pdf")) // 3)


def test_safe_filename_long_extension_is_part_of_the_stem() -> None:
    name = safe_filename("report." + "y" * 40, max_bytes=20)
    assert len(name.encode()) <= 20
    assert name.startswith("report.")


@pytest.mark.parametrize(
    ("subject", "normalised"),
    [
        ("Re: Broken blender", "Broken blender"),
        ("RE: Re: FW: Fwd: Broken blender", "Broken blender"),
        ("Re[2]: Broken blender", "Broken blender"),
        ("Re(3): Broken blender", "Broken blender"),
        ("Re^2: Broken blender", "Broken blender"),
        ("AW: WG: Lieferung", "Lieferung"),
        ("Odp: Reklamácia práčky", "Reklamácia práčky"),
        ("Odp: PD: Re: Reklamace", "Reklamace"),
        ("ΑΠ: Επιστροφή προϊόντος", "Επιστροφή προϊόντος"),
        ("ΣΧΕΤ: ΠΡΘ: Επιστροφή", "Επιστροφή"),
        ("απ: Σχετ: τιμολόγιο", "τιμολόγιο"),
        ("ตอบกลับ: สินค้าเสียหาย", "สินค้าเสียหาย"),
        ("ส่งต่อ: ตอบกลับ: ใบเสร็จ", "ใบเสร็จ"),
        ("Re: [C-123] Broken blender", "Broken blender"),
        ("[C-123] Re: Broken blender", "Broken blender"),
        ("Re：Full-width colon", "Full-width colon"),
        ("Reply needed for order", "Reply needed for order"),
        ("Rebate request", "Rebate request"),
        ("Fwd:", ""),
        ("  Re:   spaced    out  ", "spaced out"),
        ("", ""),
    ],
)
def test_normalise_subject(subject: str, normalised: str) -> None:
    assert normalise_subject(subject) == normalised


def test_subject_key_ignores_case_and_prefixes() -> None:
    assert subject_key("RE: [C-9] BROKEN Blender") == subject_key("broken blender")
    assert subject_key("ΑΠ: ΤΙΜΟΛΌΓΙΟ") == subject_key("τιμολόγιο")


@pytest.mark.parametrize(
    ("subject", "ref"),
    [
        ("Re: [C-123] Broken blender", "C-123"),
        ("[c-77] lower case", "C-77"),
        ("[ C-5 ] spaced", "C-5"),
        ("Case C-123 without brackets", None),
        ("[X-123] other prefix", None),
        ("[C-] no number", None),
        ("Re: [C-1] and [C-2]", "C-1"),
        (None, None),
    ],
)
def test_case_ref(subject: str | None, ref: str | None) -> None:
    assert ref_in_subject(subject) == ref


def test_case_ref_with_custom_prefix() -> None:
    assert ref_in_subject("Re: [CASE-42] x", prefix="CASE") == "CASE-42"
    assert normalise_subject("Re: [CASE-42] x", prefix="CASE") == "x"


def test_a_raw_email_is_processed_once_or_again_after_quarantine() -> None:
    pending, quarantined = RawMailStatus.PENDING, RawMailStatus.QUARANTINED
    for outcome in (RawMailStatus.STORED, RawMailStatus.DUPLICATE, RawMailStatus.IGNORED):
        assert raw_mail_transition(pending, outcome) is outcome
        assert raw_mail_transition(quarantined, outcome) is outcome
        with pytest.raises(InvalidTransition, match=f"already processed \\({outcome}\\)"):
            raw_mail_transition(outcome, RawMailStatus.STORED)
    assert raw_mail_transition(quarantined, quarantined) is quarantined
    with pytest.raises(InvalidTransition, match="does not become pending again"):
        raw_mail_transition(quarantined, pending)

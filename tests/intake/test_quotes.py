"""Splitting new text from quoted replies and signatures, in each reply style we meet."""

from __future__ import annotations

import pytest

from amends.intake.quotes import split_reply

NEW = "The parcel has still not arrived."


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, 3 Mar 2025 at 10:15, Amends Support <support@amends.example> wrote:",
        "On 3 Mar 2025, at 10:15, Amends Support <support@amends.example> wrote:",
        'On 3/3/25, 10:15 AM, "Amends Support" <support@amends.example> wrote:',
        "Στις Δευ 3 Μαρ 2025 στις 10:15 π.μ., ο χρήστης Amends Support "
        "<support@amends.example> έγραψε:",
        "Στις 3/3/2025 10:15 π.μ., Amends Support έγραψε:",
        "Dňa 3. 3. 2025 o 10:15 Amends Support napísal(a):",
        "ut 4. 3. 2025 o 9:30 Amends Support <support@amends.example> napísal(a):",
        "Dňa 3. 3. 2025 10:15 používateľ Amends Support napísal:",
        "Dne 3. 3. 2025 v 10:15 Amends Support <support@amends.example> napsal(a):",
        "po 3. 3. 2025 v 10:15 odesílatel Amends Support <support@amends.example> napsal:",
        "เมื่อ วันจันทร์ที่ 3 มี.ค. 2568 เวลา 10:15 Amends Support <support@amends.example> เขียนว่า:",
        "Amends Support <support@amends.example> เขียน:",
        "เมื่อ 3 มี.ค. 2568 เวลา 10:15 Amends Support เขียน:",
        "Am Mo., 3. März 2025 um 10:15 Uhr schrieb Amends Support <support@amends.example>:",
    ],
)
def test_attribution_styles(attribution: str) -> None:
    body = f"{NEW}\n\n{attribution}\n> Your parcel left our warehouse.\n"
    parts = split_reply(body)
    assert parts.new_text == NEW
    assert parts.quoted_text == f"{attribution}\n> Your parcel left our warehouse."


def test_attribution_wrapped_over_two_lines() -> None:
    body = (
        f"{NEW}\n\nOn Mon, 3 Mar 2025 at 10:15, Amends Support <\n"
        "support@amends.example> wrote:\n> Shipped.\n"
    )
    assert split_reply(body).new_text == NEW


def test_wrote_without_date_or_address_is_customer_text() -> None:
    body = "As your colleague wrote:\nthe refund takes five days. It has been ten."
    assert split_reply(body).new_text == body


@pytest.mark.parametrize(
    ("labels", "separator"),
    [
        (("From", "Sent", "To", "Subject"), "-----Original Message-----"),
        (("From", "Sent", "To", "Subject"), "________________________________"),
        (("Od", "Odoslané", "Komu", "Predmet"), "-----Pôvodná správa-----"),
        (("Od", "Odesláno", "Komu", "Předmět"), "-----Původní zpráva-----"),
        (("Από", "Στάλθηκε", "Προς", "Θέμα"), "-----Αρχικό μήνυμα-----"),
        (("จาก", "ส่ง", "ถึง", "เรื่อง"), "-----ข้อความต้นฉบับ-----"),
    ],
)
def test_outlook_blocks(labels: tuple[str, str, str, str], separator: str) -> None:
    sender, sent, to, subject = labels
    block = (
        f"{sender}: Amends Support <support@amends.example>\n"
        f"{sent}: 3. 3. 2025 10:15\n{to}: Customer <c@example.com>\n{subject}: Order 4521\n\n"
        "Old message."
    )
    with_separator = split_reply(f"{NEW}\n\n{separator}\n{block}\n")
    assert with_separator.new_text == NEW
    assert with_separator.quoted_text == f"{separator}\n{block}"
    without = split_reply(f"{NEW}\n\n{block}\n")
    assert without.new_text == NEW
    assert without.quoted_text == block


def test_outlook_bold_labels_from_html() -> None:
    body = f"{NEW}\n\n*From:* Support <s@example.com>\n*Sent:* Monday\n*To:* Me\n\nOld"
    assert split_reply(body).new_text == NEW


def test_a_lone_from_line_is_not_a_quote() -> None:
    body = "From: my office in Bratislava I called twice.\nNobody answered."
    assert split_reply(body).new_text == body


def test_forwarded_markers() -> None:
    for marker in (
        "---------- Forwarded message ---------",
        "-------- Preposlaná správa --------",
        "-------- Přeposlaná zpráva --------",
        "-------- Προωθημένο μήνυμα --------",
        "Begin forwarded message:",
    ):
        parts = split_reply(f"{NEW}\n\n{marker}\nFrom: Shop\n\nShipped.")
        assert parts.new_text == NEW
        assert parts.quoted_text.startswith(marker)


def test_quoted_lines_without_attribution() -> None:
    parts = split_reply(f"{NEW}\n\n> old line one\n> old line two\n")
    assert parts.new_text == NEW
    assert parts.quoted_text == "> old line one\n> old line two"


def test_interleaved_answers_are_new_text() -> None:
    body = (
        "On Tue, 4 Mar 2025 at 11:00, Support <s@example.com> wrote:\n"
        "> Serial number?\nSN-1\n> Colour?\n\nBlue.\n"
    )
    parts = split_reply(body)
    assert parts.new_text == "SN-1\n\nBlue."
    assert parts.quoted_text.endswith("> Serial number?\n> Colour?")


@pytest.mark.parametrize(
    "signoff",
    [
        "Sent from my iPhone",
        "Sent from my iPad",
        "Sent from my Galaxy",
        "Get Outlook for Android",
        "Odoslané z iPhonu",
        "Odoslané z môjho iPhonu",
        "Odesláno z iPhonu",
        "Στάλθηκε από το iPhone μου",
        "Εστάλη από το iPhone μου",
        "ส่งจาก iPhone ของฉัน",
    ],
)
def test_mobile_signoffs(signoff: str) -> None:
    parts = split_reply(f"{NEW}\n\n{signoff}\n")
    assert parts.new_text == NEW
    assert parts.signature == signoff


def test_signoff_words_inside_text_stay() -> None:
    body = "Sent from my iPhone\nbut that is not the point: the order never came.\nA\nB\nC\nD"
    assert split_reply(body).new_text == body


def test_signature_delimiter() -> None:
    parts = split_reply(f"{NEW}\n\n-- \nJana Nováková\nAcme s.r.o.\n")
    assert parts.new_text == NEW
    assert parts.signature == "Jana Nováková\nAcme s.r.o."


def test_bare_double_dash_only_when_short_tail() -> None:
    assert split_reply(f"{NEW}\n--\nJana").signature == "Jana"
    long_tail = "\n".join(f"line {i}" for i in range(30))
    assert split_reply(f"{NEW}\n--\n{long_tail}").signature == ""


def test_plain_message_is_all_new_text() -> None:
    parts = split_reply("  \n\nHello,\n\nno quotes here.  \n\n")
    assert parts.new_text == "Hello,\n\nno quotes here."
    assert parts.quoted_text == ""
    assert parts.signature == ""

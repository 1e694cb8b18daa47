"""Write the tricky-mail corpus: ``tests/data/mail/*.eml`` and ``expected.json``.

Run ``python tests/data/mail/make_corpus.py`` after changing a case and commit both
the script and its output; it is deterministic, and a test checks that the committed
files match what it writes. Every expected value below is the text we *encode*, never
something read back from the parser, so the corpus tests the parser against intent.

Many messages need raw 8-bit legacy bytes (windows-874, windows-1250/1253,
iso-8859-2/7), which is why they are built here rather than typed into files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import quopri
import random
import sys
import unicodedata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CRLF = b"\r\n"
SUPPORT = "Amends Support <support@amends.example>"

_PY_CODEC = {"windows-874": "cp874", "tis-620": "cp874", "x-unknown": "utf-8"}

Header = tuple[str, "str | bytes"]


def codec(charset: str) -> str:
    return _PY_CODEC.get(charset.lower(), charset)


def ew(text: str, charset: str = "utf-8", mode: str = "B", *, data: bytes | None = None) -> str:
    """An RFC 2047 encoded word."""
    raw = data if data is not None else text.encode(codec(charset))
    if mode == "B":
        return f"=?{charset}?B?{base64.b64encode(raw).decode('ascii')}?="
    encoded = "".join(
        chr(b) if (chr(b).isalnum() and b < 128) else "_" if b == 32 else f"={b:02X}" for b in raw
    )
    return f"=?{charset}?Q?{encoded}?="


def pct(text: str, charset: str = "utf-8") -> str:
    """RFC 2231 percent-encoding."""
    return "".join(
        chr(b) if (chr(b).isalnum() and b < 128) or chr(b) in ".-_" else f"%{b:02X}"
        for b in text.encode(codec(charset))
    )


def headers_bytes(headers: list[Header], eol: bytes = CRLF) -> bytes:
    out = bytearray()
    for name, value in headers:
        encoded = value if isinstance(value, bytes) else value.encode("ascii")
        out += name.encode("ascii") + b": " + encoded + eol
    return bytes(out)


def entity(headers: list[Header], body: bytes, eol: bytes = CRLF) -> bytes:
    """A message or a MIME part: headers, blank line, body."""
    return headers_bytes(headers, eol) + eol + body


def lines(text: str, eol: bytes = CRLF, charset: str = "utf-8") -> bytes:
    return text.encode(codec(charset)).replace(b"\n", eol)


def qp(text: str, charset: str = "utf-8") -> bytes:
    return quopri.encodestring(text.encode(codec(charset))).replace(b"\n", CRLF)


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF)


def multipart(boundary: str, parts: list[bytes], *, close: bool = True) -> bytes:
    b = boundary.encode("ascii")
    out = bytearray(b"This is a multi-part message in MIME format.\r\n")
    for part in parts:
        out += b"--" + b + CRLF + part + CRLF
    if close:
        out += b"--" + b + b"--" + CRLF
    return bytes(out)


def text_part(
    text: str, charset: str = "utf-8", cte: str = "8bit", subtype: str = "plain"
) -> bytes:
    if cte == "quoted-printable":
        body = qp(text, charset)
    elif cte == "base64":
        body = b64(text.encode(codec(charset)))
    else:
        body = lines(text, charset=charset)
    return entity(
        [
            ("Content-Type", f'text/{subtype}; charset="{charset}"'),
            ("Content-Transfer-Encoding", cte),
        ],
        body,
    )


def base(
    subject: str,
    sender: str,
    *,
    date: str = "Mon, 3 Mar 2025 14:20:00 +0100",
    msgid: str | None = None,
    to: str = SUPPORT,
) -> list[Header]:
    headers: list[Header] = [("From", sender), ("To", to), ("Subject", subject), ("Date", date)]
    if msgid is not None:
        headers.append(("Message-ID", f"<{msgid}>"))
    headers.append(("MIME-Version", "1.0"))
    return headers


CASES: dict[str, tuple[bytes, dict[str, Any]]] = {}


def case(name: str, raw: bytes, **expected: Any) -> None:
    assert name not in CASES, name
    expected.setdefault("quarantine", None)
    if expected["quarantine"] is None:
        expected.setdefault("ignore", None)
        expected.setdefault("attachments", [])
    CASES[name] = (raw, expected)


def quarantined(name: str, raw: bytes, code: str, **extra: Any) -> None:
    case(name, raw, quarantine=code, **extra)


# --------------------------------------------------------------------------- Thai
TH_OUTLOOK_NEW = (
    "เรียนฝ่ายบริการลูกค้า\n\n"
    "ดิฉันสั่งซื้อเครื่องปั่นน้ำผลไม้เมื่อวันที่ 2 มีนาคม แต่จนถึงวันนี้ยังไม่ได้รับสินค้าเลยค่ะ "
    "ทางร้านแจ้งว่า “จัดส่งแล้ว” แต่เลขพัสดุตรวจสอบไม่ได้… รบกวนช่วยตรวจสอบให้ด้วยนะคะ\n\n"
    "ขอบคุณค่ะ\nสมศรี ใจดี"
)
TH_OUTLOOK_QUOTED = (
    "________________________________\n"
    "จาก: ฝ่ายบริการลูกค้า Amends <support@amends.example>\n"
    "ส่ง: 28 กุมภาพันธ์ 2568 16:40\n"
    "ถึง: สมศรี ใจดี <somsri@example.co.th>\n"
    "เรื่อง: คำสั่งซื้อเลขที่ 4521\n\n"
    "เรียนคุณสมศรี สินค้าของท่านจัดส่งแล้วค่ะ"
)
TH_OUTLOOK_SUBJECT = "สอบถามเรื่องคำสั่งซื้อเลขที่ 4521 ที่ยังไม่ได้รับ"
case(
    "th_windows874_outlook.eml",
    entity(
        [
            ("From", f"{ew('สมศรี ใจดี', 'windows-874')} <Somsri@Example.co.th>"),
            ("To", SUPPORT),
            (
                "Subject",
                f"{ew(TH_OUTLOOK_SUBJECT[:20], 'windows-874')}\r\n "
                f"{ew(TH_OUTLOOK_SUBJECT[20:], 'windows-874')}",
            ),
            ("Date", "Mon, 3 Mar 2025 10:15:00 +0700"),
            ("Message-ID", "<OUT-4521.1@EXCH.example.co.th>"),
            ("MIME-Version", "1.0"),
            ("X-Mailer", "Microsoft Outlook 16.0"),
            ("Content-Type", 'text/plain; charset="windows-874"'),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        qp(TH_OUTLOOK_NEW + "\n\n" + TH_OUTLOOK_QUOTED + "\n", "windows-874"),
    ),
    subject=TH_OUTLOOK_SUBJECT,
    new_text=TH_OUTLOOK_NEW,
    quoted_text=TH_OUTLOOK_QUOTED,
    language="th",
    from_address="somsri@example.co.th",
    from_name="สมศรี ใจดี",
    message_id="OUT-4521.1@EXCH.example.co.th",
    date="2025-03-03T03:15:00+00:00",
    charset_used="windows-874",
    charset_repaired=False,
)

TH_TIS_NEW = (
    "สวัสดีครับ\n\n"
    "ผมได้รับโทรศัพท์มือถือที่สั่งไว้แล้ว แต่หน้าจอแตกตั้งแต่แกะกล่อง – ถ่ายรูปแนบมาให้ดูแล้วครับ "
    "อยากขอเปลี่ยนเครื่องใหม่ภายในสัปดาห์นี้ได้ไหมครับ\n\n"
    "ขอบคุณครับ\nวิชัย"
)
TH_TIS_SUBJECT = "หน้าจอโทรศัพท์แตกตั้งแต่แกะกล่อง"
case(
    "th_tis620_declared_cp874_bytes.eml",
    entity(
        [
            *base(
                ew(TH_TIS_SUBJECT, "TIS-620", "Q"),
                "Wichai <wichai@example.co.th>",
                msgid="tis-1@example.co.th",
            ),
            ("Content-Type", "text/plain; charset=TIS-620"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(TH_TIS_NEW, charset="cp874"),
    ),
    subject=TH_TIS_SUBJECT,
    new_text=TH_TIS_NEW,
    language="th",
    charset_used="windows-874",
    charset_repaired=True,
)

TH_UNDECLARED_NEW = (
    "เรียนเจ้าหน้าที่\n\n"
    "ใบแจ้งหนี้เดือนกุมภาพันธ์คิดค่าบริการซ้ำสองครั้ง ยอดเงินที่ถูกหักเกินไปคือ 1,250 บาท "
    "กรุณาคืนเงินส่วนที่เกินเข้าบัญชีเดิมด้วยค่ะ\n\nมาลี"
)
case(
    "th_undeclared_8bit.eml",
    entity(
        [
            ("From", "Malee <malee@example.co.th>"),
            ("To", SUPPORT),
            ("Subject", "ขอคืนเงินค่าบริการซ้ำ".encode("cp874")),
            ("Date", "Tue, 4 Mar 2025 08:00:00 +0700"),
            ("Content-Type", "text/plain"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(TH_UNDECLARED_NEW, charset="cp874"),
    ),
    subject="ขอคืนเงินค่าบริการซ้ำ",
    new_text=TH_UNDECLARED_NEW,
    language="th",
    charset_used="windows-874",
    charset_repaired=True,
    message_id=None,
)

TH_GMAIL_NEW = "ได้รับพัสดุแล้วค่ะ แต่กล่องบุบและแก้วข้างในแตกไปสองใบ ต้องส่งรูปถ่ายเพิ่มเติมหรือไม่คะ"
TH_GMAIL_QUOTED = (
    "เมื่อ วันจันทร์ที่ 3 มี.ค. 2568 เวลา 10:15 Amends Support <support@amends.example> เขียนว่า:\n\n"
    "> เรียนคุณนภา พัสดุของท่านจะถึงภายในวันพรุ่งนี้ค่ะ\n"
    ">"
)
case(
    "th_gmail_reply_alternative.eml",
    entity(
        [
            *base(
                f"Re: [C-1042] {ew('พัสดุเสียหาย')}",
                f"{ew('นภา')} <napa@example.co.th>",
                msgid="CAGmail-th-1@mail.gmail.com",
            ),
            ("In-Reply-To", "<case-1042.7@amends.example>"),
            ("References", "<case-1042.1@amends.example>\r\n <case-1042.7@amends.example>"),
            ("Content-Type", 'multipart/alternative; boundary="000000000000a1b2c3"'),
        ],
        multipart(
            "000000000000a1b2c3",
            [
                text_part(TH_GMAIL_NEW + "\n\n" + TH_GMAIL_QUOTED + "\n", cte="base64"),
                text_part(
                    f'<div dir="ltr">{TH_GMAIL_NEW}</div><br><div class="gmail_quote">'
                    "<blockquote>เรียนคุณนภา</blockquote></div>",
                    cte="base64",
                    subtype="html",
                ),
            ],
        ),
    ),
    subject="Re: [C-1042] พัสดุเสียหาย",
    normalised_subject="พัสดุเสียหาย",
    case_ref="C-1042",
    new_text=TH_GMAIL_NEW,
    quoted_text=TH_GMAIL_QUOTED,
    language="th",
    from_name="นภา",
    in_reply_to="case-1042.7@amends.example",
    references=["case-1042.1@amends.example", "case-1042.7@amends.example"],
    html_converted=False,
)

TH_IPHONE_NEW = "ตกลงครับ พรุ่งนี้ช่วงบ่ายสะดวกให้ช่างเข้ามาซ่อมแอร์ที่บ้านครับ"
case(
    "th_iphone_signoff_short_attribution.eml",
    entity(
        [
            *base(f"{ew('ตอบกลับ: นัดช่างซ่อมแอร์')}", "Somchai <somchai@example.co.th>"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(
            TH_IPHONE_NEW
            + "\n\nส่งจาก iPhone ของฉัน\n\n"
            + "Amends Support <support@amends.example> เขียน:\n\n"
            + "> ช่างสามารถเข้าไปได้วันพรุ่งนี้ช่วงบ่าย สะดวกไหมคะ\n"
        ),
    ),
    subject="ตอบกลับ: นัดช่างซ่อมแอร์",
    normalised_subject="นัดช่างซ่อมแอร์",
    new_text=TH_IPHONE_NEW,
    signature="ส่งจาก iPhone ของฉัน",
    language="th",
)

TH_RECEIPT = "ใบเสร็จรับเงิน มีนาคม.pdf"
_receipt = pct(TH_RECEIPT)
# Split the RFC 2231 continuation inside a Thai character: after the first of the three
# percent-encoded bytes of the second letter.
_cut = 12
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TH_RECEIPT_NEW = "แนบใบเสร็จรับเงินเดือนมีนาคมมาให้แล้วค่ะ ยอดที่ชำระไปไม่ตรงกับราคาที่แจ้งไว้ในเว็บไซต์"
case(
    "th_rfc2231_continuation_filename.eml",
    entity(
        [
            *base(ew("ใบเสร็จไม่ถูกต้อง"), "Napa <napa@example.co.th>"),
            ("Content-Type", 'multipart/mixed; boundary="mix-th"'),
        ],
        multipart(
            "mix-th",
            [
                text_part(TH_RECEIPT_NEW),
                entity(
                    [
                        ("Content-Type", "application/pdf"),
                        (
                            "Content-Disposition",
                            f"attachment;\r\n filename*0*=utf-8''{_receipt[:_cut]};\r\n"
                            f" filename*1*={_receipt[_cut:]}",
                        ),
                        ("Content-Transfer-Encoding", "base64"),
                    ],
                    b64(PDF_BYTES),
                ),
            ],
        ),
    ),
    subject="ใบเสร็จไม่ถูกต้อง",
    new_text=TH_RECEIPT_NEW,
    language="th",
    attachments=[TH_RECEIPT],
    attachment_types=["application/pdf"],
    attachment_sha256=[hashlib.sha256(PDF_BYTES).hexdigest()],
)

TH_SPLIT_SUBJECT = "สินค้าชำรุด ขอเปลี่ยนใหม่"
_th_bytes = TH_SPLIT_SUBJECT.encode("utf-8")
TH_SPLIT_NEW = "เครื่องดูดฝุ่นที่ได้รับเปิดไม่ติดตั้งแต่วันแรก ขอเปลี่ยนเครื่องใหม่ด้วยครับ"
case(
    "th_encoded_word_split_mid_character.eml",
    entity(
        [
            (
                "From",
                f"{ew('', data='ประ'.encode()[:4])} {ew('', data='ประ'.encode()[4:] + 'เสริฐ'.encode())}"
                " <prasert@example.co.th>",
            ),
            ("To", SUPPORT),
            # Each word holds a piece of a 3-byte UTF-8 character; decoded alone they are invalid.
            (
                "Subject",
                f"{ew('', data=_th_bytes[:7])}\r\n {ew('', data=_th_bytes[7:20])}"
                f" {ew('', 'utf-8', 'Q', data=_th_bytes[20:])}",
            ),
            ("Date", "Wed, 5 Mar 2025 09:00:00 +0700"),
            ("Content-Type", "text/plain; charset=utf-8"),
        ],
        lines(TH_SPLIT_NEW),
    ),
    subject=TH_SPLIT_SUBJECT,
    from_name="ประเสริฐ",
    new_text=TH_SPLIT_NEW,
    language="th",
)

# -------------------------------------------------------------------------- Greek
EL_GENUINE_NEW = (
    "Καλησπέρα σας,\n\n"
    "Η παραγγελία μου με αριθμό 7731 έφτασε χθες, αλλά λείπει το καλώδιο φόρτισης. "
    "Άνοιξα προσεκτικά τη συσκευασία και δεν υπήρχε πουθενά. Μπορείτε να μου το στείλετε;\n\n"
    "Σ’ ευχαριστώ,\nΆννα Παπαδοπούλου"
)
EL_GENUINE_SUBJECT = "Λείπει εξάρτημα από την παραγγελία 7731"
case(
    "el_iso8859_7_genuine.eml",
    entity(
        [
            *base(
                ew(EL_GENUINE_SUBJECT, "iso-8859-7", "Q"),
                f"{ew('Άννα Παπαδοπούλου', 'iso-8859-7')} <anna@example.gr>",
            ),
            ("Content-Type", "text/plain; charset=iso-8859-7"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(EL_GENUINE_NEW, charset="iso-8859-7"),
    ),
    subject=EL_GENUINE_SUBJECT,
    from_name="Άννα Παπαδοπούλου",
    new_text=EL_GENUINE_NEW,
    language="el",
    charset_used="iso-8859-7",
    charset_repaired=False,
)

EL_MISLABEL_NEW = (
    "Καλημέρα,\n\n"
    "Άργησε πολύ η επιστροφή χρημάτων για το ακυρωμένο ταξίδι. Έχουν περάσει τρεις εβδομάδες "
    "από την ακύρωση και ακόμα περιμένω.\n\nΜε εκτίμηση,\nΓιώργος Νικολάου"
)
case(
    "el_iso8859_7_declared_windows1253_bytes.eml",
    entity(
        [
            *base(ew("Καθυστέρηση επιστροφής χρημάτων"), "Giorgos <giorgos@example.gr>"),
            ("Content-Type", "text/plain; charset=ISO-8859-7"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(EL_MISLABEL_NEW, charset="cp1253"),
    ),
    subject="Καθυστέρηση επιστροφής χρημάτων",
    new_text=EL_MISLABEL_NEW,
    language="el",
    charset_used="windows-1253",
    charset_repaired=True,
)

EL_UNDECLARED_NEW = (
    "Γεια σας,\n\n"
    "Ο τεχνικός δεν ήρθε στο ραντεβού της Τρίτης και κανείς δεν μας ενημέρωσε. "
    "Χάσαμε μια ολόκληρη μέρα δουλειάς περιμένοντας.\n\nΔημήτρης"
)
case(
    "el_undeclared_8bit.eml",
    entity(
        [
            *base(ew("Χαμένο ραντεβού τεχνικού", "windows-1253"), "Dimitris <dimitris@example.gr>"),
            ("Content-Type", "text/plain"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(EL_UNDECLARED_NEW, charset="cp1253"),
    ),
    subject="Χαμένο ραντεβού τεχνικού",
    new_text=EL_UNDECLARED_NEW,
    language="el",
    charset_used="windows-1253",
    charset_repaired=True,
)

EL_OUTLOOK_NEW = (
    "Καλησπέρα,\n\n"
    "έστειλα το προϊόν πίσω με courier την Παρασκευή, ο αριθμός αποστολής είναι GR5521903. "
    "Παρακαλώ ενημερώστε με όταν παραληφθεί.\n\nΕλένη"
)
EL_OUTLOOK_QUOTED = (
    "Από: Amends Support <support@amends.example>\n"
    "Στάλθηκε: Δευτέρα, 3 Μαρτίου 2025 10:15 πμ\n"
    "Προς: Ελένη Γεωργίου <eleni@example.gr>\n"
    "Θέμα: Επιστροφή προϊόντος\n\n"
    "Αγαπητή κυρία Γεωργίου, μπορείτε να επιστρέψετε το προϊόν χωρίς χρέωση."
)
case(
    "el_outlook_reply.eml",
    entity(
        [
            *base(ew("ΑΠ: Επιστροφή προϊόντος"), f"{ew('Ελένη Γεωργίου')} <eleni@example.gr>"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        qp(EL_OUTLOOK_NEW + "\n\n" + EL_OUTLOOK_QUOTED + "\n"),
    ),
    subject="ΑΠ: Επιστροφή προϊόντος",
    normalised_subject="Επιστροφή προϊόντος",
    new_text=EL_OUTLOOK_NEW,
    quoted_text=EL_OUTLOOK_QUOTED,
    language="el",
)

EL_GMAIL_NEW = "Ευχαριστώ για την άμεση απάντηση. Το νέο πληκτρολόγιο λειτουργεί κανονικά."
case(
    "el_gmail_reply_iphone.eml",
    entity(
        [
            *base(ew("ΣΧΕΤ: Ελαττωματικό πληκτρολόγιο"), "Maria <maria@example.gr>"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "base64"),
        ],
        b64(
            (
                EL_GMAIL_NEW
                + "\n\nΣτάλθηκε από το iPhone μου\n\n"
                + "Στις Δευ 3 Μαρ 2025 στις 10:15 π.μ., ο χρήστης Amends Support "
                "<support@amends.example> έγραψε:\n\n"
                "> Σας στείλαμε νέο πληκτρολόγιο με courier.\n"
            ).encode()
        ),
    ),
    subject="ΣΧΕΤ: Ελαττωματικό πληκτρολόγιο",
    normalised_subject="Ελαττωματικό πληκτρολόγιο",
    new_text=EL_GMAIL_NEW,
    signature="Στάλθηκε από το iPhone μου",
    quoted_text=(
        "Στις Δευ 3 Μαρ 2025 στις 10:15 π.μ., ο χρήστης Amends Support "
        "<support@amends.example> έγραψε:\n\n> Σας στείλαμε νέο πληκτρολόγιο με courier."
    ),
    language="el",
)

EL_INVOICE = "Τιμολόγιο Μαρτίου.pdf"
EL_PHOTO = "Φωτογραφία βλάβης.jpg"
JPEG_BYTES = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
EL_FILES_NEW = "Σας επισυνάπτω το τιμολόγιο και μια φωτογραφία της βλάβης."
case(
    "el_rfc2231_and_encoded_word_filenames.eml",
    entity(
        [
            *base(ew("Τιμολόγιο και φωτογραφία"), "Kostas <kostas@example.gr>"),
            ("Content-Type", "multipart/mixed; boundary=el-files"),
        ],
        multipart(
            "el-files",
            [
                text_part(EL_FILES_NEW + "\n\n-- \nΚώστας Αντωνίου\nΤηλ. 210 555 0199\n"),
                entity(
                    [
                        ("Content-Type", "application/pdf"),
                        (
                            "Content-Disposition",
                            f"attachment; filename*=iso-8859-7'el'{pct(EL_INVOICE, 'iso-8859-7')}",
                        ),
                        ("Content-Transfer-Encoding", "base64"),
                    ],
                    b64(PDF_BYTES),
                ),
                entity(
                    [
                        ("Content-Type", f'image/jpeg; name="{ew(EL_PHOTO)}"'),
                        ("Content-Disposition", f'attachment; filename="{ew(EL_PHOTO)}"'),
                        ("Content-Transfer-Encoding", "base64"),
                    ],
                    b64(JPEG_BYTES),
                ),
            ],
        ),
    ),
    subject="Τιμολόγιο και φωτογραφία",
    new_text=EL_FILES_NEW,
    signature="Κώστας Αντωνίου\nΤηλ. 210 555 0199",
    language="el",
    attachments=[EL_INVOICE, EL_PHOTO],
    attachment_types=["application/pdf", "image/jpeg"],
)

EL_HTML_TEXT = (
    "Καλημέρα σας,\n\n"
    "η συνδρομή μου χρεώθηκε δύο φορές αυτόν τον μήνα: 2 × 19,90 €. "
    "Παρακαλώ επιστρέψτε τη διπλή χρέωση.\n\nΜε εκτίμηση,\nΣοφία Ιωάννου"
)
EL_HTML = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Χρέωση</title>'
    "<style>p { margin: 0 } .x::after { content: 'κρυφό' }</style>"
    "<script>var secret = 'δεν φαίνεται';</script></head><body>"
    "<p>Καλημέρα σας,</p>\n<p>η συνδρομή μου χρεώθηκε δύο φορές\n αυτόν τον μήνα: "
    "2&nbsp;&times;&nbsp;19,90&nbsp;&euro;. Παρακαλώ επιστρέψτε τη διπλή χρέωση.</p>"
    "<p>Με εκτίμηση,<br>Σοφία Ιωάννου</p></body></html>"
)
case(
    "el_html_only.eml",
    entity(
        [
            *base(ew("Διπλή χρέωση συνδρομής"), "Sofia <sofia@example.gr>"),
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Transfer-Encoding", "base64"),
        ],
        b64(EL_HTML.encode()),
    ),
    subject="Διπλή χρέωση συνδρομής",
    new_text=EL_HTML_TEXT,
    body_text=EL_HTML_TEXT,
    language="el",
    html_converted=True,
)

EL_RAW_NEW = (
    "Καλησπέρα,\n\nστον λογαριασμό του Φεβρουαρίου χρεωθήκατε υπηρεσίες που δεν έχω ζητήσει ποτέ. "
    "Ζητώ διόρθωση του λογαριασμού.\n\nΝίκος Βασιλείου"
)
case(
    "el_raw_8bit_utf8_headers.eml",
    entity(
        [
            ("From", "Νίκος Βασιλείου <nikos@example.gr>".encode()),
            ("To", SUPPORT),
            ("Subject", "Λάθος χρέωση στον λογαριασμό".encode()),
            ("Date", "Thu, 6 Mar 2025 18:30:00 +0200"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(EL_RAW_NEW),
    ),
    subject="Λάθος χρέωση στον λογαριασμό",
    from_name="Νίκος Βασιλείου",
    from_address="nikos@example.gr",
    new_text=EL_RAW_NEW,
    language="el",
    date="2025-03-06T16:30:00+00:00",
)

# ------------------------------------------------------------------------- Slovak
SK_MISLABEL_SUBJECT = "Poškodená zásielka – žiadosť o výmenu"
SK_MISLABEL_NEW = (
    "Dobrý deň,\n\n"
    "zásielka č. 88412 prišla včera poškodená. Škatuľa bola roztrhnutá a kávovar má prasknutú "
    "nádobu na vodu, takže ho ťažko použijem. Žiadam o výmenu za nový kus, prípadne o vrátenie "
    "peňazí.\n\nĎakujem,\nŠtefan Kováč"
)
case(
    "sk_iso8859_2_declared_windows1250_bytes.eml",
    entity(
        [
            *base(
                ew(
                    SK_MISLABEL_SUBJECT,
                    "iso-8859-2",
                    "Q",
                    data=SK_MISLABEL_SUBJECT.encode("cp1250"),
                ),
                f"{ew('Štefan Kováč', 'iso-8859-2', data='Štefan Kováč'.encode('cp1250'))}"
                " <stefan.kovac@example.sk>",
            ),
            ("Content-Type", "text/plain; charset=iso-8859-2"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        qp(SK_MISLABEL_NEW, "cp1250"),
    ),
    subject=SK_MISLABEL_SUBJECT,
    from_name="Štefan Kováč",
    new_text=SK_MISLABEL_NEW,
    language="sk",
    charset_used="windows-1250",
    charset_repaired=True,
)

SK_FLOWED_NEW = (
    "Dobrý deň,\n\n"
    "ďakujem za odpoveď, ale termín 14. marca mi nevyhovuje. Ľudia z vašej prepravnej služby mi "
    "už dvakrát nedoručili nábytok v dohodnutý deň, preto žiadam pevný termín doručenia.\n\n"
    "S pozdravom\nĽubica Šimková"
)
SK_FLOWED_WIRE = (
    "Dobrý deň,\n\n"
    "ďakujem za odpoveď, ale termín 14. marca mi nevyhovuje. Ľudia z vašej \n"
    "prepravnej služby mi už dvakrát nedoručili nábytok v dohodnutý deň, \n"
    "preto žiadam pevný termín doručenia.\n\n"
    "S pozdravom\nĽubica Šimková\n\n"
    "Dňa 3. 3. 2025 o 10:15 Amends Support napísal(a):\n"
    "> Dobrý deň, nový termín doručenia je 14. marca, medzi 8:00 a \n"
    "> 12:00.\n"
)
case(
    "sk_iso8859_2_genuine_flowed_reply.eml",
    entity(
        [
            *base(
                "Re: =?ISO-8859-2?Q?Oneskoren=E1_dod=E1vka_n=E1bytku?=",
                "=?ISO-8859-2?Q?=A5ubica_=A9imkov=E1?= <lubica@example.sk>",
            ),
            ("User-Agent", "Mozilla Thunderbird"),
            ("Content-Type", "text/plain; charset=ISO-8859-2; format=flowed"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(SK_FLOWED_WIRE, charset="iso-8859-2"),
    ),
    subject="Re: Oneskorená dodávka nábytku",
    normalised_subject="Oneskorená dodávka nábytku",
    from_name="Ľubica Šimková",
    new_text=SK_FLOWED_NEW,
    quoted_text=(
        "Dňa 3. 3. 2025 o 10:15 Amends Support napísal(a):\n"
        "> Dobrý deň, nový termín doručenia je 14. marca, medzi 8:00 a 12:00."
    ),
    language="sk",
    charset_used="iso-8859-2",
    charset_repaired=False,
)

SK_UNDECLARED_NEW = (
    "Dobrý deň,\n\n"
    "v piatok ste mi odpojili internet, hoci faktúru za február som zaplatil načas. "
    "Posielam potvrdenie z banky. Prosím, obnovte pripojenie čo najskôr, pracujem z domu.\n\n"
    "Ľuboš Hraško"
)
case(
    "sk_undeclared_8bit.eml",
    entity(
        [
            ("From", "Lubos Hrasko <lubos@example.sk>"),
            ("To", SUPPORT),
            ("Subject", "Odpojený internet napriek zaplatenej faktúre".encode("cp1250")),
            ("Date", "Fri, 7 Mar 2025 07:45:00 +0100"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(SK_UNDECLARED_NEW, charset="cp1250"),
    ),
    subject="Odpojený internet napriek zaplatenej faktúre",
    new_text=SK_UNDECLARED_NEW,
    language="sk",
    charset_used="windows-1250",
    charset_repaired=True,
)

SK_PATH_NEW = (
    "Dobrý deň,\n\n"
    "faktúru som uložil do C:\\Users\\novak\\Documents\\faktura.pdf, ale program ju nevie otvoriť. "
    "Môžete mi ju poslať ešte raz e-mailom?\n\nĎakujem,\nJán Novák"
)
case(
    "sk_utf8_8bit_windows_path.eml",
    entity(
        [
            *base(
                ew("Faktúra sa nedá otvoriť"),
                f"{ew('Ján Novák')} <JAN.NOVAK@Example.SK>",
                msgid="path-1@example.sk",
            ),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(SK_PATH_NEW),
    ),
    subject="Faktúra sa nedá otvoriť",
    from_address="jan.novak@example.sk",
    from_name="Ján Novák",
    new_text=SK_PATH_NEW,
    language="sk",
    charset_used="utf-8",
)

SK_OUTLOOK_NEW = (
    "Dobrý deň,\n\n"
    "technik u nás bol, ale práčka stále nežmýka. Chyba sa objavila znova hneď pri prvom praní.\n\n"
    "S pozdravom\nPeter Horváth"
)
SK_OUTLOOK_QUOTED = (
    "-----Pôvodná správa-----\n"
    "Od: Amends Support <support@amends.example>\n"
    "Odoslané: pondelok 3. marca 2025 10:15\n"
    "Komu: Peter Horváth <peter.horvath@example.sk>\n"
    "Predmet: RE: [C-2087] Reklamácia práčky\n\n"
    "Dobrý deň, technik príde v utorok."
)
case(
    "sk_outlook_original_message.eml",
    entity(
        [
            *base(
                f"Odp: RE: [C-2087] {ew('Reklamácia práčky')}",
                f"{ew('Peter Horváth')} <peter.horvath@example.sk>",
            ),
            ("Cc", "Eva Horváthová <eva@example.sk>, druhy@example.sk".encode()),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        qp(SK_OUTLOOK_NEW + "\n\n" + SK_OUTLOOK_QUOTED + "\n"),
    ),
    subject="Odp: RE: [C-2087] Reklamácia práčky",
    normalised_subject="Reklamácia práčky",
    case_ref="C-2087",
    new_text=SK_OUTLOOK_NEW,
    quoted_text=SK_OUTLOOK_QUOTED,
    cc_addresses=["eva@example.sk", "druhy@example.sk"],
    language="sk",
)

SK_IPHONE_NEW = (
    "Áno, v stredu popoludní budem doma. Technik môže prísť kedykoľvek po jednej hodine."
)
case(
    "sk_iphone_signoff_gmail_attribution.eml",
    entity(
        [
            *base(ew("Re: Termín opravy"), "Zuzana <zuzana@example.sk>"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(
            SK_IPHONE_NEW
            + "\n\nOdoslané z iPhonu\n\n"
            + "ut 4. 3. 2025 o 9:30 Amends Support <support@amends.example> napísal(a):\n\n"
            + "> Môže technik prísť v stredu?\n"
        ),
    ),
    subject="Re: Termín opravy",
    normalised_subject="Termín opravy",
    new_text=SK_IPHONE_NEW,
    signature="Odoslané z iPhonu",
    language="sk",
)

SK_UNKNOWN_NEW = (
    "Dobrý deň,\n\nreklamujem topánky, ktoré sa po týždni nosenia rozpadli. "
    "Podrážka sa úplne odlepila a ľavá topánka prepúšťa vodu.\n\nKatarína"
)
case(
    "sk_unknown_charset_body.eml",
    entity(
        [
            *base(ew("Reklamácia topánok"), "Katarina <katarina@example.sk>"),
            ("Content-Type", "text/plain; charset=x-unknown-foo"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(SK_UNKNOWN_NEW, charset="cp1250"),
    ),
    subject="Reklamácia topánok",
    new_text=SK_UNKNOWN_NEW,
    language="sk",
    charset_used="windows-1250",
    charset_repaired=True,
)

SK_EW_NEW = (
    "Dobrý deň,\n\nobjednávku som zrušil do hodiny od zaplatenia, ale peniaze mi stále neprišli "
    "späť. Prosím o vrátenie sumy 89,90 € na môj účet."
)
case(
    "sk_encoded_words_unknown_charset_comma_name.eml",
    entity(
        [
            ("From", f'"{ew("Novák, Ján", "utf-8", "Q")}" <jan@example.sk>'),
            ("To", f"{ew('Zákaznícka podpora')} <support@amends.example>"),
            # An unknown charset label on UTF-8 bytes, and a folded header.
            (
                "Subject",
                "=?x-unknown?Q?Vr=C3=A1tenie_pe=C5=88az=C3=AD_?=\r\n"
                " =?utf-8?Q?za_zru=C5=A1en=C3=BA_objedn=C3=A1vku?=",
            ),
            ("Date", "Sat, 8 Mar 2025 12:00:00 +0100"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        qp(SK_EW_NEW),
    ),
    subject="Vrátenie peňazí za zrušenú objednávku",
    from_name="Novák, Ján",
    from_address="jan@example.sk",
    to_addresses=["support@amends.example"],
    new_text=SK_EW_NEW,
    language="sk",
)

SK_HTML_NEW = (
    "Dobrý deň,\n\nposielam fotku poškodeného stola. Noha je zlomená priamo pri spoji.\n\nMária"
)
SK_HTML = (
    '<div dir="ltr">Dobrý deň,<div><br></div><div>posielam fotku poškodeného stola. Noha je '
    "zlomená priamo pri spoji.</div><div><br></div><div>Mária</div></div><br>"
    '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">ut 4. 3. 2025 o 9:30 Amends '
    'Support &lt;<a href="mailto:support@amends.example">support@amends.example</a>&gt; '
    'napísal(a):<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
    'border-left:1px solid rgb(204,204,204);padding-left:1ex">Dobrý deň, pošlite nám prosím '
    "fotografiu poškodenia.</blockquote></div>\n"
)
SK_PHOTO = "poškodený stôl.jpg"
case(
    "sk_html_reply_blockquote_nfd_filename.eml",
    entity(
        [
            *base(ew("Re: Zlomený stôl"), "Maria <maria@example.sk>"),
            ("Content-Type", 'multipart/mixed; boundary="sk-html"'),
        ],
        multipart(
            "sk-html",
            [
                text_part(SK_HTML, cte="quoted-printable", subtype="html"),
                entity(
                    [
                        ("Content-Type", "image/jpeg"),
                        (
                            "Content-Disposition",
                            # macOS writes decomposed (NFD) file names.
                            "attachment; filename*=utf-8''"
                            + pct(unicodedata.normalize("NFD", SK_PHOTO)),
                        ),
                        ("Content-Transfer-Encoding", "base64"),
                    ],
                    b64(JPEG_BYTES),
                ),
            ],
        ),
    ),
    subject="Re: Zlomený stôl",
    new_text=SK_HTML_NEW,
    quoted_text=(
        "ut 4. 3. 2025 o 9:30 Amends Support <support@amends.example> napísal(a):\n\n"
        "> Dobrý deň, pošlite nám prosím fotografiu poškodenia."
    ),
    language="sk",
    html_converted=True,
    attachments=[SK_PHOTO],
)

# -------------------------------------------------------------------------- Czech
CS_NEW = (
    "Dobrý den,\n\n"
    "objednávka ještě nepřišla, přestože podle sledování zásilky měla být doručena už v pátek. "
    "Jsem z toho dost zklamaný, potřebuji ji na dárek.\n\nDěkuji,\nPetr Dvořák"
)
case(
    "cs_reply_dne_napsal.eml",
    entity(
        [
            *base(ew("Re: Kde je moje objednávka?"), f"{ew('Petr Dvořák')} <petr@example.cz>"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        lines(
            CS_NEW
            + "\n\nDne 3. 3. 2025 v 10:15 Amends Support <support@amends.example> napsal(a):\n"
            + "> Vaše objednávka byla odeslána.\n"
        ),
        eol=b"\n",
    ).replace(CRLF, b"\n"),
    subject="Re: Kde je moje objednávka?",
    normalised_subject="Kde je moje objednávka?",
    new_text=CS_NEW,
    language="cs",
)

CS_OUTLOOK_NEW = "Jsem velmi nespokojený se službou. Technik nepřišel ani podruhé."
case(
    "cs_outlook_puvodni_zprava_short.eml",
    entity(
        [
            *base(ew("Odp: Servisní návštěva"), "Jana <jana@example.cz>"),
            ("Content-Type", "text/plain; charset=windows-1250"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        qp(
            CS_OUTLOOK_NEW
            + "\n\n-----Původní zpráva-----\nOd: Amends Support <support@amends.example>\n"
            "Odesláno: pondělí 3. března 2025 10:15\nKomu: Jana <jana@example.cz>\n"
            "Předmět: Servisní návštěva\n\nTechnik přijde zítra.\n",
            "cp1250",
        ),
    ),
    subject="Odp: Servisní návštěva",
    normalised_subject="Servisní návštěva",
    new_text=CS_OUTLOOK_NEW,
    language="cs",
    charset_used="windows-1250",
)

# ------------------------------------------------------------------------ English
EN_GMAIL_NEW = (
    "Hi,\n\n"
    "The replacement charger you sent doesn't fit the laptop either. Could you check the model "
    "number before sending another one?\n\nThanks,\nJohn"
)
case(
    "en_gmail_wrapped_attribution_signature.eml",
    entity(
        base("Re: Wrong charger", "John Carter <john@carter.example>", msgid="en-1@carter.example"),
        lines(
            EN_GMAIL_NEW
            + "\n\n-- \nJohn Carter\nCarter & Sons Ltd.\n\n"
            + "On Mon, 3 Mar 2025 at 10:15, Amends Support <support@amends.example>\nwrote:\n\n"
            + "> Hello John,\n> we have shipped a replacement charger today.\n"
        ),
    ),
    subject="Re: Wrong charger",
    new_text=EN_GMAIL_NEW,
    signature="John Carter\nCarter & Sons Ltd.",
    quoted_text=(
        "On Mon, 3 Mar 2025 at 10:15, Amends Support <support@amends.example>\nwrote:\n\n"
        "> Hello John,\n> we have shipped a replacement charger today."
    ),
    language="en",
    charset_used="us-ascii",
    message_id="en-1@carter.example",
)

EN_ORIGINAL_NEW = (
    "Hello,\n\nI was charged twice for the annual plan. Please refund the duplicate payment of "
    "$240 to the card ending 4417.\n\nRegards,\nLinda Moore"
)
case(
    "en_outlook_original_message.eml",
    entity(
        [
            *base("RE: Billing question", "Linda Moore <linda.moore@example.com>"),
            ("Content-Type", "text/plain; charset=us-ascii"),
            ("Content-Transfer-Encoding", "7bit"),
        ],
        lines(
            EN_ORIGINAL_NEW
            + "\n\n-----Original Message-----\nFrom: Amends Support <support@amends.example>\n"
            "Sent: Monday, March 3, 2025 10:15 AM\nTo: Linda Moore <linda.moore@example.com>\n"
            "Subject: Billing question\n\nHi Linda, could you tell us more?\n"
        ),
    ),
    subject="RE: Billing question",
    normalised_subject="Billing question",
    new_text=EN_ORIGINAL_NEW,
    language="en",
)

EN_FROMSENT_NEW = (
    "The technician never showed up today and nobody called to explain. "
    "I took the whole day off work for this."
)
case(
    "en_outlook_from_sent_block_get_outlook.eml",
    entity(
        [
            *base("Re: Appointment confirmed", "Mark Lee <mark.lee@example.com>"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        qp(
            EN_FROMSENT_NEW + "\n\nGet Outlook for iOS\n________________________________\n"
            "From: Amends Support <support@amends.example>\nSent: Monday, March 3, 2025 10:15\n"
            "To: Mark Lee <mark.lee@example.com>\nSubject: Appointment confirmed\n\n"
            "Your appointment is confirmed for Tuesday between 9:00 and 17:00.\n"
        ),
    ),
    subject="Re: Appointment confirmed",
    new_text=EN_FROMSENT_NEW,
    signature="Get Outlook for iOS",
    language="en",
)

EN_ALT_PLAIN = "Plain text wins: the order arrived without the power adapter, please send one."
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
case(
    "en_alternative_prefers_plain_related_image.eml",
    entity(
        [
            *base("Missing power adapter", "Ann <ann@example.com>"),
            ("Content-Type", 'multipart/alternative; boundary="alt"'),
        ],
        multipart(
            "alt",
            [
                text_part(EN_ALT_PLAIN),
                entity(
                    [("Content-Type", 'multipart/related; boundary="rel"; type="text/html"')],
                    multipart(
                        "rel",
                        [
                            text_part(
                                "<p>HTML loses: <b>different</b> text.</p><img src=cid:shot1>",
                                subtype="html",
                            ),
                            entity(
                                [
                                    ("Content-Type", 'image/png; name="screenshot.png"'),
                                    ("Content-ID", "<shot1>"),
                                    ("Content-Disposition", 'inline; filename="screenshot.png"'),
                                    ("Content-Transfer-Encoding", "base64"),
                                ],
                                b64(PNG_BYTES),
                            ),
                        ],
                    ),
                ),
            ],
        ),
    ),
    subject="Missing power adapter",
    new_text=EN_ALT_PLAIN,
    body_text=EN_ALT_PLAIN,
    html_converted=False,
    language="en",
    attachments=["screenshot.png"],
    attachment_types=["image/png"],
)

EN_HTML_NEW = (
    "Hello team,\n\n"
    "Your invoice #2291 lists 3 licences & a setup fee of €150 <not agreed>.\n"
    "We only ordered 2 licences.\n\n"
    "- Licence A: ok\n- Licence B: ok\n- Licence C: never ordered\n\n"
    "Best,\nOlivia"
)
EN_HTML = (
    '<html><head><style type="text/css">body{font-family:Calibri}</style></head><body>'
    '<span style="display:none">Preheader text nobody should read</span>'
    "<div>Hello team,</div><div>&nbsp;</div>"
    "<div>Your invoice #2291 lists 3 licences &amp; a setup fee of &#8364;150 &lt;not agreed&gt;."
    "<br>We only ordered 2 licences.</div>"
    "<ul><li>Licence A: ok</li><li>Licence B: ok</li><li>Licence C: <i>never</i> ordered</li></ul>"
    "<p>Best,<br>Olivia</p><script type=\"text/javascript\">track('open');</script>"
    '<div id="appendonsend"></div><hr style="display:inline-block;width:98%">'
    '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Amends Support '
    "&lt;support@amends.example&gt;<br><b>Sent:</b> Monday, March 3, 2025 10:15<br>"
    "<b>To:</b> Olivia &lt;olivia@example.com&gt;<br><b>Subject:</b> Invoice 2291</font></div>"
    "<div>Please find the invoice attached.</div></body></html>"
)
case(
    "en_html_only_outlook_reply.eml",
    entity(
        [
            *base("RE: Invoice 2291", "Olivia <olivia@example.com>"),
            ("Content-Type", 'text/html; charset="utf-8"'),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        qp(EN_HTML),
    ),
    subject="RE: Invoice 2291",
    new_text=EN_HTML_NEW,
    quoted_text=(
        "From: Amends Support <support@amends.example>\nSent: Monday, March 3, 2025 10:15\n"
        "To: Olivia <olivia@example.com>\nSubject: Invoice 2291\nPlease find the invoice attached."
    ),
    language="en",
    html_converted=True,
)

EN_FWD_NEW = (
    "Please see the message from your courier below. This is the third time the delivery "
    "failed while I was at home all day."
)
SK_FWD_INNER = "Dobrý deň, zásielku sa nepodarilo doručiť, pretože adresát nebol zastihnutý."
case(
    "en_forwarded_rfc822.eml",
    entity(
        [
            *base(ew("Fwd: Doručenie zásielky zlyhalo"), "Tom Baker <tom@example.com>"),
            ("Content-Type", 'multipart/mixed; boundary="fwd"'),
        ],
        multipart(
            "fwd",
            [
                text_part(EN_FWD_NEW),
                entity(
                    [
                        ("Content-Type", "message/rfc822"),
                        ("Content-Disposition", 'inline; filename="forwarded message.eml"'),
                    ],
                    entity(
                        [
                            *base(
                                ew("Doručenie zásielky zlyhalo", "windows-1250", "Q"),
                                f"{ew('Kuriér')} <noreply@courier.example>",
                                date="Sun, 2 Mar 2025 16:05:00 +0100",
                                msgid="courier-991@courier.example",
                                to="tom@example.com",
                            ),
                            ("Content-Type", "text/plain; charset=windows-1250"),
                            ("Content-Transfer-Encoding", "8bit"),
                        ],
                        lines(SK_FWD_INNER, charset="cp1250"),
                    ),
                ),
            ],
        ),
    ),
    subject="Fwd: Doručenie zásielky zlyhalo",
    normalised_subject="Doručenie zásielky zlyhalo",
    new_text=EN_FWD_NEW,
    language="en",
    forwarded_subjects=["Doručenie zásielky zlyhalo"],
    forwarded_texts=[SK_FWD_INNER],
    forwarded_from=["noreply@courier.example"],
    body_text=(
        EN_FWD_NEW
        + "\n\n---------- Forwarded message ----------\nFrom: Kuriér <noreply@courier.example>\n"
        "Subject: Doručenie zásielky zlyhalo\n\n" + SK_FWD_INNER
    ),
)

EN_INLINE_FWD_NEW = "FYI, this is what your shop sent me after I cancelled."
case(
    "en_inline_forward_marker.eml",
    entity(
        [*base("Fwd: Your order has shipped", "Rita <rita@example.com>")],
        lines(
            EN_INLINE_FWD_NEW
            + "\n\n---------- Forwarded message ---------\nFrom: Shop <shop@example.com>\n"
            "Date: Sat, 1 Mar 2025 at 09:00\nSubject: Your order has shipped\nTo: <rita@example.com>\n"
            "\nYour order 5512 has shipped.\n"
        ),
    ),
    subject="Fwd: Your order has shipped",
    normalised_subject="Your order has shipped",
    new_text=EN_INLINE_FWD_NEW,
    language="en",
)

HOSTILE = [
    ('filename="../../etc/passwd"', "passwd"),
    ('filename="C:\\\\Windows\\\\System32\\\\evil.bat"', "evil.bat"),
    ("filename*=utf-8''report%00%1F%07.txt", "report.txt"),
    ("filename*=utf-8''invoice%E2%80%AEfdp.exe", "invoicefdp.exe"),
    ("filename*=utf-8''%E2%80%8Bphoto%EF%BB%BF%E2%80%8F.jpg", "photo.jpg"),
    ('filename="scan\u2066001\u2069.png"', "scan001.png"),
    ('filename="...htaccess"', "htaccess"),
    ('filename="' + "a" * 300 + '.pdf"', "a" * 176 + ".pdf"),
    ('filename=""', "attachment"),
    ('filename="CON.txt"', "_CON.txt"),
    ("filename*=utf-8''" + pct("ใบสั่งซื้อ.xlsx"), "ใบสั่งซื้อ.xlsx"),
    ("filename*=utf-8''" + pct("Φόρμα επιστροφής.docx"), "Φόρμα επιστροφής.docx"),
    ("filename*=utf-8''" + pct("žiadosť/../../reklamácia.txt"), "reklamácia.txt"),
]
EN_HOSTILE_NEW = "Attached are the documents you asked for."
case(
    "en_hostile_attachment_names.eml",
    entity(
        [
            *base("Documents", "Eve <eve@example.com>"),
            ("Content-Type", "multipart/mixed; boundary=hostile"),
        ],
        multipart(
            "hostile",
            [text_part(EN_HOSTILE_NEW)]
            + [
                entity(
                    [
                        ("Content-Type", "application/octet-stream"),
                        ("Content-Disposition", f"attachment; {param}".encode()),
                        ("Content-Transfer-Encoding", "base64"),
                    ],
                    b64(f"file {i}".encode()),
                )
                for i, (param, _) in enumerate(HOSTILE)
            ],
        ),
    ),
    subject="Documents",
    new_text=EN_HOSTILE_NEW,
    language="en",
    attachments=[safe for _, safe in HOSTILE],
)

case(
    "en_attachment_size_limits.eml",
    entity(
        [
            *base("Logs attached", "Sam <sam@example.com>"),
            ("Content-Type", "multipart/mixed; boundary=limits"),
        ],
        multipart(
            "limits",
            [text_part("Here are the three log files from the router, as requested by your team.")]
            + [
                entity(
                    [
                        ("Content-Type", "application/octet-stream"),
                        ("Content-Disposition", f'attachment; filename="{name}"'),
                        ("Content-Transfer-Encoding", "base64"),
                    ],
                    b64(bytes([65 + i]) * size),
                )
                for i, (name, size) in enumerate(
                    [("a.log", 800), ("big.log", 2000), ("c.log", 900)]
                )
            ],
        ),
    ),
    options={"limits": {"max_attachment_bytes": 1000, "max_total_attachment_bytes": 1500}},
    subject="Logs attached",
    new_text="Here are the three log files from the router, as requested by your team.",
    language="en",
    attachments=["a.log"],
    skipped=[["big.log", "attachment-too-large"], ["c.log", "attachments-total-too-large"]],
)


def deep_multipart(levels: int) -> bytes:
    out = bytearray(headers_bytes(base("Deep", "Mallory <mallory@example.com>")))
    out += b"Content-Type: multipart/mixed; boundary=b0\r\n\r\n"
    for i in range(1, levels):
        out += f"--b{i - 1}\r\nContent-Type: multipart/mixed; boundary=b{i}\r\n\r\n".encode()
    out += f"--b{levels - 1}\r\nContent-Type: text/plain\r\n\r\nhello\r\n".encode()
    for i in reversed(range(levels)):
        out += f"--b{i}--\r\n".encode()
    return bytes(out)


def deep_rfc822(levels: int) -> bytes:
    out = bytearray(headers_bytes(base("Deeper", "Mallory <mallory@example.com>")))
    out += b"Content-Type: message/rfc822\r\n\r\n"
    out += b"From: m@example.com\r\nContent-Type: message/rfc822\r\n\r\n" * levels
    out += b"From: m@example.com\r\n\r\nhello\r\n"
    return bytes(out)


def many_parts(count: int, boundary: str = "many") -> bytes:
    parts = [entity([("Content-Type", "text/plain")], f"part {i}".encode()) for i in range(count)]
    return entity(
        [
            *base("Wide", "Mallory <mallory@example.com>"),
            ("Content-Type", f"multipart/mixed; boundary={boundary}"),
        ],
        multipart(boundary, parts),
    )


quarantined("hostile_deep_multipart_1000.eml", deep_multipart(1000), "mail-too-deep")
quarantined("hostile_deep_rfc822_1000.eml", deep_rfc822(1000), "mail-too-deep")
quarantined("hostile_many_parts_5000.eml", many_parts(5000), "mail-too-many-parts")
quarantined("hostile_many_parts_600.eml", many_parts(600), "mail-too-many-parts")
quarantined(
    "hostile_oversized_header.eml",
    entity(
        [*base("Big header", "Mallory <mallory@example.com>")]
        + [("X-Filler", "x" * 990) for _ in range(140)],
        b"body\r\n",
    ),
    "mail-header-too-large",
)
quarantined(
    "hostile_too_large_with_small_limit.eml",
    entity(base("Large", "Mallory <mallory@example.com>"), b"z" * 4000 + CRLF),
    "mail-too-large",
    options={"limits": {"max_message_bytes": 2000}},
)

_rng = random.Random(20250303)
quarantined(
    "garbage_binary.eml",
    b"\x89PNG\r\n\x1a\n" + bytes(_rng.randrange(256) for _ in range(2048)),
    "mail-no-headers",
)
quarantined(
    "garbage_plain_text_file.eml",
    lines("Shopping list\n\n- milk\n- eggs\n- coffee beans\n"),
    "mail-no-headers",
)

EN_TRUNCATED_NEW = "The photos of the damaged box are attached, the upload was slow."
_trunc = entity(
    [
        *base("Damaged box photos", "Paul <paul@example.com>"),
        ("Content-Type", 'multipart/mixed; boundary="trunc"'),
    ],
    multipart(
        "trunc",
        [
            text_part(EN_TRUNCATED_NEW),
            entity(
                [
                    ("Content-Type", "image/jpeg"),
                    ("Content-Disposition", 'attachment; filename="box.jpg"'),
                    ("Content-Transfer-Encoding", "base64"),
                ],
                b64(JPEG_BYTES * 20),
            ),
        ],
        close=False,
    ),
)
case(
    "garbage_truncated_mime.eml",
    _trunc[: len(_trunc) - 45],
    subject="Damaged box photos",
    new_text=EN_TRUNCATED_NEW,
    language="en",
    attachments=["box.jpg"],
    notes_contain=["defect: CloseBoundaryNotFoundDefect"],
)

AUTO_TEXT = "I am out of the office until 10 March with limited access to email."
case(
    "loop_auto_submitted.eml",
    entity(
        [
            *base("Automatic reply: Your case C-77", "Kim <kim@example.com>"),
            ("Auto-Submitted", "auto-replied"),
            ("X-Auto-Response-Suppress", "All"),
        ],
        lines(AUTO_TEXT),
    ),
    subject="Automatic reply: Your case C-77",
    new_text=AUTO_TEXT,
    language="en",
    ignore="auto-submitted",
)
case(
    "loop_auto_submitted_no_is_not_ignored.eml",
    entity(
        [*base("Still waiting for the refund", "Kim <kim@example.com>"), ("Auto-Submitted", "no")],
        lines("It has been three weeks and the refund has still not arrived on my card."),
    ),
    subject="Still waiting for the refund",
    new_text="It has been three weeks and the refund has still not arrived on my card.",
    language="en",
    ignore=None,
)
case(
    "loop_precedence_bulk.eml",
    entity(
        [*base("Spring newsletter", "News <news@shop.example>"), ("Precedence", "bulk")],
        lines("Our spring collection is here, with new colours for the whole family."),
    ),
    subject="Spring newsletter",
    new_text="Our spring collection is here, with new colours for the whole family.",
    language="en",
    ignore="precedence",
)
case(
    "loop_list_headers.eml",
    entity(
        [
            *base("[users] Weekly digest", "List <users@lists.example>"),
            ("List-Id", "Users <users.lists.example>"),
            ("List-Unsubscribe", "<mailto:users-leave@lists.example>"),
        ],
        lines("This week on the users list: five new threads about printer drivers."),
    ),
    subject="[users] Weekly digest",
    new_text="This week on the users list: five new threads about printer drivers.",
    language="en",
    ignore="mailing-list",
)
case(
    "loop_null_return_path.eml",
    entity(
        [("Return-Path", "<>"), *base("Read: Your case", "Kim <kim@example.com>")],
        lines("Your message was read on Monday, March 3, 2025 at 10:20 in the morning."),
    ),
    subject="Read: Your case",
    new_text="Your message was read on Monday, March 3, 2025 at 10:20 in the morning.",
    language="en",
    ignore="null-return-path",
)
BOUNCE_TEXT = (
    "This is the mail system at host mx.example.com.\n\n"
    "I'm sorry to have to inform you that your message could not be delivered to one or more "
    "recipients."
)
case(
    "loop_bounce_report.eml",
    entity(
        [
            *base(
                "Undelivered Mail Returned to Sender",
                "Mail Delivery System <MAILER-DAEMON@mx.example.com>",
            ),
            ("Content-Type", 'multipart/report; report-type=delivery-status; boundary="bounce"'),
        ],
        multipart(
            "bounce",
            [
                text_part(BOUNCE_TEXT, charset="us-ascii", cte="7bit"),
                entity(
                    [("Content-Type", "message/delivery-status")],
                    b"Reporting-MTA: dns; mx.example.com\r\n\r\n"
                    b"Final-Recipient: rfc822; nobody@example.com\r\nAction: failed\r\n"
                    b"Status: 5.1.1\r\n",
                ),
            ],
        ),
    ),
    subject="Undelivered Mail Returned to Sender",
    new_text=BOUNCE_TEXT,
    language="en",
    ignore="bounce-report",
    attachments=["attachment.txt"],
    from_address="mailer-daemon@mx.example.com",
)
case(
    "loop_own_address.eml",
    entity(
        base("Re: Your case", "Amends Support <Support@Amends.example>"),
        lines("We have refunded the full amount to your card today."),
    ),
    options={"own_addresses": ["support@amends.example"]},
    subject="Re: Your case",
    new_text="We have refunded the full amount to your card today.",
    language="en",
    ignore="own-address",
)
case(
    "loop_x_autoreply.eml",
    entity(
        [*base("Re: Order 5512", "Shop <orders@shop.example>"), ("X-Autoreply", "yes")],
        lines("Thank you for your message, we will answer within two business days."),
    ),
    subject="Re: Order 5512",
    new_text="Thank you for your message, we will answer within two business days.",
    language="en",
    ignore="auto-reply-header",
)

case(
    "en_no_message_id_bad_date.eml",
    entity(
        [
            ("From", "Bob <bob@example.com>"),
            ("Subject", "no   id\r\n\there"),
            ("Date", "yesterday at noon"),
        ],
        lines("There is no message id on this one, and the date is nonsense."),
    ),
    subject="no id here",
    new_text="There is no message id on this one, and the date is nonsense.",
    language="en",
    message_id=None,
    date=None,
    to_addresses=[],
)

EN_1252_NEW = (
    "Hi,\n\nThe “premium” plan cost €25 – plus £10 for delivery… that’s not what the website said."
)
case(
    "en_usascii_declared_windows1252_bytes.eml",
    entity(
        [
            *base("Price difference", "Grace <grace@example.co.uk>"),
            ("Content-Type", "text/plain; charset=us-ascii"),
            ("Content-Transfer-Encoding", "7bit"),
        ],
        lines(EN_1252_NEW, charset="cp1252"),
    ),
    subject="Price difference",
    new_text=EN_1252_NEW,
    language="en",
    charset_used="windows-1252",
    charset_repaired=True,
)

EN_INTERLEAVED_NEW = "Yes, the serial number is SN-48812.\nNo, it is the blue model."
case(
    "en_interleaved_bottom_posting.eml",
    entity(
        base("Re: Two questions", "Hugo <hugo@example.com>"),
        lines(
            "On Tue, 4 Mar 2025 at 11:00, Amends Support <support@amends.example> wrote:\n"
            "> Could you send us the serial number?\n"
            "Yes, the serial number is SN-48812.\n"
            "> Is it the red model?\n"
            "No, it is the blue model.\n"
        ),
    ),
    subject="Re: Two questions",
    new_text=EN_INTERLEAVED_NEW,
    quoted_text=(
        "On Tue, 4 Mar 2025 at 11:00, Amends Support <support@amends.example> wrote:\n"
        "> Could you send us the serial number?\n> Is it the red model?"
    ),
    language="en",
)


def main() -> None:
    expected: dict[str, Any] = {}
    for name, (raw, exp) in sorted(CASES.items()):
        (HERE / name).write_bytes(raw)
        expected[name] = exp
    text = json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (HERE / "expected.json").write_text(text, encoding="utf-8")
    print(f"wrote {len(CASES)} messages to {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()

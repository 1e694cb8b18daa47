"""A deterministic mixed mail corpus for bench/intake.py, with the text each message says.

Every message is built byte by byte (not through ``email.message``) so that the corpus
can hold what real mailboxes hold and libraries refuse to write: bodies in legacy code
pages with or without a declared charset, raw 8-bit legacy bytes, mislabelled
charsets. For each file the generator records the text a reader must see (the new text
of the message, without the quoted reply or the signature) in ``expected.jsonl``.
"""

from __future__ import annotations

import base64
import json
import quopri
import random
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

SENTENCES: dict[str, list[str]] = {
    "th": [
        "สั่งกาแฟคั่วกลางไปสองถุงตั้งแต่วันจันทร์ แต่ยังไม่ได้รับของเลยค่ะ",
        "พนักงานส่งของบอกว่าหาร้านไม่เจอ ทั้งที่ป้ายร้านอยู่หน้าปากซอย",
        "ใบเสร็จเดือนนี้คิดเงินซ้ำสองครั้ง รบกวนช่วยตรวจสอบให้ด้วยนะคะ",
        "เครื่องชงกาแฟที่ซ่อมไปเมื่อสัปดาห์ก่อนเสียอีกแล้วครับ",
        "ลูกค้าประจำของเรารอขนมปังตั้งแต่เช้า แต่รถส่งของมาสายสามชั่วโมง",
        "ถ้าวันศุกร์นี้ยังไม่ได้รับของ ทางร้านคงต้องยกเลิกคำสั่งซื้อค่ะ",
        "ขอเบอร์โทรของผู้จัดการที่ดูแลบัญชีของเราด้วยครับ",
        "กล่องที่ได้รับมีน้ำนมรั่วออกมาเปื้อนสินค้าอื่นทั้งหมด",
    ],
    "el": [
        "Η παραγγελία μας για το λάδι έπρεπε να έρθει την Τρίτη, αλλά δεν ήρθε ποτέ.",
        "Ο οδηγός άφησε τα κιβώτια έξω από την πόρτα και βράχηκαν όλα από τη βροχή.",
        "Στο τιμολόγιο του Μαΐου χρεωθήκαμε δύο φορές για την ίδια παράδοση.",
        "Ο ψύκτης που επισκευάσατε χάλασε ξανά μέσα σε τρεις ημέρες.",
        "Οι πελάτες μας περίμεναν το ψωμί από το πρωί και έφυγαν χωρίς να αγοράσουν.",
        "Αν δεν λάβουμε τα προϊόντα μέχρι την Παρασκευή, θα ακυρώσουμε τη σύμβαση.",
        "Παρακαλώ πείτε μου ποιος είναι υπεύθυνος για τον λογαριασμό μας.",
        "Το κουτί που παραλάβαμε ήταν ανοιγμένο και έλειπαν δύο μπουκάλια κρασί.",
    ],
    "sk": [
        "Objednávka kávy mala prísť v pondelok, ale doteraz sme nedostali nič.",
        "Kuriér nechal balík pred dverami a celý ho zmočil dážď.",
        "Na faktúre za máj nám strhli peniaze dvakrát za tú istú dodávku.",
        "Kávovar, ktorý ste minulý týždeň opravili, sa znova pokazil.",
        "Naši stáli zákazníci čakali na pečivo od rána a odišli bez nákupu.",
        "Ak do piatku tovar neprivezú, budeme musieť zmluvu vypovedať.",
        "Prosím, pošlite mi telefón na človeka, ktorý má náš účet na starosti.",
        "V škatuli chýbali dve fľaše vína a ďalšie boli rozbité.",
    ],
    "en": [
        "Our coffee order was due on Monday and it still has not arrived.",
        "The courier left the boxes outside the back door and the rain soaked them.",
        "The May invoice charged us twice for the same delivery.",
        "The espresso machine you repaired last week has broken down again.",
        "Our regular customers waited all morning for bread that never came.",
        "If the goods are not here by Friday we will have to cancel the contract.",
        "Please tell me who looks after our account so I can call them directly.",
        "The box we received had been opened and two bottles of wine were missing.",
    ],
}
SUBJECTS: dict[str, list[str]] = {
    "th": ["ยังไม่ได้รับสินค้า", "คิดเงินซ้ำ", "เครื่องชงกาแฟเสียอีกแล้ว", "ของส่งช้ามาก"],
    "el": ["Δεν ήρθε η παραγγελία", "Διπλή χρέωση", "Χάλασε ξανά ο ψύκτης", "Καθυστέρηση"],
    "sk": ["Objednávka neprišla", "Dvojitá platba", "Pokazený kávovar", "Meškanie dodávky"],
    "en": ["Order not delivered", "Charged twice", "Machine broken again", "Late delivery"],
}
NAMES: dict[str, list[str]] = {
    "th": ["สมศรี ใจดี", "วิชัย แสงทอง", "มาลี บุญมา", "ประยุทธ์ ศรีสุข"],
    "el": ["Νίκος Παπαδόπουλος", "Ελένη Γεωργίου", "Γιώργος Οικονόμου", "Μαρία Κωνσταντίνου"],
    "sk": ["Jana Horváthová", "Peter Kováč", "Mária Šimková", "Ľubomír Ďurček"],
    "en": ["Sarah Miller", "James Okafor", "Emily Watson", "Tom Brennan"],
}
ATTRIBUTION: dict[str, str] = {
    "en": "On {date}, {name} <{addr}> wrote:",
    "el": "Στις {date}, ο/η {name} <{addr}> έγραψε:",
    "sk": "Dňa {date} {name} <{addr}> napísal(a):",
    "th": "เมื่อ {date} {name} <{addr}> เขียนว่า:",
}
FORWARD_INTRO: dict[str, str] = {
    "en": "I am forwarding the message from our shop manager below.",
    "el": "Σας προωθώ παρακάτω το μήνυμα του υπεύθυνου του καταστήματος.",
    "sk": "Posielam vám nižšie správu od vedúcej našej predajne.",
    "th": "ขอส่งต่อข้อความจากผู้จัดการร้านของเราด้านล่างนี้ค่ะ",
}
# Code pages a message of each language may be written in; the first is Unicode.
CHARSETS: dict[str, list[tuple[str, str]]] = {
    # (label written in the header, Python codec that produces the bytes)
    "th": [("utf-8", "utf-8"), ("tis-620", "tis-620"), ("windows-874", "cp874")],
    "el": [("utf-8", "utf-8"), ("iso-8859-7", "iso8859-7"), ("windows-1253", "cp1253")],
    "sk": [("utf-8", "utf-8"), ("iso-8859-2", "iso8859-2"), ("windows-1250", "cp1250")],
    "en": [("utf-8", "utf-8"), ("us-ascii", "ascii")],
}
WINDOWS_PATH_SK = (
    "Faktúru som uložila do C:\\Users\\novak\\Documents\\faktury\\nova_faktura.pdf, "
    "ale tlačiareň hlási chybu."
)
WINDOWS_PATH_EN = "I saved the log as C:\\new\\temp\\report.txt and the error is still there."
KINDS = ("plain", "alternative", "html", "attachment", "forward", "reply")
KIND_WEIGHTS = (35, 20, 10, 15, 5, 15)
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
OUR_ADDRESS = "care@amends-bench.example"


@dataclass
class Expected:
    file: str
    message_id: str
    language: str
    kind: str
    charset: str
    transfer: str
    subject: str
    text: str
    raw_8bit_legacy: bool = False
    notes: list[str] = field(default_factory=list)


def _qp(data: bytes) -> bytes:
    return quopri.encodestring(data).replace(b"\r\n", b"\n")


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data)


def _encoded_word(text: str, label: str, codec: str) -> str:
    if text.isascii():
        return text
    data = base64.b64encode(text.encode(codec)).decode("ascii")
    return f"=?{label}?B?{data}?="


def _body_part(
    text: str, subtype: str, label: str | None, codec: str, transfer: str
) -> tuple[bytes, bytes]:
    """Headers and body of one text part; ``label`` None leaves the charset undeclared."""
    data = text.encode(codec).replace(b"\n", b"\r\n")
    ctype = f"text/{subtype}" + (f'; charset="{label}"' if label else "")
    if transfer == "base64":
        body = _b64(data)
    elif transfer == "quoted-printable":
        body = _qp(data)
    else:
        body = data.replace(b"\r\n", b"\n")
    headers = f"Content-Type: {ctype}\nContent-Transfer-Encoding: {transfer}\n".encode()
    return headers, body


def _html(paragraphs: list[str]) -> str:
    from html import escape

    inner = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"<html><head><style>p {{ margin: 0 }}</style></head><body>\n{inner}\n</body></html>\n"


class Generator:
    """Messages ``0..n-1`` from one seed: the same bytes on every run."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.senders: dict[str, list[tuple[str, str]]] = {}
        self.history: list[tuple[str, str, str, str, str]] = []  # lang, addr, name, msgid, text
        for lang, names in NAMES.items():
            people = []
            for i in range(750):
                # Three people write from each customer's domain (250 customers a language).
                name = names[i % len(names)]
                people.append((name, f"person{i % 3}@{lang}-shop{i // 3:03d}.example"))
            self.senders[lang] = people

    def message(self, i: int, *, special: str | None = None) -> tuple[bytes, Expected]:
        rng = self.rng
        lang = special.split(":")[0] if special else rng.choice(("th", "el", "sk", "en"))
        kind = "plain" if special else rng.choices(KINDS, KIND_WEIGHTS)[0]
        if kind == "reply" and not any(h[0] == lang for h in self.history[-200:]):
            kind = "plain"
        name, addr = rng.choice(self.senders[lang])
        sentences = rng.sample(SENTENCES[lang], rng.randint(2, 3))
        paragraphs = [f"{sentences[0]} (#{100000 + i})", *sentences[1:]]
        subject = f"{rng.choice(SUBJECTS[lang])} {100000 + i}"
        label, codec = rng.choice(CHARSETS[lang])
        transfer = rng.choice(("quoted-printable", "base64")) if label != "us-ascii" else "7bit"
        declared: str | None = label
        raw_8bit_legacy = False
        notes: list[str] = []
        if special:
            kind_note = special.split(":")[1]
            notes.append(kind_note)
            if kind_note == "raw8bit":
                # Legacy bytes straight in the file, charset declared: what old clients send.
                label, codec = CHARSETS[lang][1 + i % (len(CHARSETS[lang]) - 1)]
                declared, transfer, raw_8bit_legacy = label, "8bit", True
            elif kind_note == "undeclared":
                label, codec = CHARSETS[lang][1 + i % (len(CHARSETS[lang]) - 1)]
                declared, transfer, raw_8bit_legacy = None, "8bit", True
            elif kind_note == "winpath":
                paragraphs = [
                    (WINDOWS_PATH_SK if lang == "sk" else WINDOWS_PATH_EN) + f" (#{100000 + i})"
                ]
                label, codec = ("utf-8", "utf-8") if lang == "sk" else ("us-ascii", "ascii")
                declared, transfer = label, "8bit" if lang == "sk" else "7bit"
        text = "\n\n".join(paragraphs)
        msgid = f"<bench.{i:06d}.{rng.getrandbits(32):08x}@{addr.split('@')[1]}>"
        date = START + timedelta(seconds=37 * i)
        headers = [
            f"From: {_encoded_word(name, 'utf-8', 'utf-8')} <{addr}>",
            f"To: {OUR_ADDRESS}",
            f"Date: {format_datetime(date)}",
            f"Message-ID: {msgid}",
            "MIME-Version: 1.0",
        ]
        body_text = text
        if kind == "reply":
            earlier = rng.choice([h for h in self.history[-200:] if h[0] == lang])
            _, e_addr, e_name, e_msgid, e_text = earlier
            name, addr = e_name, e_addr
            headers[0] = f"From: {_encoded_word(name, 'utf-8', 'utf-8')} <{addr}>"
            headers.append(f"In-Reply-To: {e_msgid}")
            headers.append(f"References: {e_msgid}")
            subject = "Re: " + subject
            attribution = ATTRIBUTION[lang].format(
                date=format_datetime(date - timedelta(days=1)), name=name, addr=addr
            )
            quoted = "\n".join("> " + line for line in e_text.splitlines())
            body_text = f"{text}\n\n{attribution}\n{quoted}\n"
        signature = f"\n\n-- \n{name}\n"
        headers.append(f"Subject: {_encoded_word(subject, label, codec)}")

        def text_part(content: str, subtype: str = "plain") -> bytes:
            h, b = _body_part(content, subtype, declared, codec, transfer)
            return h + b"\n" + b

        if kind in ("plain", "reply"):
            h, b = _body_part(body_text + signature, "plain", declared, codec, transfer)
            mime = "\n".join(headers).encode() + b"\n" + h + b"\n" + b
        elif kind == "html":
            h, b = _body_part(_html(paragraphs), "html", declared, codec, transfer)
            mime = "\n".join(headers).encode() + b"\n" + h + b"\n" + b
        else:
            boundary = f"=_bench_{i:06d}_{rng.getrandbits(24):06x}"
            parts: list[bytes] = []
            if kind == "alternative":
                ctype = "multipart/alternative"
                parts = [text_part(text + signature), text_part(_html(paragraphs), "html")]
            elif kind == "attachment":
                ctype = "multipart/mixed"
                blob = rng.randbytes(rng.randint(1500, 12000))
                fname = {"th": "ใบเสร็จ", "el": "τιμολόγιο", "sk": "faktúra", "en": "invoice"}[lang]
                encoded = "utf-8''" + "".join(
                    c if c.isascii() and c.isalnum() else "".join(f"%{b:02X}" for b in c.encode())
                    for c in f"{fname}-{i}.pdf"
                )
                attach = (
                    b"Content-Type: application/pdf\n"
                    b"Content-Transfer-Encoding: base64\n"
                    + f"Content-Disposition: attachment; filename*={encoded}\n\n".encode()
                    + _b64(b"%PDF-1.4\n" + blob)
                )
                parts = [text_part(text + signature), attach]
            else:  # forward
                ctype = "multipart/mixed"
                inner_text = "\n\n".join(rng.sample(SENTENCES[lang], 2))
                inner = (
                    f"From: shop.manager@{addr.split('@')[1]}\nTo: {addr}\n"
                    f"Subject: {_encoded_word(rng.choice(SUBJECTS[lang]), 'utf-8', 'utf-8')}\n"
                    f"Date: {format_datetime(date - timedelta(hours=3))}\n"
                    f"Message-ID: <inner.{i:06d}@{addr.split('@')[1]}>\n"
                    "MIME-Version: 1.0\n"
                ).encode() + text_part(inner_text)
                intro = FORWARD_INTRO[lang]
                text = f"{intro} (#{100000 + i})\n\n{paragraphs[-1]}"
                paragraphs = text.split("\n\n")
                parts = [
                    text_part(text + signature),
                    b"Content-Type: message/rfc822\nContent-Disposition: inline\n\n" + inner,
                ]
            mime = (
                "\n".join(headers).encode()
                + f'\nContent-Type: {ctype}; boundary="{boundary}"\n\n'.encode()
                + b"This is a multi-part message in MIME format.\n\n"
                + b"".join(f"--{boundary}\n".encode() + p + b"\n" for p in parts)
                + f"--{boundary}--\n".encode()
            )
        self.history.append((lang, addr, name, msgid, text))
        expected = Expected(
            file=f"{i:06d}.eml",
            message_id=msgid.strip("<>"),
            language=lang,
            kind=kind,
            charset=declared or f"undeclared ({label})",
            transfer=transfer,
            subject=unicodedata.normalize("NFC", subject),
            text=unicodedata.normalize("NFC", text),
            raw_8bit_legacy=raw_8bit_legacy,
            notes=notes,
        )
        return mime.replace(b"\n", b"\r\n"), expected


def specials(n: int) -> dict[int, str]:
    """Where the few tricky files go: raw 8-bit legacy, undeclared 8-bit, Windows paths."""
    spots: dict[int, str] = {}
    step = max(1, n // 60)
    plan = [f"{lang}:raw8bit" for lang in ("th", "el", "sk") for _ in range(6)]
    plan += [f"{lang}:undeclared" for lang in ("th", "el", "sk") for _ in range(4)]
    plan += ["sk:winpath"] * 6 + ["en:winpath"] * 6
    for k, what in enumerate(plan):
        spots[(k + 1) * step + k % 7] = what
    return spots


def generate(directory: Path, n: int, seed: int) -> list[Expected]:
    """Write ``n`` messages as a maildir under ``directory`` (reused when already there)."""
    manifest = directory / "expected.jsonl"
    stamp = directory / "corpus.json"
    wanted = {"messages": n, "seed": seed, "version": 2}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted and manifest.exists():
        return [Expected(**json.loads(line)) for line in manifest.read_text().splitlines()]
    for sub in ("new", "cur", "tmp"):
        (directory / "maildir" / sub).mkdir(parents=True, exist_ok=True)
        for old in (directory / "maildir" / sub).iterdir():
            old.unlink()
    gen = Generator(seed)
    spots = specials(n)
    out: list[Expected] = []
    for i in range(n):
        raw, expected = gen.message(i, special=spots.get(i))
        (directory / "maildir" / "new" / expected.file).write_bytes(raw)
        out.append(expected)
    manifest.write_text(
        "".join(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in out), encoding="utf-8"
    )
    stamp.write_text(json.dumps(wanted))
    return out

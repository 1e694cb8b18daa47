"""A mail alone (a batch of one) and the same mail in a batch give the same rows."""

from __future__ import annotations

import os
import sys
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case, TimelineEvent
from amends.clock import FrozenClock
from amends.config import Settings
from amends.customers import service as customers
from amends.customers.models import Contact, Customer
from amends.db import transaction
from amends.intake.batch import DOMAINS_PER_SCAN
from amends.intake.models import Quarantine, RawMail
from amends.intake.pipeline import IntakeContext, ingest, ingest_many
from amends.messages.models import Message, StoredAttachment
from amends.models import Base
from amends.patterns import judging
from amends.people import service as people
from amends.people.rules import SYSTEM, Role
from tests.conftest import DEFAULT_PLAYBOOK, START

CORPUS = Path(__file__).parent.parent / "data" / "mail"


def _mail(
    sender: str,
    subject: str,
    body: str,
    *,
    msgid: str | None,
    reply_to: str | None = None,
    hours: int = 0,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "care@amends-test.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(START - timedelta(days=2) + timedelta(hours=hours))
    if msgid:
        msg["Message-ID"] = f"<{msgid}>"
    if reply_to:
        msg["In-Reply-To"] = f"<{reply_to}>"
        msg["References"] = f"<{reply_to}>"
    msg.set_content(body)
    if attachment:
        msg.add_attachment(
            attachment[1], maintype="application", subtype="pdf", filename=attachment[0]
        )
    return msg.as_bytes()


def conversation() -> list[tuple[str, bytes]]:
    """Mail that exercises every threading rule and every duplicate rule, in order."""
    jana = "Jana Horváthová <jana@kaviaren-dunaj.example>"
    peter = "Peter Kováč <peter@kaviaren-dunaj.example>"  # same company: matched by domain
    nikos = "Νίκος Παπαδόπουλος <nikos@taverna-kyma.example>"
    somsri = "สมศรี ใจดี <somsri@baansuan.example>"
    sarah = "Sarah Miller <sarah@bakery-corner.example>"
    mails = [
        _mail(jana, "Objednávka neprišla", "Objednávka kávy mala prísť v pondelok.", msgid="j1"),
        _mail(
            nikos,
            "Διπλή χρέωση",
            "Στο τιμολόγιο του Μαΐου χρεωθήκαμε δύο φορές.",
            msgid="n1",
            attachment=("τιμολόγιο.pdf", b"%PDF-1.4 one"),
        ),
        _mail(peter, "Pokazený kávovar", "Kávovar sa znova pokazil.", msgid="p1", hours=1),
        _mail(jana, "Re: Objednávka neprišla", "Stále nič.", msgid="j2", reply_to="j1", hours=2),
        _mail(somsri, "ยังไม่ได้รับสินค้า", "สั่งกาแฟไปสองถุงแต่ยังไม่ได้รับของเลยค่ะ", msgid="s1"),
        _mail(jana, "Objednávka neprišla", "Ešte raz: objednávka neprišla.", msgid="j1"),  # same id
        _mail(sarah, "Charged twice", "The May invoice charged us twice.", msgid=None, hours=3),
        _mail(somsri, "Re: [C-3] ยังไม่ได้รับสินค้า", "รบกวนช่วยตรวจสอบด้วยค่ะ", msgid="s2", hours=4),
        _mail(nikos, "Διπλή χρέωση", "Περιμένω ακόμα απάντηση.", msgid="n2", hours=5),
        _mail(sarah, "Re: Charged twice", "Any news?", msgid="sa2", reply_to="nowhere", hours=6),
        _mail(
            "Mail Delivery <mailer-daemon@bakery-corner.example>",
            "Undelivered",
            "x",
            msgid="bounce1",
        ),
        # Two strangers on one free-mail provider: never one customer "by domain".
        _mail(
            "Lucia Nováková <lucia.novakova@gmail.com>",
            "Faktúra prišla dvakrát",
            "Za ten istý mesiac ste mi poslali dve faktúry a obe ste strhli z účtu.",
            msgid="g1",
            hours=7,
        ),
        _mail(
            "ปลอย กิตติ <ploy.kitti@gmail.com>",
            "ถูกตัดเงินซ้ำ",
            "บัตรเครดิตของฉันถูกตัดเงินสองครั้งสำหรับคำสั่งซื้อเดียวกันค่ะ",
            msgid="g2",
            hours=8,
        ),
    ]
    out = [(f"conv-{i:02d}.eml", raw) for i, raw in enumerate(mails)]
    out.insert(4, ("conv-copy.eml", mails[1]))  # the very same bytes again, in the batch
    return out


def corpus() -> list[tuple[str, bytes]]:
    files = [(p.name, p.read_bytes()) for p in sorted(CORPUS.glob("*.eml"))]
    return files + conversation() + [("again.eml", files[0][1])]


def reset(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(delete(table))


def snapshot(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with transaction(sessions) as s:
        events: Counter[tuple[int, str]] = Counter(
            (e.case_id, e.kind) for e in s.scalars(select(TimelineEvent))
        )
        return {
            "messages": [
                (
                    m.id,
                    m.message_key,
                    m.case_id,
                    m.customer_id,
                    m.subject,
                    m.text,
                    m.language,
                    m.at,
                    m.from_address,
                    m.raw_sha256,
                )
                for m in s.scalars(select(Message).order_by(Message.id))
            ],
            "cases": [
                (
                    c.id,
                    c.customer_id,
                    c.title,
                    c.state,
                    c.owner_id,
                    c.opened_at,
                    c.waiting_on,
                    c.last_inbound_at,
                    c.urgency_at,
                    c.ack_due_at,
                    c.remedy_due_at,
                )
                for c in s.scalars(select(Case).order_by(Case.id))
            ],
            "customers": [
                (c.id, c.name, c.language)
                for c in s.scalars(select(Customer).order_by(Customer.id))
            ],
            "contacts": sorted((c.customer_id, c.email) for c in s.scalars(select(Contact))),
            "events": events,
            "raw": [
                (r.id, r.sha256, r.status, r.reason_code, r.message_key, r.message_id, r.case_id)
                for r in s.scalars(select(RawMail).order_by(RawMail.id))
            ],
            "attachments": sorted(
                (a.message_id, a.filename, a.sha256, a.size)
                for a in s.scalars(select(StoredAttachment))
            ),
            "quarantine": sorted((q.reference, q.code) for q in s.scalars(select(Quarantine))),
        }


@pytest.mark.slow
def test_batches_write_what_one_by_one_writes(
    engine: Engine,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    settings: Settings,
    tmp_path: Path,
) -> None:
    mail = corpus()
    runs = []
    for mode in ("one by one", "batches of 7", "one batch"):
        reset(engine)
        with transaction(sessions) as s:
            people.create_user(
                s, email="marek@example.com", name="Marek", role=Role.MANAGER, now=clock.now()
            )
        cfg = settings.model_copy(
            update={"home": tmp_path / mode.replace(" ", "-"), "mail_from": "care@amends.example"}
        )
        ctx = IntakeContext(cfg, sessions, clock, DEFAULT_PLAYBOOK)
        if mode == "one by one":
            results = [ingest(ctx, raw, source="eml", source_ref=name) for name, raw in mail]
        else:
            items = [(raw, "eml", name) for name, raw in mail]
            results = list(ingest_many(ctx, items, batch_size=7 if "7" in mode else 500))
            # A bulk import leaves its new cases to the judge-cases job; judged, they are
            # the rows one by one wrote.
            with transaction(sessions) as s:
                assert judging.waiting(s) > 0
            judging.drain_judging(
                lambda: transaction(sessions), now=clock.now, playbook=DEFAULT_PLAYBOOK
            )
        runs.append(
            (
                [
                    (
                        r.file,
                        r.status,
                        (r.reason or "").split(":")[0],
                        r.case_id,
                        r.subject,
                        r.text,
                        r.language,
                        r.attachments,
                    )
                    for r in results
                ],
                snapshot(sessions),
            )
        )
    (one_results, one_db), *batched = runs
    for batch_results, batch_db in batched:
        assert batch_results == one_results
        for table in one_db:
            assert batch_db[table] == one_db[table], table
    statuses = Counter(r[1] for r in one_results)
    assert statuses["stored"] >= 40
    assert statuses["duplicate"] == 3  # the copy, the reused Message-ID, the file again
    # The conversation threaded as its rules say: reply by header, by [C-n]; a colleague
    # (the same customer, by domain) writing about another matter opens its own case.
    cases_by_file = {r[0]: r[3] for r in one_results}
    assert cases_by_file["conv-03.eml"] == cases_by_file["conv-00.eml"]
    assert cases_by_file["conv-02.eml"] != cases_by_file["conv-00.eml"]
    customer_of_case = {c[0]: c[1] for c in one_db["cases"]}
    assert (
        customer_of_case[cases_by_file["conv-02.eml"]]
        == customer_of_case[cases_by_file["conv-00.eml"]]
    )
    assert cases_by_file["conv-08.eml"] == cases_by_file["conv-01.eml"]
    customer_of_key = {m[1]: m[3] for m in one_db["messages"]}
    assert customer_of_key["g1"] != customer_of_key["g2"]
    assert cases_by_file["conv-11.eml"] != cases_by_file["conv-12.eml"]


def test_the_commands_batch_as_the_pipeline_does() -> None:
    from amends.intake import cli, pipeline

    assert cli.DEFAULT_BATCH == pipeline.BATCH_SIZE


def test_a_batch_with_many_new_domains_still_matches_a_colleague_by_domain(
    sessions: sessionmaker[Session], clock: FrozenClock, settings: Settings, tmp_path: Path
) -> None:
    """Unknown domains are matched a chunk at a time; the last chunk counts as the first."""
    with transaction(sessions) as s:
        people.create_user(
            s, email="marek@example.com", name="Marek", role=Role.MANAGER, now=clock.now()
        )
        zuzana = customers.create_customer(
            s,
            actor=SYSTEM,
            now=clock.now(),
            name="Zeleninárstvo Zuzana",
            language="sk",
            timezone="Europe/Bratislava",
            currency="EUR",
            contacts=[customers.ContactInput(name="Zuzana", email="zuzana@zz-zelenina.example")],
        )
        zuzana_id = zuzana.id
    strangers = 2 * DOMAINS_PER_SCAN + 5
    mail = [
        (
            _mail(
                f"Zákazník {i} <info@obchod-{i:03d}.example>",
                f"Reklamácia {i}",
                "Tovar prišiel poškodený a nikto sa nám neozval.",
                msgid=f"stranger-{i}",
            ),
            "eml",
            f"stranger-{i}.eml",
        )
        for i in range(strangers)
    ]
    # Sorted after every stranger's domain: it lands in the last, padded chunk.
    colleague = _mail(
        "Ján Zelený <jan@zz-zelenina.example>",
        "Chýbajúca dodávka",
        "Dnešná dodávka zeleniny vôbec neprišla.",
        msgid="colleague",
    )
    mail.append((colleague, "eml", "colleague.eml"))
    cfg = settings.model_copy(update={"home": tmp_path, "mail_from": "care@amends.example"})
    ctx = IntakeContext(cfg, sessions, clock, DEFAULT_PLAYBOOK)
    results = list(ingest_many(ctx, mail, batch_size=len(mail)))
    assert [r.status for r in results] == ["stored"] * len(mail)
    with transaction(sessions) as s:
        customer_of = dict(s.execute(select(Message.message_key, Message.customer_id)).all())
        leads = s.scalar(select(func.count()).select_from(Customer).where(Customer.is_lead))
    assert customer_of["colleague"] == zuzana_id
    assert len({customer_of[f"stranger-{i}"] for i in range(strangers)}) == strangers
    assert leads == strangers


_WRITES: list[str] = []
_WATCHED: list[Path] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    # Audit hooks cannot be removed: this one records only while a test watches a folder.
    if event != "open" or not _WATCHED or not isinstance(args[0], str | Path):
        return
    path, mode, flags = args
    writing = (
        any(c in mode for c in "wax+")
        if isinstance(mode, str)
        else bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    )
    if writing and Path(path).is_relative_to(_WATCHED[0]):
        _WRITES.append(str(path))


def test_files_are_written_before_the_transaction_that_records_them(
    engine: Engine,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    settings: Settings,
    tmp_path: Path,
) -> None:
    """No transaction is open while intake writes a file: a crash between the two leaves
    a file no row names, never a row naming a missing file."""
    with transaction(sessions) as s:
        people.create_user(
            s, email="marek@example.com", name="Marek", role=Role.MANAGER, now=clock.now()
        )
    cfg = settings.model_copy(update={"home": tmp_path / "ws", "mail_from": "care@amends.example"})
    ctx = IntakeContext(cfg, sessions, clock, DEFAULT_PLAYBOOK)
    open_transactions = [0]
    inside: list[str] = []

    def began(_conn: object) -> None:
        open_transactions[0] += 1
        _WRITES.clear()

    def ended(_conn: object) -> None:
        open_transactions[0] -= 1
        inside.extend(_WRITES)

    listeners = [("begin", began), ("commit", ended), ("rollback", ended)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    sys.addaudithook(_audit)
    _WATCHED.append(cfg.home)
    try:
        ingest(
            ctx,
            _mail(
                "Eva <eva@kvety-eva.example>",
                "Zlá faktúra",
                "Faktúra je zlá.",
                msgid="e1",
                attachment=("faktúra.pdf", b"%PDF-1.4 eva"),
            ),
            source="smtp",
        )
        mail = [
            (
                _mail(
                    f"Zákazník {i} <z{i}@obchod-{i}.example>",
                    f"Reklamácia {i}",
                    "Tovar je zlý.",
                    msgid=f"z{i}",
                    attachment=(f"foto-{i}.pdf", b"%%PDF-1.4 %d" % i),
                ),
                "eml",
                f"z{i}.eml",
            )
            for i in range(5)
        ]
        results = list(ingest_many(ctx, mail))
    finally:
        _WATCHED.clear()
        for name, listener in listeners:
            event.remove(engine, name, listener)
    assert [r.status for r in results] == ["stored"] * 5
    assert open_transactions[0] == 0
    assert inside == []
    with transaction(sessions) as s:
        blobs = list(s.scalars(select(StoredAttachment.sha256)))
    assert len(blobs) == 6
    assert all((cfg.home / "attachments" / b[:2] / b).is_file() for b in blobs)

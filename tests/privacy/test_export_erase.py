"""An owner exports a demo customer, then erases them: the zip holds all of theirs, and
afterwards no row of any table nor any file holds their name, address or words, while
every report total stays as it was."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import or_, select, update

from amends.audit import service as audit
from amends.audit.models import AuditEvent
from amends.cases.models import Case
from amends.commitments.models import Commitment
from amends.customers.models import Contact, Customer
from amends.db import transaction
from amends.intake import store
from amends.messages.models import Message, StoredAttachment
from amends.people.rules import OPERATOR
from amends.privacy.rules import MARKER
from amends.recovery import verdict
from tests.privacy.conftest import (
    ATTACHMENT,
    RARE,
    Demo,
    every_value,
    files_under,
    holds,
    reports,
)


def _theirs(demo: Demo) -> dict[str, object]:
    """What the bakery wrote or was written: the words a scan must not find afterwards."""
    with transaction(demo.sessions) as session:
        customer = session.get(Customer, demo.customer_id)
        assert customer is not None
        contacts = session.scalars(
            select(Contact).where(Contact.customer_id == demo.customer_id)
        ).all()
        case_ids = list(
            session.scalars(select(Case.id).where(Case.customer_id == demo.customer_id))
        )
        messages = session.scalars(
            select(Message).where(
                or_(Message.customer_id == demo.customer_id, Message.case_id.in_(case_ids))
            )
        ).all()
        others = session.scalars(
            select(Message.text).where(Message.customer_id != demo.customer_id)
        ).all()
        attachments = session.scalars(
            select(StoredAttachment).where(
                StoredAttachment.message_id.in_([m.id for m in messages])
            )
        ).all()
        promised = session.scalars(
            select(Commitment.title).where(Commitment.customer_id == demo.customer_id)
        ).all()
        promised_others = session.scalars(
            select(Commitment.title).where(Commitment.customer_id != demo.customer_id)
        ).all()
        # Words shared with other customers' mail (a template's greeting) are not hers.
        texts = [
            t
            for m in messages
            for t in (m.text, m.subject)
            if len(t) >= 12 and not any(t in other for other in others)
        ]
        return {
            "needles": [
                customer.name,
                *(c.name for c in contacts),
                *(c.email for c in contacts),
                *texts,
                *(t for t in promised if t not in promised_others),
                "Παπαδοπούλου",
                "210 555 0199",
                RARE,
            ],
            "messages": {m.id: m.text for m in messages},
            "attachments": {a.id: a.sha256 for a in attachments},
            "raw": [m.raw_sha256 for m in messages if m.raw_sha256],
        }


@pytest.mark.slow
def test_export_zip_holds_every_message_attachment_and_raw_mail_of_the_customer(
    demo: Demo, demo_client: TestClient
) -> None:
    theirs = _theirs(demo)
    response = demo_client.get(
        f"/api/v1/customers/{demo.customer_id}/export",
        headers={"Authorization": f"Bearer {demo.owner_token}"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"customer.json", "contacts.json", "commitments.json", "cases.json"} <= names
    assert {"messages.json", "compensation.json", "timeline.json"} <= names
    messages = json.loads(archive.read("messages.json"))
    assert {m["id"]: m["text"] for m in messages} == theirs["messages"]
    assert json.loads(archive.read("customer.json"))["name"] == "Ελληνικά Αρτοποιεία Α.Ε."
    assert json.loads(archive.read("compensation.json")), "the bakery was compensated"
    files = [a for m in messages for a in m["attachments"]]
    assert {a["id"] for a in files} == set(theirs["attachments"])  # type: ignore[arg-type]
    for item in files:
        assert hashlib.sha256(archive.read(item["file"])).hexdigest() == item["sha256"]
    assert ATTACHMENT in [archive.read(a["file"]) for a in files]
    raw = [m["raw_mail"] for m in messages if m["raw_mail"]]
    assert len(raw) == len(theirs["raw"]) == 1  # type: ignore[arg-type]
    assert b"maria@artopoieia.example" in archive.read(raw[0])
    # The mail from her address that could not be read is hers too.
    kept = json.loads(archive.read("raw_mail.json"))
    assert [r["status"] for r in kept] == ["stored", "quarantined"]
    assert all(b"maria@artopoieia.example" in archive.read(r["file"]) for r in kept)
    # The workspace keeps no copy of what it sent.
    assert not [p for p in (demo.settings.home / "exports").glob("*") if p.is_file()]


@pytest.mark.slow
def test_only_an_owner_may_export_or_erase_a_customer(demo: Demo, demo_client: TestClient) -> None:
    manager = {"Authorization": f"Bearer {demo.manager_token}"}
    export = demo_client.get(f"/api/v1/customers/{demo.customer_id}/export", headers=manager)
    erase = demo_client.post(f"/api/v1/customers/{demo.customer_id}/erase", headers=manager)
    assert (export.status_code, erase.status_code) == (403, 403)
    assert erase.json()["code"] == "owner-only"
    missing = demo_client.post(
        "/api/v1/customers/99999/erase", headers={"Authorization": f"Bearer {demo.owner_token}"}
    )
    assert missing.status_code == 404


@pytest.mark.slow
def test_after_erasure_no_row_or_file_holds_the_customer_and_reports_are_unchanged(
    demo: Demo, demo_client: TestClient
) -> None:
    with transaction(demo.sessions) as session:
        # The verdict on a case and an agent's override keep promise titles and a reason.
        case_id = min(session.scalars(select(Case.id).where(Case.customer_id == demo.customer_id)))
        verdict.judge_again(session, case_id, actor=OPERATOR, now=demo.clock.now())
        verdict.override_validity(
            session,
            case_id,
            actor=OPERATOR,
            now=demo.clock.now(),
            verdict="right",
            reason="Μαρία Παπαδοπούλου called to confirm",
        )
    theirs = _theirs(demo)
    needles: list[str] = theirs["needles"]  # type: ignore[assignment]
    before = reports(demo)
    # Before, the scan finds her everywhere: the test would see a leak.
    found = {(t, c) for t, c, v in every_value(demo.engine) for n in needles if holds(v, n)}
    assert ("customers", "name") in found and ("messages", "text") in found
    blobs = [store.raw_root(demo.settings.home), store.attachments_root(demo.settings.home)]
    assert all(files_under(root) for root in blobs)

    response = demo_client.post(
        f"/api/v1/customers/{demo.customer_id}/erase",
        headers={"Authorization": f"Bearer {demo.owner_token}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["erased"]["messages"] == len(theirs["messages"])  # type: ignore[arg-type]

    leaks = sorted(
        {(t, c, n) for t, c, v in every_value(demo.engine) for n in needles if holds(v, n)}
    )
    assert leaks == []
    for path in files_under(demo.settings.home):
        data = path.read_bytes()
        assert ATTACHMENT not in data and RARE.encode() not in data, path
        assert not any(n.encode() in data for n in needles), path
    assert reports(demo) == before
    with transaction(demo.sessions) as session:
        customer = session.get(Customer, demo.customer_id)
        assert customer is not None and customer.name == MARKER
        assert customer.erased_at == demo.clock.now()
        # The erasure is on the audit log, whose chain still holds; one row edited by
        # hand breaks it at that row.
        assert audit.verify(session).ok
        erased = [e for e in audit.recent(session, limit=50) if e.action == "customer.erase"]
        assert [e.subject for e in erased] == [f"customer:{demo.customer_id}"]
        session.execute(
            update(AuditEvent).where(AuditEvent.id == erased[0].id).values(subject="customer:0")
        )
        assert audit.verify(session).broken_at == erased[0].id


@pytest.mark.slow
def test_search_indexes_no_longer_find_or_hold_the_erased_words(
    demo: Demo, demo_client: TestClient
) -> None:
    """The trigram tables kept by triggers (case texts, message/customer/contact search)
    answer nothing for her words, and on SQLite the deleted entries are merged away."""
    owner = {"Authorization": f"Bearer {demo.owner_token}"}
    queries = (RARE, "Παπαδοπούλου", "artopoieia", "Αρτοποιεία")
    for query in queries:
        found = demo_client.get("/api/v1/cases", params={"q": query}, headers=owner)
        assert found.status_code == 200 and found.json()["items"], query
    demo_client.post(f"/api/v1/customers/{demo.customer_id}/erase", headers=owner)
    for query in queries:
        after = demo_client.get("/api/v1/cases", params={"q": query}, headers=owner)
        assert after.status_code == 200 and after.json()["items"] == [], query
    if demo.engine.dialect.name == "sqlite":
        with demo.engine.connect() as connection:
            for table in ("case_texts_fts", "search_messages_fts", "search_customers_fts"):
                blocks = connection.exec_driver_sql(f"SELECT block FROM {table}_data").all()
                raw = b"".join(bytes(b) for (b,) in blocks if b is not None)
                # Trigrams of the rare word are stored with their last letters as written.
                assert b"kjx" not in raw and b"jxw" not in raw, table


@pytest.mark.slow
def test_export_and_backup_files_are_private(demo: Demo) -> None:
    from amends.people.rules import OPERATOR
    from amends.privacy import service

    target = demo.settings.home.parent / "out" / "bakery.zip"
    with transaction(demo.sessions) as session:
        service.export_customer(
            session,
            actor=OPERATOR,
            customer_id=demo.customer_id,
            home=demo.settings.home,
            target=target,
            now=demo.clock.now(),
        )
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.slow
def test_a_file_another_customer_also_sent_stays_for_them(
    demo: Demo, demo_client: TestClient
) -> None:
    """Blobs are stored once by content: the same invoice from another customer keeps
    its file, while the erased customer's raw mail goes."""
    from email.message import EmailMessage

    from amends.intake.pipeline import IntakeContext, ingest
    from tests.conftest import DEFAULT_PLAYBOOK

    other = EmailMessage()
    other["From"] = "Jan Novák <jan@pekaren-novak.example>"
    other["To"] = "amends@localhost"
    other["Subject"] = "Faktúra"
    other.set_content("Posielam tú istú faktúru.")
    other.add_attachment(ATTACHMENT, maintype="application", subtype="pdf", filename="f.pdf")
    context = IntakeContext(demo.settings, demo.sessions, demo.clock, DEFAULT_PLAYBOOK)
    assert ingest(context, bytes(other), source="eml").status == "stored"
    digest = hashlib.sha256(ATTACHMENT).hexdigest()
    theirs = _theirs(demo)
    owner = {"Authorization": f"Bearer {demo.owner_token}"}
    assert demo_client.post(f"/api/v1/customers/{demo.customer_id}/erase", headers=owner).is_success
    assert store.find(store.attachments_root(demo.settings.home), digest).is_file()
    for raw in theirs["raw"]:  # type: ignore[attr-defined]
        assert not store.find(store.raw_root(demo.settings.home), raw).exists()
    with transaction(demo.sessions) as session:
        names = session.scalars(
            select(StoredAttachment.filename).where(StoredAttachment.sha256 == digest)
        ).all()
    assert sorted(names) == sorted([MARKER, "f.pdf"])

"""Finding: on PostgreSQL one oversized header stopped intake for good.

A subject, display name, Message-ID or address longer than its column raised
StringDataRightTruncation; the raw mail stayed pending and every rerun crashed on it
again, so the mail behind it waited forever (SQLite stored the same mail whole).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.cases.service import NewCase
from amends.clock import FrozenClock
from amends.config import Settings
from amends.customers.models import Contact, Customer
from amends.db import transaction
from amends.intake import batch
from amends.intake.models import Quarantine, RawMail
from amends.intake.pipeline import ingest, ingest_many, retry
from amends.intake.rules import RawMailStatus
from amends.messages.models import Message
from amends.recovery.conversation import Complaint
from tests.security.intake_mail import context, raw_mail

GOOD = raw_mail(
    sender="Peter Kováč <peter@pekaren-zlaty-klas.example>",
    subject="Chlieb prišiel plesnivý",
    msgid="<good@pekaren-zlaty-klas.example>",
    body="Dnešná dodávka chleba bola plesnivá, prosím o náhradu.",
)


def _statuses(sessions: sessionmaker[Session]) -> list[RawMailStatus]:
    with transaction(sessions) as s:
        return list(s.scalars(select(RawMail.status).order_by(RawMail.id)))


def test_an_oversized_subject_is_cut_with_a_marker_on_every_engine(
    settings: Settings, sessions: sessionmaker[Session], clock: FrozenClock, tmp_path: Path
) -> None:
    ctx = context(settings, sessions, clock, tmp_path / "ws")
    subject = "Reklamácia " + "veľmi dlhý predmet " * 100  # about 1,900 characters
    result = ingest(ctx, raw_mail(subject=subject), source="eml")
    assert result.status is RawMailStatus.STORED
    with transaction(sessions) as s:
        stored = s.scalars(select(Message.subject)).one()
        title = s.scalars(select(Case.title)).one()
    limit = Message.__table__.c.subject.type.length
    assert len(stored) <= limit
    assert stored.endswith("…")
    assert subject.startswith(stored[:-1])
    assert len(title) <= Case.__table__.c.title.type.length


def test_an_oversized_display_name_is_cut_with_a_marker_on_every_engine(
    settings: Settings, sessions: sessionmaker[Session], clock: FrozenClock, tmp_path: Path
) -> None:
    ctx = context(settings, sessions, clock, tmp_path / "ws")
    name = "Jana " + "Horváthová-" * 40  # about 445 characters
    result = ingest(ctx, raw_mail(sender=f"{name} <jana@kaviaren-dunaj.example>"), source="eml")
    assert result.status is RawMailStatus.STORED
    with transaction(sessions) as s:
        contact = s.scalars(select(Contact)).one()
        customer = s.scalars(select(Customer)).one()
    limit = Contact.__table__.c.name.type.length
    assert len(contact.name) <= limit
    assert contact.name.endswith("…")
    assert name.startswith(contact.name[:-1])
    assert customer.name == contact.name
    assert contact.email == "jana@kaviaren-dunaj.example"


@pytest.mark.parametrize(
    ("mail", "code"),
    [
        (raw_mail(msgid="<" + "x" * 400 + "@kaviaren-dunaj.example>"), "mail-id-too-long"),
        (raw_mail(sender=f"Jana <{'j' * 250}@kaviaren-dunaj.example>"), "mail-address-too-long"),
    ],
    ids=["message-id", "address"],
)
def test_an_oversized_message_id_or_address_quarantines_and_the_next_mail_goes_through(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    tmp_path: Path,
    mail: bytes,
    code: str,
) -> None:
    ctx = context(settings, sessions, clock, tmp_path / "ws")
    bad, good = ingest_many(ctx, [(mail, "eml", "bad.eml"), (GOOD, "eml", "good.eml")])
    assert bad.status is RawMailStatus.QUARANTINED
    assert (bad.reason or "").startswith(code)
    assert good.status is RawMailStatus.STORED
    assert _statuses(sessions) == [RawMailStatus.QUARANTINED, RawMailStatus.STORED]
    with transaction(sessions) as s:
        assert s.scalars(select(Quarantine.code)).all() == [code]
    # A retry reads it again and quarantines it again, without crashing.
    (again,) = retry(ctx)
    assert again.status is RawMailStatus.QUARANTINED


def test_a_mail_that_fails_to_apply_is_quarantined_and_never_blocks_the_rest(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever the bug in the database step, the mail it hits is quarantined with the
    error in a transaction of its own, and the mail after it is stored."""
    ctx = context(settings, sessions, clock, tmp_path / "ws")
    planner = batch.conversation.plan_complaint_case

    def fragile(session: Session, complaint: Complaint, **kw: Any) -> NewCase:
        if complaint.subject == "boom":
            raise RuntimeError("a bug in opening cases")
        return planner(session, complaint, **kw)

    monkeypatch.setattr(batch.conversation, "plan_complaint_case", fragile)
    others = [
        raw_mail(
            sender=f"Zákazník {i} <z{i}@firma-{i}.example>",
            subject=f"Objednávka {i} neprišla",
            msgid=f"<o{i}@firma-{i}.example>",
        )
        for i in range(4)
    ]
    mails = [*others[:2], raw_mail(subject="boom"), *others[2:], GOOD]
    results = list(ingest_many(ctx, [(raw, "eml", f"{i}.eml") for i, raw in enumerate(mails)]))
    assert [r.file for r in results] == [f"{i}.eml" for i in range(len(mails))]
    bad = results[2]
    assert bad.status is RawMailStatus.QUARANTINED
    assert "RuntimeError: a bug in opening cases" in (bad.reason or "")
    assert all(r.status is RawMailStatus.STORED for r in results if r is not bad)
    single = ingest(ctx, raw_mail(subject="boom", msgid="<m2@x.example>"), source="smtp")
    assert single.status is RawMailStatus.QUARANTINED
    assert _statuses(sessions) == [
        *[RawMailStatus.STORED] * 2,
        RawMailStatus.QUARANTINED,
        *[RawMailStatus.STORED] * 3,
        RawMailStatus.QUARANTINED,
    ]
    with transaction(sessions) as s:
        assert s.scalars(select(Quarantine.code)).all() == ["mail-apply-failed"] * 2
    # Once the bug is fixed, a retry stores both.
    monkeypatch.setattr(batch.conversation, "plan_complaint_case", planner)
    assert {r.status for r in retry(ctx)} == {RawMailStatus.STORED}

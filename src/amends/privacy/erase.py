"""Replace a customer's (or a closed case's) personal content with a marker.

Rows are rewritten, never deleted: a case still counts in the reports with its category,
owner, outcome and timings, a compensation keeps its amount, a message its direction
and time. Only the words go, and the files (raw mail, attachments) once no kept row
needs them. The search and similarity indexes follow through their triggers; their
deleted entries are merged away afterwards (``purge_indexes``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, false, or_, select, text, update
from sqlalchemy.orm import Session

import amends.models  # noqa: F401 - every table is mapped before the erasure flushes
from amends.cases import words as case_words
from amends.cases.models import Case, CaseParticipant, Notification, TimelineEvent
from amends.cases.rules import CaseState
from amends.compensation.models import Compensation
from amends.intake import store
from amends.intake.models import Quarantine, RawMail
from amends.messages.models import Message, OutboxItem, StoredAttachment
from amends.messages.rules import OutboxStatus
from amends.patterns.models import CorrectiveAction, Pattern, PatternCase
from amends.privacy.export import Holdings, chunks, holdings
from amends.privacy.rules import MARKER, erased_text, hidden_key, needles, redact, scrub
from amends.surveys.models import Survey
from amends.winback.models import Winback

# Mail waiting to go out to an erased customer would carry the erased words; it is
# cancelled. Mail already claimed by a sender is in flight and left to finish.
UNSENT = (OutboxStatus.PENDING, OutboxStatus.HELD)


@dataclass
class Erasure:
    """What an erasure changed, and the blobs it left for ``forget_files``."""

    customers: int = 0
    cases: int = 0
    messages: int = 0
    attachments: int = 0
    raw_mails: int = 0
    quarantined: int = 0
    raw_digests: set[str] = field(default_factory=set)
    attachment_digests: set[str] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {
            "customers": self.customers,
            "cases": self.cases,
            "messages": self.messages,
            "attachments": self.attachments,
            "raw_mails": self.raw_mails,
            "quarantined": self.quarantined,
        }


@contextmanager
def secure_deletes(session: Session) -> Iterator[None]:
    """On SQLite, overwrite freed space with zeros while erasing, so the old words do not
    linger in free pages of the database file."""
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA secure_delete = OFF")


def erase_customer(session: Session, *, customer_id: int, now: datetime, home: Path) -> Erasure:
    """Erase everything personal of one customer; aggregates stay as they were."""
    found = holdings(session, customer_id, home=home)
    customer = found.customer
    identity = needles(
        [customer.name, *(v for c in found.contacts for v in (c.name, c.email, c.phone))]
    )
    emails = [c.email for c in found.contacts if c.email]
    erasure = Erasure(customers=1)
    with secure_deletes(session):
        _erase_cases(session, found.case_ids, identity, now, erasure)
        _erase_messages(session, found.message_ids, erasure)
        case_words.refresh(session, found.case_ids)
        _erase_raw(session, [r.id for r in found.raw_mails], erasure)
        _erase_commitments(session, found)
        _erase_quarantine(session, emails, identity, erasure)
        _redact_shared(session, identity)
        for contact in found.contacts:
            contact.name, contact.email, contact.phone = MARKER, None, None
        # The other system's key stays so a re-import knows the row, unless it is personal.
        external = customer.external_id
        if external and redact(external, identity) != external:
            customer.external_id = hidden_key(external)
        for survey in session.scalars(select(Survey).where(Survey.customer_id == customer.id)):
            survey.comment = erased_text(survey.comment) or ""
            survey.to_address = MARKER
        customer.name = MARKER
        customer.notes = erased_text(customer.notes) or ""
        # The win-back shown with the customer repeats their name; its notes are words.
        if customer.winback:
            customer.winback = {**customer.winback, "customer": MARKER, "note": ""}
        session.execute(update(Winback).where(Winback.customer_id == customer.id).values(note=""))
        # Win-back and watch notifications name the customer among their sentence's values.
        case_ids = [case.id for case in found.cases]
        for note in session.scalars(select(Notification).where(Notification.case_id.in_(case_ids))):
            args = (note.data or {}).get("args")
            if isinstance(args, dict) and "customer" in args:
                note.data = {**note.data, "args": {**args, "customer": MARKER}}
        # updated_at stays: the compensation ledger dates a lost customer's loss by it.
        customer.erased_at = now
        session.flush()
    return erasure


def closed_cases_due(session: Session, *, closed_before: datetime, limit: int) -> list[int]:
    """Closed cases past the retention period whose content is not erased yet, oldest first."""
    return list(
        session.scalars(
            select(Case.id)
            .where(
                Case.state == CaseState.CLOSED,
                Case.closed_at < closed_before,
                Case.erased_at.is_(None),
            )
            .order_by(Case.closed_at, Case.id)
            .limit(limit)
        )
    )


def erase_cases(session: Session, *, case_ids: Sequence[int], now: datetime) -> Erasure:
    """Erase the content of these cases (retention): their messages, files, notes."""
    erasure = Erasure()
    if not case_ids:
        return erasure
    message_ids = list(
        session.scalars(
            select(Message.id).where(
                or_(false(), *(Message.case_id.in_(p) for p in chunks(case_ids)))
            )
        )
    )
    raw_ids = list(
        session.scalars(
            select(RawMail.id).where(
                or_(
                    false(),
                    *(RawMail.case_id.in_(p) for p in chunks(case_ids)),
                    *(RawMail.message_id.in_(p) for p in chunks(message_ids)),
                )
            )
        )
    )
    with secure_deletes(session):
        _erase_cases(session, case_ids, [], now, erasure)
        _erase_messages(session, message_ids, erasure)
        case_words.refresh(session, case_ids)
        _erase_raw(session, raw_ids, erasure)
    return erasure


def _erase_cases(
    session: Session, case_ids: Sequence[int], identity: list[str], now: datetime, erasure: Erasure
) -> None:
    for part in chunks(case_ids):
        cases = session.scalars(select(Case).where(Case.id.in_(part))).all()
        titles = {c.title for c in cases}
        for case in cases:
            case.title = MARKER
            case.validity = scrub(case.validity, identity) if case.validity else case.validity
            if case.validity_override:
                case.validity_override = scrub(case.validity_override, identity)
            case.erased_at = now
        erasure.cases += len(cases)
        for event in session.scalars(select(TimelineEvent).where(TimelineEvent.case_id.in_(part))):
            event.note = erased_text(event.note) or ""
            event.data = scrub(event.data, identity)
        for note in session.scalars(select(Notification).where(Notification.case_id.in_(part))):
            note.text = erased_text(note.text) or ""
            note.data = scrub(note.data, identity)
        for given in session.scalars(select(Compensation).where(Compensation.case_id.in_(part))):
            given.rationale = erased_text(given.rationale) or ""
            given.decision_note = erased_text(given.decision_note) or ""
        # A named employee's statement and its waiver speak of this customer too.
        taking_part = select(CaseParticipant).where(CaseParticipant.case_id.in_(part))
        for person in session.scalars(taking_part):
            person.statement = erased_text(person.statement)
            person.waived_reason = erased_text(person.waived_reason)
        for survey in session.scalars(select(Survey).where(Survey.case_id.in_(part))):
            survey.comment = erased_text(survey.comment) or ""
        # A pattern is named after the case that completed it: that name is this case's.
        linked = select(PatternCase.pattern_id).where(PatternCase.case_id.in_(part))
        session.execute(
            update(Pattern)
            .where(Pattern.id.in_(linked), Pattern.title.in_(titles))
            .values(title=MARKER)
        )
    session.flush()


def _erase_messages(session: Session, message_ids: Sequence[int], erasure: Erasure) -> None:
    for part in chunks(message_ids):
        for message in session.scalars(select(Message).where(Message.id.in_(part))):
            message.subject = erased_text(message.subject) or ""
            message.text = erased_text(message.text) or ""
            message.from_address = message.to_address = None
            message.message_key = hidden_key(message.message_key)
            if message.abuse:
                # The customer's words go; that the message was abusive stays (their fit).
                message.abuse = [{"word": MARKER, "kind": f["kind"]} for f in message.abuse]
        erasure.messages += len(part)
        for attachment in session.scalars(
            select(StoredAttachment).where(StoredAttachment.message_id.in_(part))
        ):
            attachment.filename = MARKER
            erasure.attachment_digests.add(attachment.sha256)
            erasure.attachments += 1
        for item in session.scalars(select(OutboxItem).where(OutboxItem.message_id.in_(part))):
            item.to_address = MARKER
            item.last_error = erased_text(item.last_error) or ""
            item.hold_reason = erased_text(item.hold_reason) or ""
            if item.status in UNSENT:
                item.status = OutboxStatus.CANCELLED
        raw = select(RawMail.id).where(RawMail.message_id.in_(part))
        _erase_raw(session, list(session.scalars(raw)), erasure)
    session.flush()


def _erase_raw(session: Session, raw_ids: Sequence[int], erasure: Erasure) -> None:
    for part in chunks(raw_ids):
        for raw in session.scalars(select(RawMail).where(RawMail.id.in_(part))):
            if raw.source_ref == MARKER:
                continue
            raw.source_ref = MARKER
            raw.reason = erased_text(raw.reason) or ""
            raw.message_key = hidden_key(raw.message_key)
            erasure.raw_digests.add(raw.sha256)
            erasure.raw_mails += 1
            references = [f"raw_mail:{raw.id}"]
            for row in session.scalars(
                select(Quarantine).where(Quarantine.reference.in_(references))
            ):
                _erase_quarantined(row)
                erasure.quarantined += 1


def _erase_quarantined(row: Quarantine) -> None:
    row.reference, row.reason, row.payload = MARKER, MARKER, b""


def _erase_commitments(session: Session, found: Holdings) -> None:
    for commitment in found.commitments:
        commitment.title = MARKER
        commitment.manner = erased_text(commitment.manner) or ""
    for delivery in found.deliveries:
        delivery.note = erased_text(delivery.note) or ""
        delivery.link = None
    session.flush()


def _erase_quarantine(
    session: Session, emails: list[str], identity: list[str], erasure: Erasure
) -> None:
    """CSV rows and form posts wait in quarantine with their bytes in the row itself."""
    wanted = [e.casefold().encode() for e in emails]
    for row in session.scalars(select(Quarantine).where(Quarantine.reference != MARKER)):
        payload = row.payload.lower()
        if any(w in payload for w in wanted) or redact(row.reason, identity) != row.reason:
            _erase_quarantined(row)
            erasure.quarantined += 1


def _redact_shared(session: Session, identity: list[str]) -> None:
    """Text shared with other customers' records (a pattern's title, a corrective action,
    another case's timeline) keeps its words but loses this customer's name and address."""
    if not identity:
        return
    columns = (
        (Pattern, (Pattern.title,)),
        (CorrectiveAction, (CorrectiveAction.root_cause, CorrectiveAction.description)),
        (Notification, (Notification.text,)),
        (TimelineEvent, (TimelineEvent.note,)),
    )
    for model, texts in columns:
        hit = or_(*(column.ilike(f"%{needle}%") for column in texts for needle in identity))
        for row in session.scalars(select(model).where(hit)):
            for column in texts:
                setattr(row, column.key, redact(getattr(row, column.key), identity))
    session.flush()


def forget_files(session: Session, *, home: Path, erasure: Erasure) -> int:
    """Delete the erased blobs no kept row still needs (the same file may have come
    with another customer's mail). Run after the erasure is committed: a failed
    commit must not lose the files of rows that stay as they were."""
    removed = 0
    for digest in erasure.raw_digests:
        kept = select(RawMail.id).where(RawMail.sha256 == digest, RawMail.source_ref != MARKER)
        if session.scalar(kept.limit(1)) is None:
            removed += store.forget(store.raw_root(home), digest)
    for digest in erasure.attachment_digests:
        kept_file = select(StoredAttachment.id).where(
            StoredAttachment.sha256 == digest, StoredAttachment.filename != MARKER
        )
        if session.scalar(kept_file.limit(1)) is None:
            removed += store.forget(store.attachments_root(home), digest)
    return removed


def leftover_erasure(session: Session) -> Erasure:
    """Every erased blob still named by a row: what a process that stopped between its
    commit and ``forget_files`` left on disk."""
    erasure = Erasure()
    erasure.raw_digests = set(
        session.scalars(select(RawMail.sha256).where(RawMail.source_ref == MARKER))
    )
    erasure.attachment_digests = set(
        session.scalars(select(StoredAttachment.sha256).where(StoredAttachment.filename == MARKER))
    )
    return erasure


# The trigram indexes kept by triggers: FTS5 tables on SQLite (see migrations s008, i011).
FTS_TABLES = (
    "case_texts_fts",
    "search_messages_fts",
    "search_customers_fts",
    "search_contacts_fts",
)
# What an erasure rewrites on PostgreSQL, whose old row versions stay until a vacuum.
VACUUMED = (
    "customers",
    "contacts",
    "cases",
    "case_texts",
    "case_words",
    "messages",
    "attachments",
    "raw_mail",
    "outbox",
    "timeline_events",
    "notifications",
    "compensations",
    "commitments",
    "deliveries",
    "quarantine",
    "patterns",
    "corrective_actions",
)


def purge_indexes(engine: Engine) -> None:
    """Make the erased words physically gone after the commit, not only invisible.

    A contentless FTS5 index only marks a deleted row until its segments merge, so each
    is merged whole ('optimize'); the WAL, which holds the old pages, is folded back and
    truncated. PostgreSQL keeps old row versions (and their GIN entries) until a vacuum,
    so the tables an erasure rewrites are vacuumed now.
    """
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA secure_delete = ON")
            for table in FTS_TABLES:
                # S608: table names are constants of this module.
                connection.exec_driver_sql(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # noqa: S608
            connection.exec_driver_sql("PRAGMA secure_delete = OFF")
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in VACUUMED:
            connection.execute(text(f"VACUUM {table}"))

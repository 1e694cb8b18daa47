"""Mail intake from raw bytes to a case: store, then parse, then thread.

This module is a boundary, like a command or a job: it opens its own transactions,
because the raw bytes must be committed before anything interprets them. Each step is
idempotent, so running the same input again, after a crash or on purpose, yields each
message exactly once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.cases.rules import CaseState
from amends.clock import Clock
from amends.config import Settings
from amends.customers import service as customers
from amends.db import transaction
from amends.errors import Quarantined
from amends.intake import store
from amends.intake.models import Quarantine, RawMail, StoredAttachment
from amends.intake.result import ParsedMessage
from amends.intake.rules import RawMailStatus, message_key, raw_mail_transition
from amends.messages import service as messages
from amends.messages.models import Message, OutboxItem
from amends.messages.rules import Channel, Direction
from amends.people.rules import SYSTEM
from amends.playbook.policy import Playbook
from amends.recovery import flows

log = logging.getLogger(__name__)

THREAD_WINDOW = timedelta(days=14)


@dataclass
class IntakeContext:
    settings: Settings
    sessions: sessionmaker[Session]
    clock: Clock
    playbook: Playbook

    @property
    def raw_root(self) -> Path:
        return self.settings.home / "raw"

    @property
    def blob_root(self) -> Path:
        return self.settings.home / "attachments"


@dataclass
class IngestResult:
    file: str
    status: RawMailStatus
    reason: str | None = None
    message_id: str | None = None
    language: str | None = None
    subject: str | None = None
    text: str | None = None
    case_id: int | None = None
    attachments: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def ingest(ctx: IntakeContext, raw: bytes, *, source: str, source_ref: str = "") -> IngestResult:
    """Take one raw email all the way: stored, duplicate, ignored or quarantined.

    Durable per message (its own fsync and commits), for channels that acknowledge each
    message to a sender: SMTP answers 250 and IMAP marks it seen only after this returns.
    """
    digest = store.put(ctx.raw_root, raw)
    now = ctx.clock.now()
    with transaction(ctx.sessions) as session:
        row = session.scalar(select(RawMail).where(RawMail.sha256 == digest))
        if row is None:
            row = RawMail(**_raw_row(digest, raw, source, source_ref, now))
            session.add(row)
            session.flush()
        elif row.status is not RawMailStatus.PENDING:
            return _seen_before(source_ref, row)
        raw_id = row.id
    return process(ctx, raw_id, raw, source_ref=source_ref)


# Messages per transaction in a bulk import. Each batch pays a disk flush, a commit and
# reading again the cases its senders write to: on 20,000 mixed messages a batch of
# 1,000 took a fifth less CPU than one of 200, and 2,000 little less again. A batch's
# parsed messages, attachments included, are held in memory until it commits, which
# BATCH_BYTES bounds whatever the count.
BATCH_SIZE = 1000
BATCH_BYTES = 32 * 1024 * 1024


def ingest_many(
    ctx: IntakeContext,
    items: Iterable[tuple[bytes, str, str]],
    *,
    batch_size: int = BATCH_SIZE,
) -> Iterator[IngestResult]:
    """Take in many raw emails ``(raw, source, source_ref)`` in batches; one result each.

    Each batch keeps the guarantees of ``ingest``: its raw bytes are flushed to disk and
    their rows committed (as ``pending``) before any of them is parsed, and all of the
    batch's cases and messages are then written in one transaction. A crash at any
    point leaves each message either done or pending, which a rerun (or ``amends intake
    retry``) completes; a rerun never makes a second copy.
    """
    chunk: list[tuple[bytes, str, str]] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += len(item[0])
        # A batch is held in memory, attachments too, until it commits: bound its bytes
        # as well as its count, so a run of large mails cannot exhaust memory.
        if len(chunk) >= batch_size or size >= BATCH_BYTES:
            yield from _ingest_batch(ctx, chunk)
            chunk, size = [], 0
    if chunk:
        yield from _ingest_batch(ctx, chunk)


def quarantine_record(raw_id: int, exc: Quarantined, now: datetime) -> Quarantine:
    """The quarantine row of a stored mail that could not be read (its bytes stay in
    raw_mail, so ``amends intake retry`` can read it again after a fix)."""
    return Quarantine(
        source="mail",
        reference=f"raw_mail:{raw_id}",
        code=exc.code,
        reason=exc.message[:2000],
        payload=b"",
        created_at=now,
    )


def _ingest_batch(ctx: IntakeContext, chunk: list[tuple[bytes, str, str]]) -> list[IngestResult]:
    digests = store.put_many(ctx.raw_root, [raw for raw, _, _ in chunk])
    now = ctx.clock.now()
    results: list[IngestResult | None] = [None] * len(chunk)
    todo: list[tuple[int, str]] = []  # (index in chunk, digest) of the messages to parse
    with transaction(ctx.sessions) as session:
        ids: dict[str, tuple[int, RawMail | None]] = {
            r.sha256: (r.id, r)
            for r in session.scalars(select(RawMail).where(RawMail.sha256.in_(set(digests))))
        }
        fresh: list[dict[str, object]] = []
        taken: dict[str, int] = {}  # digest -> index of its first copy in the batch
        copies: list[tuple[int, int]] = []
        for index, ((raw, source, ref), digest) in enumerate(zip(chunk, digests, strict=True)):
            known = ids.get(digest)
            if (
                known is not None
                and known[1] is not None
                and known[1].status is not RawMailStatus.PENDING
            ):
                results[index] = _seen_before(ref, known[1])
                continue
            if digest in taken:
                copies.append((index, taken[digest]))
                continue
            taken[digest] = index
            todo.append((index, digest))
            if known is None:
                fresh.append(_raw_row(digest, raw, source, ref, now))
        if fresh:
            # One INSERT for the batch; the ORM's unit of work costs more than parsing.
            inserted = session.execute(
                insert(RawMail).returning(RawMail.id, sort_by_parameter_order=True), fresh
            ).scalars()
            for row, raw_id in zip(fresh, inserted, strict=True):
                ids[str(row["sha256"])] = (raw_id, None)
    from amends.intake.batch import Work, apply_batch

    work = [
        Work(ids[digest][0], digest, _parse(ctx, chunk[index][0]), chunk[index][2])
        for index, digest in todo
    ]
    # What a rerun would find in each row's message_key (a parse failure records none).
    keys = {
        index: message_key(w.outcome.message_id, w.digest)
        if isinstance(w.outcome, ParsedMessage)
        else None
        for (index, _), w in zip(todo, work, strict=True)
    }
    try:
        with transaction(ctx.sessions) as session:
            written: list[Path] = []
            outcomes = apply_batch(
                session,
                now=ctx.clock.now(),
                since=ctx.clock.now() - THREAD_WINDOW,
                playbook=ctx.playbook,
                blob_root=ctx.blob_root,
                work=work,
                unsynced=written,
            )
            # Attachments were written unsynced; they reach the disk before the rows
            # that point at them are committed.
            store.make_durable(ctx.blob_root, written)
    except Exception as exc:
        # One message must not hold back the batch: each is tried again on its own, and
        # only the one that fails again stops the import, as it would without batches.
        log.warning("a batch of %d messages failed (%s); one at a time now", len(work), exc)
        for (index, _), w in zip(todo, work, strict=True):
            results[index] = process(ctx, w.raw_id, chunk[index][0], source_ref=w.source_ref)
        return _with_copies(chunk, results, copies, keys)
    for (index, _), w, outcome in zip(todo, work, outcomes, strict=True):
        result = _result(w.source_ref, w.outcome, outcome.status, outcome.reason)
        result.case_id = outcome.case_id
        results[index] = result
    return _with_copies(chunk, results, copies, keys)


def _with_copies(
    chunk: list[tuple[bytes, str, str]],
    results: list[IngestResult | None],
    copies: list[tuple[int, int]],
    keys: dict[int, str | None],
) -> list[IngestResult]:
    """Results for the same bytes given twice in one batch: the later copy is a duplicate,
    reported as a rerun would report it from the first copy's row."""
    for index, first in copies:
        original = results[first]
        assert original is not None
        results[index] = IngestResult(
            chunk[index][2],
            RawMailStatus.DUPLICATE,
            "the same bytes were received before",
            keys.get(first),
            case_id=original.case_id,
        )
    return [r for r in results if r is not None]


def _result(
    ref: str, outcome: ParsedMessage | Quarantined, status: RawMailStatus, reason: str | None
) -> IngestResult:
    if isinstance(outcome, Quarantined):
        return IngestResult(ref, status, reason)
    return IngestResult(
        ref,
        status,
        reason,
        outcome.message_id,
        outcome.language,
        outcome.subject,
        outcome.new_text,
        attachments=[a.filename for a in outcome.attachments],
    )


def _raw_row(digest: str, raw: bytes, source: str, ref: str, now: datetime) -> dict[str, object]:
    return {
        "sha256": digest,
        "size": len(raw),
        "source": source,
        "source_ref": ref,
        "received_at": now,
        "status": RawMailStatus.PENDING,
        "reason": "",
    }


def _seen_before(ref: str, row: RawMail) -> IngestResult:
    return IngestResult(
        ref,
        RawMailStatus.DUPLICATE,
        "the same bytes were received before",
        row.message_key,
        case_id=row.case_id,
    )


def process(ctx: IntakeContext, raw_id: int, raw: bytes, *, source_ref: str) -> IngestResult:
    """Parse and thread a stored raw message (also what ``amends intake retry`` runs)."""
    outcome = _parse(ctx, raw)
    digest = hashlib.sha256(raw).hexdigest()
    with transaction(ctx.sessions) as session:
        return _apply(session, ctx, raw_id, digest, outcome, source_ref, None)


def _parse(ctx: IntakeContext, raw: bytes) -> ParsedMessage | Quarantined:
    from amends.intake.parse import parse_message

    try:
        return parse_message(
            raw, languages=ctx.settings.languages, own_addresses=(ctx.settings.mail_from,)
        )
    except Quarantined as exc:
        return exc


def _apply(
    session: Session,
    ctx: IntakeContext,
    raw_id: int,
    digest: str,
    outcome: ParsedMessage | Quarantined,
    source_ref: str,
    unsynced: list[Path] | None,
) -> IngestResult:
    """Record what parsing found: a quarantine, a duplicate, an ignored mail or a message.

    ``unsynced`` collects attachment files written without an fsync (a batch syncs them
    all at once); None writes each one durably.
    """
    now = ctx.clock.now()
    if isinstance(outcome, Quarantined):
        exc = outcome
        _finish(session, raw_id, RawMailStatus.QUARANTINED, exc.code, exc.message, now)
        session.add(quarantine_record(raw_id, exc, now))
        return IngestResult(source_ref, RawMailStatus.QUARANTINED, f"{exc.code}: {exc.message}")
    parsed = outcome
    result = _result(source_ref, parsed, RawMailStatus.STORED, None)
    key = message_key(parsed.message_id, digest)
    existing = session.scalar(select(Message).where(Message.message_key == key))
    if existing is not None:
        _finish(
            session,
            raw_id,
            RawMailStatus.DUPLICATE,
            "message-id-seen",
            "a message with this Message-ID was already received",
            now,
            key=key,
            message_id=existing.id,
            case_id=existing.case_id,
        )
        result.status, result.reason, result.case_id = (
            RawMailStatus.DUPLICATE,
            "message-id-seen",
            existing.case_id,
        )
        return result
    if parsed.ignore_reason is not None:
        _finish(
            session,
            raw_id,
            RawMailStatus.IGNORED,
            parsed.ignore_reason.code,
            parsed.ignore_reason.text,
            now,
            key=key,
        )
        result.status = RawMailStatus.IGNORED
        result.reason = f"{parsed.ignore_reason.code}: {parsed.ignore_reason.text}"
        return result
    if not parsed.from_address:
        _finish(
            session,
            raw_id,
            RawMailStatus.QUARANTINED,
            "mail-no-sender",
            "the message has no sender address to answer",
            now,
            key=key,
        )
        result.status, result.reason = RawMailStatus.QUARANTINED, "mail-no-sender"
        return result

    received = min(parsed.date, now) if parsed.date else now
    text = parsed.new_text or parsed.body_text
    customer = customers.customer_for_sender(
        session,
        actor=SYSTEM,
        now=now,
        address=parsed.from_address,
        name=parsed.from_name,
        language=parsed.language,
    )
    thread = _thread(session, parsed, customer_id=customer.id, now=now)
    if thread is not None:
        message = messages.record_message(
            session,
            actor=SYSTEM,
            now=now,
            direction=Direction.INBOUND,
            channel=Channel.EMAIL,
            text=text,
            subject=parsed.subject,
            language=parsed.language,
            case_id=thread.id,
            from_address=parsed.from_address,
            message_key=key,
            raw_sha256=digest,
            at=received,
            playbook=ctx.playbook,
        )
        case_id = thread.id
    else:
        received_complaint = flows.receive_complaint(
            session,
            actor=SYSTEM,
            now=now,
            playbook=ctx.playbook,
            customer_id=customer.id,
            text=text,
            subject=parsed.subject,
            language=parsed.language,
            channel=Channel.EMAIL,
            received_at=received,
            from_address=parsed.from_address,
            message_key=key,
            raw_sha256=digest,
        )
        message, case_id = received_complaint.message, received_complaint.case.id
    for attachment in parsed.attachments:
        blob = store.put(
            ctx.blob_root, attachment.data, sync=unsynced is None, digest=attachment.sha256
        )
        if unsynced is not None:
            unsynced.append(store.blob_path(ctx.blob_root, blob))
        session.add(
            StoredAttachment(
                message_id=message.id,
                filename=attachment.filename,
                content_type=attachment.content_type,
                size=attachment.size,
                sha256=blob,
                inline=attachment.inline,
            )
        )
    _finish(
        session,
        raw_id,
        RawMailStatus.STORED,
        None,
        "",
        now,
        key=key,
        message_id=message.id,
        case_id=case_id,
    )
    result.case_id = case_id
    return result


def _finish(
    session: Session,
    raw_id: int,
    status: RawMailStatus,
    code: str | None,
    reason: str,
    now: datetime,
    *,
    key: str | None = None,
    message_id: int | None = None,
    case_id: int | None = None,
) -> None:
    row = session.get(RawMail, raw_id)
    assert row is not None
    row.status = raw_mail_transition(row.status, status)
    row.reason_code, row.reason = code, reason[:2000]
    row.message_key, row.message_id, row.case_id = key, message_id, case_id
    row.processed_at = now


def _thread(session: Session, parsed: Any, *, customer_id: int, now: datetime) -> Case | None:
    """The open case a message continues, by headers, then [C-n], then sender + subject."""
    refs = [r for r in (parsed.in_reply_to, *parsed.references) if r]
    if refs:
        found = session.scalar(
            select(Message.case_id)
            .where(Message.message_key.in_(refs), Message.case_id.is_not(None))
            .limit(1)
        )
        if found is None:
            # Our own outbound Message-IDs end with the outbox idempotency key.
            keys = [r.split("@", 1)[0].rsplit(".", 1)[-1] for r in refs]
            found = session.scalar(
                select(Message.case_id)
                .join(OutboxItem, OutboxItem.message_id == Message.id)
                .where(OutboxItem.idempotency_key.in_(keys))
                .limit(1)
            )
        case = session.get(Case, found) if found is not None else None
        if case is not None and case.state is not CaseState.CLOSED:
            return case
    if parsed.case_ref:
        number = parsed.case_ref.split("-", 1)[-1]
        case = session.get(Case, int(number)) if number.isdigit() and len(number) < 10 else None
        if (
            case is not None
            and case.state is not CaseState.CLOSED
            and case.customer_id == customer_id
        ):
            return case
    if parsed.normalised_subject:
        earlier = session.scalar(
            select(Message.case_id)
            .join(Case, Case.id == Message.case_id)
            .where(
                Message.from_address == parsed.from_address,
                Message.direction == Direction.INBOUND,
                Message.at >= now - THREAD_WINDOW,
                Case.state != CaseState.CLOSED,
            )
            .where(Message.subject.is_not(None))
            .order_by(Message.id.desc())
            .limit(20)
        )
        if earlier is not None:
            candidate = session.get(Case, earlier)
            if candidate is not None and _same_subject(session, candidate.id, parsed):
                return candidate
    return None


def _same_subject(session: Session, case_id: int, parsed: Any) -> bool:
    from amends.intake.rules import subject_key

    wanted = subject_key(parsed.subject)
    subjects = session.scalars(select(Message.subject).where(Message.case_id == case_id))
    return any(subject_key(s) == wanted for s in subjects)


def retry(ctx: IntakeContext, *, include_quarantined: bool = True) -> list[IngestResult]:
    """Process again every message left pending (a crash) or quarantined (after a fix)."""
    statuses = (
        [RawMailStatus.PENDING, RawMailStatus.QUARANTINED]
        if include_quarantined
        else [RawMailStatus.PENDING]
    )
    with transaction(ctx.sessions) as session:
        rows = [
            (r.id, r.sha256, r.source_ref)
            for r in session.scalars(
                select(RawMail).where(RawMail.status.in_(statuses)).order_by(RawMail.id)
            )
        ]
    results = []
    for raw_id, digest, ref in rows:
        raw = store.get(ctx.raw_root, digest)
        results.append(process(ctx, raw_id, raw, source_ref=ref))
    return results


def store_only(ctx: IntakeContext, raw: bytes, *, source: str, reason: str) -> None:
    """Keep input that must not be acted on (e.g. a robot's form post), marked ignored."""
    digest = store.put(ctx.raw_root, raw)
    with transaction(ctx.sessions) as session:
        if session.scalar(select(RawMail.id).where(RawMail.sha256 == digest)) is None:
            session.add(
                RawMail(
                    sha256=digest,
                    size=len(raw),
                    source=source,
                    source_ref="",
                    received_at=ctx.clock.now(),
                    status=RawMailStatus.IGNORED,
                    reason_code="robot",
                    reason=reason,
                    processed_at=ctx.clock.now(),
                )
            )

"""Mail intake from raw bytes to a case: store, then parse, then thread.

This module is a boundary, like a command or a job: it opens its own transactions,
because the raw bytes must be committed before anything interprets them. Files are
written and synced outside transactions, before the rows that name them: a crash in
between leaves at worst a file no row names (harmless: files are named by their
content), never a row naming a missing file. Each step is idempotent, so running the
same input again, after a crash or on purpose, yields each message exactly once.

One mail (SMTP, IMAP, the web form) is a batch of one: every mail takes the same path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import Clock
from amends.config import Settings
from amends.db import is_busy, transaction
from amends.errors import N_, Quarantined
from amends.intake import fit, store
from amends.intake.batch import Work, apply_batch, quarantine_record
from amends.intake.models import RawMail
from amends.intake.result import ParsedMessage
from amends.intake.rules import RawMailStatus, message_key
from amends.patterns import judging
from amends.playbook.policy import Playbook

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
        return store.raw_root(self.settings.home)

    @property
    def blob_root(self) -> Path:
        return store.attachments_root(self.settings.home)


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

    A batch of one, durable when this returns, for channels that acknowledge each
    message to a sender: SMTP answers 250 and IMAP marks it seen only after this returns.
    """
    (result,) = _ingest_batch(ctx, [(raw, source, source_ref)])
    _judge(ctx)
    return result


def _judge(ctx: IntakeContext) -> None:
    """Judge the cases intake has queued (see patterns.judging), each chunk in its own
    short transaction; if this process stops first, the judge-cases job judges them."""
    judging.drain_judging(
        lambda: transaction(ctx.sessions), now=ctx.clock.now, playbook=ctx.playbook
    )


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

    The new cases are queued for judging (repeats and patterns) and left to the
    judge-cases job (``amends worker``): judging a case costs more than storing its
    mail, and the import must not wait for it.
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
    for (index, _), result in zip(todo, _record(ctx, work), strict=True):
        results[index] = result
    return _with_copies(chunk, results, copies, keys)


def _record(ctx: IntakeContext, work: list[Work]) -> list[IngestResult]:
    """Record what parsing found for stored raw mail; one result per item of ``work``."""
    if not work:
        return []
    # Attachments go to disk, synced, before the transaction that records them. Every
    # parsed mail's files are written, even those of mail that turns out to be ignored
    # or a duplicate: a spare file is harmless, a row naming a missing one is not.
    written = [
        store.put(ctx.blob_root, attachment.data, sync=False, digest=attachment.sha256)
        for w in work
        if isinstance(w.outcome, ParsedMessage)
        for attachment in w.outcome.attachments
    ]
    if written:
        store.make_durable(ctx.blob_root, [store.blob_path(ctx.blob_root, d) for d in written])
    try:
        with transaction(ctx.sessions) as session:
            outcomes = apply_batch(
                session,
                now=ctx.clock.now(),
                since=ctx.clock.now() - THREAD_WINDOW,
                playbook=ctx.playbook,
                work=work,
            )
    except Exception as exc:
        if is_busy(exc):
            raise  # others held the database: nothing is wrong with the mail; try later
        if len(work) == 1:
            return [_quarantine_failed(ctx, work[0], exc)]
        # One message must not hold back the batch: its halves are tried again, each as
        # a batch, down to the one that fails alone and is quarantined; the rest are
        # stored in a few transactions (about 20 for one bad mail in 1,000), not one each.
        log.warning("a batch of %d messages failed (%s); trying its halves", len(work), exc)
        half = len(work) // 2
        return _record(ctx, work[:half]) + _record(ctx, work[half:])
    results = []
    for w, outcome in zip(work, outcomes, strict=True):
        result = _result(w.source_ref, w.outcome, outcome.status, outcome.reason)
        result.case_id = outcome.case_id
        results.append(result)
    return results


def _quarantine_failed(ctx: IntakeContext, w: Work, exc: Exception) -> IngestResult:
    """Quarantine a mail whose database step failed, in a short transaction of its own.

    Left pending, it would fail again on every rerun and retry, ahead of everything
    received after it; quarantined, it waits with its error for a fix and ``amends
    intake retry``, and the mail behind it goes through.
    """
    log.exception("message raw_mail:%s could not be stored; quarantined", w.raw_id)
    failure = Quarantined.saying(
        N_("storing the message failed: %(error)s"),
        code="mail-apply-failed",
        error=f"{type(exc).__name__}: {exc}"[:1000],
    )
    assert isinstance(failure, Quarantined)
    now = ctx.clock.now()
    with transaction(ctx.sessions) as session:
        session.execute(
            update(RawMail)
            .where(
                RawMail.id == w.raw_id,
                RawMail.status.in_([RawMailStatus.PENDING, RawMailStatus.QUARANTINED]),
            )
            .values(
                status=RawMailStatus.QUARANTINED,
                reason_code=failure.code,
                reason=failure.message[:2000],
                processed_at=now,
            )
        )
        session.add(quarantine_record(w.raw_id, failure, now))
    return IngestResult(
        w.source_ref, RawMailStatus.QUARANTINED, f"{failure.code}: {failure.message}"
    )


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
        "source_ref": ref[: fit.SOURCE_REF],
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


def _parse(ctx: IntakeContext, raw: bytes) -> ParsedMessage | Quarantined:
    from amends.intake.parse import parse_message

    try:
        return fit.fit(
            parse_message(
                raw, languages=ctx.settings.languages, own_addresses=(ctx.settings.mail_from,)
            )
        )
    except Quarantined as exc:
        return exc


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
    results: list[IngestResult] = []
    work: list[Work] = []
    size = 0
    for raw_id, digest, ref in rows:
        raw = store.get(ctx.raw_root, digest)
        work.append(Work(raw_id, digest, _parse(ctx, raw), ref))
        size += len(raw)
        # Parsed mail is held until its batch is recorded: bounded as an import's is.
        if len(work) >= BATCH_SIZE or size >= BATCH_BYTES:
            results.extend(_record(ctx, work))
            work, size = [], 0
    if work:
        results.extend(_record(ctx, work))
    _judge(ctx)
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

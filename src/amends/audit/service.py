"""Record security and money actions in the hash-chained audit log, and check the chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amends.audit.models import AuditEvent, AuditHead

GENESIS = "0" * 64
_HEAD_ID = 1


def canonical(
    *,
    id: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    subject: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    """The exact text a row's hash covers: sorted keys, UTC time, no spaces."""
    content = {
        "id": id,
        "at": at.astimezone(UTC).isoformat(),
        "actor_id": actor_id,
        "action": action,
        "subject": subject,
        "detail": detail,
        "prev": prev_hash,
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _lock_head(session: Session) -> AuditHead:
    # The UPDATE comes first: it takes the row lock on PostgreSQL (a second writer waits
    # here, then reads the head the first one committed) and SQLite's write lock, so the
    # head read next is the newest. Reading first would let two writers share a parent.
    session.execute(
        update(AuditHead).where(AuditHead.id == _HEAD_ID).values(last_id=AuditHead.last_id)
    )
    head = session.execute(
        select(AuditHead).where(AuditHead.id == _HEAD_ID).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        # A database whose head row went missing (emptied by hand): start from its last row.
        last = session.execute(
            select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
        ).first()
        head = AuditHead(
            id=_HEAD_ID, last_id=last[0] if last else 0, last_hash=last[1] if last else GENESIS
        )
        session.add(head)
        session.flush()
    return head


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    subject: str,
    detail: dict[str, Any] | None = None,
    now: datetime,
) -> AuditEvent:
    """Append one action to the audit log, in the caller's transaction.

    ``action`` is a stable dotted name (``user.deactivated``), ``subject`` what it was
    done to (``user:7``, ``token:3``, an email), ``detail`` JSON-safe values (never a
    password or token). ``actor_id`` is the user who acted; None for the command line
    or the system. Appends are serialised on the chain's head row.
    """
    head = _lock_head(session)
    values: dict[str, Any] = {
        "id": head.last_id + 1,
        "at": now.astimezone(UTC),
        "actor_id": actor_id,
        "action": action,
        "subject": subject,
        "detail": dict(detail or {}),
        "prev_hash": head.last_hash,
    }
    event = AuditEvent(**values, hash=_digest(canonical(**values)))
    session.add(event)
    head.last_id, head.last_hash = event.id, event.hash
    session.flush()
    return event


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rows: int
    broken_at: int | None = None
    reason: str = ""


def verify(session: Session, *, batch: int = 1000) -> Verdict:
    """Walk the chain from its first row; the first row whose link or content does not
    match is where it was broken."""
    previous, expected_id, rows = GENESIS, 1, 0
    query = select(AuditEvent).order_by(AuditEvent.id)
    for event in session.scalars(query.execution_options(yield_per=batch)):
        problem = _check(event, previous, expected_id)
        if problem:
            return Verdict(False, rows, event.id, problem)
        previous, expected_id, rows = event.hash, event.id + 1, rows + 1
    head = session.get(AuditHead, _HEAD_ID)
    if head is not None and (head.last_id, head.last_hash) != (expected_id - 1, previous):
        # Rows cut from the end leave every remaining link intact; the head remembers.
        return Verdict(False, rows, expected_id, "rows after this one are missing")
    return Verdict(True, rows)


def _check(event: AuditEvent, previous: str, expected_id: int) -> str:
    if event.id != expected_id:
        return f"row {expected_id} is missing"
    if event.prev_hash != previous:
        return "its link to the row before does not match"
    content = canonical(
        id=event.id,
        at=event.at,
        actor_id=event.actor_id,
        action=event.action,
        subject=event.subject,
        detail=event.detail,
        prev_hash=event.prev_hash,
    )
    if _digest(content) != event.hash:
        return "its content was changed after it was written"
    return ""


def recent(
    session: Session, *, limit: int = 50, action: str | None = None, before: int | None = None
) -> list[AuditEvent]:
    """The newest rows first, optionally of one action, older than the id ``before``."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEvent.action == action)
    if before:
        query = query.where(AuditEvent.id < before)
    return list(session.scalars(query))

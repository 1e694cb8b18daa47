"""The transactional outbox: queue with the message, claim once, send, record the result.

Exactly-once sending rests on the claim: a worker moves a row from ``pending`` to
``sending`` with a compare-and-set UPDATE and only the worker whose UPDATE changed the
row sends it. SMTP runs outside any transaction. A row left in ``sending`` by a worker
that died mid-send is not retried automatically (the mail may have gone out): it becomes
``uncertain`` for a person to check, because a duplicate apology is worse than a delay.
"""

from __future__ import annotations

import smtplib
import socket
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from amends.config import Settings
from amends.db import transaction
from amends.messages.models import Message, OutboxItem

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, capped at an hour: a flaky relay gets time to recover."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def queue(session: Session, *, message: Message, to_address: str, now: datetime) -> OutboxItem:
    item = OutboxItem(
        message_id=message.id,
        idempotency_key=f"msg-{message.id}-{uuid.uuid4().hex[:12]}",
        to_address=to_address,
        status="pending",
        next_attempt_at=now,
        created_at=now,
    )
    session.add(item)
    session.flush()
    return item


def claim(session: Session, *, worker: str, now: datetime, limit: int = 20) -> list[int]:
    """Claim due rows for ``worker``; each id is returned to exactly one claimant."""
    candidates = list(
        session.scalars(
            select(OutboxItem.id)
            .where(OutboxItem.status == "pending", OutboxItem.next_attempt_at <= now)
            .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
            .limit(limit)
        )
    )
    won = []
    for item_id in candidates:
        result = session.execute(
            update(OutboxItem)
            .where(OutboxItem.id == item_id, OutboxItem.status == "pending")
            .values(
                status="sending",
                claimed_by=worker,
                claimed_at=now,
                attempts=OutboxItem.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:
            won.append(item_id)
    return won


def build_email(settings: Settings, item: OutboxItem, message: Message) -> EmailMessage:
    email = EmailMessage()
    email["From"] = formataddr((settings.workspace_name, settings.mail_from))
    email["To"] = item.to_address
    email["Subject"] = message.subject or settings.workspace_name
    email["Date"] = format_datetime(message.at)
    domain = settings.mail_from.rsplit("@", 1)[-1] or "localhost"
    # The Message-ID is derived from the idempotency key, so a receiving system that
    # deduplicates by Message-ID also sees one message even in the uncertain case.
    email["Message-ID"] = make_msgid(idstring=item.idempotency_key, domain=domain)
    email["Auto-Submitted"] = "no"
    email.set_content(message.text)
    # After set_content: it replaces every Content-* header it finds.
    email["Content-Language"] = message.language if message.language != "und" else "en"
    return email


def send_via_smtp(settings: Settings, email: EmailMessage) -> None:
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        smtp.send_message(email)


def drain(
    sessions: sessionmaker[Session], settings: Settings, *, now: datetime, worker: str | None = None
) -> dict[str, int]:
    """Send what is due: claim in one short transaction, send outside, record in another."""
    worker = worker or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    counts = {"sent": 0, "retry": 0, "failed": 0, "uncertain": 0}
    with transaction(sessions) as session:
        counts["uncertain"] = _expire_leases(session, now=now)
        claimed = claim(session, worker=worker, now=now)
    for item_id in claimed:
        with transaction(sessions) as session:
            item = session.get(OutboxItem, item_id)
            message = session.get(Message, item.message_id) if item else None
            if item is None or message is None:
                continue
            email = build_email(settings, item, message)
        try:
            send_via_smtp(settings, email)
        except (smtplib.SMTPException, OSError) as exc:
            with transaction(sessions) as session:
                row = session.get(OutboxItem, item_id)
                assert row is not None
                # Keep the reason, never the credentials: str(exc) of smtplib has none.
                row.last_error = f"{type(exc).__name__}: {exc}"[:500]
                permanent = isinstance(exc, smtplib.SMTPRecipientsRefused) or (
                    isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600
                )
                if permanent or row.attempts >= MAX_ATTEMPTS:
                    row.status = "failed"
                    counts["failed"] += 1
                else:
                    row.status = "pending"
                    row.next_attempt_at = now + backoff(row.attempts)
                    counts["retry"] += 1
            continue
        with transaction(sessions) as session:
            row = session.get(OutboxItem, item_id)
            assert row is not None
            row.status = "sent"
            row.sent_at = now
            row.last_error = ""
            counts["sent"] += 1
    return counts


def _expire_leases(session: Session, *, now: datetime) -> int:
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.status == "sending", OutboxItem.claimed_at < now - LEASE)
        .values(
            status="uncertain", last_error="the sender stopped mid-send; check before resending"
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)

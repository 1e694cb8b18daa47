"""The transactional outbox: queue with the message, claim once, send, record the result.

Exactly-once sending rests on the claim: a worker moves a row from ``pending`` to
``claimed`` with a compare-and-set UPDATE and only the worker whose UPDATE changed the
row sends it. Just before handing a mail to SMTP it moves the row on to ``sending`` in a
transaction of its own; SMTP runs outside any transaction. When a worker dies, its rows
still ``claimed`` were never handed over and go back to ``pending`` once the lease ends,
so the rest of its batch is sent by someone else. A row left in ``sending`` is not
retried automatically (the mail may have gone out): it becomes ``uncertain`` for a
person to check, because a duplicate apology is worse than a delay.

The claim also enforces the hourly cap per recipient (``AMENDS_REPLY_CAP_PER_HOUR``):
if an auto-responder and amends ever answer each other, the loop is slowed to a trickle
instead of flooding one inbox. Capped mail is held, never dropped.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from amends import rehearsal
from amends.config import Settings
from amends.db import transaction
from amends.messages.models import Message, OutboxItem
from amends.messages.rules import OutboxStatus, outbox_transition

log = logging.getLogger(__name__)

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
        status=OutboxStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(item)
    session.flush()
    return item


def hold(session: Session, *, message_id: int, reason: str) -> None:
    """Keep a queued message from being sent until :func:`release` (or :func:`cancel`)."""
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.message_id == message_id, OutboxItem.status == OutboxStatus.PENDING)
        .values(
            status=outbox_transition(OutboxStatus.PENDING, OutboxStatus.HELD), hold_reason=reason
        )
        .execution_options(synchronize_session=False)
    )


def release(session: Session, *, message_id: int, now: datetime) -> int:
    """Send a held message at the next drain; how many rows were released."""
    done = session.execute(
        update(OutboxItem)
        .where(OutboxItem.message_id == message_id, OutboxItem.status == OutboxStatus.HELD)
        .values(
            status=outbox_transition(OutboxStatus.HELD, OutboxStatus.PENDING),
            next_attempt_at=now,
            hold_reason="",
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(done, "rowcount", 0) or 0)


def cancel(session: Session, *, message_id: int, reason: str) -> int:
    """Never send a held message; how many rows were cancelled."""
    done = session.execute(
        update(OutboxItem)
        .where(OutboxItem.message_id == message_id, OutboxItem.status == OutboxStatus.HELD)
        .values(
            status=outbox_transition(OutboxStatus.HELD, OutboxStatus.CANCELLED),
            hold_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(done, "rowcount", 0) or 0)


# Rows that count against the hourly cap: mail handed to the relay, being handed over,
# or possibly handed over. A permanent failure or a retry after an error sent nothing.
CAPPED_STATUSES = (
    OutboxStatus.CLAIMED,
    OutboxStatus.SENDING,
    OutboxStatus.SENT,
    OutboxStatus.UNCERTAIN,
)
CAP_WINDOW = timedelta(hours=1)


def claim(
    session: Session, *, worker: str, now: datetime, limit: int = 20, cap_per_hour: int = 10
) -> Claimed:
    """Claim due rows for ``worker``; each id is returned to exactly one claimant.

    A row whose recipient already got ``cap_per_hour`` mails in the last hour is not
    claimed but held: it stays pending, due again when the oldest of those leaves the
    window, with the reason recorded on the row.
    """
    candidates = list(
        session.execute(
            select(OutboxItem.id, OutboxItem.to_address)
            .where(OutboxItem.status == OutboxStatus.PENDING, OutboxItem.next_attempt_at <= now)
            .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
            .limit(limit)
        )
    )
    since = now - CAP_WINDOW
    _lock_recipients(session, sorted({address for _, address in candidates}))
    result = Claimed()
    for item_id, address in candidates:
        recent = aliased(OutboxItem)
        # The count sits inside the compare-and-set UPDATE, so on SQLite it is taken
        # under the write lock and two workers cannot both send the cap's last mail.
        under_cap = (
            select(func.count())
            .select_from(recent)
            .where(*_counted(recent, address, since))
            .scalar_subquery()
        ) < cap_per_hour
        won = session.execute(
            update(OutboxItem)
            .where(OutboxItem.id == item_id, OutboxItem.status == OutboxStatus.PENDING, under_cap)
            .values(
                status=outbox_transition(OutboxStatus.PENDING, OutboxStatus.CLAIMED),
                claimed_by=worker,
                claimed_at=now,
                attempts=OutboxItem.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(won, "rowcount", 0) == 1:
            result.ids.append(item_id)
        elif _hold(session, item_id, address, now=now, since=since, cap=cap_per_hour):
            result.held.append(item_id)
    return result


def _counted(
    item: type[OutboxItem], address: str, since: datetime
) -> tuple[ColumnElement[bool], ...]:
    """The mails to ``address`` since ``since`` that count against the cap."""
    return (
        item.to_address == address,
        item.status.in_(CAPPED_STATUSES),
        item.claimed_at > since,
    )


@dataclass
class Claimed:
    ids: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)


def _lock_recipients(session: Session, addresses: list[str]) -> None:
    """On PostgreSQL, serialise claimers per recipient for the rest of the transaction.

    Its UPDATE sees a snapshot taken at statement start, so without a lock two workers
    could each count nine and both send a tenth. Locks are taken in one sorted order so
    that two claimers never wait on each other in a cycle. SQLite needs none: it has one
    writer at a time.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for address in addresses:
        key = int.from_bytes(
            hashlib.sha256(address.lower().encode()).digest()[:8], "big", signed=True
        )
        session.execute(select(func.pg_advisory_xact_lock(key)))


def _hold(
    session: Session, item_id: int, address: str, *, now: datetime, since: datetime, cap: int
) -> bool:
    """Hold a due row over the cap until a send leaves the window; False if another
    worker claimed it meanwhile."""
    oldest = session.scalar(
        select(func.min(OutboxItem.claimed_at)).where(*_counted(OutboxItem, address, since))
    )
    # The window is open at its far end: at ``oldest + 1 hour`` that send no longer counts.
    release = max((oldest or now) + CAP_WINDOW, now)
    reason = (
        f"held: {cap} replies to {address} within an hour already (the cap); "
        f"sending again from {release.isoformat(timespec='seconds')}"
    )
    done = session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item_id, OutboxItem.status == OutboxStatus.PENDING)
        .values(next_attempt_at=release, held_until=release, hold_reason=reason[:500])
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) == 1:
        log.warning("outbox item %s held by the hourly cap until %s", item_id, release)
        return True
    return False


def build_email(
    settings: Settings, item: OutboxItem, message: Message, *, thread: Thread | None = None
) -> EmailMessage:
    email = EmailMessage()
    email["From"] = formataddr((settings.workspace_name, settings.mail_from))
    email["To"] = item.to_address
    email["Subject"] = message.subject or settings.workspace_name
    email["Date"] = format_datetime(message.at)
    email["Message-ID"] = message_id_of(settings, item)
    if thread is not None:
        # Under the customer's last message in their mail program, not a new thread.
        email["In-Reply-To"] = thread.parent
        email["References"] = " ".join(thread.references)
    email["Auto-Submitted"] = "no"
    email.set_content(message.text)
    # After set_content: it replaces every Content-* header it finds.
    email["Content-Language"] = message.language if message.language != "und" else "en"
    return email


def message_id_of(settings: Settings, item: OutboxItem) -> str:
    """The Message-ID is the idempotency key itself: the same on every attempt, so a
    receiving system that deduplicates by Message-ID sees one message even after an
    uncertain send, and a customer's answer to it names the message it answers."""
    domain = settings.mail_from.rsplit("@", 1)[-1] or "localhost"
    return f"<{item.idempotency_key}@{domain}>"


@dataclass(frozen=True)
class Thread:
    parent: str
    references: tuple[str, ...]


def thread_of(session: Session, message: Message) -> Thread | None:
    """The case's mail thread before ``message``: the Message-IDs of its earlier mails,
    the newest being the one this answers; None when the case has no mail yet."""
    if message.case_id is None:
        return None
    keys = [
        key
        for key in session.scalars(
            select(Message.message_key)
            .where(
                Message.case_id == message.case_id,
                Message.id != message.id,
                Message.at <= message.at,
                Message.message_key.is_not(None),
                Message.is_draft.is_(False),
            )
            .order_by(Message.at, Message.id)
        )
        # Keys are Message-IDs without their brackets; "sha256:..." stands for none.
        if key and not key.startswith("sha256:")
    ]
    if not keys:
        return None
    # References keep the first and the latest few, as mail programs do on long threads.
    references = tuple(f"<{k}>" for k in dict.fromkeys([keys[0], *keys[-9:]]))
    return Thread(f"<{keys[-1]}>", references)


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
    counts = {"sent": 0, "retry": 0, "failed": 0, "uncertain": 0, "held": 0}
    with transaction(sessions) as session:
        counts["uncertain"] = _expire_leases(session, now=now)
        claimed = claim(session, worker=worker, now=now, cap_per_hour=settings.reply_cap_per_hour)
    counts["held"] = len(claimed.held)
    for item_id in claimed.ids:
        with transaction(sessions) as session:
            if not hand_over(session, item_id, worker=worker):
                continue
            item = session.get(OutboxItem, item_id)
            message = session.get(Message, item.message_id) if item else None
            if item is None or message is None:
                continue
            email = build_email(settings, item, message, thread=thread_of(session, message))
            if message.message_key is None:
                # Kept (without brackets, as intake keeps ids) so a customer's answer and
                # our later replies thread under it.
                message.message_key = email["Message-ID"].strip("<>")
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
                    row.status = outbox_transition(row.status, OutboxStatus.FAILED)
                    counts["failed"] += 1
                else:
                    row.status = outbox_transition(row.status, OutboxStatus.PENDING)
                    row.next_attempt_at = now + backoff(row.attempts)
                    counts["retry"] += 1
            continue
        rehearsal.hold(settings, rehearsal.SEND_BEFORE_RECORD)
        with transaction(sessions) as session:
            row = session.get(OutboxItem, item_id)
            assert row is not None
            row.status = outbox_transition(row.status, OutboxStatus.SENT)
            row.sent_at = now
            row.last_error = ""
            counts["sent"] += 1
    return counts


def hand_over(session: Session, item_id: int, *, worker: str) -> bool:
    """Mark a claimed row as being handed to SMTP; False if ``worker`` lost its claim.

    Committed before the SMTP call: from here on a crash may have sent the mail, so the
    row can only become ``uncertain``, never ``pending`` again.
    """
    done = session.execute(
        update(OutboxItem)
        .where(
            OutboxItem.id == item_id,
            OutboxItem.status == "claimed",
            OutboxItem.claimed_by == worker,
        )
        .values(status="sending")
        .execution_options(synchronize_session=False)
    )
    return getattr(done, "rowcount", 0) == 1


def _expire_leases(session: Session, *, now: datetime) -> int:
    """Release what dead senders never handed over; mark what they were sending uncertain."""
    released = session.execute(
        update(OutboxItem)
        .where(OutboxItem.status == "claimed", OutboxItem.claimed_at < now - LEASE)
        .values(status="pending", last_error="the sender stopped before handing it over")
        .execution_options(synchronize_session=False)
    )
    if count := int(getattr(released, "rowcount", 0) or 0):
        log.warning("outbox: %s mails claimed by a sender that stopped are due again", count)
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.status == OutboxStatus.SENDING, OutboxItem.claimed_at < now - LEASE)
        .values(
            status=outbox_transition(OutboxStatus.SENDING, OutboxStatus.UNCERTAIN),
            last_error="the sender stopped mid-send; check before resending",
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)

"""The transactional outbox: queue with the message, claim once, send, record the result.

Exactly-once sending rests on the claim: a worker moves a row from ``pending`` to
``claimed`` with a compare-and-set UPDATE and only the worker whose UPDATE changed the
row sends it. Just before handing a mail to SMTP it moves the row on to ``sending`` in a
transaction of its own; SMTP runs outside any transaction. When a worker dies, its rows
still ``claimed`` were never handed over and go back to ``pending`` once the lease ends,
so the rest of its batch is sent by someone else. A row left in ``sending`` is not
retried automatically (the mail may have gone out): it becomes ``uncertain`` for a
person to check, because a duplicate apology is worse than a delay (``review`` lists
and settles those).

One row never stops the others: each is built, sent and recorded on its own. A row that
cannot become a mail (a recipient that is not exactly one address) fails alone with its
reason; header values are cleaned here whatever was checked where they entered.

The claim also enforces the hourly cap per recipient (``AMENDS_REPLY_CAP_PER_HOUR``):
if an auto-responder and amends ever answer each other, the loop is slowed to a trickle
instead of flooding one inbox. Capped mail is held, never dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import smtplib
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from amends import rehearsal
from amends.config import Settings
from amends.customers import service as customers
from amends.db import transaction
from amends.messages import channels
from amends.messages.models import Message, OutboxItem
from amends.messages.rules import OutboxStatus, outbox_transition
from amends.text.header import clean_header, header_problem, one_mailbox

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, capped at an hour: a flaky relay gets time to recover."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


# Why an automated message was never sent: kept on its outbox row.
NOT_AUTOMATED = "not sent: this customer takes no automated messages (they parted ways)"


def queue(session: Session, *, message: Message, to_address: str, now: datetime) -> OutboxItem:
    """Queue ``message`` for sending; an automated one (``Message.automated``) to a
    customer who takes none is recorded cancelled instead, with the reason: the one
    guard every automated sender (sweeps, surveys, win-back) passes through."""
    refused = (
        message.automated
        and message.customer_id is not None
        and not customers.accepts_automated_messages(session, message.customer_id)
    )
    item = OutboxItem(
        message_id=message.id,
        idempotency_key=f"msg-{message.id}-{uuid.uuid4().hex[:12]}",
        # One inbox, one spelling, so the hourly cap counts it as one. A value that is not
        # one address is kept as given: sending refuses it, and the row says why.
        to_address=one_mailbox(to_address) or to_address,
        status=OutboxStatus.CANCELLED if refused else OutboxStatus.PENDING,
        hold_reason=NOT_AUTOMATED if refused else "",
        next_attempt_at=now,
        created_at=now,
    )
    session.add(item)
    session.flush()
    return item


def cancel_automated(session: Session, *, customer_id: int) -> int:
    """Never send the automated messages still waiting for ``customer_id`` (they stopped
    taking them); how many rows were cancelled. A person's own replies go on."""
    automated = select(Message.id).where(
        Message.customer_id == customer_id, Message.automated.is_(True)
    )
    done = session.execute(
        update(OutboxItem)
        .where(
            OutboxItem.message_id.in_(automated),
            OutboxItem.status.in_([OutboxStatus.PENDING, OutboxStatus.HELD]),
        )
        .values(status=OutboxStatus.CANCELLED, hold_reason=NOT_AUTOMATED)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(done, "rowcount", 0) or 0)


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
    # The cap counts an inbox, not a spelling: rows are queued with the normalised
    # address, and this key finds them from a row written before that.
    keyed = [(item_id, one_mailbox(address) or address) for item_id, address in candidates]
    _lock_recipients(session, sorted({address for _, address in keyed}))
    result = Claimed()
    for item_id, address in keyed:
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


class Unsendable(ValueError):
    """This row can never become a mail as it stands; the reason is kept on the row."""


def build_email(
    settings: Settings, item: OutboxItem, message: Message, *, thread: Thread | None = None
) -> EmailMessage:
    """The mail for ``item``; Unsendable when its recipient is not exactly one address.

    Every header made from data passes :func:`clean_header` here even though it was
    checked where it entered: subjects of older rows, titles from imports and workspace
    names from settings never met those checks, and one bad value must not stop the
    outbox.
    """
    recipient = one_mailbox(item.to_address)
    if recipient is None:
        raise Unsendable(f"the recipient is not exactly one valid address: {item.to_address!r}")
    email = EmailMessage()
    email["From"] = formataddr((clean_header(settings.workspace_name), settings.mail_from))
    email["To"] = recipient
    email["Subject"] = clean_header(message.subject) or clean_header(settings.workspace_name)
    email["Date"] = format_datetime(message.at)
    email["Message-ID"] = message_id_of(settings, item)
    if thread is not None:
        # Under the customer's last message in their mail program, not a new thread.
        email["In-Reply-To"] = thread.parent
        email["References"] = " ".join(thread.references)
    email["Auto-Submitted"] = "no"
    email.set_content(message.text)
    # After set_content: it replaces every Content-* header it finds.
    language = message.language if message.language != "und" else "en"
    email["Content-Language"] = language if header_problem(language) is None else "en"
    return email


def message_id_of(settings: Settings, item: OutboxItem) -> str:
    """The Message-ID is the idempotency key itself: the same on every attempt, so a
    receiving system that deduplicates by Message-ID sees one message even after an
    uncertain send, and a customer's answer to it names the message it answers."""
    domain = settings.mail_from.rsplit("@", 1)[-1] or "localhost"
    return f"<{item.idempotency_key}@{domain}>"


# The inside of a Message-ID as it may be written back in References.
_MSGID = re.compile(r"[^\s<>\x00-\x1f\x7f-\x9f\u2028\u2029]{1,298}")


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
        # Keys are Message-IDs without their brackets; "sha256:..." stands for none. A
        # key that could not sit in a header (intake keeps what it was given) is skipped.
        if key and not key.startswith("sha256:") and _MSGID.fullmatch(key)
    ]
    if not keys:
        return None
    # References keep the first and the latest few, as mail programs do on long threads.
    references = tuple(f"<{k}>" for k in dict.fromkeys([keys[0], *keys[-9:]]))
    return Thread(f"<{keys[-1]}>", references)


@contextlib.contextmanager
def _smtp(settings: Settings) -> Iterator[smtplib.SMTP]:
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        yield smtp


def check_smtp(settings: Settings) -> str:
    """Connect, greet and sign in as sending does, and send nothing: the server's name
    from its greeting. Raises what the connection raised."""
    with _smtp(settings) as smtp:
        smtp.ehlo_or_helo_if_needed()
        code, _ = smtp.noop()
        if code != 250:
            raise smtplib.SMTPResponseException(code, b"NOOP refused")
        greeting = (smtp.ehlo_resp or smtp.helo_resp or b"").decode(errors="replace").split()
        return greeting[0] if greeting else ""


def send_via_smtp(settings: Settings, email: EmailMessage) -> None:
    with _smtp(settings) as smtp:
        # The envelope names the one checked recipient: smtplib would otherwise gather
        # recipients from every address in the To header.
        smtp.send_message(email, to_addrs=[str(email["To"])])


def drain(
    sessions: sessionmaker[Session], settings: Settings, *, now: datetime, worker: str | None = None
) -> dict[str, int]:
    """Send what is due: claim in one short transaction, send outside, record in another.

    Each row is built, sent and recorded on its own: a row that cannot become a mail
    fails alone, with its reason, and the rest of the batch is sent.
    """
    worker = worker or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    counts = {"sent": 0, "retry": 0, "failed": 0, "uncertain": 0, "held": 0}
    with transaction(sessions) as session:
        # The channel a manager saved, read on every run: a change needs no restart.
        settings = channels.effective(session, settings)
        counts["uncertain"] = _expire_leases(session, now=now)
        claimed = claim(session, worker=worker, now=now, cap_per_hour=settings.reply_cap_per_hour)
    counts["held"] = len(claimed.held)
    for item_id in claimed.ids:
        with transaction(sessions) as session:
            ready = _prepare(session, settings, item_id, worker=worker)
        if ready is None:
            continue
        if isinstance(ready, Unsendable):
            counts["failed"] += 1
            continue
        outcome = _send(sessions, settings, item_id, ready, now=now)
        counts[outcome] += 1
    return counts


def _prepare(
    session: Session, settings: Settings, item_id: int, *, worker: str
) -> EmailMessage | Unsendable | None:
    """Build a claimed row's mail and hand the row over; None if ``worker`` lost its claim.

    A row that cannot be built is failed here, still ``claimed``: nothing reached the
    relay, so it is known not to have been sent.
    """
    item = session.get(OutboxItem, item_id)
    message = session.get(Message, item.message_id) if item else None
    if item is None or message is None:
        return None
    try:
        email = build_email(settings, item, message, thread=thread_of(session, message))
        # Written out once now: anything the generator refuses shows before the relay.
        email.as_bytes()
    except (ValueError, TypeError, LookupError, MessageError) as exc:
        reason = str(exc) if isinstance(exc, Unsendable) else f"{type(exc).__name__}: {exc}"
        refused = Unsendable(reason)
        if _fail_claimed(session, item_id, worker=worker, reason=reason):
            log.warning("outbox item %s cannot be sent: %s", item_id, reason)
            return refused
        return None
    if not hand_over(session, item_id, worker=worker):
        return None
    if message.message_key is None:
        # Kept (without brackets, as intake keeps ids) so a customer's answer and our
        # later replies thread under it.
        message.message_key = email["Message-ID"].strip("<>")
    return email


def _send(
    sessions: sessionmaker[Session],
    settings: Settings,
    item_id: int,
    email: EmailMessage,
    *,
    now: datetime,
) -> str:
    """Hand one mail to the relay and record how it went; the ``drain`` count it adds to."""
    try:
        send_via_smtp(settings, email)
    except (smtplib.SMTPException, OSError) as exc:
        # Keep the reason, never the credentials: str(exc) of smtplib has none.
        reason = f"{type(exc).__name__}: {exc}"[:500]
        permanent = isinstance(exc, smtplib.SMTPRecipientsRefused) or (
            isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600
        )
        with transaction(sessions) as session:
            return _record_error(session, item_id, reason, permanent=permanent, now=now)
    except Exception as exc:
        # Anything else (a bug, a library's surprise) may have come after the relay took
        # the mail: a person decides, and the rest of the batch goes on.
        log.exception("outbox item %s: unexpected error while sending", item_id)
        with transaction(sessions) as session:
            return _record(
                session,
                item_id,
                OutboxStatus.UNCERTAIN,
                last_error=f"{type(exc).__name__}: {exc}"[:500],
            )
    rehearsal.hold(settings, rehearsal.SEND_BEFORE_RECORD)
    with transaction(sessions) as session:
        return _record(session, item_id, OutboxStatus.SENT, sent_at=now, last_error="")


def _record_error(
    session: Session, item_id: int, reason: str, *, permanent: bool, now: datetime
) -> str:
    row = session.get(OutboxItem, item_id)
    if row is None:
        return "failed"
    if permanent or row.attempts >= MAX_ATTEMPTS:
        return _record(session, item_id, OutboxStatus.FAILED, last_error=reason)
    return _record(
        session,
        item_id,
        OutboxStatus.PENDING,
        last_error=reason,
        next_attempt_at=now + backoff(row.attempts),
        counted="retry",
    )


def _record(
    session: Session,
    item_id: int,
    status: OutboxStatus,
    *,
    counted: str | None = None,
    **values: object,
) -> str:
    """Record what the sender knows of its send, unless the row moved on meanwhile.

    A slow send can outlive its lease: another drain then calls the row uncertain, and
    what this sender learnt settles it. A row a person already decided (resent or marked
    sent) keeps their decision.
    """
    row = session.get(OutboxItem, item_id)
    if row is not None and row.status in (OutboxStatus.SENDING, OutboxStatus.UNCERTAIN):
        row.status = outbox_transition(row.status, status)
        for name, value in values.items():
            setattr(row, name, value)
    elif row is not None:
        log.warning("outbox item %s is %s; not recording %s over it", item_id, row.status, status)
    return counted or str(status)


def _fail_claimed(session: Session, item_id: int, *, worker: str, reason: str) -> bool:
    done = session.execute(
        update(OutboxItem)
        .where(
            OutboxItem.id == item_id,
            OutboxItem.status == OutboxStatus.CLAIMED,
            OutboxItem.claimed_by == worker,
        )
        .values(
            status=outbox_transition(OutboxStatus.CLAIMED, OutboxStatus.FAILED),
            last_error=reason[:500],
        )
        .execution_options(synchronize_session=False)
    )
    return getattr(done, "rowcount", 0) == 1


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

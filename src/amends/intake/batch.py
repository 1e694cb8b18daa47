"""The database side of mail intake: a batch of parsed mail written in one transaction.

This is the only way parsed mail reaches the database; one mail from SMTP, IMAP or the
web form is a batch of one. Each message asks a dozen questions (is the key new, whose
address is this, which case does it continue, which case is open); a batch asks each
question once for all its messages, keeps the answers in memory, adds what the batch
itself creates, and then writes its new cases with one INSERT (each planned as its mail
is read, with an id taken beforehand, so the next mail can continue it) and its
messages with another. The answers are the ones the messages would get one after
another, in the same order, so a mail gives the same rows whether it comes alone or in
a batch (``tests/intake/test_batch.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases import statements
from amends.cases.merges import merge_targets
from amends.cases.models import Case
from amends.cases.routing import Routing
from amends.cases.rules import CaseState
from amends.cases.service import CaseIds
from amends.customers import service as customers
from amends.customers.models import Contact
from amends.customers.rules import matches_by_domain
from amends.errors import Quarantined
from amends.intake.models import Quarantine, RawMail
from amends.intake.result import ParsedMessage
from amends.intake.rules import RawMailStatus, message_key, raw_mail_transition, subject_key
from amends.messages import service as messages
from amends.messages.models import Message, OutboxItem, StoredAttachment
from amends.messages.rules import Channel, Direction
from amends.patterns import judging, similar
from amends.people.models import User
from amends.people.rules import SYSTEM, Staff
from amends.playbook.policy import Playbook
from amends.recovery import conversation
from amends.text.digits import is_digits
from amends.winback import service as winback

# Unknown domains matched per scan of the contacts. Every scan has exactly this many
# LIKEs, so the statement is compiled and cached once. With one LIKE per domain each
# batch made a statement of its own shape, the engine's compiled cache kept every one,
# and a 20,000-message import grew by about 25 MB (more the longer it ran).
DOMAINS_PER_SCAN = 64


@dataclass
class Work:
    """One message of the batch: its stored raw row and what parsing made of it."""

    raw_id: int
    digest: str
    outcome: ParsedMessage | Quarantined
    source_ref: str


@dataclass
class Outcome:
    """What became of one message (the pipeline turns it into a result)."""

    status: RawMailStatus
    reason: str | None = None
    case_id: int | None = None


@dataclass
class _Known:
    """Answers gathered for the batch, then kept current as the batch adds to them."""

    case_of_key: dict[str, int | None] = field(default_factory=dict)
    message_of_key: dict[str, int] = field(default_factory=dict)
    case_of_outbox_key: dict[str, int | None] = field(default_factory=dict)
    customer_of_address: dict[str, int] = field(default_factory=dict)
    customer_of_domain: dict[str, int] = field(default_factory=dict)
    cases: dict[int, Case] = field(default_factory=dict)
    cases_of_customer: dict[int, list[Case]] = field(default_factory=dict)
    # address -> (message id or batch order, case id, at) of its latest inbound message
    latest_from: dict[str, tuple[int, int, datetime]] = field(default_factory=dict)
    subjects_of_case: dict[int, set[str]] = field(default_factory=dict)
    # A merged case -> the case it lives on in: mail threaded to the stub lands there.
    merged_into: dict[int, int] = field(default_factory=dict)
    subjects_loaded: set[int] = field(default_factory=set)
    new_customers: set[int] = field(default_factory=set)
    workspace: tuple[str, str] | None = None
    routing: Routing | None = None
    staff: list[Staff] | None = None
    owners_held: set[int] = field(default_factory=set)
    # The batch's new cases are planned as its mail is read and inserted together after
    # it: their ids are taken beforehand, and their texts (what the next mail is matched
    # against) are kept here beside the stored texts of the open cases the batch's mail
    # may continue (read once: nothing is stored until the batch's mail is read);
    # routing remembers their owners.
    case_ids: CaseIds | None = None
    case_texts: dict[int, str] = field(default_factory=dict)
    # The session's identity map holds objects weakly: a lead or an owner no one refers
    # to is dropped and then read again by each service that asks for it by id.
    held: list[object] = field(default_factory=list)

    def subjects(self, session: Session, case_id: int) -> set[str]:
        """Subject keys of a case's messages: the stored ones (read once) and the batch's."""
        found = self.subjects_of_case.setdefault(case_id, set())
        if case_id not in self.subjects_loaded:
            self.subjects_loaded.add(case_id)
            found.update(
                subject_key(s)
                for s in session.scalars(select(Message.subject).where(Message.case_id == case_id))
            )
        return found


def _domain(address: str) -> str:
    return matches_by_domain(address) or ""


def _refs(parsed: ParsedMessage) -> list[str]:
    return [r for r in (parsed.in_reply_to, *parsed.references) if r]


def _gather(
    session: Session, parsed: Sequence[ParsedMessage], keys: Sequence[str], since: datetime
) -> _Known:
    known = _Known()
    refs = {r for p in parsed for r in _refs(p)}
    for key, message_id, case_id in session.execute(
        select(Message.message_key, Message.id, Message.case_id).where(
            Message.message_key.in_(set(keys) | refs)
        )
    ):
        if key is not None:
            known.case_of_key[key] = case_id
            known.message_of_key[key] = message_id
    unmatched = {r.split("@", 1)[0].rsplit(".", 1)[-1] for r in refs - known.case_of_key.keys()}
    if unmatched:
        for okey, case_id in session.execute(
            select(OutboxItem.idempotency_key, Message.case_id)
            .join(Message, OutboxItem.message_id == Message.id)
            .where(OutboxItem.idempotency_key.in_(unmatched))
        ):
            known.case_of_outbox_key[okey] = case_id
    addresses = {p.from_address.strip().lower() for p in parsed if p.from_address}
    for email, customer_id in session.execute(
        select(Contact.email, func.min(Contact.customer_id))
        .where(Contact.email.in_(addresses))
        .group_by(Contact.email)
    ):
        if email is not None:
            known.customer_of_address[email] = customer_id
    domains = {_domain(a) for a in addresses - known.customer_of_address.keys()} - {""}
    patterns = ["%" + d.replace("%", "").replace("_", "\\_") for d in sorted(domains)]
    for start in range(0, len(patterns), DOMAINS_PER_SCAN):
        # A few scans of the contacts for the whole batch (a suffix match cannot use an
        # index), instead of one per unknown sender. The last chunk repeats a pattern to
        # keep the statement's one shape.
        chunk = patterns[start : start + DOMAINS_PER_SCAN]
        chunk += chunk[:1] * (DOMAINS_PER_SCAN - len(chunk))
        clauses = [Contact.email.like(pattern, escape="\\") for pattern in chunk]
        for email, customer_id in session.execute(
            select(Contact.email, Contact.customer_id).where(or_(*clauses))
        ):
            domain = _domain((email or "").lower())
            if domain in domains:
                best = known.customer_of_domain.get(domain)
                known.customer_of_domain[domain] = min(best or customer_id, customer_id)
    senders = {p.from_address for p in parsed if p.from_address}
    for address, message_id, case_id, at in session.execute(
        select(Message.from_address, Message.id, Message.case_id, Message.at)
        .join(Case, Case.id == Message.case_id)
        .where(
            Message.from_address.in_(senders),
            Message.direction == Direction.INBOUND,
            Message.at >= since,
            Case.state != CaseState.CLOSED,
            Message.subject.is_not(None),
        )
    ):
        if address is not None and case_id is not None:
            seen = known.latest_from.get(address)
            if seen is None or message_id > seen[0]:
                known.latest_from[address] = (message_id, case_id, at)
    case_ids = {c for c in known.case_of_key.values() if c is not None}
    case_ids |= {c for c in known.case_of_outbox_key.values() if c is not None}
    case_ids |= {v[1] for v in known.latest_from.values()}
    for p in parsed:
        number = (p.case_ref or "").split("-", 1)[-1]
        if is_digits(number) and len(number) < 10:
            case_ids.add(int(number))
    known.merged_into = merge_targets(session, case_ids)
    case_ids |= set(known.merged_into.values())
    customer_ids = set(known.customer_of_address.values()) | set(known.customer_of_domain.values())
    loaded = session.scalars(
        select(Case).where(
            or_(
                Case.id.in_(case_ids),
                (Case.customer_id.in_(customer_ids)) & (Case.state != CaseState.CLOSED),
            )
        )
    )
    for case in loaded:
        _add_case(known, case)
    known.case_texts.update(
        similar.texts_of(
            session, (c.id for open_cases in known.cases_of_customer.values() for c in open_cases)
        )
    )
    # The stored subjects of those cases, in one query rather than one per case asked.
    on = list(known.cases)
    if on:
        for case_id, subject in session.execute(
            select(Message.case_id, Message.subject).where(Message.case_id.in_(on))
        ):
            if case_id is not None:
                known.subjects_of_case.setdefault(case_id, set()).add(subject_key(subject))
        known.subjects_loaded.update(on)
    return known


def _add_case(known: _Known, case: Case) -> None:
    if case.id in known.cases:
        return
    known.cases[case.id] = case
    if case.state is not CaseState.CLOSED:
        known.cases_of_customer.setdefault(case.customer_id, []).append(case)


def _own_open_case(known: _Known, case_id: int | None, customer_id: int) -> Case | None:
    """The case (or the one it was merged into), if it is open and the sender's own
    customer's."""
    if case_id is not None:
        case_id = known.merged_into.get(case_id, case_id)
    case = known.cases.get(case_id) if case_id is not None else None
    if case is None or case.state is CaseState.CLOSED or case.customer_id != customer_id:
        return None
    return case


def _thread(
    session: Session, known: _Known, parsed: ParsedMessage, *, customer_id: int, since: datetime
) -> Case | None:
    """The open case a message continues, by headers, then [C-n], then sender + subject,
    answered from the batch's knowledge."""
    refs = _refs(parsed)
    # Headers are the sender's to write: naming another customer's message must not file
    # this mail in that customer's case (and show it their words), so only the sender's
    # own customer's threads count; otherwise it is threaded as if the header were absent.
    found = [known.case_of_key.get(r) for r in refs]
    found += [known.case_of_outbox_key.get(r.split("@", 1)[0].rsplit(".", 1)[-1]) for r in refs]
    for case_id in found:
        case = _own_open_case(known, case_id, customer_id)
        if case is not None:
            return case
    if parsed.case_ref:
        number = parsed.case_ref.split("-", 1)[-1]
        if is_digits(number) and len(number) < 10:
            case = _own_open_case(known, int(number), customer_id)
            if case is not None:
                return case
    if parsed.normalised_subject and parsed.from_address:
        latest = known.latest_from.get(parsed.from_address)
        if latest is not None and latest[2] >= since:
            candidate = known.cases.get(latest[1])
            if (
                candidate is not None
                and candidate.state is not CaseState.CLOSED
                and subject_key(parsed.subject) in known.subjects(session, candidate.id)
            ):
                return candidate
    return None


def apply_batch(
    session: Session,
    *,
    now: datetime,
    since: datetime,
    playbook: Playbook,
    work: Sequence[Work],
) -> list[Outcome]:
    """Write a batch's outcomes; one ``Outcome`` per item of ``work``, in order.

    The files of the attachments must be on disk already (the caller writes and syncs
    them before this transaction), so no committed row points at a missing file.
    """
    parsed_all = [w.outcome for w in work if isinstance(w.outcome, ParsedMessage)]
    keys = [_key(w) for w in work if isinstance(w.outcome, ParsedMessage)]
    known = _gather(session, parsed_all, keys, since)
    outcomes: list[Outcome] = []
    finished: list[dict[str, object]] = []
    pending: list[tuple[Work, Case, messages.NewMessage]] = []
    opened: list[Case] = []
    complaints: list[conversation.Complaint] = []
    specs: list[cases.NewCase] = []
    later: list[tuple[dict[str, object], str]] = []
    order = 1 << 62  # batch messages are newer than any stored one

    def finish(
        w: Work, status: RawMailStatus, code: str | None, reason: str, **extra: object
    ) -> None:
        finished.append(
            {
                "id": w.raw_id,
                # Only pending rows reach a batch (pipeline._ingest_batch reports the rest
                # as seen before); the UPDATE is by id, so the move is checked here.
                "status": raw_mail_transition(RawMailStatus.PENDING, status),
                "reason_code": code,
                "reason": reason[:2000],
                "message_key": extra.get("key"),
                "message_id": extra.get("message_id"),
                "case_id": extra.get("case_id"),
                "processed_at": now,
            }
        )

    _make_leads(session, known, work, now=now)
    for w in work:
        if isinstance(w.outcome, Quarantined):
            exc = w.outcome
            finish(w, RawMailStatus.QUARANTINED, exc.code, exc.message)
            session.add(quarantine_record(w.raw_id, exc, now))
            outcomes.append(Outcome(RawMailStatus.QUARANTINED, f"{exc.code}: {exc.message}"))
            continue
        parsed = w.outcome
        key = _key(w)
        if key in known.case_of_key:
            case_id = known.case_of_key[key]
            finish(
                w,
                RawMailStatus.DUPLICATE,
                "message-id-seen",
                "a message with this Message-ID was already received",
                key=key,
                case_id=case_id,
                message_id=known.message_of_key.get(key),
            )
            if key not in known.message_of_key:  # a copy within this batch: id comes later
                later.append((finished[-1], key))
            outcomes.append(Outcome(RawMailStatus.DUPLICATE, "message-id-seen", case_id))
            continue
        if parsed.ignore_reason is not None:
            code, text = parsed.ignore_reason.code, parsed.ignore_reason.text
            finish(w, RawMailStatus.IGNORED, code, text, key=key)
            outcomes.append(Outcome(RawMailStatus.IGNORED, f"{code}: {text}"))
            continue
        if not parsed.from_address:
            reason = "the message has no sender address to answer"
            finish(w, RawMailStatus.QUARANTINED, "mail-no-sender", reason, key=key)
            outcomes.append(Outcome(RawMailStatus.QUARANTINED, "mail-no-sender"))
            continue
        address = parsed.from_address
        customer_id = _customer(session, known, parsed, now=now)
        received = min(parsed.date, now) if parsed.date else now
        text = parsed.new_text or parsed.body_text
        case = _thread(session, known, parsed, customer_id=customer_id, since=since)
        if case is None:
            candidates = known.cases_of_customer.get(customer_id, [])
            case = messages.matching_case(
                session,
                candidates,
                subject=parsed.subject,
                text=text,
                subjects={c.id: known.subjects(session, c.id) for c in candidates},
                likeness=similar.likeness(session, parsed.subject, text, unstored=known.case_texts),
            )
        if case is None:
            if known.routing is None or known.case_ids is None:
                # The team and its open cases are read once per batch, then kept
                # current as the batch hands out cases; so are the people a complaint
                # may name.
                known.routing = cases.load_routing(session)
                cases.learn_customers(
                    session,
                    known.routing,
                    {*known.customer_of_address.values(), *known.customer_of_domain.values()},
                )
                known.staff = statements.staff(session)
                known.case_ids = CaseIds(session)
            complaint = conversation.Complaint(
                customer_id,
                parsed.subject,
                text,
                received,
                parsed.language,
                parsed.from_name,
                # A lead made by this batch has no cases or promises to ask about.
                new_customer=customer_id in known.new_customers,
            )
            spec = conversation.plan_complaint_case(
                session,
                complaint,
                routing=known.routing,
                case_id=known.case_ids.take(),
            )
            case = cases.plan_case(spec, now=now, playbook=playbook)
            complaints.append(complaint)
            specs.append(spec)
            # A new case's text is its title until its messages are stored.
            known.case_texts[case.id] = case.title
            known.subjects_loaded.add(case.id)
            if case.owner_id not in known.owners_held:
                known.owners_held.add(case.owner_id)
                known.held.append(session.get(User, case.owner_id))
            _add_case(known, case)
            opened.append(case)
        item = messages.NewMessage(
            Direction.INBOUND,
            Channel.EMAIL,
            text,
            subject=parsed.subject,
            language=parsed.language,
            case_id=case.id,
            from_address=address,
            message_key=key,
            raw_sha256=w.digest,
            at=received,
        )
        pending.append((w, case, item))
        outcomes.append(Outcome(RawMailStatus.STORED, None, case.id))
        known.case_of_key[key] = case.id
        order += 1
        if received >= since:
            known.latest_from[address] = (order, case.id, received)
        known.subjects_of_case.setdefault(case.id, set()).add(subject_key(parsed.subject))

    if opened:
        conversation.open_complaint_cases(
            session,
            actor=SYSTEM,
            now=now,
            playbook=playbook,
            complaints=complaints,
            specs=specs,
            planned=opened,
            staff=known.staff,
        )
    ids = messages.record_messages(
        session, actor=SYSTEM, now=now, playbook=playbook, items=[p[2] for p in pending]
    )
    # As in receive_complaint, a new case is judged for repeats and patterns on the
    # customer's words, not its subject alone; but judging costs milliseconds a case and
    # a batch may open hundreds, so it is queued here, in this transaction, and done in
    # short transactions of its own after the commit (see pipeline._record).
    judging.queue_judging(session, opened, now=now)
    # Whoever wrote stops their win-back sequence at once (winback.service).
    winback.customers_replied(session, [case.customer_id for _, case, _ in pending], now=now)
    attachments: list[dict[str, object]] = []
    for (w, case, item), message_id in zip(pending, ids, strict=True):
        if item.message_key:
            known.message_of_key[item.message_key] = message_id
        finish(
            w,
            RawMailStatus.STORED,
            None,
            "",
            key=item.message_key,
            message_id=message_id,
            case_id=case.id,
        )
        assert isinstance(w.outcome, ParsedMessage)
        attachments.extend(
            {
                "message_id": message_id,
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "inline": attachment.inline,
            }
            for attachment in w.outcome.attachments
        )
    for row, key in later:
        row["message_id"] = known.message_of_key.get(key)
    if attachments:
        session.execute(insert(StoredAttachment), attachments)
    session.flush()
    session.execute(update(RawMail), finished)
    return outcomes


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


def _key(w: Work) -> str:
    assert isinstance(w.outcome, ParsedMessage)
    return message_key(w.outcome.message_id, w.digest)


def _customer(session: Session, known: _Known, parsed: ParsedMessage, *, now: datetime) -> int:
    """``customers.customer_for_sender`` from the batch's knowledge; a lead when unknown."""
    assert parsed.from_address
    address = parsed.from_address.strip().lower()
    found = known.customer_of_address.get(address)
    if found is None:
        found = known.customer_of_domain.get(_domain(address))
    if found is not None:
        return found
    # Neither the address nor its domain is known (the batch asked): a new lead, as
    # customers.customer_for_sender would make it, without asking again.
    (lead,) = _add_leads(
        session, known, [(parsed.from_address, parsed.from_name, parsed.language)], now=now
    )
    return lead


def _make_leads(session: Session, known: _Known, work: Sequence[Work], *, now: datetime) -> None:
    """Create, in one go and in order of first appearance, the leads the batch needs.

    The same messages as in ``apply_batch``'s loop reach the customer lookup (new key,
    not ignored, with a sender), so the same senders become leads, in the same order.
    """
    keys: set[str] = set()
    senders: list[tuple[str, str, str]] = []
    planned: set[str] = set()
    for w in work:
        if not isinstance(w.outcome, ParsedMessage):
            continue
        parsed, key = w.outcome, _key(w)
        if key in known.case_of_key or key in keys:
            continue
        keys.add(key)
        if parsed.ignore_reason is not None or not parsed.from_address:
            continue
        address = parsed.from_address.strip().lower()
        domain = _domain(address)
        if address in known.customer_of_address or domain in known.customer_of_domain:
            continue
        if address in planned or domain in planned:
            continue
        planned.update({address, domain} - {""})
        senders.append((parsed.from_address, parsed.from_name, parsed.language))
    if senders:
        _add_leads(session, known, senders, now=now)


def _add_leads(
    session: Session, known: _Known, senders: list[tuple[str, str, str]], *, now: datetime
) -> list[int]:
    """New leads for ``(address, name, language)`` senders, known to the batch from now on."""
    if known.workspace is None:
        known.workspace = customers.lead_defaults(session)
    leads = customers.new_leads(
        session,
        actor=SYSTEM,
        now=now,
        senders=senders,
        timezone=known.workspace[0],
        currency=known.workspace[1],
    )
    for (address, _, _), lead in zip(senders, leads, strict=True):
        lowered = address.strip().lower()
        known.customer_of_address[lowered] = lead.id
        known.customer_of_domain.setdefault(_domain(lowered), lead.id)
        known.new_customers.add(lead.id)
        known.held.append(lead)
    return [lead.id for lead in leads]

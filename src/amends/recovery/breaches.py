"""Fresh breaches become proactive cases: opened for the promise's owner with a drafted
apology, or joined to the case already open for that promise (service layer: flushes only).

A cold sweep may find thousands of misses at once, so the lookups are made per chunk of
commitments (their open cases, customers with contacts) and the timeline events and
drafts are flushed together instead of one statement each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, selectinload

from amends.cases import service as cases
from amends.cases.models import Case
from amends.cases.rules import CaseState, Category, EventKind, Origin, Severity, case_ref
from amends.commitments.bulk import Missed
from amends.commitments.drafts import breach_draft
from amends.commitments.models import Breach, Commitment
from amends.commitments.occurrences import breach_severity
from amends.customers.models import Customer
from amends.customers.rules import takes_automated_messages
from amends.errors import N_, said
from amends.messages.models import Message
from amends.messages.rules import Channel, Direction
from amends.people.models import User
from amends.people.rules import SYSTEM, can_own_cases
from amends.playbook.policy import Playbook
from amends.recovery import flows
from amends.text.address import form_of_contact

# What counts as "a large amount" per currency, for breach severity; others use 1,000.
LARGE_AMOUNT = {"EUR": 1000, "USD": 1000, "GBP": 1000, "CZK": 25000, "THB": 35000}
CHUNK = 500
_B: Table = Breach.__table__  # type: ignore[assignment]
_LINK = (
    update(_B)
    .where(_B.c.id == bindparam("b_id"))
    .values(case_id=bindparam("b_case"))
    .execution_options(synchronize_session=False)
)


def record(
    session: Session, missed: Sequence[Missed], *, now: datetime, playbook: Playbook
) -> tuple[list[int], list[int]]:
    """Open or join a case for every commitment with fresh breaches: (opened, joined) ids."""
    by_commitment: defaultdict[int, list[Missed]] = defaultdict(list)
    for m in missed:
        by_commitment[m.commitment_id].append(m)
    opened: list[int] = []
    joined: list[int] = []
    ids = sorted(by_commitment)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        promised = {
            c.id: c for c in session.scalars(select(Commitment).where(Commitment.id.in_(chunk)))
        }
        # The newest open case per commitment (ascending ids: the last one wins).
        already_open = {
            c.commitment_id: c
            for c in session.scalars(
                select(Case)
                .where(Case.commitment_id.in_(chunk), Case.state != CaseState.CLOSED)
                .order_by(Case.id)
            )
        }
        customers = {
            c.id: c
            for c in session.scalars(
                select(Customer)
                .options(selectinload(Customer.contacts))
                .where(Customer.id.in_({p.customer_id for p in promised.values()}))
            )
        }
        # Held for the chunk: the identity map keeps objects only while referenced, and
        # every case asks for its owner several times.
        owners = {
            u.id: u
            for u in session.scalars(
                select(User).where(
                    User.id.in_({p.owner_id for p in promised.values() if p.owner_id})
                )
            )
        }
        misses_of = {cid: sorted(by_commitment[cid], key=lambda m: m.due_at) for cid in chunk}
        fresh = [cid for cid in chunk if cid not in already_open]
        opening = set(fresh)
        new_cases = flows.open_cases(
            session,
            actor=SYSTEM,
            now=now,
            specs=[
                _new_case(session, promised[cid], misses_of[cid], owners, now=now) for cid in fresh
            ],
            playbook=playbook,
        )
        for cid, case in zip(fresh, new_cases, strict=True):
            already_open[cid] = case
            opened.append(case.id)
        links: list[dict[str, int]] = []
        for commitment_id in chunk:
            commitment = promised[commitment_id]
            misses = misses_of[commitment_id]
            case = already_open[commitment_id]
            if commitment_id not in opening:
                joined.append(case.id)
            _note_breaches(session, case, commitment, misses, now=now)
            customer = customers[commitment.customer_id]
            # A customer who parted ways gets no proactive apology (nothing automated);
            # the miss is still a case, so the team sees its broken promise.
            if commitment_id in opening and takes_automated_messages(customer.status):
                # After the breach events, so the timeline reads: opened, missed, draft.
                _draft(session, case, customer, commitment, misses[0], now=now)
            links.extend({"b_id": m.breach_id, "b_case": case.id} for m in misses)
        session.execute(_LINK, links)
        session.flush()
    return opened, joined


def _new_case(
    session: Session,
    commitment: Commitment,
    misses: list[Missed],
    owners: dict[int, User],
    *,
    now: datetime,
) -> cases.NewCase:
    lateness = now - misses[0].deadline
    large = LARGE_AMOUNT.get(commitment.currency, 1000)
    severity = breach_severity(float(commitment.value), large, lateness)
    return cases.NewCase(
        customer_id=commitment.customer_id,
        owner_id=_case_owner(session, commitment, owners),
        title=f"{commitment.title} — missed ({misses[0].due_at:%Y-%m-%d})"[:300],
        severity=Severity(severity),
        category=Category.MISSED_COMMITMENT,
        origin=Origin.BREACH,
        commitment_id=commitment.id,
    )


def _note_breaches(
    session: Session, case: Case, commitment: Commitment, misses: list[Missed], *, now: datetime
) -> None:
    for m in misses:
        # The promise's title is the business's own words: passed on as written.
        missed = said(
            N_("%(title)s: due %(due)s, nothing delivered"),
            title=commitment.title,
            due=m.due_at.isoformat(),
            fmt={"due": "when"},
        )
        cases.add_event(
            session,
            case=case,
            kind=EventKind.BREACH,
            at=now,
            actor=SYSTEM,
            note=f"{commitment.title}: due {m.due_at.isoformat()}, nothing delivered",
            data={
                "commitment_id": commitment.id,
                "occurrence_due_at": m.due_at.isoformat(),
                "deadline": m.deadline.isoformat(),
                **missed,
            },
            flush=False,
        )


def _case_owner(session: Session, commitment: Commitment, owners: dict[int, User]) -> int:
    """The promise's owner owns its miss; else whoever knows the account (see cases)."""
    if commitment.owner_id is not None:
        owner = owners.get(commitment.owner_id)
        if owner is not None and owner.active and can_own_cases(owner.role):
            return owner.id
    return cases.default_owner(session, commitment.customer_id)


def _draft(
    session: Session,
    case: Case,
    customer: Customer,
    commitment: Commitment,
    occ: Missed,
    *,
    now: datetime,
) -> None:
    owner = session.get(User, case.owner_id)
    contact = next(
        (c for c in sorted(customer.contacts, key=lambda c: not c.is_primary) if c.name), None
    )
    language, subject, text = breach_draft(
        language=customer.language,
        customer_name=contact.name if contact else customer.name,
        what=commitment.title,
        due=occ.due_at,
        timezone=customer.timezone,
        owner=owner.name if owner else "",
        owner_form=owner.gender_form if owner else None,
        customer_form=form_of_contact(contact.gender_form, contact.name) if contact else None,
        customer_is_person=contact is not None,
    )
    session.add(
        Message(
            case_id=case.id,
            customer_id=customer.id,
            direction=Direction.OUTBOUND,
            channel=Channel.EMAIL,
            language=language,
            subject=f"[{case_ref(case.id)}] {subject}",
            text=text,
            is_draft=True,
            automated=True,
            to_address=next((c.email for c in customer.contacts if c.email), None),
            author_id=None,
            at=now,
            created_at=now,
        )
    )
    cases.add_event(
        session,
        case=case,
        kind=EventKind.DRAFT_PREPARED,
        at=now,
        actor=SYSTEM,
        data={"language": language},
        flush=False,
    )

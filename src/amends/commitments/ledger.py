"""The commitment ledger at work: judging occurrences, the breach sweep, due-soon lists and
the customer's expectations view (service layer: flushes, never commits)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases.models import Case
from amends.cases.playbook import Playbook
from amends.cases.rules import Category, Origin, Severity
from amends.commitments.drafts import breach_draft
from amends.commitments.models import Breach, Commitment, Delivery
from amends.commitments.occurrences import (
    Occurrence,
    OccurrenceStatus,
    breach_severity,
    due_times,
    match,
)
from amends.customers.models import Customer
from amends.messages.models import Message
from amends.people.models import User
from amends.people.rules import SYSTEM, Action, Actor, Role, can_own_cases
from amends.people.service import require

# What counts as "a large amount" per currency, for breach severity; others use 1,000.
LARGE_AMOUNT = {"EUR": 1000, "USD": 1000, "GBP": 1000, "CZK": 25000, "THB": 35000}
CHUNK = 2000
# How far ahead the sweep looks for a commitment's next deadline.
LOOKAHEAD = timedelta(days=400)


class Promised(Protocol):
    """What the ledger needs of a commitment: an ORM object or a plain row will do."""

    @property
    def id(self) -> int: ...
    @property
    def customer_id(self) -> int: ...
    @property
    def owner_id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def rrule(self) -> str | None: ...
    @property
    def grace_hours(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def checked_through(self) -> datetime | None: ...
    @property
    def next_check_at(self) -> datetime | None: ...
    @property
    def value(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...


SWEEP_COLUMNS = (
    Commitment.id,
    Commitment.customer_id,
    Commitment.owner_id,
    Commitment.title,
    Commitment.due_at,
    Commitment.rrule,
    Commitment.grace_hours,
    Commitment.status,
    Commitment.checked_through,
    Commitment.next_check_at,
    Commitment.value,
    Commitment.currency,
)


def grace_of(commitment: Promised) -> timedelta:
    return timedelta(hours=commitment.grace_hours)


def next_deadline(
    commitment: Promised, checked_through: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """(next due time, its deadline) after ``checked_through``; (None, None) when done."""
    if commitment.due_at is None or commitment.status != "active":
        return None, None
    after = checked_through - grace_of(commitment) if checked_through else None
    start = max(after or commitment.due_at, commitment.due_at)
    upcoming = due_times(
        commitment.due_at, commitment.rrule, until=start + timedelta(days=400), after=after
    )
    if not upcoming:
        return None, None
    return upcoming[0], upcoming[0] + grace_of(commitment)


def reschedule(commitment: Commitment) -> None:
    """After creating or changing a commitment: the next deadline the sweep must judge."""
    commitment.next_due_at, commitment.next_check_at = next_deadline(
        commitment, commitment.checked_through
    )


def occurrences(
    commitment: Promised,
    deliveries: list[tuple[int, datetime]],
    *,
    now: datetime,
    horizon: timedelta = timedelta(days=31),
) -> list[Occurrence]:
    """Every occurrence from the first due time until ``now + horizon``, graded."""
    if commitment.due_at is None:
        return []
    due = due_times(commitment.due_at, commitment.rrule, until=now + horizon)
    return match(due, deliveries, grace=grace_of(commitment), now=now)


def deliveries_for(
    session: Session, commitment_ids: list[int]
) -> defaultdict[int, list[tuple[int, datetime]]]:
    """(delivery id, delivered_at) per commitment, for a batch of commitments at once."""
    found: defaultdict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for delivery_id, commitment_id, at in session.execute(
        select(Delivery.id, Delivery.commitment_id, Delivery.delivered_at).where(
            Delivery.commitment_id.in_(commitment_ids)
        )
    ):
        found[commitment_id].append((delivery_id, at))
    return found


@dataclass
class SweepResult:
    breaches_opened: int = 0
    cases_opened: list[int] = field(default_factory=list)
    cases_joined: list[int] = field(default_factory=list)
    commitments_checked: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "breaches_opened": self.breaches_opened,
            "cases_opened": self.cases_opened,
            "cases_joined": self.cases_joined,
            "commitments_checked": self.commitments_checked,
        }


def sweep(
    session: Session, *, now: datetime, playbook: Playbook, limit: int | None = None
) -> SweepResult:
    """Judge every occurrence whose deadline has passed since the last sweep.

    Only commitments with ``next_check_at <= now`` are read (an index range), so a sweep
    with nothing newly due costs one empty lookup. Each commitment is claimed by a
    compare-and-set on ``next_check_at`` before it is judged, and breaches are unique per
    (commitment, occurrence): two sweepers at once never record a miss twice. Plain rows,
    not ORM objects, because a cold sweep walks every commitment there is.
    """
    result = SweepResult()
    while limit is None or result.commitments_checked < limit:
        batch = session.execute(
            select(*SWEEP_COLUMNS)
            .where(Commitment.status == "active", Commitment.next_check_at <= now)
            .order_by(Commitment.next_check_at, Commitment.id)
            .limit(CHUNK)
        ).all()
        if not batch:
            break
        _sweep_batch(session, batch, now=now, playbook=playbook, result=result)
        if len(batch) < CHUNK:
            break
    return result


_TABLE: Table = Commitment.__table__  # type: ignore[assignment]
# Core (not ORM) so a list of parameter sets runs as one executemany.
_CLAIM = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("b_id"), _TABLE.c.next_check_at == bindparam("b_old"))
    .values(
        checked_through=bindparam("b_checked"),
        next_due_at=bindparam("b_due"),
        next_check_at=bindparam("b_check"),
    )
)


def _sweep_batch(
    session: Session,
    batch: Sequence[Any],
    *,
    now: datetime,
    playbook: Playbook,
    result: SweepResult,
) -> None:
    rows = {row.id: row for row in batch}
    deliveries = deliveries_for(session, list(rows))

    missed: dict[int, list[Occurrence]] = {}
    claims = []
    for row in batch:
        if row.due_at is None:
            continue
        grace = grace_of(row)
        # One expansion serves both judging (up to now) and the next deadline (after).
        due = due_times(row.due_at, row.rrule, until=now + LOOKAHEAD)
        cut = bisect_right(due, now)
        judged = match(due[:cut], deliveries[row.id], grace=grace, now=now)
        since = row.checked_through
        late = [
            o
            for o in judged
            if o.status is OccurrenceStatus.MISSED and (since is None or o.deadline > since)
        ]
        if late:
            missed[row.id] = late
        past = [o.deadline for o in judged if o.deadline <= now]
        checked = max(past) if past else since
        upcoming = [d for d in due if checked is None or d + grace > checked]
        next_due = upcoming[0] if upcoming else None
        claims.append(
            {
                "b_id": row.id,
                "b_old": row.next_check_at,
                "b_checked": checked,
                "b_due": next_due,
                "b_check": next_due + grace if next_due else None,
            }
        )
    won = _claim(session, claims)
    result.commitments_checked += len(won)
    for commitment_id in sorted(set(missed) & won):
        fresh = [
            o
            for o in missed[commitment_id]
            if _insert_breach(session, commitment_id, o, now=now) is not None
        ]
        if fresh:
            result.breaches_opened += len(fresh)
            _open_or_join(
                session, rows[commitment_id], fresh, now=now, playbook=playbook, result=result
            )
    session.flush()


def _claim(session: Session, claims: list[dict[str, Any]]) -> set[int]:
    """Apply the compare-and-set updates; the ids whose update this sweeper won.

    One executemany when the driver reports summed row counts and every row was won
    (the normal case with one sweeper); row by row otherwise, to learn which ones.
    """
    if not claims:
        return set()
    dialect = session.get_bind().dialect
    if dialect.supports_sane_multi_rowcount:
        total = session.execute(_CLAIM, claims)
        if getattr(total, "rowcount", -1) == len(claims):
            return {c["b_id"] for c in claims}
        # Some were taken by another sweeper, and ours are applied already: find ours by
        # the values we wrote (a rival would have written the same, so either is fine).
        return {c["b_id"] for c in claims if _holds(session, c)}
    won = set()
    for claim in claims:
        if getattr(session.execute(_CLAIM, claim), "rowcount", 0) == 1:
            won.add(claim["b_id"])
    return won


def _holds(session: Session, claim: dict[str, Any]) -> bool:
    current = session.execute(
        select(Commitment.next_check_at).where(Commitment.id == claim["b_id"])
    ).scalar_one_or_none()
    return bool(current == claim["b_check"] and claim["b_old"] != claim["b_check"])


def _insert_breach(
    session: Session, commitment_id: int, occ: Occurrence, *, now: datetime
) -> int | None:
    """Insert the breach unless it exists; the id when this call created it."""
    dialect = session.get_bind().dialect.name
    values = {
        "commitment_id": commitment_id,
        "occurrence_due_at": occ.due_at,
        "deadline": occ.deadline,
        "detected_at": now,
    }
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    stmt = (
        dialect_insert(Breach)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["commitment_id", "occurrence_due_at"])
        .returning(Breach.id)
    )
    return session.execute(stmt).scalar_one_or_none()


def _case_owner(session: Session, commitment: Promised) -> int:
    """The promise's owner owns its miss; else whoever knows the account (see cases)."""
    if commitment.owner_id is not None:
        owner = session.get(User, commitment.owner_id)
        if owner is not None and owner.active and can_own_cases(Role(owner.role)):
            return owner.id
    return cases.default_owner(session, commitment.customer_id)


def _open_or_join(
    session: Session,
    commitment: Promised,
    occs: list[Occurrence],
    *,
    now: datetime,
    playbook: Playbook,
    result: SweepResult,
) -> None:
    with session.no_autoflush:
        _open_or_join_unflushed(
            session, commitment, occs, now=now, playbook=playbook, result=result
        )


def _open_or_join_unflushed(
    session: Session,
    commitment: Promised,
    occs: list[Occurrence],
    *,
    now: datetime,
    playbook: Playbook,
    result: SweepResult,
) -> None:
    open_case = session.scalar(
        select(Case)
        .where(Case.commitment_id == commitment.id, Case.state != "closed")
        .order_by(Case.id.desc())
        .limit(1)
    )
    lateness = now - min(o.deadline for o in occs)
    if open_case is None:
        large = LARGE_AMOUNT.get(commitment.currency, 1000)
        severity = breach_severity(float(commitment.value), large, lateness)
        first = min(occs, key=lambda o: o.due_at)
        case = cases.open_case(
            session,
            actor=SYSTEM,
            now=now,
            customer_id=commitment.customer_id,
            owner_id=_case_owner(session, commitment),
            title=f"{commitment.title} — missed ({first.due_at:%Y-%m-%d})"[:300],
            severity=Severity(severity),
            category=Category.MISSED_COMMITMENT,
            origin=Origin.BREACH,
            commitment_id=commitment.id,
            playbook=playbook,
        )
        result.cases_opened.append(case.id)
    else:
        case = open_case
        result.cases_joined.append(case.id)
    session.execute(
        update(Breach)
        .where(
            Breach.commitment_id == commitment.id,
            Breach.occurrence_due_at.in_([o.due_at for o in occs]),
        )
        .values(case_id=case.id)
        .execution_options(synchronize_session=False)
    )
    for occ in occs:
        cases.add_event(
            session,
            case=case,
            kind="breach",
            at=now,
            actor=SYSTEM,
            note=f"{commitment.title}: due {occ.due_at.isoformat()}, nothing delivered",
            data={
                "commitment_id": commitment.id,
                "occurrence_due_at": occ.due_at.isoformat(),
                "deadline": occ.deadline.isoformat(),
            },
        )
    if open_case is None:
        # After the breach events, so the timeline reads: opened, what was missed, draft.
        customer = session.get(Customer, commitment.customer_id)
        assert customer is not None
        _draft(session, case, customer, commitment, min(occs, key=lambda o: o.due_at), now=now)


def _draft(
    session: Session,
    case: Case,
    customer: Customer,
    commitment: Promised,
    occ: Occurrence,
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
    )
    session.add(
        Message(
            case_id=case.id,
            customer_id=customer.id,
            direction="outbound",
            channel="email",
            language=language,
            subject=f"[C-{case.id}] {subject}",
            text=text,
            is_draft=True,
            to_address=next((c.email for c in customer.contacts if c.email), None),
            author_id=None,
            at=now,
            created_at=now,
        )
    )
    cases.add_event(
        session, case=case, kind="draft_prepared", at=now, actor=SYSTEM, data={"language": language}
    )


@dataclass(frozen=True)
class DueSoon:
    commitment_id: int
    customer_id: int
    owner_id: int | None
    title: str
    due_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "commitment_id": self.commitment_id,
            "customer_id": self.customer_id,
            "owner_id": self.owner_id,
            "title": self.title,
            "due_at": self.due_at.isoformat(),
        }


def due_soon(
    session: Session,
    *,
    now: datetime,
    window: timedelta = timedelta(days=3),
    owner_id: int | None = None,
    limit: int = 500,
) -> list[DueSoon]:
    """Promises falling due within ``window`` with no delivery yet: prevent, don't recover."""
    stmt = (
        select(Commitment)
        .where(
            Commitment.status == "active",
            Commitment.next_due_at.is_not(None),
            Commitment.next_due_at <= now + window,
        )
        .order_by(Commitment.next_due_at, Commitment.id)
        .limit(limit)
    )
    if owner_id is not None:
        stmt = stmt.where(Commitment.owner_id == owner_id)
    found = list(session.scalars(stmt))
    delivered = deliveries_for(session, [c.id for c in found])
    out = []
    for commitment in found:
        for occ in occurrences(commitment, delivered[commitment.id], now=now, horizon=window):
            if occ.status in {OccurrenceStatus.UPCOMING, OccurrenceStatus.DUE} and (
                occ.due_at <= now + window
            ):
                out.append(
                    DueSoon(
                        commitment.id,
                        commitment.customer_id,
                        commitment.owner_id,
                        commitment.title,
                        occ.due_at,
                    )
                )
    return sorted(out, key=lambda d: (d.due_at, d.commitment_id))


def expectations(
    session: Session, customer_id: int, *, actor: Actor, now: datetime
) -> list[tuple[Commitment, list[Occurrence]]]:
    """Every commitment of the customer with its occurrences graded: what they expect."""
    require(actor, Action.READ)
    commitments = list(
        session.scalars(
            select(Commitment).where(Commitment.customer_id == customer_id).order_by(Commitment.id)
        )
    )
    delivered = deliveries_for(session, [c.id for c in commitments])
    return [(c, occurrences(c, delivered[c.id], now=now)) for c in commitments]


def expectation_dict(commitment: Commitment, occs: list[Occurrence]) -> dict[str, Any]:
    return {
        "commitment_id": commitment.id,
        "external_id": commitment.external_id,
        "title": commitment.title,
        "kind": commitment.kind,
        "rrule": commitment.rrule,
        "value": str(commitment.value),
        "currency": commitment.currency,
        "occurrences": [
            {
                "due_at": o.due_at.isoformat(),
                "deadline": o.deadline.isoformat(),
                "status": o.status.value,
                "delivery_id": o.delivery_id,
                "delivered_at": o.delivered_at.isoformat() if o.delivered_at else None,
            }
            for o in occs
        ],
    }


def assess_case(session: Session, case_id: int, *, actor: Actor, now: datetime) -> dict[str, Any]:
    """The evidence-based verdict for a case, and the agent's override when there is one."""
    from amends.commitments.validity import Promise, assess

    case = cases.get_case(session, case_id, actor=actor)
    customer_view = expectations(session, case.customer_id, actor=actor, now=now)
    if case.commitment_id is not None:
        customer_view = [(c, o) for c, o in customer_view if c.id == case.commitment_id]
    complaint = " ".join(
        session.scalars(
            select(Message.text).where(Message.case_id == case.id, Message.direction == "inbound")
        )
    )
    promises = [Promise(c.id, c.title, occs) for c, occs in customer_view]
    found = assess(promises, f"{case.title} {complaint}", now=now)
    result: dict[str, Any] = {
        "verdict": found.verdict.value,
        "reasons": found.reasons,
        "evidence": found.evidence,
    }
    if case.validity_override:
        result["evidence_verdict"] = result["verdict"]
        result["verdict"] = case.validity_override["verdict"]
        result["override"] = case.validity_override
    return result


def override_validity(
    session: Session, case_id: int, *, actor: Actor, now: datetime, verdict: str, reason: str
) -> None:
    """An agent's judgement over the evidence; it needs a reason and goes on the timeline."""
    from amends.commitments.validity import Verdict
    from amends.errors import InvalidInput

    require(actor, Action.WRITE)
    try:
        chosen = Verdict(verdict)
    except ValueError:
        raise InvalidInput(f"unknown verdict {verdict!r}", code="verdict-unknown") from None
    if len(reason.strip()) < 3:
        raise InvalidInput("overriding the verdict needs a reason", code="override-reason")
    case = cases.get_case(session, case_id, actor=actor)
    case.validity_override = {
        "verdict": chosen.value,
        "reason": reason.strip(),
        "by": actor.user_id,
        "at": now.isoformat(),
    }
    cases.add_event(
        session,
        case=case,
        kind="validity_overridden",
        at=now,
        actor=actor,
        note=reason.strip(),
        data={"verdict": chosen.value},
    )

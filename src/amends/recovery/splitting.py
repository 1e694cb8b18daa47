"""Splitting messages off a case into a new case of the same customer, with its own
clocks (service layer: flushes only, the caller commits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from amends.audit import service as audit
from amends.cases import service as cases
from amends.cases import words as case_words
from amends.cases.models import Case, TimelineEvent
from amends.cases.rules import CaseState, Category, EventKind, Severity, case_ref
from amends.errors import N_, Conflict, InvalidInput
from amends.messages.models import Message
from amends.messages.rules import MESSAGE_EVENT, Direction
from amends.patterns import service as patterns
from amends.people.rules import Action, Actor
from amends.people.service import require
from amends.playbook.policy import Playbook
from amends.recovery import flows
from amends.web.i18n import english, said


def split_case(
    session: Session,
    case_id: int,
    *,
    message_ids: Sequence[int],
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    title: str | None = None,
    category: Category | None = None,
    severity: Severity | None = None,
    owner_id: int | None = None,
) -> Case:
    """Move ``message_ids`` of a case into a new case of the same customer, with its own
    clocks (from its first message), category and owner."""
    require(actor, Action.WRITE)
    case = cases.get_case(session, case_id, actor=actor)
    if case.state is CaseState.CLOSED:
        raise Conflict.saying(N_("the case is closed"), code="case-closed")
    wanted = sorted(set(message_ids))
    if not wanted:
        raise InvalidInput.saying(N_("choose the messages to split off"), code="split-empty")
    found = list(
        session.scalars(
            select(Message)
            .where(Message.id.in_(wanted), Message.case_id == case.id)
            .order_by(Message.at, Message.id)
        )
    )
    if len(found) != len(wanted):
        missing = sorted(set(wanted) - {m.id for m in found})
        raise InvalidInput.saying(
            N_("message %(ids)s is not on this case"),
            code="split-message-not-on-case",
            ids=", ".join(f"#{i}" for i in missing),
        )
    total = session.scalar(select(func.count()).where(Message.case_id == case.id)) or 0
    if len(found) >= total:
        raise InvalidInput.saying(
            N_("a split leaves at least one message on the case; to move all, merge instead"),
            code="split-all",
        )
    first = found[0]
    new = flows.open_case(
        session,
        actor=actor,
        now=now,
        playbook=playbook,
        customer_id=case.customer_id,
        owner_id=owner_id or case.owner_id,
        title=(title or "").strip() or first.subject.strip() or case.title,
        severity=severity or case.severity,
        category=category or case.category,
        origin=case.origin,
        opened_at=min(first.at, now),
        judge=False,
    )
    moved = [m.id for m in found]
    session.execute(
        update(Message)
        .where(Message.id.in_(moved))
        .values(case_id=new.id)
        .execution_options(synchronize_session=False)
    )
    for message in found:
        session.expire(message, ["case_id"])
    case_words.refresh(session, [case.id, new.id])
    # Each moved message's own timeline entry goes with it.
    entries = [
        e.id
        for e in session.scalars(
            select(TimelineEvent).where(
                TimelineEvent.case_id == case.id, TimelineEvent.kind.in_(MESSAGE_EVENT.values())
            )
        )
        if e.data.get("message_id") in set(moved)
    ]
    if entries:
        session.execute(
            update(TimelineEvent)
            .where(TimelineEvent.id.in_(entries))
            .values(case_id=new.id)
            .execution_options(synchronize_session=False)
        )
    inbound = [m.at for m in found if m.direction is Direction.INBOUND]
    outbound = [m.at for m in found if m.direction is Direction.OUTBOUND]
    new.last_inbound_at = max(inbound) if inbound else None
    if outbound:
        new.first_response_at = min(outbound)
        new.last_outbound_at = max(outbound)
        new.outbound_count = len(outbound)
    case.updated_at = now
    session.flush()
    split = said(N_("messages moved to %(ref)s"), ref=case_ref(new.id))
    cases.add_event(
        session,
        case=case,
        kind=EventKind.SPLIT,
        at=now,
        actor=actor,
        note=english(split),
        data={"new_case_id": new.id, "message_ids": moved, **split},
    )
    split_from = said(N_("split from %(ref)s"), ref=case_ref(case.id))
    cases.add_event(
        session,
        case=new,
        kind=EventKind.SPLIT_FROM,
        at=now,
        actor=actor,
        note=english(split_from),
        data={"source_id": case.id, "message_ids": moved, **split_from},
    )
    audit.record(
        session,
        actor_id=actor.user_id,
        action="case.split",
        subject=f"case:{case.id}",
        detail={"new_case_id": new.id, "message_ids": moved},
        now=now,
    )
    # Only patterns: the case it came from is the same customer's, earlier and often of
    # the same kind, and a split-off matter is not a repeat of it.
    patterns.detect_pattern(session, new, now=now, policy=playbook.patterns)
    session.flush()
    return new

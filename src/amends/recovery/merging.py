"""Merging one case into another and undoing it (service layer: flushes only, the caller
commits); splitting messages off into a new case is ``recovery.splitting``.

A merge moves everything of the source (messages with their attachments and outbox
rows, compensation, timeline) to the target and leaves the source a closed stub that
points there. What moved, and each case's fields before and after, is kept with the
merge, so an undo within a day puts back exactly that: a field is restored only while it
still holds what the merge wrote, so whatever happened on the target since (a reply, a
new mail) is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amends.audit import service as audit
from amends.cases import clocks
from amends.cases import service as cases
from amends.cases import words as case_words
from amends.cases.merges import active_merge
from amends.cases.models import Case, CaseMerge, CaseParticipant, TimelineEvent
from amends.cases.rules import (
    STEPS,
    CaseState,
    Category,
    EventKind,
    Severity,
    Step,
    WaitingOn,
    case_ref,
    state_after,
)
from amends.compensation.models import Compensation
from amends.customers.models import Contact
from amends.db import EnumText, UTCDateTime
from amends.errors import N_, Conflict, InvalidInput
from amends.messages.models import Message
from amends.messages.rules import Direction
from amends.patterns import service as patterns
from amends.patterns.models import ActionCase, PatternCase
from amends.people.rules import Action, Actor
from amends.people.service import require
from amends.playbook.policy import Playbook
from amends.web.i18n import english, said

UNDO_WINDOW = timedelta(hours=24)
_COLUMNS = tuple(c.key for c in Case.__table__.columns if c.key != "id")


# -- a case's fields as JSON, to put back --------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _decode(key: str, value: Any) -> Any:
    if value is None:
        return None
    kind = Case.__table__.c[key].type
    if isinstance(kind, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, EnumText):
        return kind.enum(value)
    return value


def _fields(case: Case) -> dict[str, Any]:
    return {key: _encode(getattr(case, key)) for key in _COLUMNS}


def _changes(before: dict[str, Any], case: Case) -> dict[str, list[Any]]:
    after = _fields(case)
    return {k: [before[k], after[k]] for k in _COLUMNS if before[k] != after[k]}


def _put_back(case: Case, changes: dict[str, list[Any]]) -> list[str]:
    """Restore each field the merge changed that still holds the merge's value; the names
    of those changed again since are returned (they are kept)."""
    kept = []
    for key, (before, after) in changes.items():
        if _encode(getattr(case, key)) == after:
            setattr(case, key, _decode(key, before))
        else:
            kept.append(key)
    return kept


# -- merging -------------------------------------------------------------------------------


def _addresses(session: Session, case: Case) -> set[str]:
    """Who wrote in a case: its inbound senders and its customer's contacts."""
    found = {
        (a or "").strip().lower()
        for a in session.scalars(
            select(Message.from_address).where(
                Message.case_id == case.id, Message.direction == Direction.INBOUND
            )
        )
    }
    found |= {
        (e or "").strip().lower()
        for e in session.scalars(
            select(Contact.email).where(Contact.customer_id == case.customer_id)
        )
    }
    return found - {""}


def _same_customer(session: Session, source: Case, target: Case) -> bool:
    """The same customer, or the source came from one of the target customer's contacts
    (mail from a known person filed under a lead of its own, say)."""
    if source.customer_id == target.customer_id:
        return True
    contacts = {
        (e or "").strip().lower()
        for e in session.scalars(
            select(Contact.email).where(Contact.customer_id == target.customer_id)
        )
    }
    return bool(contacts & _addresses(session, source))


def _refuse_merge(session: Session, source: Case, target: Case) -> None:
    if source.id == target.id:
        raise InvalidInput.saying(N_("a case cannot be merged into itself"), code="merge-same-case")
    for case in (source, target):
        if active_merge(session, case.id) is not None:
            raise Conflict.saying(
                N_("%(ref)s was merged into another case already"),
                code="merge-stub",
                ref=case_ref(case.id),
            )
        if case.state is CaseState.CLOSED:
            raise Conflict.saying(
                N_("%(ref)s is closed; only open cases can be merged"),
                code="merge-closed",
                ref=case_ref(case.id),
            )
    if not _same_customer(session, source, target):
        raise Conflict.saying(
            N_(
                "%(source)s and %(target)s are not the same customer's; only a customer's own "
                "cases (or those of their contacts) can be merged"
            ),
            code="merge-other-customer",
            source=case_ref(source.id),
            target=case_ref(target.id),
        )


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(x for x in (a, b) if x is not None) if (a or b) else None


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(x for x in (a, b) if x is not None) if (a or b) else None


def _combine(target: Case, source: Case) -> None:
    """The target as one case holding both: steps done by either, the earliest deadline of
    each clock (with its escalation), the counts of both."""
    mine, theirs = clocks.steps_of(target), clocks.steps_of(source)
    done = mine | theirs
    # A step's facts come from the case that did it first.
    if Step.ACKNOWLEDGE in theirs and (
        Step.ACKNOWLEDGE not in mine
        or (source.acknowledged_at or target.opened_at)
        < (target.acknowledged_at or source.opened_at)
    ):
        target.acknowledged_at = source.acknowledged_at
        target.ack_minutes = source.ack_minutes
        target.ack_within = source.ack_within
    if Step.REMEDY in theirs and (
        Step.REMEDY not in mine
        or (source.resolved_at or target.opened_at) < (target.resolved_at or source.opened_at)
    ):
        target.resolved_at = source.resolved_at
        target.remedy_within = source.remedy_within
        target.one_interaction = source.one_interaction
    ranks = list(Severity)
    target.severity = max(target.severity, source.severity, key=ranks.index)
    target.steps_done = ",".join(s.value for s in STEPS if s in done)
    target.state = state_after(done)
    for clock in ("ack", "remedy", "close"):
        due, escalated = f"{clock}_due_at", f"{clock}_escalated_at"
        theirs_due, mine_due = getattr(source, due), getattr(target, due)
        if theirs_due is not None and (mine_due is None or theirs_due < mine_due):
            setattr(target, due, theirs_due)
            setattr(target, escalated, getattr(source, escalated))
    target.first_response_at = _earliest(target.first_response_at, source.first_response_at)
    target.last_inbound_at = _latest(target.last_inbound_at, source.last_inbound_at)
    target.last_outbound_at = _latest(target.last_outbound_at, source.last_outbound_at)
    target.outbound_count += source.outbound_count
    if source.waiting_on is WaitingOn.US and target.waiting_on is not WaitingOn.US:
        # The customer waits on us in one of them: so they do in the merged case.
        target.waiting_on = WaitingOn.US
        target.waiting_since = source.waiting_since
    clocks.refresh_urgency(target)


def _move_repeats(session: Session, source: Case, target: Case) -> dict[str, list[Any]]:
    """Cases that repeated the source now repeat the target; the target's own list drops
    both. Returns each other case's list before and after."""
    changed: dict[str, list[Any]] = {}
    gone = {source.id, target.id}
    target.repeat_of = sorted({*(target.repeat_of or []), *(source.repeat_of or [])} - gone) or None
    for other in session.scalars(
        select(Case).where(
            Case.customer_id.in_({source.customer_id, target.customer_id}),
            Case.repeat_of.is_not(None),
            Case.id.not_in(gone),
        )
    ):
        before = list(other.repeat_of or [])
        if source.id in before:
            other.repeat_of = sorted({*before, target.id} - {source.id})
            changed[str(other.id)] = [before, other.repeat_of]
    return changed


def _pattern_ids(session: Session, case_id: int) -> set[int]:
    return set(
        session.scalars(select(PatternCase.pattern_id).where(PatternCase.case_id == case_id))
    )


def _move_memberships(
    session: Session, source: Case, target: Case, now: datetime
) -> dict[str, Any]:
    """The source's patterns and corrective actions become the target's."""
    theirs = list(session.scalars(select(PatternCase).where(PatternCase.case_id == source.id)))
    mine = _pattern_ids(session, target.id)
    removed = [[p.pattern_id, p.customer_id, p.added_at.isoformat()] for p in theirs]
    added = []
    for row in theirs:
        if row.pattern_id not in mine:
            session.add(
                PatternCase(
                    pattern_id=row.pattern_id,
                    case_id=target.id,
                    customer_id=target.customer_id,
                    added_at=now,
                )
            )
            added.append(row.pattern_id)
        session.delete(row)
    actions = list(
        session.scalars(select(ActionCase.action_id).where(ActionCase.case_id == source.id))
    )
    my_actions = set(
        session.scalars(select(ActionCase.action_id).where(ActionCase.case_id == target.id))
    )
    actions_added = [a for a in actions if a not in my_actions]
    session.execute(
        ActionCase.__table__.delete().where(ActionCase.case_id == source.id)  # type: ignore[attr-defined]
    )
    for action_id in actions_added:
        session.add(ActionCase(action_id=action_id, case_id=target.id))
    session.flush()
    return {
        "patterns_removed": removed,
        "patterns_added": added,
        "actions_removed": actions,
        "actions_added": actions_added,
    }


# What a merge moves from the source to the target, by the key it is recorded under.
_MOVED_ROWS: tuple[tuple[type[Message] | type[Compensation] | type[TimelineEvent], str], ...] = (
    (Message, "messages"),
    (Compensation, "compensations"),
    (TimelineEvent, "events"),
)


def _move_rows(
    session: Session, source_id: int, target_id: int, *, back: dict[str, Any] | None = None
) -> dict[str, list[int]]:
    """Messages (with their attachments and outbox rows), compensation and timeline
    events, moved one way or the other. Forward (a merge): every one of the source's goes
    to the target, and their ids are returned to be kept with the merge. Back (its undo,
    given what was kept): only what is still on the target returns to the source, so a
    message split off since stays put."""
    moved: dict[str, list[int]] = {}
    for model, key in _MOVED_ROWS:
        if back is None:
            on, to = model.case_id == source_id, target_id
            ids = list(session.scalars(select(model.id).where(on).order_by(model.id)))
        else:
            ids = list(back.get(key, []))
            on, to = model.id.in_(ids) & (model.case_id == target_id), source_id
        if ids:
            session.execute(
                update(model)
                .where(on)
                .values(case_id=to)
                .execution_options(synchronize_session=False)
            )
        moved[key] = ids
    # The messages' words go with them.
    case_words.refresh(session, [source_id, target_id])
    return moved


def merge_cases(
    session: Session,
    source_id: int,
    *,
    into: int,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
) -> CaseMerge:
    """Merge case ``source_id`` into case ``into`` (see the module's docstring)."""
    require(actor, Action.WRITE)
    source = cases.get_case(session, source_id, actor=actor)
    target = cases.get_case(session, into, actor=actor)
    _refuse_merge(session, source, target)
    before_source, before_target = _fields(source), _fields(target)
    patterns_before = _pattern_ids(session, target.id)

    customers_of = {}
    if source.customer_id != target.customer_id:
        customers_of = {
            str(i): c
            for i, c in session.execute(
                select(Message.id, Message.customer_id).where(Message.case_id == source.id)
            )
        }
        session.execute(
            update(Message)
            .where(Message.case_id == source.id)
            .values(customer_id=target.customer_id)
            .execution_options(synchronize_session=False)
        )
    rows = _move_rows(session, source.id, target.id)
    # Whoever worked the source works the target now: its owner and participants.
    present = cases.participant_ids(session, target.id) | {target.owner_id}
    joined = sorted(({source.owner_id} | cases.participant_ids(session, source.id)) - present)
    for user_id in joined:
        session.add(
            CaseParticipant(case_id=target.id, user_id=user_id, reason="merged", added_at=now)
        )

    _combine(target, source)
    repeats = _move_repeats(session, source, target)
    memberships = _move_memberships(session, source, target, now)
    # The stub: closed without an outcome (the recovery goes on in the target).
    source.state = CaseState.CLOSED
    source.closed_at = now
    source.urgency_at = None
    source.repeat_of = None
    source.updated_at = now
    target.updated_at = now
    session.flush()
    session.expire_all()
    source = cases.get_case(session, source_id, actor=actor)
    target = cases.get_case(session, into, actor=actor)
    # The target's text grew: it may now join a pattern. (Repeats were carried over
    # above; judging them again would find the stub itself, an earlier case of the
    # same customer and kind.)
    patterns.detect_pattern(session, target, now=now, policy=playbook.patterns)
    memberships["patterns_added"] = sorted(
        set(memberships["patterns_added"]) | (_pattern_ids(session, target.id) - patterns_before)
    )

    merge = CaseMerge(
        source_id=source.id,
        target_id=target.id,
        merged_at=now,
        merged_by=actor.user_id,
        moved={
            **rows,
            "message_customers": customers_of,
            "participants": joined,
            "repeats": repeats,
            **memberships,
            "source": _changes(before_source, source),
            "target": _changes(before_target, target),
        },
    )
    session.add(merge)
    session.flush()
    merged_in = said(N_("%(source)s merged into this case"), source=case_ref(source.id))
    cases.add_event(
        session,
        case=target,
        kind=EventKind.MERGED_IN,
        at=now,
        actor=actor,
        note=english(merged_in),
        data={"merge_id": merge.id, "source_id": source.id, **merged_in},
    )
    merged_into = said(N_("merged into %(target)s"), target=case_ref(target.id))
    cases.add_event(
        session,
        case=source,
        kind=EventKind.MERGED_INTO,
        at=now,
        actor=actor,
        note=english(merged_into),
        data={"merge_id": merge.id, "target_id": target.id, **merged_into},
    )
    audit.record(
        session,
        actor_id=actor.user_id,
        action="case.merge",
        subject=f"case:{source.id}",
        detail={
            "into": target.id,
            "merge_id": merge.id,
            "messages": len(rows["messages"]),
            "compensations": len(rows["compensations"]),
        },
        now=now,
    )
    session.flush()
    return merge


def undo_merge(
    session: Session, source_id: int, *, actor: Actor, now: datetime, playbook: Playbook
) -> CaseMerge:
    """Undo the merge that made ``source_id`` a stub, within a day of it."""
    require(actor, Action.WRITE)
    source = cases.get_case(session, source_id, actor=actor)
    merge = active_merge(session, source.id)
    if merge is None:
        raise Conflict.saying(
            N_("%(ref)s is not merged into another case"),
            code="merge-not-found",
            ref=case_ref(source.id),
        )
    target = cases.get_case(session, merge.target_id, actor=actor)
    if now - merge.merged_at > UNDO_WINDOW:
        raise Conflict.saying(
            N_("a merge can be undone within 24 hours; %(ref)s was merged on %(at)s"),
            code="merge-undo-expired",
            ref=case_ref(source.id),
            at=merge.merged_at.isoformat(),
            fmt={"at": "when"},
        )
    if active_merge(session, target.id) is not None:
        raise Conflict.saying(
            N_("%(ref)s was itself merged since; undo that merge first"),
            code="merge-undo-chained",
            ref=case_ref(target.id),
        )
    moved = merge.moved
    _move_rows(session, source.id, target.id, back=moved)
    for message_id, customer_id in moved.get("message_customers", {}).items():
        session.execute(
            update(Message)
            .where(Message.id == int(message_id))
            .values(customer_id=customer_id)
            .execution_options(synchronize_session=False)
        )
    for user_id in moved.get("participants", []):
        joined = session.get(CaseParticipant, (target.id, user_id))
        if joined is not None:
            session.delete(joined)
    for pattern_id in moved.get("patterns_added", []):
        member = session.get(PatternCase, (pattern_id, target.id))
        if member is not None:
            session.delete(member)
    for pattern_id, customer_id, added_at in moved.get("patterns_removed", []):
        if session.get(PatternCase, (pattern_id, source.id)) is None:
            session.add(
                PatternCase(
                    pattern_id=pattern_id,
                    case_id=source.id,
                    customer_id=customer_id,
                    added_at=datetime.fromisoformat(added_at),
                )
            )
    for action_id in moved.get("actions_added", []):
        row = session.get(ActionCase, (action_id, target.id))
        if row is not None:
            session.delete(row)
    for action_id in moved.get("actions_removed", []):
        if session.get(ActionCase, (action_id, source.id)) is None:
            session.add(ActionCase(action_id=action_id, case_id=source.id))
    for case_id, (before, after) in moved.get("repeats", {}).items():
        other = session.get(Case, int(case_id))
        if other is not None and list(other.repeat_of or []) == after:
            other.repeat_of = before
    _put_back(source, moved.get("source", {}))
    _put_back(target, moved.get("target", {}))
    source.updated_at = now
    target.updated_at = now
    merge.undone_at = now
    merge.undone_by = actor.user_id
    session.flush()
    for case, other in ((source, target), (target, source)):
        undone = said(N_("merge of %(source)s undone"), source=case_ref(source.id))
        cases.add_event(
            session,
            case=case,
            kind=EventKind.MERGE_UNDONE,
            at=now,
            actor=actor,
            note=english(undone),
            data={"merge_id": merge.id, "other_id": other.id, **undone},
        )
    audit.record(
        session,
        actor_id=actor.user_id,
        action="case.merge_undo",
        subject=f"case:{source.id}",
        detail={"into": target.id, "merge_id": merge.id},
        now=now,
    )
    session.flush()
    # The rows moved back by UPDATE statements: objects loaded before must read them anew.
    session.expire_all()
    return merge


def merges_into(session: Session, target_id: int) -> list[CaseMerge]:
    """The merges into a case that are not undone, newest first (the page offers undo)."""
    return list(
        session.scalars(
            select(CaseMerge)
            .where(CaseMerge.target_id == target_id, CaseMerge.undone_at.is_(None))
            .order_by(CaseMerge.merged_at.desc(), CaseMerge.id.desc())
        )
    )


def undo_until(merge: CaseMerge) -> datetime:
    return merge.merged_at + UNDO_WINDOW


def panel(session: Session, case: Case, *, actor: Actor, now: datetime) -> dict[str, Any]:
    """What the case page's merge and split forms show: the merges into this case (and
    whether each can still be undone) and the customer's other open cases to merge into."""
    merges = [
        {
            "source_id": m.source_id,
            "at": m.merged_at,
            "until": undo_until(m),
            "can_undo": now - m.merged_at <= UNDO_WINDOW,
        }
        for m in merges_into(session, case.id)
    ]
    candidates = list(
        session.execute(
            cases.visible_cases(actor)
            .with_only_columns(Case.id, Case.title)
            .where(
                Case.customer_id == case.customer_id,
                Case.state != CaseState.CLOSED,
                Case.id != case.id,
            )
            .order_by(Case.opened_at.desc(), Case.id.desc())
            .limit(50)
        )
    )
    return {
        "merges": merges,
        "candidates": [{"id": i, "title": t} for i, t in candidates],
        "categories": [c.value for c in Category],
    }

"""Recovery cases: opening, reading, changing state, and the append-only timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.orm import Session

from amends.cases import clocks
from amends.cases.models import Case, CaseParticipant, Notification, TimelineEvent
from amends.cases.playbook import Playbook
from amends.cases.rules import (
    CaseState,
    Category,
    Origin,
    Severity,
)
from amends.cases.schemas import CaseOut
from amends.commitments.models import Commitment
from amends.customers.models import Customer
from amends.errors import Conflict, InvalidInput, NotFound
from amends.paging import MAX_LIMIT, Page, paginate
from amends.people.models import User
from amends.people.rules import Action, Actor, Role, can_own_cases, can_see_case
from amends.people.service import require


def case_ref(case_id: int) -> str:
    """The reference customers see and quote in subjects, e.g. ``C-123``."""
    return f"C-{case_id}"


def add_event(
    session: Session,
    *,
    case: Case,
    kind: str,
    at: datetime,
    actor: Actor,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> TimelineEvent:
    event = TimelineEvent(
        case_id=case.id, at=at, actor_id=actor.user_id, kind=kind, note=note, data=data or {}
    )
    session.add(event)
    session.flush()
    return event


def _owner(session: Session, owner_id: int) -> User:
    owner = session.get(User, owner_id)
    if owner is None or not owner.active:
        raise InvalidInput(f"owner {owner_id} is not an active user", code="owner-not-found")
    if not can_own_cases(Role(owner.role)):
        raise InvalidInput(
            f"{owner.name} is a {owner.role} and cannot own cases", code="owner-not-allowed"
        )
    return owner


def open_case(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    customer_id: int,
    owner_id: int,
    title: str,
    severity: Severity = Severity.MEDIUM,
    category: Category = Category.OTHER,
    origin: Origin = Origin.MANUAL,
    playbook: Playbook,
    commitment_id: int | None = None,
    opened_at: datetime | None = None,
) -> Case:
    """Open a case with its single owner; the SLA clock starts at ``opened_at``."""
    require(actor, Action.WRITE)
    if session.get(Customer, customer_id) is None:
        raise InvalidInput(f"customer {customer_id} does not exist", code="customer-not-found")
    _owner(session, owner_id)
    if commitment_id is not None:
        commitment = session.get(Commitment, commitment_id)
        if commitment is None or commitment.customer_id != customer_id:
            raise InvalidInput(
                f"commitment {commitment_id} is not one of this customer's",
                code="commitment-not-found",
            )
    case = Case(
        customer_id=customer_id,
        owner_id=owner_id,
        title=title,
        state=CaseState.NEW.value,
        severity=severity.value,
        category=category.value,
        origin=origin.value,
        commitment_id=commitment_id,
        opened_at=opened_at or now,
        created_at=now,
        updated_at=now,
        steps_done="",
        handoffs=0,
        outbound_count=0,
    )
    clocks.start(case, playbook)
    session.add(case)
    session.flush()
    add_event(
        session,
        case=case,
        kind="opened",
        at=now,
        actor=actor,
        data={"owner_id": owner_id, "origin": origin.value, "severity": severity.value},
    )
    from amends.patterns import service as patterns  # patterns builds on this module

    patterns.flag_repeats(session, case, now=now, playbook=playbook)
    return case


def participant_ids(session: Session, case_id: int) -> set[int]:
    return set(
        session.scalars(select(CaseParticipant.user_id).where(CaseParticipant.case_id == case_id))
    )


def get_case(session: Session, case_id: int, *, actor: Actor) -> Case:
    case = session.get(Case, case_id)
    # A case the actor may not see answers exactly like a missing one: no existence leak.
    if case is None or not can_see_case(
        actor.role,
        actor.user_id or 0,
        owner_id=case.owner_id,
        participant_ids=participant_ids(session, case_id),
    ):
        raise NotFound(f"case {case_id} does not exist", code="case-not-found")
    return case


def _visibility(actor: Actor) -> list[ColumnElement[bool]]:
    if actor.allows(Action.READ):
        return []
    return [
        (Case.owner_id == actor.user_id)
        | exists().where(
            CaseParticipant.case_id == Case.id, CaseParticipant.user_id == actor.user_id
        )
    ]


def visible_cases(actor: Actor) -> Select[Case]:
    return select(Case).where(*_visibility(actor))


@dataclass(frozen=True)
class CaseFilter:
    state: CaseState | None = None
    is_open: bool | None = None
    owner_id: int | None = None
    customer_id: int | None = None
    severity: Severity | None = None
    category: Category | None = None
    by_urgency: bool = False


def _conditions(actor: Actor, f: CaseFilter) -> list[ColumnElement[bool]]:
    conditions = _visibility(actor)
    if f.by_urgency:
        # Closed cases have no urgency; the (owner_id, urgency_at, id) index serves this.
        conditions.append(Case.urgency_at.is_not(None))
    if f.state is not None:
        conditions.append(Case.state == f.state.value)
    if f.is_open is True:
        conditions.append(Case.state != CaseState.CLOSED.value)
    elif f.is_open is False:
        conditions.append(Case.state == CaseState.CLOSED.value)
    if f.owner_id is not None:
        conditions.append(Case.owner_id == f.owner_id)
    if f.customer_id is not None:
        conditions.append(Case.customer_id == f.customer_id)
    if f.severity is not None:
        conditions.append(Case.severity == f.severity.value)
    if f.category is not None:
        conditions.append(Case.category == f.category.value)
    return conditions


def _order(f: CaseFilter) -> tuple[ColumnElement[Any], ...]:
    if f.by_urgency:
        return (Case.urgency_at.asc(), Case.id.asc())
    return (Case.opened_at.desc(), Case.id.desc())


def list_cases(
    session: Session,
    *,
    actor: Actor,
    limit: int = 50,
    offset: int = 0,
    state: CaseState | None = None,
    is_open: bool | None = None,
    owner_id: int | None = None,
    customer_id: int | None = None,
    severity: Severity | None = None,
    category: Category | None = None,
    by_urgency: bool = False,
) -> Page[Case]:
    f = CaseFilter(state, is_open, owner_id, customer_id, severity, category, by_urgency)
    stmt = select(Case).where(*_conditions(actor, f)).order_by(*_order(f))
    return paginate(session, stmt, limit=limit, offset=offset)


_VIEW_COLUMNS = [
    c
    for c in Case.__table__.c
    if c.key in CaseOut.model_fields or c.key in {"owner_id", "steps_done"}
]


def list_case_views(
    session: Session, *, actor: Actor, f: CaseFilter, limit: int = 50, offset: int = 0
) -> Page[CaseOut]:
    """Like list_cases, but straight to the API shape in one joined query.

    Owners keep their case list open all day, so this path skips ORM identity
    bookkeeping: plain rows, the owner joined in, no second query.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    stmt = (
        select(*_VIEW_COLUMNS, User.name.label("owner_name"), User.email.label("owner_email"))
        .join(User, User.id == Case.owner_id)
        .where(*_conditions(actor, f))
        .order_by(*_order(f))
        .limit(limit + 1)
        .offset(offset)
    )
    rows = session.execute(stmt).mappings().all()
    items = [CaseOut.from_row(row) for row in rows[:limit]]
    return Page(items, limit, offset, offset + limit if len(rows) > limit else None)


CASE_UPDATABLE = frozenset({"title", "severity", "category"})


def update_case(
    session: Session,
    case_id: int,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    changes: dict[str, object],
) -> Case:
    require(actor, Action.WRITE)
    case = get_case(session, case_id, actor=actor)
    unknown = set(changes) - CASE_UPDATABLE
    if unknown:
        raise Conflict(
            f"cannot change {', '.join(sorted(unknown))} here; state moves by playbook steps "
            "and the owner by a hand-off",
            code="field-not-updatable",
        )
    before = {key: getattr(case, key) for key in changes}
    for key, value in changes.items():
        setattr(case, key, value.value if hasattr(value, "value") else value)
    after = {key: getattr(case, key) for key in changes}
    if before != after:
        if {"severity", "category"} & set(changes):
            clocks.retarget(
                case,
                playbook,
                old_severity=str(before.get("severity", case.severity)),
                old_category=str(before.get("category", case.category)),
            )
        case.updated_at = now
        add_event(
            session,
            case=case,
            kind="updated",
            at=now,
            actor=actor,
            data={"before": before, "after": after},
        )
    return case


def add_participant(
    session: Session, *, case: Case, user_id: int, reason: str, actor: Actor, now: datetime
) -> None:
    if session.get(User, user_id) is None:
        raise InvalidInput(f"user {user_id} does not exist", code="user-not-found")
    if session.get(CaseParticipant, (case.id, user_id)) is None:
        session.add(CaseParticipant(case_id=case.id, user_id=user_id, reason=reason, added_at=now))
        add_event(
            session,
            case=case,
            kind="participant_added",
            at=now,
            actor=actor,
            data={"user_id": user_id, "reason": reason},
        )


def timeline(session: Session, case_id: int, *, actor: Actor) -> list[TimelineEvent]:
    get_case(session, case_id, actor=actor)
    return list(
        session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.case_id == case_id)
            .order_by(TimelineEvent.at, TimelineEvent.id)
        )
    )


def owner_names(session: Session, owner_ids: set[int]) -> dict[int, User]:
    if not owner_ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(owner_ids)))}


def present(session: Session, cases: Sequence[Case]) -> list[CaseOut]:
    """Cases as the API and CLI show them, with their owners resolved in one query."""
    owners = owner_names(session, {c.owner_id for c in cases})
    return [CaseOut.build(c, owners[c.owner_id]) for c in cases]


def notifications_for(
    session: Session, *, actor: Actor, unread_only: bool = True, limit: int = 100
) -> list[Notification]:
    """The actor's own notifications, newest first."""
    stmt = select(Notification).where(Notification.user_id == actor.user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def mark_read(session: Session, notification_id: int, *, actor: Actor, now: datetime) -> None:
    item = session.get(Notification, notification_id)
    if item is None or item.user_id != actor.user_id:
        raise NotFound(
            f"notification {notification_id} does not exist", code="notification-not-found"
        )
    item.read_at = item.read_at or now


def default_owner(session: Session, customer_id: int) -> int:
    """Who owns a new complaint: whoever owned this customer's last case, else whoever owns
    their promises, else a manager: the person who already knows the account."""
    candidates = [
        session.scalar(
            select(Case.owner_id)
            .where(Case.customer_id == customer_id)
            .order_by(Case.id.desc())
            .limit(1)
        ),
        session.scalar(
            select(Commitment.owner_id)
            .where(Commitment.customer_id == customer_id, Commitment.owner_id.is_not(None))
            .order_by(Commitment.id.desc())
            .limit(1)
        ),
    ]
    for user_id in candidates:
        user = session.get(User, user_id) if user_id is not None else None
        if user is not None and user.active and can_own_cases(Role(user.role)):
            return user.id
    fallback = session.scalar(
        select(User.id)
        .where(User.active, User.role.in_([Role.MANAGER.value, Role.OWNER.value]))
        .order_by(User.role.desc(), User.id)
        .limit(1)
    )
    if fallback is None:
        raise InvalidInput("no manager or owner exists to own new complaints", code="no-case-owner")
    return int(fallback)


def similar_cases(
    session: Session,
    case_id: int,
    *,
    actor: Actor,
    limit: int = 10,
    home: Path | None = None,
) -> list[dict[str, Any]]:
    """Other cases whose text is most like this one's, best first, with a score in [0, 1]:
    the TF-IDF cosine of character trigrams (no word segmentation, so Thai works),
    from the similar-case index. Only cases the actor may see are listed."""
    from amends.patterns import service as patterns  # patterns builds on this module

    get_case(session, case_id, actor=actor)
    found = patterns.similar_cases(session, case_id=case_id, k=limit, home=home)
    if found and not actor.allows(Action.READ):
        allowed = set(
            session.scalars(
                select(Case.id).where(Case.id.in_([c for c, _ in found]), *_visibility(actor))
            )
        )
        found = [(c, score) for c, score in found if c in allowed]
    return [{"case_id": c, "score": round(score, 3)} for c, score in found]

"""Recovery cases: opening, reading, changing state, and the append-only timeline."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    exists,
    func,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from amends.cases import clocks, words
from amends.cases.events import NewEvent as NewEvent
from amends.cases.events import add_event as add_event
from amends.cases.events import add_events as add_events
from amends.cases.models import Case, CaseParticipant, Notification, TimelineEvent
from amends.cases.routing import Routing as Routing
from amends.cases.routing import fallback_owner as fallback_owner
from amends.cases.routing import learn_customers as learn_customers
from amends.cases.routing import load_routing as load_routing
from amends.cases.routing import route_owner
from amends.cases.rules import (
    CaseState,
    Category,
    EventKind,
    Origin,
    Severity,
)
from amends.cases.schemas import ROW_COLUMNS, CaseOut
from amends.clock import refuse_future
from amends.commitments.models import Commitment
from amends.customers.models import Customer
from amends.db import begin_writing, raw_utc_reader
from amends.errors import Conflict, InvalidInput, NotFound
from amends.paging import MAX_LIMIT, Page, paginate
from amends.people.models import User
from amends.people.rules import Action, Actor, can_own_cases, can_see_case
from amends.people.service import require
from amends.playbook.policy import Playbook


def _owner(session: Session, owner_id: int) -> User:
    owner = session.get(User, owner_id)
    if owner is None or not owner.active:
        raise InvalidInput(f"owner {owner_id} is not an active user", code="owner-not-found")
    if not can_own_cases(owner.role):
        raise InvalidInput(
            f"{owner.name} is a {owner.role} and cannot own cases", code="owner-not-allowed"
        )
    return owner


@dataclass(frozen=True)
class NewCase:
    """What opening a case needs, for opening many at once."""

    customer_id: int
    owner_id: int
    title: str
    severity: Severity = Severity.MEDIUM
    category: Category = Category.OTHER
    origin: Origin = Origin.MANUAL
    commitment_id: int | None = None
    opened_at: datetime | None = None
    # The text model's probability when ``category`` is its guess (see Case).
    category_confidence: float | None = None
    # An id taken beforehand (CaseIds), for a case planned before it is inserted.
    case_id: int | None = None


class CaseIds:
    """Ids for cases a caller plans before it inserts them, in the same transaction: a
    mail batch decides where each of its messages goes (a new case may be continued by
    the next mail) and inserts all its new cases at once. Each id is the one the case
    would have got inserted there and then, provided no other case is inserted in the
    transaction before these are (SQLite's write lock is taken first, so no other
    writer can; PostgreSQL hands out its sequence's values once)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._next: int | None = None

    def take(self) -> int:
        if self._session.get_bind().dialect.name == "postgresql":
            value = self._session.scalar(
                select(func.nextval(func.pg_get_serial_sequence("cases", "id")))
            )
            assert value is not None
            return int(value)
        if self._next is None:
            begin_writing(self._session)
            self._next = (self._session.scalar(select(func.max(Case.id))) or 0) + 1
        taken, self._next = self._next, self._next + 1
        return taken


def open_cases(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    specs: Sequence[NewCase],
    playbook: Playbook,
    planned: Sequence[Case] | None = None,
) -> list[Case]:
    """Open several cases as :func:`open_case` would, in one insert and its events;
    ``planned`` are the cases :func:`plan_case` made of ``specs``, inserted as they are
    (a caller that planned them keeps the same objects)."""
    require(actor, Action.WRITE)
    customer_ids = {s.customer_id for s in specs}
    known = set(session.scalars(select(Customer.id).where(Customer.id.in_(customer_ids))))
    promised_ids = {s.commitment_id for s in specs if s.commitment_id}
    promised = (
        {
            c.id: c.customer_id
            for c in session.execute(
                select(Commitment.id, Commitment.customer_id).where(Commitment.id.in_(promised_ids))
            )
        }
        if promised_ids
        else {}
    )
    for spec in specs:
        if spec.customer_id not in known:
            raise InvalidInput(
                f"customer {spec.customer_id} does not exist", code="customer-not-found"
            )
        _owner(session, spec.owner_id)
        # A case dated ahead would start its SLA clocks late and show a first answer
        # given "in 0 minutes".
        refuse_future(spec.opened_at, now)
        if spec.commitment_id is not None and promised.get(spec.commitment_id) != (
            spec.customer_id
        ):
            raise InvalidInput(
                f"commitment {spec.commitment_id} is not one of this customer's",
                code="commitment-not-found",
            )
    batch = (
        list(planned)
        if planned is not None
        else [plan_case(spec, now=now, playbook=playbook) for spec in specs]
    )
    session.add_all(batch)
    session.flush()  # one INSERT, and the ids for the events
    words.add(session, {case.id: [case.title] for case in batch})
    for spec, case in zip(specs, batch, strict=True):
        add_event(
            session,
            case=case,
            kind=EventKind.OPENED,
            at=now,
            actor=actor,
            data={
                "owner_id": spec.owner_id,
                "origin": spec.origin.value,
                "severity": spec.severity.value,
                **_guessed(spec),
            },
            flush=False,
        )
    session.flush()  # the "opened" events too, even for a caller without autoflush
    return batch


def _guessed(spec: NewCase) -> dict[str, object]:
    # The opening event says which category the text suggested, and how surely.
    if spec.category_confidence is None:
        return {}
    return {"category": spec.category.value, "category_confidence": spec.category_confidence}


def plan_case(spec: NewCase, *, now: datetime, playbook: Playbook) -> Case:
    """The case ``spec`` opens, not yet in the session (:func:`open_cases` inserts it)."""
    case = Case(
        id=spec.case_id,
        customer_id=spec.customer_id,
        owner_id=spec.owner_id,
        title=spec.title,
        state=CaseState.NEW,
        severity=spec.severity,
        category=spec.category,
        category_confidence=spec.category_confidence,
        origin=spec.origin,
        commitment_id=spec.commitment_id,
        opened_at=spec.opened_at or now,
        created_at=now,
        updated_at=now,
        steps_done="",
        handoffs=0,
        outbound_count=0,
    )
    clocks.start(case, playbook)
    return case


def participant_ids(session: Session, case_id: int) -> set[int]:
    return set(
        session.scalars(select(CaseParticipant.user_id).where(CaseParticipant.case_id == case_id))
    )


def get_case(session: Session, case_id: int, *, actor: Actor) -> Case:
    case = session.get(Case, case_id)
    # A case the actor may not see answers exactly like a missing one: no existence leak.
    # Readers of every case are not asked for the participants (a query per case when a
    # bulk import records its messages).
    if case is None or not (
        actor.allows(Action.READ)
        or can_see_case(
            actor.role,
            actor.user_id or 0,
            owner_id=case.owner_id,
            participant_ids=participant_ids(session, case_id),
        )
    ):
        raise NotFound(f"case {case_id} does not exist", code="case-not-found")
    return case


def _visible_to(user_id: int | ColumnElement[Any] | None) -> ColumnElement[bool]:
    return (Case.owner_id == user_id) | exists().where(
        CaseParticipant.case_id == Case.id, CaseParticipant.user_id == user_id
    )


def _visibility(actor: Actor) -> list[ColumnElement[bool]]:
    if actor.allows(Action.READ):
        return []
    return [_visible_to(actor.user_id)]


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


_EQUALS = ("state", "owner_id", "customer_id", "severity", "category")
# Which filters a list uses, not their values: statements are built once per shape.
_Shape = tuple[bool, bool, bool | None, tuple[str, ...]]


def _shape(actor: Actor, f: CaseFilter) -> _Shape:
    given = tuple(name for name in _EQUALS if getattr(f, name) is not None)
    return (not actor.allows(Action.READ), f.by_urgency, f.is_open, given)


def _values(actor: Actor, f: CaseFilter) -> dict[str, Any]:
    values: dict[str, Any] = {"actor_id": actor.user_id}
    for name in _EQUALS:
        value = getattr(f, name)
        if value is not None:
            values[name] = value
    return values


@functools.cache
def _shaped_conditions(shape: _Shape) -> tuple[ColumnElement[bool], ...]:
    """The WHERE of a case list, with a bound parameter for each value (see _values)."""
    restricted, by_urgency, is_open, given = shape
    conditions = [_visible_to(bindparam("actor_id"))] if restricted else []
    if by_urgency:
        # Closed cases have no urgency; the partial (owner_id, urgency_at, id) index of
        # open cases serves this in order.
        conditions.append(Case.urgency_at.is_not(None))
    if is_open is True:
        conditions.append(Case.state != CaseState.CLOSED)
    elif is_open is False:
        conditions.append(Case.state == CaseState.CLOSED)
    conditions.extend(getattr(Case, name) == bindparam(name) for name in given)
    return tuple(conditions)


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
    stmt = (
        select(Case)
        .where(*_shaped_conditions(_shape(actor, f)))
        .order_by(*_order(f))
        .params(_values(actor, f))
    )
    return paginate(session, stmt, limit=limit, offset=offset)


def _raw(column: ColumnElement[Any], key: str) -> ColumnElement[Any]:
    # No result processing: CaseOut.json_row reads the driver's values directly.
    return type_coerce(column, NullType()).label(key)


_VIEW_SOURCES: dict[str, ColumnElement[Any]] = {
    **{c.key: c for c in Case.__table__.c},
    "owner_name": User.__table__.c.name,
    "owner_email": User.__table__.c.email,
}
_VIEW_COLUMNS = [_raw(_VIEW_SOURCES[key], key) for key in ROW_COLUMNS]


@functools.cache
def _view_statement(shape: _Shape) -> Select[Any]:
    # Built once per shape: composing and keying a statement cost more than the query.
    by_urgency = shape[1]
    return (
        select(*_VIEW_COLUMNS)
        .join(User, User.id == Case.owner_id)
        .where(*_shaped_conditions(shape))
        .order_by(*_order(CaseFilter(by_urgency=by_urgency)))
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


def list_case_views(
    session: Session,
    *,
    actor: Actor,
    f: CaseFilter,
    limit: int = 50,
    offset: int = 0,
    matching: ColumnElement[bool] | None = None,
) -> Page[dict[str, Any]]:
    """Like list_cases, but straight to JSON-ready API rows (CaseOut's shape), one query.

    Owners keep their case list open all day, so this path skips the ORM and the
    column types: plain rows with the owner joined in, turned into dicts once.
    ``matching`` narrows it to the cases a search found (a condition from above).
    """
    limit = max(1, min(limit, MAX_LIMIT))
    connection = session.connection()
    utc = raw_utc_reader(connection.dialect.name)
    params = {**_values(actor, f), "limit": limit + 1, "offset": offset}
    stmt = _view_statement(_shape(actor, f))
    if matching is not None:
        stmt = stmt.where(matching)
    rows = connection.execute(stmt, params).all()
    items = [CaseOut.json_row(row, utc) for row in rows[:limit]]
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
    note: str = "",
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
    if "category" in changes and case.category_confidence is not None:
        # A person choosing the category, even the one the text model guessed, makes it
        # a set category: it now groups the case into repeats and patterns.
        before["category_confidence"] = case.category_confidence
        case.category_confidence = None
    for key, value in changes.items():
        setattr(case, key, value)
    after = {key: getattr(case, key) for key in before}
    if before.get("title", case.title) != case.title:
        words.refresh(session, [case.id])
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
            kind=EventKind.UPDATED,
            at=now,
            actor=actor,
            note=note,
            data={"before": before, "after": after},
        )
    return case


def add_participant(
    session: Session,
    *,
    case: Case,
    user_id: int,
    reason: str,
    actor: Actor,
    now: datetime,
    note: str = "",
) -> bool:
    """Make ``user_id`` take part in ``case``; False when they already did."""
    if session.get(User, user_id) is None:
        raise InvalidInput(f"user {user_id} does not exist", code="user-not-found")
    if session.get(CaseParticipant, (case.id, user_id)) is not None:
        return False
    session.add(CaseParticipant(case_id=case.id, user_id=user_id, reason=reason, added_at=now))
    add_event(
        session,
        case=case,
        kind=EventKind.PARTICIPANT_ADDED,
        at=now,
        actor=actor,
        note=note,
        data={"user_id": user_id, "reason": reason},
    )
    return True


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
    # By when they happened: the demo and imports write past notifications out of order.
    newest = (Notification.created_at.desc(), Notification.id.desc())
    return list(session.scalars(stmt.order_by(*newest).limit(limit)))


UNREAD_SHOWN = 99  # the bell says "99+" past this


def unread_count(session: Session, user_id: int) -> int:
    """The number on the bell, up to UNREAD_SHOWN + 1: every page asks, so it reads at
    most that many entries of the (user_id, read_at) index, however many a manager has."""
    unread = (
        select(Notification.id)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .limit(UNREAD_SHOWN + 1)
        .subquery()
    )
    return int(session.scalar(select(func.count()).select_from(unread)) or 0)


def mark_all_read(session: Session, *, actor: Actor, now: datetime) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def mark_read(
    session: Session, notification_id: int, *, actor: Actor, now: datetime
) -> Notification:
    item = session.get(Notification, notification_id)
    if item is None or item.user_id != actor.user_id:
        raise NotFound(
            f"notification {notification_id} does not exist", code="notification-not-found"
        )
    item.read_at = item.read_at or now
    return item


def default_owner(
    session: Session,
    customer_id: int,
    *,
    language: str | None = None,
    routing: Routing | None = None,
    new_customer: bool = False,
) -> int:
    """Who owns a new case from any channel: see :mod:`amends.cases.routing`."""
    return route_owner(
        session, customer_id, language=language, routing=routing, new_customer=new_customer
    )

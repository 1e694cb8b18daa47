"""An agent's inbox: their cases by urgency, filtered, a page at a time (service layer).

The default view (my open cases, nearest deadline first) is the owners' urgency order
the API's ``sort=urgency`` uses: ``urgency_at`` is the nearest SLA deadline still
running, kept by ``clocks.refresh_urgency``, and the partial index
``ix_cases_owner_urgency`` (owner_id, urgency_at, id) of open cases serves it in order.
Pages are keyset pages (the last row's sort key), so the thousandth page costs what the
first does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, ScalarSelect, Select, func, or_, select, tuple_
from sqlalchemy.orm import Session

from amends.cases.clocks import steps_of
from amends.cases.models import Case, CaseParticipant
from amends.cases.rules import CaseState, Category, Severity, Step
from amends.customers.models import Customer
from amends.paging import MAX_LIMIT
from amends.people.models import TeamMember, User
from amends.people.rules import Action, Actor, Role


class Scope(StrEnum):
    MINE = "mine"
    # The cases of everyone in the person's team (people.models.TeamMember), and those
    # they take part in (a hand-off, a colleague named in the complaint, an approval
    # asked of them); with no team, only the latter and their own.
    TEAM = "team"
    ALL = "all"


# Those who see only their own cases and the ones they take part in have no "all".
LIMITED_SCOPES = [Scope.MINE, Scope.TEAM]


class StateFilter(StrEnum):
    """Open cases (any state but closed), every case, or one state (CaseState's values)."""

    OPEN = "open"
    ANY = "any"


class Clock(StrEnum):
    ACK = "ack"
    REMEDY = "remedy"
    CLOSE = "close"


@dataclass(frozen=True)
class InboxFilter:
    scope: Scope = Scope.MINE
    # StateFilter or a CaseState value.
    state: str = StateFilter.OPEN
    severity: Severity | None = None
    category: Category | None = None
    owner_id: int | None = None
    language: str | None = None
    overdue: bool = False
    # A condition on Case from a higher layer (the search's matching cases).
    matching: ColumnElement[bool] | None = None

    @property
    def by_urgency(self) -> bool:
        """Open cases sort by their nearest deadline; closed ones have none, newest first."""
        return self.state not in (StateFilter.ANY, CaseState.CLOSED)


@dataclass(frozen=True)
class Row:
    case: Case
    customer_name: str
    language: str
    owner_name: str
    # Which clock the next deadline (urgency_at) belongs to.
    clock: Clock | None


@dataclass(frozen=True)
class InboxPage:
    rows: list[Row]
    # The cursor of the next page (see cursor()), None on the last page.
    after: str | None


def _involving(user_id: int | None) -> ColumnElement[bool]:
    # IN rather than a correlated EXISTS: both sides of the OR are then index lookups
    # (the owner's urgency index, the participants' user index) instead of a scan.
    return or_(
        Case.owner_id == user_id,
        Case.id.in_(select(CaseParticipant.case_id).where(CaseParticipant.user_id == user_id)),
    )


def _teammates(user_id: int | None) -> Select[int]:
    my_team = select(TeamMember.team_id).where(TeamMember.user_id == user_id).scalar_subquery()
    return select(TeamMember.user_id).where(TeamMember.team_id == my_team)


def _conditions(actor: Actor, f: InboxFilter, now: datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if not actor.allows(Action.READ):
        where.append(_involving(actor.user_id))
    if f.scope is Scope.MINE:
        where.append(Case.owner_id == actor.user_id)
    elif f.scope is Scope.TEAM and actor.allows(Action.READ):
        where.append(or_(_involving(actor.user_id), Case.owner_id.in_(_teammates(actor.user_id))))
    if f.by_urgency:
        # Only open cases have an urgency: this is "open", and what the index covers.
        where.append(Case.urgency_at.is_not(None))
    if f.state not in (StateFilter.OPEN, StateFilter.ANY):
        where.append(Case.state == CaseState(f.state))
    if f.severity is not None:
        where.append(Case.severity == f.severity)
    if f.category is not None:
        where.append(Case.category == f.category)
    if f.owner_id is not None:
        where.append(Case.owner_id == f.owner_id)
    if f.language:
        language = f.language.lower()
        where.append(
            Case.customer_id.in_(
                select(Customer.id).where(
                    or_(
                        func.lower(Customer.language) == language,
                        func.lower(Customer.language).like(language + "-%"),
                    )
                )
            )
        )
    if f.overdue:
        # The nearest running deadline has passed: some clock is overdue.
        where.append(Case.urgency_at < now)
    if f.matching is not None:
        where.append(f.matching)
    return where


def _key(f: InboxFilter) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    at = Case.urgency_at if f.by_urgency else Case.opened_at
    return at.expression, Case.id.expression


def cursor(f: InboxFilter, case: Case) -> str:
    """The page cursor after ``case``: its sort key, as text a link can carry."""
    at = case.urgency_at if f.by_urgency else case.opened_at
    assert at is not None
    return f"{at.isoformat()}_{case.id}"


def _parse_cursor(after: str | None) -> tuple[datetime, int] | None:
    if not after:
        return None
    at, _, case_id = after.rpartition("_")
    try:
        return datetime.fromisoformat(at), int(case_id)
    except ValueError:
        return None  # a stale or edited link: start from the first page


def page(
    session: Session,
    *,
    actor: Actor,
    f: InboxFilter,
    now: datetime,
    after: str | None = None,
    limit: int = 50,
) -> InboxPage:
    """One page of the actor's inbox under ``f``, after the cursor ``after``."""
    limit = max(1, min(limit, MAX_LIMIT))
    at, case_id = _key(f)
    where = _conditions(actor, f, now)
    start = _parse_cursor(after)
    if start is not None:
        where.append(tuple_(at, case_id) > start if f.by_urgency else tuple_(at, case_id) < start)
    order = (at.asc(), case_id.asc()) if f.by_urgency else (at.desc(), case_id.desc())
    stmt = (
        select(Case, Customer.name, Customer.language, User.name)
        .join(Customer, Customer.id == Case.customer_id)
        .join(User, User.id == Case.owner_id)
        .where(*where)
        .order_by(*order)
        .limit(limit + 1)
    )
    found = session.execute(stmt).all()
    rows = [
        Row(c, customer, language, owner, next_clock(c)) for c, customer, language, owner in found
    ]
    more = len(rows) > limit
    rows = rows[:limit]
    return InboxPage(rows, cursor(f, rows[-1].case) if more else None)


# The numbers beside the filters count this far and then say "1,000+": counting every
# open case of a large workspace (a fifth of a million at a million cases) read the
# whole urgency index on every view of the inbox, longer than the rest of the page.
COUNTED_UP_TO = 1000


def counts(session: Session, *, actor: Actor, f: InboxFilter, now: datetime) -> dict[str, int]:
    """How many cases each scope holds under the other filters, and how many are overdue
    in the chosen scope: the numbers beside the inbox's filters, each up to
    COUNTED_UP_TO + 1 (more than COUNTED_UP_TO reads as "COUNTED_UP_TO+")."""
    scopes = list(Scope) if actor.allows(Action.READ) else LIMITED_SCOPES
    wheres = {scope.value: _conditions(actor, replace(f, scope=scope), now) for scope in scopes}
    wheres["overdue"] = _conditions(actor, replace(f, overdue=True), now)
    # All in one statement: one round trip instead of one per number.
    row = session.execute(select(*(_count(where) for where in wheres.values()))).one()
    return {name: int(n or 0) for name, n in zip(wheres, row, strict=True)}


def _count(where: list[ColumnElement[bool]]) -> ScalarSelect[int]:
    found = select(Case.id).where(*where).limit(COUNTED_UP_TO + 1).subquery()
    return select(func.count()).select_from(found).scalar_subquery()


def next_clock(case: Case) -> Clock | None:
    """Which SLA clock the case's nearest running deadline belongs to."""
    if case.urgency_at is None:
        return None
    done = steps_of(case)
    if Step.ACKNOWLEDGE not in done and case.ack_due_at == case.urgency_at:
        return Clock.ACK
    if Step.REMEDY not in done and case.remedy_due_at == case.urgency_at:
        return Clock.REMEDY
    return Clock.CLOSE


class Owner(NamedTuple):
    id: int
    name: str


def owners(session: Session) -> list[Owner]:
    """The people who may own cases, for the owner filter."""
    return [
        Owner(*row)
        for row in session.execute(
            select(User.id, User.name)
            .where(User.active, User.role.in_([Role.OWNER, Role.MANAGER, Role.AGENT]))
            .order_by(User.name, User.id)
        )
    ]

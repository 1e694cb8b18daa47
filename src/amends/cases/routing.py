"""Who owns a new case, whatever channel opened it (mail, the web form, the API, the sweep).

One rule for every channel: the person who already knows the account keeps it when
they speak the customer's language; else the agent who speaks it and has the fewest
open cases; else that account person anyway (continuity beats a stranger who does not
speak the language either); else the owner or first manager.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.commitments.models import Commitment
from amends.customers.models import Customer
from amends.errors import InvalidInput
from amends.people.models import User
from amends.people.rules import Role, can_own_cases
from amends.text.languages import spoken

# Customers per query when routing reads many at once: well under every engine's limit
# on parameters in one statement.
CUSTOMERS_PER_QUERY = 500


@dataclass(frozen=True)
class Known:
    """What routing asks about a customer: their language and who knows the account."""

    language: str | None
    last_case_owner: int | None
    promise_owner: int | None


@dataclass
class Routing:
    """What routing knows about the team, read once and kept current by its own choices,
    so a batch that opens many cases spreads them as opening them one by one would."""

    speakers: dict[str, list[int]] = field(default_factory=dict)  # language -> agents
    load: dict[int, int] = field(default_factory=dict)  # agent -> open cases
    fallback: int | None = None
    # Customers read beforehand by a caller opening many cases (learn_customers): each
    # one's language and the owners of their last case and their last promise.
    customers: dict[int, Known] = field(default_factory=dict)

    def least_busy(self, language: str | None) -> int | None:
        agents = self.speakers.get(language or "", [])
        if not agents:
            return None
        return min(agents, key=lambda a: (self.load.get(a, 0), a))

    def took(self, user_id: int) -> None:
        if user_id in self.load:
            self.load[user_id] += 1


def load_routing(session: Session) -> Routing:
    """The active agents by the language they speak, with their open cases counted."""
    routing = Routing()
    for user_id, language in session.execute(
        select(User.id, User.language).where(User.active, User.role == Role.AGENT)
    ):
        code = spoken(language or "")
        if code is not None:
            routing.speakers.setdefault(code, []).append(user_id)
            routing.load[user_id] = 0
    routing.load.update(open_cases(session, list(routing.load)))
    return routing


def learn_customers(session: Session, routing: Routing, customer_ids: Collection[int]) -> None:
    """Read what routing asks about each of ``customer_ids`` in three queries, for a
    caller about to open cases for many of them (instead of three queries a case)."""
    ids = sorted(set(customer_ids) - routing.customers.keys())
    for start in range(0, len(ids), CUSTOMERS_PER_QUERY):
        chunk = ids[start : start + CUSTOMERS_PER_QUERY]
        languages = dict(
            session.execute(
                select(Customer.id, Customer.language).where(Customer.id.in_(chunk))
            ).all()
        )
        last_case = select(func.max(Case.id)).where(Case.customer_id.in_(chunk))
        case_owners = dict(
            session.execute(
                select(Case.customer_id, Case.owner_id).where(
                    Case.id.in_(last_case.group_by(Case.customer_id))
                )
            ).all()
        )
        last_promise = select(func.max(Commitment.id)).where(
            Commitment.customer_id.in_(chunk), Commitment.owner_id.is_not(None)
        )
        promise_owners = dict(
            session.execute(
                select(Commitment.customer_id, Commitment.owner_id).where(
                    Commitment.id.in_(last_promise.group_by(Commitment.customer_id))
                )
            ).all()
        )
        for customer_id in chunk:
            routing.customers[customer_id] = Known(
                languages.get(customer_id),
                case_owners.get(customer_id),
                promise_owners.get(customer_id),
            )


def open_cases(session: Session, user_ids: list[int]) -> dict[int, int]:
    """How many open cases each of ``user_ids`` owns."""
    if not user_ids:
        return {}
    # Only open cases have an urgency: the partial owner/urgency index counts them
    # without reading the closed ones, which are most of the table.
    counted = session.execute(
        select(Case.owner_id, func.count())
        .where(Case.urgency_at.is_not(None), Case.owner_id.in_(user_ids))
        .group_by(Case.owner_id)
    )
    return {owner_id: int(count) for owner_id, count in counted}


@dataclass(frozen=True)
class Colleague:
    id: int
    name: str
    role: Role
    language: str | None
    open: int  # open cases owned, counted up to the number asked


def active_with_load(session: Session, *, up_to: int) -> list[Colleague]:
    """Every active user with their open cases counted only as far as ``up_to`` (a list
    showing "10+" needs no more, and stays cheap for someone who owns thousands), in one
    query: each person's count stops at ``up_to`` rows of their index range."""
    first = (
        select(Case.id)
        .where(Case.urgency_at.is_not(None), Case.owner_id == User.id)
        .limit(up_to)
        .correlate(User)
        .subquery()
    )
    counted = select(func.count()).select_from(first).scalar_subquery()
    rows = session.execute(
        select(User.id, User.name, User.role, User.language, counted).where(User.active)
    )
    return [Colleague(i, name, role, language, int(n)) for i, name, role, language, n in rows]


def _account_person(session: Session, known: Known) -> User | None:
    """Whoever owned this customer's last case, else whoever owns their promises."""
    candidates = [known.last_case_owner, known.promise_owner]
    for user_id in candidates:
        user = session.get(User, user_id) if user_id is not None else None
        if user is not None and user.active and can_own_cases(user.role):
            return user
    return None


def route_owner(
    session: Session,
    customer_id: int,
    *,
    language: str | None = None,
    routing: Routing | None = None,
    new_customer: bool = False,
) -> int:
    """The owner of a new case for ``customer_id`` (see the module's rule).

    ``language`` is the message's, used when the customer's own is not one we speak;
    ``routing`` is kept by a caller opening many cases (the case each call routes is
    taken to be opened, even before it is inserted); ``new_customer`` skips looking for
    an account person a customer made a moment ago cannot have.
    """
    routing = routing if routing is not None else load_routing(session)
    if customer_id not in routing.customers:
        learn_customers(session, routing, [customer_id])
    customer = routing.customers[customer_id]
    wanted = spoken(customer.language or "") or spoken(language or "")
    known = None if new_customer else _account_person(session, customer)
    if known is not None and wanted is not None and spoken(known.language or "") == wanted:
        chosen = known.id
    else:
        speaker = routing.least_busy(wanted)
        if speaker is not None:
            chosen = speaker
        elif known is not None:
            chosen = known.id
        else:
            if routing.fallback is None:
                routing.fallback = fallback_owner(session)
            chosen = routing.fallback
    routing.took(chosen)
    # The case routed now is the customer's newest: its owner knows the account.
    routing.customers[customer_id] = replace(customer, last_case_owner=chosen)
    return chosen


def fallback_owner(session: Session) -> int:
    """The owner of a complaint nobody else can take: the owner, else the first manager."""
    fallback = session.scalar(
        select(User.id)
        .where(User.active, User.role.in_([Role.MANAGER, Role.OWNER]))
        .order_by(User.role.desc(), User.id)
        .limit(1)
    )
    if fallback is None:
        raise InvalidInput("no manager or owner exists to own new complaints", code="no-case-owner")
    return int(fallback)

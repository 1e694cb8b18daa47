"""Patterns as people read them: found by id or listed, with their members; an
employee sees only their own cases (service layer: reads only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases.models import Case
from amends.cases.rules import case_ref
from amends.customers.models import Customer
from amends.errors import NotFound
from amends.paging import Page, paginate
from amends.patterns.models import ActionPattern, Pattern, PatternCase
from amends.patterns.rules import PatternStatus, pattern_ref
from amends.patterns.schemas import PatternOut
from amends.people.rules import Action, Actor


def _visible_patterns(actor: Actor) -> list[ColumnElement[bool]]:
    if actor.allows(Action.READ):
        return []

    seen = cases.visible_cases(actor).with_only_columns(Case.id)
    return [Pattern.id.in_(select(PatternCase.pattern_id).where(PatternCase.case_id.in_(seen)))]


def get_pattern(session: Session, pattern_id: int, *, actor: Actor) -> Pattern:
    pattern = session.scalar(
        select(Pattern).where(Pattern.id == pattern_id, *_visible_patterns(actor))
    )
    if pattern is None:
        raise NotFound(f"pattern {pattern_id} does not exist", code="pattern-not-found")
    return pattern


def list_patterns(
    session: Session,
    *,
    actor: Actor,
    status: PatternStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Pattern]:
    """Patterns, the most recently active first."""
    stmt = select(Pattern).where(*_visible_patterns(actor))
    if status is not None:
        stmt = stmt.where(Pattern.status == status)
    stmt = stmt.order_by(Pattern.last_opened_at.desc(), Pattern.id.desc())
    return paginate(session, stmt, limit=limit, offset=offset)


def present(session: Session, items: Sequence[Pattern], *, actor: Actor) -> list[PatternOut]:
    """Patterns as the API and CLI show them; an employee sees only their own cases' ids."""
    seen: set[int] | None = None
    if not actor.allows(Action.READ):
        seen = set(session.scalars(cases.visible_cases(actor).with_only_columns(Case.id)))
    shown = []
    for pattern in items:
        members = session.execute(
            select(PatternCase.case_id, PatternCase.customer_id)
            .where(PatternCase.pattern_id == pattern.id)
            .order_by(PatternCase.case_id)
        ).all()
        action_ids = session.scalars(
            select(ActionPattern.action_id)
            .where(ActionPattern.pattern_id == pattern.id)
            .order_by(ActionPattern.action_id)
        )
        title = pattern.title
        if seen is not None:
            # The pattern is named after another customer's complaint; an employee sees it
            # named after a case of their own instead.
            own = min((cid for cid, _ in members if cid in seen), default=None)
            own_case = session.get(Case, own) if own is not None else None
            title = own_case.title if own_case is not None else pattern.category
        shown.append(
            PatternOut(
                id=pattern.id,
                ref=pattern_ref(pattern.id),
                title=title,
                category=pattern.category,
                status=pattern.status,
                customers=len({customer_id for _, customer_id in members}),
                case_ids=[cid for cid, _ in members if seen is None or cid in seen],
                action_ids=list(action_ids),
                first_opened_at=pattern.first_opened_at,
                last_opened_at=pattern.last_opened_at,
                created_at=pattern.created_at,
                resolved_at=pattern.resolved_at,
            )
        )
    return shown


def members(session: Session, pattern_id: int, *, actor: Actor) -> list[dict[str, Any]]:
    """A pattern's cases with their customers, oldest first; an employee sees only their own."""
    stmt = (
        select(Case, Customer)
        .join(PatternCase, PatternCase.case_id == Case.id)
        .join(Customer, Customer.id == Case.customer_id)
        .where(PatternCase.pattern_id == pattern_id)
        .order_by(Case.opened_at, Case.id)
    )
    if not actor.allows(Action.READ):
        stmt = stmt.where(Case.id.in_(cases.visible_cases(actor).with_only_columns(Case.id)))
    return [
        {
            "id": case.id,
            "ref": case_ref(case.id),
            "customer_id": customer.id,
            "customer": customer.name,
            "language": customer.language,
            "title": case.title,
            "state": case.state,
            "category": case.category,
            "commitment_id": case.commitment_id,
            "opened_at": case.opened_at,
        }
        for case, customer in session.execute(stmt).all()
    ]

"""Repeat failures: one customer let down again within the window (service layer:
flushes only). A repeat raises the case's severity once and tells the managers; the
systemic patterns across customers (``patterns.service``) build on the same comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import clocks
from amends.cases import service as cases
from amends.cases.models import Case, Notification
from amends.cases.rules import Category, EventKind, NotificationKind, case_ref
from amends.patterns import similar
from amends.patterns.rules import PastCase, raised, repeats
from amends.people.models import User
from amends.people.rules import SYSTEM, Role
from amends.playbook.policy import Playbook
from amends.web.i18n import english, said
from amends.web.vocabulary import N_

# Ids per IN list: well under every engine's bound on parameters in one statement.
CHUNK = 900


def manager_ids(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(User.id).where(User.active, User.role.in_([Role.MANAGER, Role.OWNER]))
        )
    )


def notify_managers(
    session: Session,
    *,
    case_id: int,
    kind: NotificationKind,
    text: dict[str, Any],
    now: datetime,
    managers: Sequence[int] | None = None,
) -> None:
    """``text`` is said (web.i18n.said) in each manager's language when they read it."""
    for user_id in manager_ids(session) if managers is None else managers:
        session.add(
            Notification(
                user_id=user_id,
                case_id=case_id,
                kind=kind,
                created_at=now,
                text=english(text),
                data=text,
            )
        )


def flag_repeats(session: Session, case: Case, *, now: datetime, playbook: Playbook) -> list[int]:
    """Mark ``case`` as a repeat of earlier ones, raise its severity and tell the managers.

    Severity goes up once, when the case is first found to be a repeat; later matches
    (its text arrived) are added to ``repeat_of`` and the timeline only.
    """
    since = case.opened_at - playbook.patterns.repeat_window
    history = histories(session, [case.customer_id], since=since).get(case.customer_id, [])
    return flag(session, case, history, now, playbook, None)


def histories(
    session: Session, customer_ids: Sequence[int], *, since: datetime
) -> dict[int, list[PastCase]]:
    """Each customer's cases opened since ``since``."""
    found: dict[int, list[PastCase]] = {}
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), CHUNK):
        for row in session.execute(
            select(
                Case.id,
                Case.customer_id,
                Case.category,
                Case.category_confidence,
                Case.opened_at,
                Case.commitment_id,
            ).where(Case.customer_id.in_(ids[start : start + CHUNK]), Case.opened_at >= since)
        ):
            kind = row.category if row.category_confidence is None else Category.OTHER
            found.setdefault(row.customer_id, []).append(
                PastCase(row.id, kind, row.opened_at, row.commitment_id)
            )
    return found


def flag(
    session: Session,
    case: Case,
    history: list[PastCase],
    now: datetime,
    playbook: Playbook,
    managers: Sequence[int] | None,
) -> list[int]:

    policy = playbook.patterns
    since = case.opened_at - policy.repeat_window
    # Only cases before this one: opened earlier, or at the same moment but recorded
    # first. A batch inserts all its cases before judging them, and must judge each as
    # it would have been judged alone.
    history = [
        past
        for past in history
        if past.opened_at >= since and (past.opened_at, past.id) < (case.opened_at, case.id)
    ]
    if not history:
        return []
    rule = partial(
        repeats,
        category=grouping_kind(case),
        commitment_id=case.commitment_id,
        opened_at=case.opened_at,
        history=history,
        window=policy.repeat_window,
    )
    found = rule()
    # Comparing texts is the costly part; it can only add an earlier case in the window
    # that the promise and the category did not already match.
    if len(found) < len(rule(similar=frozenset(past.id for past in history))):
        similar = frozenset(
            cid
            for cid, score in similar_to(
                session, case, since=since, until=case.opened_at, customer_id=case.customer_id
            )
            if score >= policy.text_similarity
        )
        found = rule(similar=similar)
    known = list(case.repeat_of or [])
    new = [cid for cid in found if cid not in known]
    if not new:
        return []
    before = case.severity
    case.repeat_of = sorted({*known, *new})
    if not known:
        case.severity = raised(before)
        if case.severity != before:
            clocks.retarget(case, playbook, old_severity=before, old_category=case.category)
    refs = ", ".join(case_ref(i) for i in new)
    repeat_note = said(N_("repeats %(refs)s"), refs=refs)
    cases.add_event(
        session,
        case=case,
        kind=EventKind.REPEAT_DETECTED,
        at=now,
        actor=SYSTEM,
        note=english(repeat_note),
        data={
            "repeat_of": case.repeat_of,
            "severity_from": before,
            "severity_to": case.severity,
            **repeat_note,
        },
        flush=False,
    )
    notify_managers(
        session,
        case_id=case.id,
        kind=NotificationKind.REPEAT_FAILURE,
        text=said(N_("%(ref)s repeats %(refs)s"), ref=case_ref(case.id), refs=refs),
        now=now,
        managers=managers,
    )
    session.flush()
    return new


def similar_to(
    session: Session,
    case: Case,
    *,
    since: datetime,
    until: datetime,
    customer_id: int | None = None,
) -> list[tuple[int, float]]:
    """Other cases opened in [since, until] (of one customer, if given) whose text is like
    ``case``'s, best first: the question repeats and patterns both ask."""
    return similar.nearest(
        session,
        similar.text_of(session, case.id),
        k=100,
        since=since,
        until=until,
        customer_id=customer_id,
        exclude=[case.id],
    )


def grouping_kind(case: Case) -> Category:
    """The category that groups a case with others on its own: one a person or a rule
    set. A category the text model guessed may be wrong, and unrelated complaints would
    form a pattern by it; such cases group by their texts alone, as "other" does."""
    return Category(case.category) if case.category_confidence is None else Category.OTHER

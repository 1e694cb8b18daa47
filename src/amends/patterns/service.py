"""Repeat detection on new cases (service layer: flushes only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import clocks
from amends.cases.models import Case, Notification
from amends.cases.playbook import Playbook
from amends.errors import InvalidInput, NotFound
from amends.patterns.rules import REPEAT_WINDOW, PastCase, raised, repeats
from amends.people.models import User
from amends.people.rules import SYSTEM, Role


def flag_repeats(session: Session, case: Case, *, now: datetime, playbook: Playbook) -> list[int]:
    """Mark ``case`` as a repeat of earlier ones, raise its severity and tell the managers."""
    from amends.cases.service import add_event  # cases.service calls this module

    history = [
        PastCase(row.id, row.category, row.opened_at, row.commitment_id)
        for row in session.execute(
            select(Case.id, Case.category, Case.opened_at, Case.commitment_id).where(
                Case.customer_id == case.customer_id,
                Case.id != case.id,
                Case.opened_at >= case.opened_at - REPEAT_WINDOW,
            )
        )
    ]
    found = repeats(
        category=case.category,
        commitment_id=case.commitment_id,
        opened_at=case.opened_at,
        history=history,
    )
    if not found:
        return []
    before = case.severity
    case.repeat_of = found
    case.severity = raised(before)
    if case.severity != before:
        clocks.retarget(case, playbook, old_severity=before, old_category=case.category)
    add_event(
        session,
        case=case,
        kind="repeat_detected",
        at=now,
        actor=SYSTEM,
        note=f"repeats {', '.join(f'C-{i}' for i in found)}",
        data={"repeat_of": found, "severity_from": before, "severity_to": case.severity},
    )
    managers = session.scalars(
        select(User).where(User.active, User.role.in_([Role.MANAGER.value, Role.OWNER.value]))
    )
    for user in managers:
        session.add(
            Notification(
                user_id=user.id,
                case_id=case.id,
                kind="repeat_failure",
                created_at=now,
                text=f"C-{case.id} repeats {', '.join(f'C-{i}' for i in found)}",
            )
        )
    session.flush()
    return found


# -- similar cases --------------------------------------------------------------------


def similar_cases(
    session: Session,
    *,
    case_id: int | None = None,
    text: str | None = None,
    k: int = 10,
    exclude: Sequence[int] = (),
    home: Path | None = None,
) -> list[tuple[int, float]]:
    """The ``k`` cases most like a case (itself left out) or a text: (case id, cosine),
    best first. ``home`` keeps the index in that workspace folder between processes.

    No permission check: callers filter by what their actor may see.
    """
    from amends.patterns import similar

    if case_id is not None and text is None:
        if session.get(Case, case_id) is None:
            raise NotFound(f"case {case_id} does not exist", code="case-not-found")
        return similar.query(
            session,
            similar.text_of(session, case_id),
            k=k,
            exclude=[*exclude, case_id],
            home=home,
        )
    if text is not None and case_id is None:
        return similar.query(session, text, k=k, exclude=exclude, home=home)
    raise InvalidInput("give a case or a text, not both", code="similar-query")


def reindex(session: Session, *, home: Path | None) -> dict[str, float | int | str | None]:
    """Rebuild the similar-case index from every case (and save it under ``home``)."""
    from amends.patterns import similar

    return similar.rebuild(session, home=home)

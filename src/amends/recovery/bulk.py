"""One change to many cases at once, from the inbox (service layer: flushes only).

Each case goes through the same path as when changed alone (a hand-off, an update, a
merge), so each change is on that case's own timeline under the same rules; a case
refused (closed, not visible, already its owner's) is reported and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases import steps as case_steps
from amends.cases.models import Case
from amends.cases.rules import Category, Severity, check_handoff_reason
from amends.errors import N_, AmendsError, InvalidInput, NotFound
from amends.people.rules import Action, Actor
from amends.people.service import require
from amends.playbook.policy import Playbook
from amends.recovery import flows, merging

# A page of the inbox; more at once is a script's job, in chunks of this size.
MAX_CASES = 200


class BulkAction(StrEnum):
    ASSIGN = "assign"
    CATEGORY = "category"
    SEVERITY = "severity"
    MERGE = "merge"


@dataclass(frozen=True)
class BulkChange:
    action: BulkAction
    owner_id: int | None = None
    reason: str = ""
    category: Category | None = None
    severity: Severity | None = None
    # The case the others merge into; None merges them into the earliest opened.
    into: int | None = None


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    # case id -> the refusal, kept whole so a page can say it in the reader's language
    refused: dict[int, AmendsError] = field(default_factory=dict)
    into: int | None = None


def _merge_target(session: Session, ids: Sequence[int], change: BulkChange, actor: Actor) -> int:
    if change.into is not None:
        cases.get_case(session, change.into, actor=actor)
        return change.into
    earliest = session.scalar(
        select(Case.id).where(Case.id.in_(ids)).order_by(Case.opened_at, Case.id).limit(1)
    )
    if earliest is None:
        raise NotFound("none of these cases exists", code="case-not-found")
    return int(earliest)


def apply(
    session: Session,
    case_ids: Sequence[int],
    *,
    change: BulkChange,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
) -> BulkResult:
    """Apply ``change`` to each of ``case_ids``, each in a savepoint of its own."""
    require(actor, Action.WRITE)
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise InvalidInput.saying(N_("choose at least one case"), code="bulk-empty")
    if len(ids) > MAX_CASES:
        raise InvalidInput.saying(
            N_("at most %(n)s cases at once"), code="bulk-too-many", n=MAX_CASES
        )
    result = BulkResult()
    act: Callable[[int], object]
    if change.action is BulkAction.ASSIGN:
        if change.owner_id is None:
            raise InvalidInput.saying(N_("choose the new owner"), code="owner-not-found")
        owner_id, reason = change.owner_id, check_handoff_reason(change.reason)

        def act(case_id: int) -> object:
            return case_steps.handoff(
                session, case_id, actor=actor, now=now, to_user_id=owner_id, reason=reason
            )

    elif change.action in (BulkAction.CATEGORY, BulkAction.SEVERITY):
        key = change.action.value
        value = change.category if change.action is BulkAction.CATEGORY else change.severity
        if value is None:
            raise InvalidInput.saying(N_("choose the new value"), code="bulk-value-missing")

        def act(case_id: int) -> object:
            return flows.update_case(
                session,
                case_id,
                actor=actor,
                now=now,
                playbook=playbook,
                changes={key: value},
                reason=change.reason,
            )

    else:
        target = _merge_target(session, ids, change, actor)
        result.into = target
        ids = [i for i in ids if i != target]

        def act(case_id: int) -> object:
            return merging.merge_cases(
                session, case_id, into=target, actor=actor, now=now, playbook=playbook
            )

    for case_id in ids:
        try:
            with session.begin_nested():
                act(case_id)
        except AmendsError as exc:
            result.refused[case_id] = exc
        else:
            result.done.append(case_id)
    return result

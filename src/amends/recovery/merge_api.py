"""API routes to merge cases (and undo it), split one, and change many at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from amends.cases import service as cases
from amends.cases.rules import Category, Severity, case_id_of
from amends.cases.schemas import CaseOut
from amends.fields import MAX_DB_INT
from amends.people.deps import ApiActor
from amends.recovery import bulk, merging, splitting
from amends.recovery.schemas import BulkIn, BulkOut, MergeIn, MergeOut, SplitIn
from amends.web.deps import AppClock, AppPlaybook, DbSession
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["cases"], responses=PROBLEM_RESPONSES)
CaseId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


@router.post("/cases/bulk", response_model=BulkOut)
def change_many(
    body: BulkIn, session: DbSession, actor: ApiActor, clock: AppClock, playbook: AppPlaybook
) -> BulkOut:
    """Assign, recategorise, change the severity of, or merge several cases; each case is
    changed (or refused) on its own, each change on its own timeline."""
    change = bulk.BulkChange(
        bulk.BulkAction(body.action),
        owner_id=body.owner_id,
        reason=body.reason,
        category=Category(body.category) if body.category else None,
        severity=Severity(body.severity) if body.severity else None,
        into=case_id_of(body.into) if body.into is not None else None,
    )
    result = bulk.apply(
        session, body.case_ids, change=change, actor=actor, now=clock.now(), playbook=playbook
    )
    return BulkOut.of(result)


@router.post("/cases/{case_id}/merge", response_model=MergeOut, status_code=201)
def merge(
    case_id: CaseId,
    body: MergeIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> MergeOut:
    """Merge this case into another of the same customer: messages, attachments,
    participants, compensation, steps and timeline move there; this case stays as a
    closed stub that points to it. Undo within 24 hours with ``/merge/undo``."""
    done = merging.merge_cases(
        session,
        case_id,
        into=case_id_of(body.into),
        actor=actor,
        now=clock.now(),
        playbook=playbook,
    )
    return MergeOut.of(done, undo_until=merging.undo_until(done))


@router.post("/cases/{case_id}/merge/undo", response_model=MergeOut)
def undo_merge(
    case_id: CaseId, session: DbSession, actor: ApiActor, clock: AppClock, playbook: AppPlaybook
) -> MergeOut:
    """Undo the merge of this (merged) case, within 24 hours of it: what moved goes back."""
    done = merging.undo_merge(session, case_id, actor=actor, now=clock.now(), playbook=playbook)
    return MergeOut.of(done, undo_until=merging.undo_until(done))


@router.post("/cases/{case_id}/split", response_model=CaseOut, status_code=201)
def split(
    case_id: CaseId,
    body: SplitIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> CaseOut:
    """Move some of this case's messages into a new case of the same customer, with its
    own clocks, category and owner; answers the new case."""
    new = splitting.split_case(
        session,
        case_id,
        message_ids=body.message_ids,
        actor=actor,
        now=clock.now(),
        playbook=playbook,
        title=body.title or None,
        category=body.category,
        severity=body.severity,
        owner_id=body.owner_id,
    )
    return cases.present(session, [new])[0]

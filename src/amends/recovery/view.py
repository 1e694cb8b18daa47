"""What is shown about one case, gathered in one place: its clocks, the verdict on
whether the customer is right, the compensation recommended and recorded, the earlier
cases it repeats, similar cases, participants and attachments.

The case page, ``amends cases show`` and ``GET /api/v1/cases/{id}`` all take the case
from here, so they cannot drift apart (service layer: reads only).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases import statements
from amends.cases.merges import merged_into
from amends.cases.models import Case
from amends.cases.rules import NAMED, Step, WaitingOn, case_ref
from amends.commitments.schemas import ValidityOut
from amends.compensation import service as compensations
from amends.compensation.rules import CompensationStatus
from amends.compensation.schemas import CompensationOut
from amends.fields import utc_datetime
from amends.messages import service as messages
from amends.patterns import similar
from amends.people.rules import Actor
from amends.playbook.policy import Playbook
from amends.recovery import verdict
from amends.recovery.schemas import (
    AttachmentOut,
    CaseLink,
    CaseView,
    ClockOut,
    CompensationView,
    ParticipantOut,
    ReasonOut,
    RecommendationOut,
    SimilarOut,
)

SIMILAR_SHOWN = 5


def attachment_url(case_id: int, attachment_id: int) -> str:
    """The authorised download of one of a case's files."""
    return f"/cases/{case_id}/attachments/{attachment_id}"


def clock_status(
    due_at: datetime | None, done_at: datetime | None, *, now: datetime, paused: bool = False
) -> tuple[str, int | None]:
    """Where one SLA clock stands, and the seconds left while it runs (negative: overdue)."""
    if due_at is None:
        return "none", None
    due = utc_datetime(due_at)
    if done_at is not None:
        return ("met" if utc_datetime(done_at) <= due else "missed"), None
    left = int((due - utc_datetime(now)).total_seconds())
    if paused:
        return "paused", left
    return ("overdue" if left < 0 else "running"), left


def _clocks(case: Case, *, now: datetime) -> list[ClockOut]:
    rows = [
        (Step.ACKNOWLEDGE, case.ack_due_at, case.acknowledged_at),
        (Step.REMEDY, case.remedy_due_at, case.resolved_at),
        (Step.CLOSE, case.close_due_at, case.closed_at),
    ]
    shown = []
    for step, due, done in rows:
        paused = step is Step.REMEDY and case.waiting_on == WaitingOn.CUSTOMER
        status, left = clock_status(due, done, now=now, paused=paused)
        if case.closed_at is not None and done is None and due is not None:
            # Closing stops every clock; a step never done was missed if its time had come.
            ended = utc_datetime(case.closed_at) > utc_datetime(due)
            status, left = ("missed" if ended else "stopped"), None
        shown.append(
            ClockOut(name=step.value, due_at=due, done_at=done, status=status, seconds_left=left)
        )
    return shown


def _links(session: Session, ids: list[int], *, actor: Actor) -> dict[int, CaseLink]:
    """Ref and title of the cases among ``ids`` the actor may see."""
    if not ids:
        return {}
    rows = session.execute(
        cases.visible_cases(actor).with_only_columns(Case.id, Case.title).where(Case.id.in_(ids))
    )
    return {i: CaseLink(id=i, ref=case_ref(i), title=title) for i, title in rows}


def _participants(session: Session, case_id: int) -> list[ParticipantOut]:
    return [
        ParticipantOut(
            user=user.email,
            user_id=user.id,
            name=user.name,
            role=user.role.value,
            reason=part.reason,
            added_at=part.added_at,
            statement=part.statement,
            statement_at=part.statement_at,
            waived_reason=part.waived_reason,
            waived_at=part.waived_at,
            waived_by=part.waived_by,
            statement_pending=part.reason == NAMED
            and part.statement_at is None
            and part.waived_at is None,
        )
        for part, user in statements.named_on(session, case_id)
    ]


def _compensation(
    session: Session, case: Case, *, now: datetime, playbook: Playbook
) -> CompensationView:
    rec = compensations.recommendation_for(session, case, now=now, policy=playbook.compensation)
    given = [CompensationOut.model_validate(c) for c in compensations.for_case(session, case.id)]
    return CompensationView(
        recommended=RecommendationOut(
            kind=rec.kind.value,
            amount=rec.amount,
            currency=rec.currency,
            explanation=rec.explanation,
            reasons=[
                ReasonOut(message=r.message, values=r.values, said=r.said) for r in rec.reasons
            ],
        ),
        granted=given,
        open_request=any(c.status == CompensationStatus.REQUESTED for c in given),
    )


def similar_view(session: Session, case_id: int, *, actor: Actor) -> list[SimilarOut]:
    """The cases most like this one that the actor may see, best first."""
    alike = similar.similar_for(session, case_id, actor=actor, limit=SIMILAR_SHOWN)
    links = _links(session, [s["case_id"] for s in alike], actor=actor)
    return [
        SimilarOut(**links[s["case_id"]].model_dump(), score=s["score"])
        for s in alike
        if s["case_id"] in links
    ]


def case_view(
    session: Session,
    case_id: int,
    *,
    actor: Actor,
    playbook: Playbook,
    now: datetime,
    with_similar: bool = True,
) -> CaseView:
    """The case as its page, the CLI and the API show it; a case the actor may not see
    answers as a missing one. ``with_similar=False`` leaves the similar cases out (the
    page fetches them on their own: see similar_view)."""
    case = cases.get_case(session, case_id, actor=actor)
    shown = cases.present(session, [case])[0]
    validity = ValidityOut.model_validate(
        verdict.assess_case(session, case_id, actor=actor, now=now)
    )
    repeats = list(case.repeat_of or [])
    links = _links(session, repeats, actor=actor)
    files = messages.case_attachments(session, case_id, actor=actor)
    target = merged_into(session, case_id)
    if target is not None:
        links.update(_links(session, [target], actor=actor))
    return CaseView(
        **shown.model_dump(exclude={"repeat_of"}),
        clocks=_clocks(case, now=now),
        validity=validity,
        compensation=_compensation(session, case, now=now, playbook=playbook),
        repeat_of=[links[i] for i in repeats if i in links],
        similar=similar_view(session, case_id, actor=actor) if with_similar else [],
        participants=_participants(session, case_id),
        attachments=[
            AttachmentOut(
                id=f.id,
                message_id=f.message_id,
                name=f.filename,
                size=f.size,
                content_type=f.content_type,
                url=attachment_url(case_id, f.id),
            )
            for f in files
        ],
        merged_into=links.get(target) if target is not None else None,
    )

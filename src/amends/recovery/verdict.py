"""Is the customer right? The evidence-based verdict on a case: each promise the complaint
is about against what was delivered, and an agent's override with its reason (service
layer: flushes only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases.models import Case
from amends.cases.rules import EventKind
from amends.commitments import ledger
from amends.commitments.models import Commitment
from amends.commitments.validity import Assessment, Promise, Verdict, assess, claim_dict
from amends.errors import InvalidInput
from amends.fields import utc_datetime
from amends.messages.models import Message
from amends.messages.rules import Direction
from amends.people.rules import Action, Actor
from amends.people.service import require


def _complaint(session: Session, case: Case) -> tuple[str, datetime]:
    """The customer's own words on the case (subjects and texts, never the case's title)
    and when they first wrote (the case's opening for a proactive one)."""
    rows = session.execute(
        select(Message.subject, Message.text, Message.at)
        .where(Message.case_id == case.id, Message.direction == Direction.INBOUND)
        .order_by(Message.at, Message.id)
    ).all()
    words = " ".join(f"{subject} {text}" for subject, text, _ in rows)
    return words, (rows[0][2] if rows else case.opened_at)


def _judge(
    session: Session, case: Case, *, now: datetime, as_first_written: bool
) -> tuple[Assessment, datetime]:
    """The verdict as of now, or as of the moment the customer first wrote (when that was
    earlier), and that moment."""
    words, first = _complaint(session, case)
    moment = utc_datetime(now)
    if as_first_written:
        moment = min(utc_datetime(first), moment)
    promised = list(
        session.scalars(
            select(Commitment)
            .where(Commitment.customer_id == case.customer_id)
            .order_by(Commitment.id)
        )
    )
    delivered = ledger.deliveries_for(session, [c.id for c in promised])
    # Deliveries made after the moment judged are not evidence about it.
    promises = [
        Promise(
            c.id,
            c.title,
            ledger.occurrences(
                c, [d for d in delivered[c.id] if utc_datetime(d[1]) <= moment], now=moment
            ),
            kind=c.kind,
        )
        for c in promised
    ]
    return assess(promises, words, as_of=moment, own=case.commitment_id), moment


def _shown(found: Assessment, *, as_of: datetime) -> dict[str, Any]:
    return {
        "verdict": found.verdict.value,
        "reasons": found.reasons,
        "evidence": found.evidence,
        "claims": [claim_dict(c) for c in found.claims],
        "as_of": as_of.isoformat(),
    }


def assess_case(session: Session, case_id: int, *, actor: Actor, now: datetime) -> dict[str, Any]:
    """The verdict for a case: the one last judged on request, else as of the moment the
    customer first wrote (so a remedy made since never rewrites what was true then); with
    the agent's override when there is one."""
    return _assessed(session, cases.get_case(session, case_id, actor=actor), now=now)


def verdicts_of(session: Session, found: list[Case], *, now: datetime) -> list[str]:
    """Each case's verdict as ``assess_case`` gives it (the override first), for cases the
    caller has already found: a customer's complaints weighed for their fit."""
    return [str(_assessed(session, case, now=now)["verdict"]) for case in found]


def _assessed(session: Session, case: Case, *, now: datetime) -> dict[str, Any]:
    if case.validity is not None:
        result = dict(case.validity)
    else:
        found, moment = _judge(session, case, now=now, as_first_written=True)
        result = {**_shown(found, as_of=moment), "judged_at": None}
    if case.validity_override:
        result["evidence_verdict"] = result["verdict"]
        result["verdict"] = case.validity_override["verdict"]
        result["override"] = case.validity_override
    return result


def judge_again(session: Session, case_id: int, *, actor: Actor, now: datetime) -> dict[str, Any]:
    """Judge the case as of now and keep that verdict, with the moment, on the timeline."""
    require(actor, Action.WRITE)
    case = cases.get_case(session, case_id, actor=actor)
    found, moment = _judge(session, case, now=now, as_first_written=False)
    case.validity = {**_shown(found, as_of=moment), "judged_at": now.isoformat()}
    cases.add_event(
        session,
        case=case,
        kind=EventKind.VALIDITY_JUDGED,
        at=now,
        actor=actor,
        data={"verdict": found.verdict.value, "as_of": moment.isoformat()},
    )
    session.flush()
    return assess_case(session, case_id, actor=actor, now=now)


def override_validity(
    session: Session, case_id: int, *, actor: Actor, now: datetime, verdict: str, reason: str
) -> None:
    """An agent's judgement over the evidence; it needs a reason and goes on the timeline."""
    require(actor, Action.WRITE)
    try:
        chosen = Verdict(verdict)
    except ValueError:
        raise InvalidInput(f"unknown verdict {verdict!r}", code="verdict-unknown") from None
    if len(reason.strip()) < 3:
        raise InvalidInput("overriding the verdict needs a reason", code="override-reason")
    case = cases.get_case(session, case_id, actor=actor)
    case.validity_override = {
        "verdict": chosen.value,
        "reason": reason.strip(),
        "by": actor.user_id,
        "at": now.isoformat(),
    }
    cases.add_event(
        session,
        case=case,
        kind=EventKind.VALIDITY_OVERRIDDEN,
        at=now,
        actor=actor,
        note=reason.strip(),
        data={"verdict": chosen.value},
    )

"""Is the customer right? The evidence-based verdict on a case: its promises against what
was delivered, and an agent's override with its reason (service layer: flushes only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.commitments import ledger
from amends.commitments.validity import Promise, Verdict, assess
from amends.errors import InvalidInput
from amends.messages.models import Message
from amends.people.rules import Action, Actor
from amends.people.service import require


def assess_case(session: Session, case_id: int, *, actor: Actor, now: datetime) -> dict[str, Any]:
    """The evidence-based verdict for a case, and the agent's override when there is one."""
    case = cases.get_case(session, case_id, actor=actor)
    customer_view = ledger.expectations(session, case.customer_id, actor=actor, now=now)
    if case.commitment_id is not None:
        customer_view = [(c, o) for c, o in customer_view if c.id == case.commitment_id]
    complaint = " ".join(
        session.scalars(
            select(Message.text).where(Message.case_id == case.id, Message.direction == "inbound")
        )
    )
    promises = [Promise(c.id, c.title, occs) for c, occs in customer_view]
    found = assess(promises, f"{case.title} {complaint}", now=now)
    result: dict[str, Any] = {
        "verdict": found.verdict.value,
        "reasons": found.reasons,
        "evidence": found.evidence,
    }
    if case.validity_override:
        result["evidence_verdict"] = result["verdict"]
        result["verdict"] = case.validity_override["verdict"]
        result["override"] = case.validity_override
    return result


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
        kind="validity_overridden",
        at=now,
        actor=actor,
        note=reason.strip(),
        data={"verdict": chosen.value},
    )

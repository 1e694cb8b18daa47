"""The coach in the product: drafting from a case, and guarding what is sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases.rules import case_ref
from amends.coach.rules import CheckResult, check
from amends.coach.templates import REQUIRED, STEPS, TemplateContext, describe_change, render
from amends.commitments.models import Commitment
from amends.compensation.models import Compensation
from amends.customers.models import Customer
from amends.errors import Conflict, InvalidInput
from amends.patterns import actions
from amends.patterns.rules import change_wording
from amends.people.models import User
from amends.people.rules import Actor
from amends.text.address import form_of_contact
from amends.text.languages import spoken

MAX_CHANGES_NAMED = 3


def draft(
    session: Session,
    case_id: int,
    *,
    step: str,
    lang: str | None,
    actor: Actor,
    now: datetime,
    business: str,
    referral: str = "",
) -> dict[str, Any]:
    """The step's template for this case, filled in, with its check (clean by design);
    ``referral`` names whom a parting customer may turn to instead."""
    if step not in STEPS:
        raise InvalidInput(f"unknown step {step!r}; use {', '.join(STEPS)}", code="step-unknown")
    case = cases.get_case(session, case_id, actor=actor)
    customer = session.get(Customer, case.customer_id)
    owner = session.get(User, case.owner_id)
    assert customer is not None
    assert owner is not None
    commitment = session.get(Commitment, case.commitment_id) if case.commitment_id else None
    granted = session.scalar(
        select(Compensation)
        .where(Compensation.case_id == case.id, Compensation.status.in_(["granted", "approved"]))
        .order_by(Compensation.id.desc())
        .limit(1)
    )
    # The contact greeted: the primary one, when they have a name (else the company).
    first = next((c for c in sorted(customer.contacts, key=lambda c: not c.is_primary)), None)
    person = first if first is not None and first.name else None
    language = lang or customer.language
    # The "what we changed" message names the change itself when one is recorded; a
    # promise without a change is what the customer has heard before.
    changes = actions.actions_for_case(session, case.id)[:MAX_CHANGES_NAMED]
    change = "; ".join(
        describe_change(
            language, item.change_kind, change_wording(item.wordings, item.description, language)
        )
        for item in changes
    )
    ctx = TemplateContext(
        customer_name=person.name if person else customer.name,
        agent_name=owner.name,
        business_name=business,
        case_ref=case_ref(case.id),
        what_failed=commitment.title if commitment else case.title,
        remedy="…",
        compensation_amount=granted.amount if granted else None,
        currency=granted.currency if granted else customer.currency,
        # Parting ways ends the agreement today; every other step promises an answer.
        due_date=(now if step == "parting_ways" else now + timedelta(days=1)).date(),
        change_description=change or "…",
        referral=referral,
        agent_form=owner.gender_form,
        customer_form=form_of_contact(person.gender_form, person.name) if person else None,
        customer_is_person=person is not None,
    )
    text = render(step, language, ctx)
    result = check(text, language, required=REQUIRED[step])
    return {
        "case_id": case.id,
        "step": step,
        "language": result.language,
        "text": text,
        "findings": [f.as_dict() for f in result.findings],
    }


def guard(text: str, language: str | None, override_reason: str | None) -> CheckResult:
    """Refuse to send blame, excuses or conditional apologies unless overridden with a reason.

    Missing elements are reported but do not block: a short reply may rightly say less.
    """
    # A message in a language the coach does not read (German, or a tag that is no
    # language) is checked in the language its text is in, as an unlabelled one is.
    readable = language if language and spoken(language) is not None else None
    result = check(text, readable, required=())
    if result.blocking and not (override_reason and len(override_reason.strip()) >= 3):
        found = "; ".join(f"{f.code.value}: “{f.excerpt}”" for f in result.blocking)
        raise Conflict(
            f"the message {found}. Rewrite it, or send it with an override and the reason",
            code="coach-findings",
        )
    return result

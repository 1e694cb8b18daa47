"""Customers with a closed case, and the link their survey mail carries."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.cases.rules import CaseState, Category, Origin, Outcome, Severity
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.customers.rules import CustomerStatus
from amends.messages.models import Message, OutboxItem
from amends.people.rules import OPERATOR
from amends.recovery import flows
from amends.surveys import service
from amends.surveys.models import Survey
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK

NAMES = {
    "sk": ("Pekáreň U Nováka s.r.o.", "Europe/Bratislava"),
    "th": ("ร้านกาแฟบ้านสวน", "Asia/Bangkok"),
    "el": ("Αρτοποιείο Παπαδόπουλος", "Europe/Athens"),
    "en": ("Harbour Books Ltd", "Europe/London"),
}


def mailing(secret: str = "test-secret-key", days: int = 14) -> service.Mailing:
    return service.Mailing("http://amends.test", secret, days, "Amends Test s.r.o.")


def customer(
    s: Session,
    now: datetime,
    language: str,
    *,
    email: str | None = None,
    status: CustomerStatus = CustomerStatus.ACTIVE,
    created: datetime | None = None,
) -> Customer:
    name, tz = NAMES[language]
    made = customers.create_customer(
        s,
        actor=OPERATOR,
        now=created or now,
        name=name,
        language=language,
        timezone=tz,
        currency="EUR",
        recurring_value=Decimal("200"),
        status=status,
        contacts=[
            customers.ContactInput(
                name=name, email=email or f"{language}-{now.timestamp():.0f}@example.com"
            )
        ],
    )
    return made


def closed_case(s: Session, now: datetime, who: Customer, owner_id: int, outcome: Outcome) -> Case:
    """A case that was worked and closed with ``outcome`` (its steps are not the point)."""
    case = flows.open_case(
        s,
        actor=OPERATOR,
        now=now,
        playbook=PLAYBOOK,
        customer_id=who.id,
        owner_id=owner_id,
        title="the monthly report never came",
        severity=Severity.MEDIUM,
        category=Category.MISSED_COMMITMENT,
        origin=Origin.COMPLAINT,
    )
    case.state = CaseState.CLOSED
    case.outcome = outcome
    case.closed_at = now
    s.flush()
    return case


def link_in_mail(s: Session, survey_id: int) -> tuple[str, Message, OutboxItem]:
    """The survey's path as its queued mail gives it, with the mail and its outbox row."""
    survey = s.get(Survey, survey_id)
    assert survey is not None and survey.message_id is not None
    message = s.get(Message, survey.message_id)
    assert message is not None
    item = s.scalar(select(OutboxItem).where(OutboxItem.message_id == message.id))
    assert item is not None
    found = re.search(r"http://[^/\s]+(/survey/\S+)", message.text)
    assert found is not None, message.text
    return found.group(1), message, item

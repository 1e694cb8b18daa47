"""A real SMTP server on loopback that keeps each mail with its envelope, and replies
waiting in the outbox for the security tests of outbound mail."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.rules import Category, Origin, Severity, Step
from amends.clock import FrozenClock
from amends.config import Settings
from amends.customers import service as customers
from amends.db import transaction
from amends.people.rules import OPERATOR, Actor
from amends.recovery import conversation, flows
from tests.conftest import DEFAULT_PLAYBOOK, Cast, free_port

APOLOGY = "Dobrý deň, je to naša chyba. Balík sme dnes poslali znova, doručenie zajtra."


@dataclass
class Delivered:
    recipients: list[str]
    content: bytes


@dataclass
class Relay:
    port: int
    delivered: list[Delivered] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.delivered.append(Delivered(list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def recipients(self) -> list[str]:
        return [r for mail in self.delivered for r in mail.recipients]


@pytest.fixture
def relay() -> Iterator[Relay]:
    found = Relay(free_port())
    controller = Controller(found, hostname="127.0.0.1", port=found.port)
    controller.start()
    yield found
    controller.stop()


def mail_settings(settings: Settings, relay: Relay, **changes: Any) -> Settings:
    return settings.model_copy(
        update={"smtp_port": relay.port, "mail_from": "care@pekaren-novak.example", **changes}
    )


def reply_to(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    *,
    email: str,
    title: str = "Rožky prišli pokrčené",
    subject: str | None = None,
) -> int:
    """A new customer writing from ``email`` (stored as given, as intake once did), a
    case titled ``title`` and an agent's reply to it; the case's id."""
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=clock.now(),
            name=f"Zákazník {email}",
            language="sk",
            timezone="Europe/Bratislava",
            currency="EUR",
            recurring_value=Decimal("200"),
            contacts=[customers.ContactInput(name="Ján", email=email, is_primary=True)],
        )
        case = flows.open_case(
            s,
            actor=agent,
            now=clock.now(),
            customer_id=customer.id,
            owner_id=cast.agent.id,
            title=title,
            severity=Severity.LOW,
            category=Category.WRONG_ITEM,
            origin=Origin.COMPLAINT,
            playbook=DEFAULT_PLAYBOOK,
        )
        conversation.send_reply(
            s,
            case.id,
            actor=agent,
            now=clock.now(),
            playbook=DEFAULT_PLAYBOOK,
            text=APOLOGY,
            subject=subject,
            steps=[Step.OWN, Step.REMEDY],
        )
        return case.id

"""Replies waiting in the outbox, and workers draining it side by side."""

from __future__ import annotations

import threading
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from amends.cases.rules import Category, Origin, Severity, Step
from amends.clock import FrozenClock
from amends.config import Settings
from amends.customers import service as customers
from amends.db import transaction
from amends.messages import outbox
from amends.people.rules import OPERATOR, Actor
from amends.recovery import conversation, flows
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast

THAI_REPLY = "เราขอโทษครับ ความผิดพลาดครั้งนี้เป็นความผิดของเราเอง เราจัดส่งสินค้าใหม่ให้แล้ววันนี้"


def make_replies(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    n: int,
    *,
    email: str = "somsri@baansuan.example",
    name: str = "ร้านดอกไม้บ้านสวน",
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=clock.now(),
            name=name,
            language="th",
            timezone="Asia/Bangkok",
            currency="THB",
            recurring_value=Decimal("6500"),
            contacts=[customers.ContactInput(name="สมศรี", email=email, is_primary=True)],
        )
        for i in range(n):
            case = flows.open_case(
                s,
                actor=agent,
                now=clock.now(),
                customer_id=customer.id,
                owner_id=agent.user_id or 0,
                title=f"ดอกไม้ส่งผิดร้าน {i}",
                severity=Severity.LOW,
                category=Category.WRONG_ITEM,
                origin=Origin.COMPLAINT,
                playbook=PLAYBOOK,
            )
            conversation.send_reply(
                s,
                case.id,
                actor=agent,
                now=clock.now(),
                playbook=PLAYBOOK,
                text=THAI_REPLY,
                steps=[Step.OWN, Step.REMEDY],
            )


def replace_settings(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update=changes)


def drain_together(
    sessions: sessionmaker[Session], cfg: Settings, *, now: datetime, rounds: int
) -> list[dict[str, int]]:
    """Two workers (worker-0, worker-1) start at once and each drain ``rounds`` times;
    every drain's counts."""
    barrier = threading.Barrier(2)
    totals: list[dict[str, int]] = []

    def work(name: str) -> None:
        barrier.wait()
        for _ in range(rounds):
            totals.append(outbox.drain(sessions, cfg, now=now, worker=name))

    threads = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return totals

"""A case cannot close while a compensation on it waits for a manager, and a second
gesture after the compensate step is still held to the agent's limit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.rules import Outcome, Severity, Step
from amends.clock import FrozenClock
from amends.compensation.rules import CompensationStatus
from amends.db import transaction
from amends.errors import Conflict
from amends.people.rules import Actor
from amends.recovery import flows
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast
from tests.patterns.helpers import COURIER, add_shop, open_courier_case

CALL = "Called the customer and said so."


def test_an_open_request_holds_the_close_until_a_manager_decides(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    manager = Actor(cast.manager.id, cast.manager.role)
    now = clock.now()
    with transaction(sessions) as s:
        shop = add_shop(s, COURIER[0], now=now)  # paid in EUR: the agent's limit is 100
        case = open_courier_case(
            s,
            customer_id=shop,
            owner_id=cast.agent.id,
            title=COURIER[0].complaint,
            now=now,
            playbook=PLAYBOOK,
            severity=Severity.MEDIUM,
        )
        first = flows.perform_steps(
            s,
            case.id,
            actor=agent,
            now=now,
            playbook=PLAYBOOK,
            steps=[Step.OWN, Step.REMEDY],
            call_note=CALL,
        )
        assert first.done == [Step.ACKNOWLEDGE, Step.OWN, Step.REMEDY]
        granted = flows.compensate(
            s,
            case.id,
            actor=agent,
            now=now,
            playbook=PLAYBOOK,
            given=flows.CompensationInput("credit", Decimal("40"), None, "for the wait"),
        )
        assert granted.done == [Step.COMPENSATE]
        more = flows.compensate(
            s,
            case.id,
            actor=agent,
            now=now,
            playbook=PLAYBOOK,
            given=flows.CompensationInput("refund", Decimal("400"), None, "the whole order"),
        )
        assert more.done == [] and more.compensation_id is not None
        with pytest.raises(Conflict) as refused:
            flows.perform_steps(
                s,
                case.id,
                actor=agent,
                now=now,
                playbook=PLAYBOOK,
                steps=[Step.CLOSE],
                outcome=Outcome.RETAINED,
                call_note=CALL,
            )
        assert refused.value.code == "compensation-pending"
        assert case.closed_at is None
        item = flows.decide_compensation(
            s, more.compensation_id, actor=manager, now=now, playbook=PLAYBOOK, approve=True
        )
        assert item.status is CompensationStatus.APPROVED
        closed = flows.perform_steps(
            s,
            case.id,
            actor=agent,
            now=now,
            playbook=PLAYBOOK,
            steps=[Step.CLOSE],
            outcome=Outcome.RETAINED,
            call_note=CALL,
        )
        assert closed.done == [Step.CLOSE]

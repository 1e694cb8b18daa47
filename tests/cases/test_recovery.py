"""A case walked through the whole playbook, with the clock moved by hand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import clocks, steps
from amends.cases import service as cases
from amends.cases.models import Notification, TimelineEvent
from amends.cases.rules import Category, Origin, Outcome, Severity, Step
from amends.clock import FrozenClock
from amends.config import Settings
from amends.customers import service as customers
from amends.db import transaction
from amends.errors import Forbidden, InvalidInput, InvalidTransition
from amends.messages import service as messages
from amends.messages.models import Message
from amends.messages.rules import Channel, Direction
from amends.people.rules import OPERATOR, Actor, Role
from amends.recovery import conversation, flows
from amends.worker import JobContext, Worker
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast


def actor(person: object) -> Actor:
    return Actor(person.id, person.role)  # type: ignore[attr-defined]


def open_complaint(
    s: Session, cast: Cast, clock: FrozenClock, severity: Severity = Severity.HIGH
) -> int:
    customer = customers.create_customer(
        s,
        actor=OPERATOR,
        now=clock.now(),
        name="Ελληνικά Αρτοποιεία Α.Ε.",
        language="el",
        timezone="Europe/Athens",
        currency="EUR",
        recurring_value=Decimal("200"),
        contacts=[
            customers.ContactInput(
                name="Μαρία Παπαδοπούλου", email="maria@artopoieia.example", is_primary=True
            )
        ],
    )
    case = flows.open_case(
        s,
        actor=actor(cast.agent),
        now=clock.now(),
        customer_id=customer.id,
        owner_id=cast.agent.id,
        title="Δεν λάβαμε τις αναφορές μάρκετινγκ",
        severity=severity,
        category=Category.MISSED_COMMITMENT,
        origin=Origin.COMPLAINT,
        playbook=PLAYBOOK,
    )
    messages.record_message(
        s,
        actor=OPERATOR,
        now=clock.now(),
        direction=Direction.INBOUND,
        channel=Channel.EMAIL,
        text="Πληρώνουμε κάθε μήνα και δεν έχουμε δει καμία αναφορά.",
        language="el",
        case_id=case.id,
        playbook=PLAYBOOK,
    )
    return case.id


def test_whole_playbook_with_one_message_doing_several_steps(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent = actor(cast.agent)
    with transaction(sessions) as s:
        case_id = open_complaint(s, cast, clock)
    clock.advance(timedelta(minutes=20))
    with transaction(sessions) as s:
        reply = conversation.send_reply(
            s,
            case_id,
            actor=agent,
            now=clock.now(),
            playbook=PLAYBOOK,
            text="Κάναμε λάθος: δεν ξεκινήσαμε ποτέ τις αναφορές σας. Σας στέλνουμε σήμερα "
            "τις τρεις αναφορές και πιστώνουμε τον λογαριασμό σας με 50 €.",
            steps=[Step.OWN, Step.REMEDY, Step.COMPENSATE],
            compensation=flows.CompensationInput("credit", Decimal("50"), "EUR", "3 months"),
        )
        assert [x.value for x in reply.steps.done] == ["acknowledge", "own", "remedy", "compensate"]
        case = reply.steps.case
        assert case.state == "compensated"
        assert case.one_interaction is True
        assert case.ack_minutes == 20
        assert case.first_response_at == clock.now()
        assert reply.outbox.status == "pending"
        assert reply.outbox.to_address == "maria@artopoieia.example"
        assert reply.message.language == "el"

    clock.advance(timedelta(days=1))
    with (
        transaction(sessions) as s,
        pytest.raises(InvalidTransition, match="requires explain-change, follow-up"),
    ):
        flows.perform_steps(
            s,
            case_id,
            actor=agent,
            now=clock.now(),
            playbook=PLAYBOOK,
            steps=[Step.CLOSE],
            outcome=Outcome.RETAINED,
            call_note="Called the customer and told them.",
        )
    with transaction(sessions) as s:
        conversation.send_reply(
            s,
            case_id,
            actor=agent,
            now=clock.now(),
            playbook=PLAYBOOK,
            text="Από σήμερα κάθε αναφορά ελέγχεται στις 5 του μήνα από τον υπεύθυνο λογαριασμού.",
            steps=[Step.EXPLAIN_CHANGE],
        )
    clock.advance(timedelta(days=7))
    with transaction(sessions) as s:
        flows.perform_steps(
            s,
            case_id,
            actor=agent,
            now=clock.now(),
            playbook=PLAYBOOK,
            steps=[Step.FOLLOW_UP],
            note="called Maria, reports arrived",
            call_note="Called the customer and told them.",
        )
        done = flows.perform_steps(
            s,
            case_id,
            actor=agent,
            now=clock.now(),
            playbook=PLAYBOOK,
            steps=[Step.CLOSE],
            outcome=Outcome.RETAINED,
            call_note="Called the customer and told them.",
        )
        assert done.case.state == "closed"
        assert done.case.outcome == "retained"
        assert done.case.urgency_at is None
        kinds = [e.kind for e in cases.timeline(s, case_id, actor=agent)]
    assert kinds.count("step") == 7
    assert kinds[0] == "opened"
    assert "compensation_granted" in kinds


def test_breached_acknowledgment_escalates_exactly_once(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, settings: Settings
) -> None:
    with transaction(sessions) as s:
        case_id = open_complaint(s, cast, clock)
    worker = Worker(JobContext(settings, sessions, clock))
    clock.advance(timedelta(minutes=59))
    assert worker.tick()["sla-escalation"] == {"ack": 0, "remedy": 0, "close": 0}
    clock.advance(timedelta(minutes=2))
    assert worker.tick()["sla-escalation"]["ack"] == 1
    for _ in range(3):
        clock.advance(timedelta(minutes=1))
        assert worker.tick()["sla-escalation"]["ack"] == 0
    with transaction(sessions) as s:
        events = s.scalars(
            select(TimelineEvent).where(
                TimelineEvent.case_id == case_id, TimelineEvent.kind == "escalated"
            )
        ).all()
        assert [e.data["clock"] for e in events] == ["ack"]
        notified = s.scalars(
            select(Notification.user_id)
            .where(Notification.kind == "sla_breached")
            .order_by(Notification.id)
        ).all()
        # The case's owner is told first, then the managers.
        assert notified == [cast.agent.id, cast.manager.id]


def test_acknowledgment_clock_never_pauses_but_remedy_clock_does(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        case_id = open_complaint(s, cast, clock, severity=Severity.MEDIUM)
        case = cases.get_case(s, case_id, actor=OPERATOR)
        remedy_due = case.remedy_due_at
        assert case.ack_due_at == clock.now() + timedelta(hours=1)
    clock.advance(timedelta(minutes=30))
    with transaction(sessions) as s:
        # A question to the customer: not an acknowledgment step, so the ack clock runs on.
        conversation.send_reply(
            s,
            case_id,
            actor=actor(cast.agent),
            now=clock.now(),
            playbook=PLAYBOOK,
            text="Which invoice number was it?",
            asks="the invoice number",
        )
        case = cases.get_case(s, case_id, actor=OPERATOR)
        assert case.waiting_on == "customer"
        assert case.acknowledged_at is None
    with transaction(sessions) as s:
        assert clocks.escalate_breaches(s, now=clock.now() + timedelta(minutes=31))["ack"] == 1
    clock.advance(timedelta(hours=2))
    with transaction(sessions) as s:
        messages.record_message(
            s,
            actor=OPERATOR,
            now=clock.now(),
            direction=Direction.INBOUND,
            channel=Channel.EMAIL,
            text="Faktúra 2026-041.",
            case_id=case_id,
            playbook=PLAYBOOK,
        )
        case = cases.get_case(s, case_id, actor=OPERATOR)
        assert case.waiting_on == "us"
        assert remedy_due is not None
        # Two business hours spent waiting on the customer moved the remedy deadline.
        assert case.remedy_due_at == remedy_due + timedelta(hours=2)


def test_a_reply_that_asks_nothing_leaves_the_remedy_clock_running(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        case_id = open_complaint(s, cast, clock, severity=Severity.MEDIUM)
        remedy_due = cases.get_case(s, case_id, actor=OPERATOR).remedy_due_at
    with transaction(sessions) as s:
        # A plain apology waits for nothing from the customer: the fix is still ours to make.
        conversation.send_reply(
            s,
            case_id,
            actor=actor(cast.agent),
            now=clock.now(),
            playbook=PLAYBOOK,
            text="Λυπούμαστε πολύ, είναι δικό μας λάθος. Το διορθώνουμε σήμερα.",
            steps=[Step.ACKNOWLEDGE],
        )
        case = cases.get_case(s, case_id, actor=OPERATOR)
        assert case.waiting_on == "us"
    assert remedy_due is not None
    with transaction(sessions) as s:
        assert clocks.escalate_breaches(s, now=remedy_due + timedelta(minutes=1))["remedy"] == 1


def test_steps_that_speak_to_the_customer_need_a_message_or_a_recorded_call(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        case_id = open_complaint(s, cast, clock, severity=Severity.MEDIUM)
    for silent in ([Step.ACKNOWLEDGE], [Step.OWN]):
        with transaction(sessions) as s, pytest.raises(InvalidInput, match="record the call"):
            flows.perform_steps(
                s, case_id, actor=actor(cast.agent), now=clock.now(), playbook=PLAYBOOK,
                steps=silent,
            )  # fmt: skip
    with transaction(sessions) as s:
        done = flows.perform_steps(
            s, case_id, actor=actor(cast.agent), now=clock.now(), playbook=PLAYBOOK,
            steps=[Step.ACKNOWLEDGE], call_note="Τηλεφώνησα στη Μαρία και ζήτησα συγγνώμη.",
        )  # fmt: skip
        assert done.done == [Step.ACKNOWLEDGE]
        (call,) = s.scalars(
            select(Message).where(Message.case_id == case_id, Message.channel == "phone")
        )
        assert call.direction == "outbound" and call.text.startswith("Τηλεφώνησα")
        step_event = s.scalars(
            select(TimelineEvent).where(TimelineEvent.kind == "step").order_by(TimelineEvent.id)
        ).all()[-1]
        assert step_event.data["message_id"] == call.id


def test_one_interaction_means_exactly_one_contact_that_fixed_it(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        once = open_complaint(s, cast, clock, severity=Severity.LOW)
        twice = open_complaint(s, cast, clock, severity=Severity.LOW)
    with transaction(sessions) as s:
        conversation.send_reply(
            s, once, actor=actor(cast.agent), now=clock.now(), playbook=PLAYBOOK,
            text="Je to naša chyba. Faktúru sme opravili a poslali znova.",
            steps=[Step.ACKNOWLEDGE, Step.OWN, Step.REMEDY],
        )  # fmt: skip
        conversation.send_reply(
            s, twice, actor=actor(cast.agent), now=clock.now(), playbook=PLAYBOOK,
            text="Je to naša chyba, pozrieme sa na to.", steps=[Step.ACKNOWLEDGE, Step.OWN],
        )  # fmt: skip
        conversation.send_reply(
            s, twice, actor=actor(cast.agent), now=clock.now(), playbook=PLAYBOOK,
            text="Faktúru sme opravili a poslali znova.", steps=[Step.REMEDY],
        )  # fmt: skip
        assert cases.get_case(s, once, actor=OPERATOR).one_interaction is True
        assert cases.get_case(s, twice, actor=OPERATOR).one_interaction is False


def test_handoff_needs_a_reason_and_is_counted(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        case_id = open_complaint(s, cast, clock)
    with transaction(sessions) as s, pytest.raises(InvalidInput, match="needs a reason"):
        steps.handoff(
            s,
            case_id,
            actor=actor(cast.agent),
            now=clock.now(),
            to_user_id=cast.manager.id,
            reason=" ",
        )
    with transaction(sessions) as s, pytest.raises(InvalidInput, match="cannot own cases"):
        steps.handoff(
            s,
            case_id,
            actor=actor(cast.agent),
            now=clock.now(),
            to_user_id=cast.employee.id,
            reason="he was there",
        )
    with transaction(sessions) as s:
        case = steps.handoff(
            s,
            case_id,
            actor=actor(cast.agent),
            now=clock.now(),
            to_user_id=cast.manager.id,
            reason="Marek handles the account",
        )
        assert (case.owner_id, case.handoffs) == (cast.manager.id, 1)
    with transaction(sessions) as s:
        result = flows.perform_steps(
            s,
            case_id,
            actor=actor(cast.manager),
            now=clock.now(),
            playbook=PLAYBOOK,
            steps=[Step.OWN, Step.REMEDY],
            call_note="Called the customer and told them.",
        )
        assert result.case.one_interaction is False  # a hand-off happened


def test_compensation_above_the_agents_limit_waits_for_a_manager(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        case_id = open_complaint(s, cast, clock)
    with transaction(sessions) as s:
        result = flows.perform_steps(
            s,
            case_id,
            actor=actor(cast.agent),
            now=clock.now(),
            playbook=PLAYBOOK,
            steps=[Step.OWN, Step.REMEDY, Step.COMPENSATE],
            compensation=flows.CompensationInput("refund", Decimal("600"), "EUR", "a year"),
            call_note="Called the customer and told them.",
        )
        assert [x.value for x in result.held] == ["compensate"]
        assert result.case.state == "remedied"
        held_id = result.compensation_id
        assert held_id is not None
    with transaction(sessions) as s, pytest.raises(Forbidden):
        flows.decide_compensation(
            s, held_id, actor=actor(cast.agent), now=clock.now(), playbook=PLAYBOOK, approve=True
        )
    with transaction(sessions) as s:
        item = flows.decide_compensation(
            s,
            held_id,
            actor=actor(cast.manager),
            now=clock.now(),
            playbook=PLAYBOOK,
            approve=True,
            note="worth it",
        )
        assert item.status == "approved"
        case = cases.get_case(s, case_id, actor=OPERATOR)
        assert case.state == "compensated"
        approvals = s.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "approval_needed")
        )
        assert approvals == 2  # the manager and the owner were asked
        # Decided once: neither bell asks about it any more.
        waiting = s.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "approval_needed", Notification.read_at.is_(None))
        )
        assert waiting == 0


def test_compensating_nothing_needs_a_reason(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        case_id = open_complaint(s, cast, clock)
    with transaction(sessions) as s, pytest.raises(InvalidInput, match="reason"):
        flows.perform_steps(
            s,
            case_id,
            actor=actor(cast.agent),
            now=clock.now(),
            playbook=PLAYBOOK,
            steps=[Step.OWN, Step.REMEDY, Step.COMPENSATE],
            compensation=flows.CompensationInput("none"),
            call_note="Called the customer and told them.",
        )
    with transaction(sessions) as s:
        result = flows.perform_steps(
            s,
            case_id,
            actor=actor(cast.agent),
            now=clock.now(),
            playbook=PLAYBOOK,
            steps=[Step.OWN, Step.REMEDY, Step.COMPENSATE],
            compensation=flows.CompensationInput("none", rationale="customer declined any credit"),
            call_note="Called the customer and told them.",
        )
        assert result.case.state == "compensated"
    assert Role.AGENT  # the cast's agent did all of it without approval

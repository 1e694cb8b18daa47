"""Money keeps its currency: limits, caps and recommendations per ISO 4217 code."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.cases.rules import Category, Origin, Severity, Step
from amends.clock import FrozenClock
from amends.commitments import service as commitments
from amends.commitments.rules import CommitmentKind
from amends.compensation import service as compensations
from amends.customers import service as customers
from amends.db import transaction
from amends.errors import PlaybookError
from amends.people.rules import OPERATOR, Actor
from amends.playbook.policy import DEFAULT_PATH, Playbook, parse
from amends.recovery import flows
from tests.conftest import Cast

DEFAULT = DEFAULT_PATH.read_text(encoding="utf-8")


def playbook_with(compensation: str) -> Playbook:
    """The default playbook with its [compensation] tables replaced."""
    start, end = DEFAULT.index("[compensation]"), DEFAULT.index("[severity.low]")
    return parse(DEFAULT[:start] + compensation + "\n" + DEFAULT[end:], source="playbook.toml")


def thai_customer(s: Session, now: object, monthly: str = "7000") -> int:
    return customers.create_customer(
        s,
        actor=OPERATOR,
        now=now,  # type: ignore[arg-type]
        name="ร้านกาแฟริมน้ำ",
        language="th",
        timezone="Asia/Bangkok",
        currency="THB",
        recurring_value=Decimal(monthly),
        contacts=[customers.ContactInput(name="คุณนิด", email="nid@rimnam.example")],
    ).id


def remedied_case(s: Session, cast: Cast, clock: FrozenClock, book: Playbook) -> int:
    agent = Actor(cast.agent.id, cast.agent.role)
    case = flows.open_case(
        s,
        actor=agent,
        now=clock.now(),
        customer_id=thai_customer(s, clock.now()),
        owner_id=cast.agent.id,
        title="รายงานการตลาดเดือนนี้ไม่มา",
        severity=Severity.MEDIUM,
        category=Category.MISSED_COMMITMENT,
        origin=Origin.COMPLAINT,
        playbook=book,
    )
    flows.perform_steps(
        s,
        case.id,
        actor=agent,
        now=clock.now(),
        playbook=book,
        steps=[Step.OWN, Step.REMEDY],
        call_note="Called the customer and told them.",
    )
    return case.id


def give(
    s: Session, cast: Cast, clock: FrozenClock, book: Playbook, amount: str, currency: str | None
) -> str:
    case_id = remedied_case(s, cast, clock, book)
    result = flows.perform_steps(
        s,
        case_id,
        actor=Actor(cast.agent.id, cast.agent.role),
        now=clock.now(),
        playbook=book,
        steps=[Step.COMPENSATE],
        compensation=flows.CompensationInput("credit", Decimal(amount), currency, "a month free"),
        call_note="Called the customer and told them.",
    )
    (given,) = compensations.for_case(s, case_id)
    assert (given.amount, given.currency) == (Decimal(amount), currency or "THB")
    return "held" if result.held else "granted"


def test_an_agents_limit_is_compared_in_the_compensations_own_currency(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    book = playbook_with("[compensation]\nagent_limit = { EUR = 100, THB = 3500 }\n")
    with transaction(sessions) as s:
        # 150 baht is about four euros: well within the agent's own authority ...
        assert give(s, cast, clock, book, "150", "THB") == "granted"
        # ... while 150 euros is above the 100 EUR limit and waits for a manager.
        assert give(s, cast, clock, book, "150", "EUR") == "held"
        assert give(s, cast, clock, book, "3600", "THB") == "held"


def test_a_compensation_is_in_the_customers_currency_unless_another_is_named(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    book = playbook_with("[compensation]\nagent_limit = { THB = 3500 }\n")
    with transaction(sessions) as s:
        assert give(s, cast, clock, book, "150", None) == "granted"


def test_another_currency_is_converted_only_through_the_owners_rates(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        # The default limit is 100 in the workspace currency (EUR); nothing says what a
        # baht is worth, so any amount in baht waits for a manager.
        assert give(s, cast, clock, playbook_with(""), "150", "THB") == "held"
        rated = playbook_with("[compensation.rates]\nTHB = 0.025\n")  # 100 EUR = 4,000 THB
        assert rated.compensation.limit_for("THB", "EUR") == Decimal("4000.00")
        assert give(s, cast, clock, rated, "3900", "THB") == "granted"
        assert give(s, cast, clock, rated, "4100", "THB") == "held"


def test_the_compensation_section_is_read_and_checked() -> None:
    book = playbook_with(
        "[compensation]\ngenerosity = 1.5\ncap = { workspace = 2000, THB = 90000 }\n"
    )
    assert book.compensation.settings.generosity == Decimal("1.5")
    assert book.compensation.cap_for("THB", "EUR") == Decimal("90000")
    assert book.compensation.cap_for("EUR", "EUR") == Decimal("2000")
    assert book.compensation.cap_for("JPY", "EUR") is None
    # A playbook from before the [compensation] table keeps its agent limit.
    older = playbook_with("[empowerment]\nagent_compensation_limit = 80\n")
    assert older.compensation.limit_for("EUR", "EUR") == Decimal("80")
    refusals = {
        "[compensation]\nagent_limit = { EURO = 5 }\n": "[compensation.agent_limit] 'EURO'",
        "[compensation]\ncap = { EUR = -1 }\n": "[compensation.cap] EUR must be zero or more",
        "[compensation.rates]\nTHB = 0\n": "[compensation.rates] THB must be more than zero",
        "[compensation]\ngenerous = 2\n": "[compensation] has unknown key(s) generous",
        "[compensation]\nagent_limit = { EUR = 5 }\n[empowerment]\nagent_compensation_limit = 1\n": (
            "give the agent's limit once"
        ),
    }
    for text, message in refusals.items():
        with pytest.raises(PlaybookError) as refused:
            playbook_with(text)
        assert message in str(refused.value), text


def test_a_thb_customers_repeat_gets_more_than_the_first_miss_and_at_least_the_loss(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    book = playbook_with("[compensation.rates]\nTHB = 0.026\n")
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        customer_id = thai_customer(s, clock.now())
        report = commitments.create_commitment(
            s,
            actor=OPERATOR,
            now=clock.now(),
            customer_id=customer_id,
            title="รายงานการตลาดรายเดือน",
            kind=CommitmentKind.RECURRING_SERVICE,
            currency="THB",
            value=Decimal("7000"),
            due_at=clock.now() - timedelta(days=60),
            rrule="FREQ=MONTHLY;BYMONTHDAY=5",
        )
        recommended = []
        for month in ("มกราคม", "กุมภาพันธ์"):
            case = flows.open_case(
                s,
                actor=agent,
                now=clock.now(),
                customer_id=customer_id,
                owner_id=cast.agent.id,
                title=f"รายงานเดือน{month}ไม่มา",
                category=Category.MISSED_COMMITMENT,
                origin=Origin.BREACH,
                commitment_id=report.id,
                playbook=book,
            )
            stored = s.get(Case, case.id)
            assert stored is not None
            recommended.append(
                compensations.recommendation_for(
                    s, stored, now=clock.now(), policy=book.compensation
                )
            )
            clock.advance(timedelta(days=31))
    first, repeat = recommended
    assert (first.currency, repeat.currency) == ("THB", "THB")
    assert first.amount >= Decimal("7000")
    # The workspace's 5,000 EUR cap, in baht at the playbook's rate, is named as such.
    assert "within the workspace maximum of 192307.69 THB" in first.explanation
    assert repeat.amount > first.amount
    assert "happened before" in repeat.explanation

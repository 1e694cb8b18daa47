"""Customer fit from the evidence, and parting ways respectfully: a customer who is rarely
right, costs more than they pay and abuses the team is recommended to part ways; the
manager's decision sends one coached message, refunds unused service, ends their promises,
and from then on nothing automated reaches them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends.cases.models import Case
from amends.cases.rules import Category, Origin, Severity
from amends.cli import app as cli_app
from amends.clock import FrozenClock
from amends.commitments import service as commitments
from amends.commitments.models import Commitment
from amends.commitments.rules import CommitmentKind, CommitmentStatus
from amends.compensation import service as compensations
from amends.compensation.models import Compensation
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.db import transaction
from amends.errors import Forbidden
from amends.messages import outbox
from amends.messages import service as messages
from amends.messages.models import Message, OutboxItem
from amends.messages.rules import Channel, Direction, OutboxStatus
from amends.people.rules import OPERATOR, SYSTEM, Actor
from amends.recovery import fit, flows, parting
from amends.recovery import sweep as sweeps
from amends.surveys import service as surveys
from amends.winback import service as winbacks
from amends.winback.models import Winback
from amends.winback.rules import WinbackStatus
from tests.cases.test_cases_cli import env, run
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import START, Cast
from tests.web.test_pages import csrf_from, sign_in

__all__ = ["env"]  # the command-line fixture

COMPLAINT = "We never received the monthly report. Where is the monthly report?"
ABUSE = ["You are useless idiots.", "Morons! I know where you live."]
FIRST_REPORT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
THANKS = {"en": "thank you", "sk": "ďakujeme", "el": "σας ευχαριστούμε", "th": "ขอบคุณ"}


@dataclass
class Evidence:
    customer_id: int
    report_id: int


def customer_with_evidence(
    s: Session,
    clock: FrozenClock,
    cast: Cast | tuple[Actor, Actor],
    *,
    language: str = "en",
    not_right: int = 5,
    abusive: int = 2,
    compensation: Decimal = Decimal("250"),
) -> Evidence:
    """A customer paying 200 EUR a month whose reports were all delivered on time, who
    complained ``not_right`` times that they never came (``abusive`` of those with
    insults or threats), and who was given ``compensation``."""
    if isinstance(cast, tuple):
        agent, manager = cast
    else:
        agent = Actor(cast.agent.id, cast.agent.role)
        manager = Actor(cast.manager.id, cast.manager.role)
    customer = customers.create_customer(
        s,
        actor=OPERATOR,
        now=clock.now(),
        name="Blue Harbour Ltd",
        language=language,
        timezone="Europe/London",
        currency="EUR",
        recurring_value=Decimal("200"),
        contacts=[customers.ContactInput("Sam Harbour", "sam@blueharbour.example", None, True)],
    )
    report = commitments.create_commitment(
        s,
        actor=OPERATOR,
        now=clock.now(),
        customer_id=customer.id,
        title="Monthly report",
        kind=CommitmentKind.RECURRING_SERVICE,
        currency="EUR",
        value=Decimal("200"),
        due_at=FIRST_REPORT,
        rrule="FREQ=MONTHLY",
    )
    due = FIRST_REPORT
    while due < clock.now():
        commitments.add_delivery(
            s,
            actor=OPERATOR,
            now=clock.now(),
            commitment_id=report.id,
            delivered_at=due - timedelta(days=1),
        )
        due = due.replace(month=due.month + 1)
    first_case = None
    for number in range(not_right):
        case = flows.open_case(
            s,
            actor=agent,
            now=clock.now(),
            playbook=PLAYBOOK,
            customer_id=customer.id,
            owner_id=agent.user_id,
            title=f"Report missing ({number + 1})",
            severity=Severity.LOW,
            category=Category.COMMUNICATION,
            origin=Origin.COMPLAINT,
        )
        first_case = first_case or case
        words = f"{ABUSE[number]} {COMPLAINT}" if number < abusive else COMPLAINT
        messages.record_message(
            s,
            actor=agent,
            now=clock.now(),
            direction=Direction.INBOUND,
            channel=Channel.EMAIL,
            text=words,
            language="en",
            case_id=case.id,
            from_address="sam@blueharbour.example",
            playbook=PLAYBOOK,
        )
    if compensation and first_case is not None:
        compensations.record(
            s,
            case=first_case,
            actor=manager,
            now=clock.now(),
            playbook=PLAYBOOK,
            kind="credit",
            amount=compensation,
            currency="EUR",
            rationale="a month of reports, and more",
        )
    return Evidence(customer.id, report.id)


def outbox_of(s: Session, customer_id: int) -> list[tuple[OutboxStatus, str]]:
    rows = s.execute(
        select(OutboxItem.status, Message.text)
        .join(Message, Message.id == OutboxItem.message_id)
        .where(Message.customer_id == customer_id)
        .order_by(OutboxItem.id)
    ).all()
    return [(status, text) for status, text in rows]


def test_a_customer_rarely_right_costly_and_abusive_is_recommended_to_part_ways_and_parted_with(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    manager = Actor(cast.manager.id, cast.manager.role)
    with transaction(sessions) as s:
        evidence = customer_with_evidence(s, clock, cast)
    with transaction(sessions) as s:
        found = fit.customer_fit(s, evidence.customer_id, actor=manager, now=clock.now())
        shown = found.as_dict()
    assert shown["recommendation"] == "part_ways"
    assert [r["code"] for r in shown["reasons"]] == ["not_right", "cost_to_serve", "abusive"]
    not_right, cost, abusive = shown["reasons"]
    assert not_right["figures"] == {"not_right": 5, "judged": 5, "share": "1.00"}
    assert not_right["text"] == "5 of 5 complaints judged not right (100%)"
    assert (cost["figures"]["cost"], cost["figures"]["monthly_value"]) == ("250.00", "200.00")
    assert "250.00 EUR" in cost["text"] and "200.00 EUR a month" in cost["text"]
    assert abusive["figures"]["messages"] == 2
    assert abusive["figures"]["threats"] == 1
    assert abusive["figures"]["words"] == ["idiots", "Morons", "know where you live"]
    # The recommendation acts on nothing: the customer is as they were.
    with transaction(sessions) as s:
        assert customers.accepts_automated_messages(s, evidence.customer_id)
        before = outbox_of(s, evidence.customer_id)
    assert before == []

    # Earlier, one of their cases ended lost: the win-back sequence began.
    with transaction(sessions) as s:
        lost_case = s.scalars(
            select(Case).where(Case.customer_id == evidence.customer_id).order_by(Case.id)
        ).first()
        assert lost_case is not None
        assert winbacks.start(s, lost_case, now=clock.now(), playbook=PLAYBOOK) is not None
        s.expunge(lost_case)
    with transaction(sessions) as s:
        done = parting.part_ways(
            s,
            evidence.customer_id,
            actor=manager,
            now=clock.now(),
            playbook=PLAYBOOK,
            business="Webworks",
            reason="Abusive to the team; most complaints were not right",
            refund=parting.Refund(Decimal("120")),
            referral="Northwind Digital",
        )
    with transaction(sessions) as s:
        sent = outbox_of(s, evidence.customer_id)
        customer = s.get(Customer, evidence.customer_id)
        report = s.get(Commitment, evidence.report_id)
        refund = s.get(Compensation, done.compensation_id)
        assert customer is not None and report is not None and refund is not None
        assert customer.status == "parted_ways"
        assert report.status is CommitmentStatus.ENDED
        assert (refund.kind, refund.amount, refund.currency, refund.status) == (
            "refund",
            Decimal("120.00"),
            "EUR",
            "granted",
        )
        assert refund.case_id == done.case_id and refund.message_id == done.message_id
        assert not customers.accepts_automated_messages(s, evidence.customer_id)
    # One message, queued, thanking them, with the refund and the referral in it.
    ((status, text),) = sent
    assert status is OutboxStatus.PENDING
    assert "thank you" in text and "€120.00" in text and "Northwind Digital" in text

    # A month on, the sweep writes nothing to them; nor does any automated sender: the
    # survey of the parting case, the win-back begun when an earlier case was lost.
    clock.advance(timedelta(days=40))
    with transaction(sessions) as s:
        asked = surveys.send_due(
            s,
            actor=SYSTEM,
            now=clock.now(),
            playbook=PLAYBOOK,
            mailing=surveys.Mailing("http://127.0.0.1:8000", "k" * 32, 60, "Webworks"),
        )
        followed = winbacks.run_due(
            s,
            now=clock.now(),
            playbook=PLAYBOOK,
            sender=winbacks.Sender("Webworks", "http://127.0.0.1:8000", "k" * 32),
        )
        stopped = s.scalars(select(Winback.status).where(Winback.case_id == lost_case.id)).all()
        assert outbox_of(s, evidence.customer_id) == sent
    assert followed["sent"] == 0
    assert stopped == [WinbackStatus.STOPPED]
    assert asked == {"sent": 0, "skipped": 1}  # the parting case, to a parted customer
    with transaction(sessions) as s:
        assert sweeps.sweep(s, now=clock.now(), playbook=PLAYBOOK).cases_opened == []
        survey = messages.record_message(
            s,
            actor=OPERATOR,
            now=clock.now(),
            direction=Direction.OUTBOUND,
            channel=Channel.EMAIL,
            text="How did we do? Rate us from 1 to 5.",
            customer_id=evidence.customer_id,
            playbook=PLAYBOOK,
            automated=True,
        )
        queued = outbox.queue(
            s, message=survey, to_address="sam@blueharbour.example", now=clock.now()
        )
        assert queued.status is OutboxStatus.CANCELLED
    with transaction(sessions) as s:
        after = outbox_of(s, evidence.customer_id)
    assert [status for status, _ in after] == [OutboxStatus.PENDING, OutboxStatus.CANCELLED]


def test_a_promise_missed_after_parting_opens_a_case_but_drafts_no_apology(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    manager = Actor(cast.manager.id, cast.manager.role)
    with transaction(sessions) as s:
        evidence = customer_with_evidence(s, clock, cast, not_right=0, abusive=0)
        parting.part_ways(
            s,
            evidence.customer_id,
            actor=manager,
            now=clock.now(),
            playbook=PLAYBOOK,
            business="Webworks",
            reason="They asked us to stop",
        )
        # The last hand-over, promised after the decision, is then missed.
        commitments.create_commitment(
            s,
            actor=manager,
            now=clock.now(),
            customer_id=evidence.customer_id,
            title="Hand-over of the account files",
            kind=CommitmentKind.DELIVERABLE,
            currency="EUR",
            due_at=clock.now() + timedelta(days=7),
        )
    clock.advance(timedelta(days=40))
    with transaction(sessions) as s:
        opened = sweeps.sweep(s, now=clock.now(), playbook=PLAYBOOK).cases_opened
        drafts = s.scalars(
            select(Message).where(Message.case_id.in_(opened), Message.is_draft.is_(True))
        ).all()
        sent = outbox_of(s, evidence.customer_id)
    assert opened  # the team still sees its broken promise
    assert drafts == []
    assert len(sent) == 1  # the parting message alone


def test_a_good_customer_is_kept(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        evidence = customer_with_evidence(
            s, clock, cast, not_right=1, abusive=0, compensation=Decimal("50")
        )
        customers.update_customer(
            s, evidence.customer_id, actor=OPERATOR, now=clock.now(), changes={"late_payments": 0}
        )
        found = fit.customer_fit(s, evidence.customer_id, actor=OPERATOR, now=clock.now())
    assert found.as_dict() == {"recommendation": "keep", "reasons": []}
    assert found.evidence.not_right == 1 and found.evidence.compensation == Decimal("50.00")


@pytest.mark.parametrize("language", ["en", "th", "sk", "el"])
def test_the_parting_message_is_in_the_customers_language_and_passes_the_coach(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, language: str
) -> None:
    manager = Actor(cast.manager.id, cast.manager.role)
    with transaction(sessions) as s:
        evidence = customer_with_evidence(s, clock, cast, language=language)
        done = parting.part_ways(
            s,
            evidence.customer_id,
            actor=manager,
            now=clock.now(),
            playbook=PLAYBOOK,
            business="Webworks",
            reason="Not a fit",
            refund=parting.Refund(Decimal("80")),
            referral="Northwind Digital",
        )
        message = s.get(Message, done.message_id)
        assert message is not None
        text, written_in = message.text, message.language
    assert written_in == language
    checked = CliRunner().invoke(
        cli_app, ["coach", "check", "--lang", language, "--json"], input=text
    )
    assert checked.exit_code == 0, checked.output
    # Nothing at all: no blame nor excuse, and ownership, remedy and "from now on" present.
    assert json.loads(checked.stdout) == {"language": language, "findings": []}
    assert "Northwind Digital" in text and "80" in text
    assert THANKS[language] in text


def test_only_a_manager_or_the_owner_parts_ways(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        evidence = customer_with_evidence(s, clock, cast)
    with transaction(sessions) as s, pytest.raises(Forbidden):
        parting.part_ways(
            s,
            evidence.customer_id,
            actor=Actor(cast.agent.id, cast.agent.role),
            now=clock.now(),
            playbook=PLAYBOOK,
            business="Webworks",
            reason="I am tired of them",
        )


def test_the_api_shows_the_fit_and_lets_only_managers_part_ways(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        evidence = customer_with_evidence(s, clock, cast)
    url = f"/api/v1/customers/{evidence.customer_id}"
    shown = client.get(url, headers=cast.agent.headers)
    assert shown.status_code == 200, shown.text
    assert shown.json()["fit"]["recommendation"] == "part_ways"
    assert len(shown.json()["fit"]["reasons"]) == 3
    body = {"reason": "Abusive to the team", "refund": "120", "referral": "Northwind Digital"}
    refused = client.post(f"{url}/part-ways", json=body, headers=cast.agent.headers)
    assert refused.status_code == 403
    done = client.post(f"{url}/part-ways", json=body, headers=cast.owner.headers)
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "parted_ways"
    assert client.get(url, headers=cast.agent.headers).json()["status"] == "parted_ways"
    again = client.post(f"{url}/part-ways", json=body, headers=cast.owner.headers)
    assert again.status_code == 409


def test_the_customer_page_shows_the_fit_and_a_manager_parts_ways_there(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        evidence = customer_with_evidence(s, clock, cast, language="sk")
    page_url = f"/customers/{evidence.customer_id}"
    sign_in(client, cast.agent.email)
    as_agent = client.get(page_url)
    assert 'class="fit fit-part_ways"' in as_agent.text
    assert "5 of 5 complaints judged not right" in as_agent.text
    assert "/part-ways" not in as_agent.text  # an agent sees the advice, not the form
    client.post("/signout", data={"csrf_token": csrf_from(as_agent.text)})
    sign_in(client, cast.manager.email)
    page = client.get(page_url, headers={"Accept-Language": "sk"})
    assert "/part-ways" in page.text
    empty = client.post(
        f"{page_url}/part-ways",
        data={"csrf_token": csrf_from(page.text), "reason": " "},
    )
    assert empty.status_code == 422 and 'role="alert"' in empty.text
    done = client.post(
        f"{page_url}/part-ways",
        data={
            "csrf_token": csrf_from(page.text),
            "reason": "Urážky voči tímu",
            "refund": "120",
            "currency": "EUR",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    after = client.get(done.headers["location"])
    assert 'role="status"' in after.text and "/part-ways" not in after.text
    with transaction(sessions) as s:
        ((status, text),) = outbox_of(s, evidence.customer_id)
    assert status is OutboxStatus.PENDING and "ďakujeme" in text


def test_a_case_shows_the_abusive_words_on_the_message(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        customer_with_evidence(s, clock, cast, not_right=1, abusive=1)
        case_id = s.scalar(select(Message.case_id).where(Message.abuse.is_not(None)))
    sign_in(client, cast.agent.email)
    page = client.get(f"/cases/{case_id}")
    assert 'class="abuse"' in page.text and "<mark" in page.text and "idiots</mark>" in page.text


def test_the_command_line_shows_the_fit_and_parts_ways(env: None) -> None:
    from amends.console import open_workspace
    from amends.people import service as people
    from amends.people.rules import Role

    ws = open_workspace()
    with ws.transaction() as s:
        made = {
            role: people.actor_for(
                people.create_user(
                    s, email=f"{role.value}@example.com", name=role.value, role=role, now=START
                )
            )
            for role in (Role.AGENT, Role.MANAGER)
        }
        clock = FrozenClock(START)
        evidence = customer_with_evidence(s, clock, (made[Role.AGENT], made[Role.MANAGER]))
    customer = str(evidence.customer_id)
    code, out, err = run("customers", "show", customer, "--json")
    assert code == 0, err
    assert json.loads(out)["fit"]["recommendation"] == "part_ways"
    code, out, err = run("customers", "show", customer)
    assert code == 0 and "fit: part_ways" in out and "5 of 5 complaints" in out
    code, _, err = run(
        "customers", "part-ways", customer, "--reason", "Not a fit",
        "--as", "agent@example.com",
    )  # fmt: skip
    assert code == 1 and "manager" in err
    code, out, err = run(
        "customers", "part-ways", customer, "--reason", "Abusive to the team",
        "--refund", "120", "eur", "--as", "manager@example.com", "--json",
    )  # fmt: skip
    assert code == 0, err
    done = json.loads(out)
    assert done["status"] == "parted_ways" and done["compensation_id"] is not None
    code, out, err = run("customers", "show", customer, "--json")
    assert json.loads(out)["status"] == "parted_ways"

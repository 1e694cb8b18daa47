"""New cases go to an agent who speaks the customer's language, from every channel."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import routing
from amends.cases import service as cases
from amends.cases.models import Case
from amends.clock import FrozenClock
from amends.commitments import service as commitments
from amends.commitments.rules import CommitmentKind
from amends.customers import service as customers
from amends.db import transaction
from amends.intake import pages
from amends.people import service as people
from amends.people.rules import OPERATOR, Role
from tests.conftest import DEFAULT_PLAYBOOK, Cast
from tests.helpers import make_case, make_customer


@pytest.fixture
def speakers(sessions: sessionmaker[Session], clock: FrozenClock) -> dict[str, int]:
    """Two Thai-speaking agents and a Greek one, beside the cast (who speak English)."""
    made: dict[str, int] = {}
    with transaction(sessions) as s:
        for key, language in [("nok", "th"), ("ploy", "th"), ("eleni", "el")]:
            user = people.create_user(
                s,
                email=f"{key}@example.com",
                name=key.title(),
                role=Role.AGENT,
                now=clock.now(),
                language=language,
            )
            made[key] = user.id
    return made


@pytest.fixture(autouse=True)
def fresh_limiter() -> Iterator[None]:
    saved = pages.LIMITER
    pages.LIMITER = pages.RateLimiter(pages.RATE_LIMIT, pages.RATE_WINDOW)
    yield
    pages.LIMITER = saved


@pytest.mark.slow
def test_a_thai_web_complaint_goes_to_the_thai_speaking_agent(
    client: TestClient, cast: Cast, speakers: dict[str, int], sessions: sessionmaker[Session]
) -> None:
    page = client.get("/complaint", headers={"Accept-Language": "th"})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    response = client.post(
        "/complaint",
        data={
            "name": "สมชาย ใจดี",
            "email": "somchai@baan-suan.example",
            "subject": "ดอกไม้ไม่มาส่ง",
            "message": "สั่งดอกไม้ไว้สำหรับงานแต่งงานวันเสาร์ แต่ไม่มีใครมาส่งเลยค่ะ",
            "csrf_token": csrf.group(1),
        },
    )
    assert response.status_code == 200, response.text
    with transaction(sessions) as s:
        case = s.scalars(select(Case)).one()
        # Both Thai agents have no open case: the first of them takes it.
        assert case.owner_id == speakers["nok"]


def test_the_least_busy_speaker_wins_and_nobody_speaking_falls_back(
    client: TestClient, cast: Cast, speakers: dict[str, int], sessions: sessionmaker[Session]
) -> None:
    thai = make_customer(client, cast.manager, name="บ้านสวน", language="th", contacts=[])
    other_thai = make_customer(client, cast.manager, name="ร้านข้าว", language="th", contacts=[])
    slovak = make_customer(client, cast.manager, name="Pekáreň", language="sk", contacts=[])
    make_case(client, cast.manager, thai["id"], speakers["nok"])
    # Opened through the API without an owner: routed like any other channel.
    routed = client.post(
        "/api/v1/cases",
        json={"customer_id": other_thai["id"], "title": "ข้าวสารมาไม่ครบ"},
        headers=cast.manager.headers,
    )
    assert routed.status_code == 201, routed.text
    assert routed.json()["owner"]["id"] == speakers["ploy"]  # Nok already has one
    nobody = client.post(
        "/api/v1/cases",
        json={"customer_id": slovak["id"], "title": "Reporty neprišli"},
        headers=cast.manager.headers,
    )
    assert nobody.json()["owner"]["id"] == cast.owner.id  # no Slovak agent: the owner
    with transaction(sessions) as s:
        # The account person who speaks the language keeps the customer.
        assert cases.default_owner(s, thai["id"]) == speakers["nok"]


def test_a_batch_spreads_cases_as_one_by_one_would(
    cast: Cast, speakers: dict[str, int], sessions: sessionmaker[Session], client: TestClient
) -> None:
    first = make_customer(client, cast.manager, name="หนึ่ง", language="th", contacts=[])
    second = make_customer(client, cast.manager, name="สอง", language="th", contacts=[])
    with transaction(sessions) as s:
        routing = cases.load_routing(s)
        chosen = [
            cases.default_owner(s, customer, routing=routing)
            for customer in (first["id"], second["id"])
        ]
    assert chosen == [speakers["nok"], speakers["ploy"]]


def test_a_batch_keeps_a_customers_second_new_case_with_the_owner_of_its_first(
    cast: Cast, speakers: dict[str, int], sessions: sessionmaker[Session], client: TestClient
) -> None:
    """One by one, the first case is stored before the second is routed, and its owner
    is the account person; a batch routes both before inserting either, so its routing
    remembers whom it gave the first."""
    thai = make_customer(client, cast.manager, name="บ้านสวน", language="th", contacts=[])
    with transaction(sessions) as s:
        routing = cases.load_routing(s)
        chosen = [cases.default_owner(s, thai["id"], routing=routing) for _ in range(2)]
    # Nok is busier after the first, but knows the account and speaks Thai.
    assert chosen == [speakers["nok"], speakers["nok"]]


def test_open_cases_are_counted_exactly_or_only_up_to_a_cap(
    cast: Cast, speakers: dict[str, int], sessions: sessionmaker[Session], client: TestClient
) -> None:
    customer = make_customer(client, cast.manager, name="บ้านสวน", language="th", contacts=[])
    made = [make_case(client, cast.manager, customer["id"], speakers["nok"]) for _ in range(4)]
    handed = client.post(
        f"/api/v1/cases/{made[0]['id']}/handoff",
        json={"to_user_id": speakers["ploy"], "reason": "Nok is on leave this week."},
        headers=cast.manager.headers,
    )
    assert handed.status_code == 200, handed.text
    ids = [speakers["nok"], speakers["ploy"], speakers["eleni"]]
    with transaction(sessions) as s:
        # Exact: only those who own an open case are named.
        assert routing.open_cases(s, ids) == {speakers["nok"]: 3, speakers["ploy"]: 1}
        capped = {u.id: u.open for u in routing.active_with_load(s, up_to=2) if u.id in ids}
        assert capped == {speakers["nok"]: 2, speakers["ploy"]: 1, speakers["eleni"]: 0}


def test_routing_reads_a_batch_of_customers_as_it_reads_each_one(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    """What a mail batch reads about all its customers at once (learn_customers) is what
    routing asks about each alone: the language, the last case's owner (not the first),
    the last promise's owner among those that have one; nothing for a customer with
    neither, or one that does not exist."""
    now = clock.now()
    with transaction(sessions) as s:
        made = [
            customers.create_customer(
                s, actor=OPERATOR, now=now, name=name, language=language,
                timezone="UTC", currency="EUR",
            ).id
            for name, language in (("Pekáreň", "sk"), ("บ้านสวน", "th"), ("Φούρνος", "el"))
        ]  # fmt: skip
        bakery, garden, _ = made
        for owner in (cast.agent.id, cast.manager.id):
            spec = cases.NewCase(bakery, owner, "Chlieb neprišiel")
            cases.open_cases(s, actor=OPERATOR, now=now, specs=[spec], playbook=DEFAULT_PLAYBOOK)
        for owner in (cast.manager.id, cast.agent.id, None):
            commitments.create_commitment(
                s, actor=OPERATOR, now=now, customer_id=garden, title="ส่งดอกไม้",
                kind=CommitmentKind.DELIVERABLE, currency="THB",
                due_at=now + timedelta(days=3), owner_id=owner,
            )  # fmt: skip
    with transaction(sessions) as s:
        learned = cases.load_routing(s)
        routing.learn_customers(s, learned, [*made, 999_999])
        assert set(learned.customers) == {*made, 999_999}
        for customer_id in [*made, 999_999]:
            alone = cases.load_routing(s)
            routing.learn_customers(s, alone, [customer_id])
            assert learned.customers[customer_id] == alone.customers[customer_id]
        assert learned.customers[bakery].last_case_owner == cast.manager.id
        assert learned.customers[garden].promise_owner == cast.agent.id
        assert learned.customers[999_999] == routing.Known(None, None, None)

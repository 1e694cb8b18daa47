"""The patterns page: themes for workspace readers, escaped texts, employees see their own."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import service as cases
from amends.clock import FrozenClock
from amends.db import transaction
from amends.people.rules import OPERATOR
from tests.conftest import Cast
from tests.helpers import make_case, make_customer
from tests.patterns.helpers import COURIER
from tests.web.test_pages import HOSTILE, sign_in


def test_patterns_page(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    made = []
    for i, shop in enumerate(COURIER):
        customer = make_customer(client, cast.agent, name=shop.name, contacts=[])
        title = f"{HOSTILE} {shop.complaint}" if i == 4 else shop.complaint
        made.append(
            make_case(
                client, cast.agent, customer["id"], cast.agent.id, title=title, category="quality"
            )
        )
    created = client.post(
        "/api/v1/actions",
        headers=cast.agent.headers,
        json={
            "root_cause": "nobody checked <b>who</b> signs for parcels",
            "change_kind": "quality_check",
            "description": "parcels are handed over in person",
            "owner_email": cast.manager.email,
            "due_on": "2026-06-01",
            "pattern_ids": [1],
        },
    )
    assert created.status_code == 201
    with transaction(sessions) as s:
        case = cases.get_case(s, made[0]["id"], actor=OPERATOR)
        cases.add_participant(
            s, case=case, user_id=cast.employee.id, reason="named", actor=OPERATOR, now=clock.now()
        )

    sign_in(client, cast.agent.email)
    page = client.get("/patterns")
    assert page.status_code == 200
    assert "Themes" in page.text and "P-1" in page.text and "A-1" in page.text
    assert "<script>alert" not in page.text
    # The list names patterns by their category; a case's own words are on the pattern's page.
    detail = client.get("/patterns/1")
    assert "<script>alert" not in detail.text and "&lt;script&gt;" in detail.text
    assert "&lt;b&gt;who&lt;/b&gt;" in page.text
    assert f'href="/cases/{made[4]["id"]}"' in page.text

    client.post("/signout", data={"csrf_token": "x"})
    client.cookies.clear()
    sign_in(client, cast.employee.email)
    mine = client.get("/patterns")
    assert mine.status_code == 200
    assert 'class="themes"' not in mine.text  # totals over every case are not an employee's to see
    assert f'href="/cases/{made[0]["id"]}"' in mine.text
    assert f'href="/cases/{made[1]["id"]}"' not in mine.text

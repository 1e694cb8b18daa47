"""The commitments board: due in the next seven days, and missed and not yet in a case,
grouped by owner; managers see every owner, an agent their own promises."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.db import transaction
from amends.recovery import sweep
from tests.conftest import DEFAULT_PLAYBOOK, Cast
from tests.helpers import make_customer
from tests.web.test_pages import sign_in


def promise(client: TestClient, cast: Cast, customer_id: int, **body: object) -> int:
    made = client.post(
        "/api/v1/commitments",
        json={"customer_id": customer_id, "kind": "deliverable", "currency": "EUR", **body},
        headers=cast.manager.headers,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def lanes(html: str) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = {}
    for owner, body in re.findall(
        r'<section class="lane" data-owner="(\d*)">(.*?)</section>', html, re.S
    ):
        found[owner] = {
            part: [unescape(t) for t in re.findall(r"· ([^·<]+) ·", chunk)]
            for part, chunk in re.findall(r'<ul class="(missed|due)">(.*?)</ul>', body, re.S)
        }
    return found


def test_the_board_shows_due_soon_and_unswept_misses_by_owner_and_agents_see_their_own(
    client: TestClient, cast: Cast, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    customer = make_customer(client, cast.agent)["id"]
    promise(
        client,
        cast,
        customer,
        title="Monthly report",
        kind="recurring_service",
        due_at="2026-05-05T09:00:00Z",
        rrule="FREQ=MONTHLY;BYMONTHDAY=5",
        owner_id=cast.agent.id,
    )
    promise(
        client,
        cast,
        customer,
        title="Swept miss",
        due_at="2026-04-20T09:00:00Z",
        owner_id=cast.agent.id,
    )
    with transaction(sessions) as s:  # the sweep opens a case for it: off the board
        assert sweep.sweep(s, now=clock.now(), playbook=DEFAULT_PLAYBOOK).breaches_opened == 1
    promise(
        client,
        cast,
        customer,
        title="Quote sent",
        due_at="2026-05-01T09:00:00Z",
        owner_id=cast.manager.id,
    )
    promise(
        client,
        cast,
        customer,
        title="Far away",
        due_at="2026-05-20T09:00:00Z",
        owner_id=cast.manager.id,
    )
    promise(client, cast, customer, title="Nobody's callback", due_at="2026-05-06T09:00:00Z")

    sign_in(client, cast.manager.email)
    page = client.get("/commitments")
    assert page.status_code == 200
    assert lanes(page.text) == {
        str(cast.manager.id): {"missed": ["Quote sent"]},
        str(cast.agent.id): {"due": ["Monthly report"]},
        "": {"due": ["Nobody's callback"]},
    }
    api = client.get("/api/v1/commitments/board", headers=cast.manager.headers).json()
    assert [
        (lane["owner_id"], [i["title"] for i in lane["due"]], [i["title"] for i in lane["missed"]])
        for lane in api
    ] == [
        (cast.manager.id, [], ["Quote sent"]),  # lanes in owner order: the cast's order
        (cast.agent.id, ["Monthly report"], []),
        (None, ["Nobody's callback"], []),
    ]
    client.cookies.clear()
    sign_in(client, cast.agent.email)
    assert lanes(client.get("/commitments").text) == {
        str(cast.agent.id): {"due": ["Monthly report"]}
    }
    assert '<a href="/commitments">' in client.get("/cases").text

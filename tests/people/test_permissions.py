"""Who may see and change what, read as sentences about the cast."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import service as cases
from amends.clock import FrozenClock
from amends.db import transaction
from amends.people.rules import OPERATOR
from tests.conftest import Cast
from tests.helpers import make_case, make_customer


def test_viewer_reads_but_cannot_write(client: TestClient, cast: Cast) -> None:
    assert client.get("/api/v1/customers", headers=cast.viewer.headers).status_code == 200
    response = client.post("/api/v1/customers", headers=cast.viewer.headers, json={"name": "Nope"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_employee_sees_only_cases_that_name_them(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    customer = make_customer(client, cast.agent)
    naming = make_case(
        client, cast.agent, customer["id"], cast.agent.id, title="Kuriér Somchai bol hrubý"
    )
    other = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Faktúra")
    with transaction(sessions) as s:
        case = cases.get_case(s, naming["id"], actor=OPERATOR)
        cases.add_participant(
            s, case=case, user_id=cast.employee.id, reason="named", actor=OPERATOR, now=clock.now()
        )

    listed = client.get("/api/v1/cases", headers=cast.employee.headers).json()
    assert [c["id"] for c in listed["items"]] == [naming["id"]]
    assert (
        client.get(f"/api/v1/cases/{naming['id']}", headers=cast.employee.headers).status_code
        == 200
    )
    hidden = client.get(f"/api/v1/cases/{other['id']}", headers=cast.employee.headers)
    assert hidden.status_code == 404  # same answer as a missing case: nothing leaks
    assert (
        client.get(
            f"/api/v1/cases/{other['id']}/timeline", headers=cast.employee.headers
        ).status_code
        == 404
    )
    assert client.get("/api/v1/customers", headers=cast.employee.headers).status_code == 403
    assert (
        client.get(
            f"/api/v1/messages?case_id={other['id']}", headers=cast.employee.headers
        ).status_code
        == 404
    )


def test_outsider_without_token_sees_nothing(client: TestClient, cast: Cast) -> None:
    customer = make_customer(client, cast.agent)
    for path in (
        "/api/v1/customers",
        f"/api/v1/customers/{customer['id']}",
        "/api/v1/cases",
        "/api/v1/commitments",
        "/api/v1/messages",
    ):
        assert client.get(path).status_code == 401, path

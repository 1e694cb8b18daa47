"""Server-rendered pages: sign-in with CSRF, role-limited views, escaped customer text."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.db import transaction
from amends.messages import service as messages
from amends.messages.rules import Channel, Direction
from amends.people.rules import OPERATOR
from tests.conftest import DEFAULT_PLAYBOOK, PASSWORD, Cast
from tests.helpers import make_case, make_customer

HOSTILE = '<script>alert("x")</script> C:\\Users\\novak\\faktura.pdf & "quotes"'


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form has no CSRF token"
    return match.group(1)


def try_sign_in(
    client: TestClient, email: str, password: str, *, next_url: str = "", **headers: str
) -> Response:
    """The sign-in form filled in and posted with its CSRF token; the answer, unfollowed."""
    form = client.get("/signin")
    data = {"email": email, "password": password, "csrf_token": csrf_from(form.text)}
    if next_url:
        data["next"] = next_url
    return client.post("/signin", data=data, headers=headers, follow_redirects=False)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    response = try_sign_in(client, email, password, next_url="/cases")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/cases"


def test_pages_redirect_to_sign_in(client: TestClient) -> None:
    response = client.get("/cases/1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=%2Fcases%2F1"


def test_sign_in_needs_the_csrf_token(client: TestClient, cast: Cast) -> None:
    client.get("/signin")
    response = client.post(
        "/signin",
        data={"email": cast.agent.email, "password": PASSWORD, "csrf_token": "x"},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "form has expired" in response.text


def test_wrong_password_is_refused_without_saying_which_part(
    client: TestClient, cast: Cast
) -> None:
    response = try_sign_in(client, cast.agent.email, "wrong password!")
    assert response.status_code == 401
    assert "email or password is not right" in response.text


def test_sign_in_rejects_open_redirects(client: TestClient, cast: Cast) -> None:
    response = try_sign_in(client, cast.agent.email, PASSWORD, next_url="//evil.example/x")
    assert response.headers["location"] == "/"


def test_case_page_escapes_customer_text(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    customer = make_customer(client, cast.agent, name=HOSTILE)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id, title=HOSTILE)
    with transaction(sessions) as s:
        messages.record_message(
            s,
            actor=OPERATOR,
            now=clock.now(),
            direction=Direction.INBOUND,
            channel=Channel.EMAIL,
            text=HOSTILE + "\nΣτείλαμε email χθες.",
            case_id=case["id"],
            playbook=DEFAULT_PLAYBOOK,
        )
    sign_in(client, cast.agent.email)
    for path in (f"/cases/{case['id']}", "/cases", f"/customers/{customer['id']}"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text, path
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text, path
    detail = client.get(f"/cases/{case['id']}").text
    assert "C:\\Users\\novak\\faktura.pdf" in detail
    assert "Στείλαμε email χθες." in detail
    assert client.get("/cases").headers["content-security-policy"].startswith("default-src")


def test_employee_page_access_follows_the_api_rules(client: TestClient, cast: Cast) -> None:
    customer = make_customer(client, cast.agent)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id)
    sign_in(client, cast.employee.email)
    assert client.get(f"/cases/{case['id']}").status_code == 404
    assert client.get(f"/customers/{customer['id']}").status_code == 403
    assert f"C-{case['id']}" not in client.get("/cases").text


def test_sign_out_needs_csrf_and_ends_the_session(client: TestClient, cast: Cast) -> None:
    sign_in(client, cast.manager.email)
    page = client.get("/cases")
    assert client.post("/signout", data={"csrf_token": "forged"}).status_code == 400
    response = client.post(
        "/signout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/cases", follow_redirects=False).status_code == 303


def test_thai_interface_follows_accept_language(client: TestClient) -> None:
    page = client.get("/signin", headers={"Accept-Language": "th-TH,th;q=0.9,en;q=0.5"})
    assert '<html lang="th">' in page.text

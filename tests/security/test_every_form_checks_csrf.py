"""Every form the pages post to refuses a request without the page's CSRF token, before
it changes anything: a site the user also visits cannot act in their name."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.helpers import make_case, make_customer
from tests.web.test_pages import sign_in

# Forms whose token is not the signed-in session's: signing in (the visitor's cookie
# token, tested in tests/web) and the public complaint form (tested in tests/intake).
PUBLIC = {"/signin", "/complaint"}


def _posts(routes: Sequence[object], prefix: str = "") -> Iterator[str]:
    for route in routes:
        included = getattr(route, "original_router", None)  # an included router, as is
        if included is not None:
            inner = prefix + getattr(route, "include_context").prefix  # noqa: B009
            yield from _posts(included.routes, inner)
        elif isinstance(route, APIRoute) and "POST" in route.methods:
            yield prefix + route.path


def _form_routes(client: TestClient) -> list[str]:
    paths = _posts(client.app.routes)  # type: ignore[attr-defined]
    return sorted({p for p in paths if not p.startswith("/api/") and p not in PUBLIC})


def test_every_page_form_refuses_a_post_without_its_csrf_token(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.agent)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id)
    routes = _form_routes(client)
    # The check must cover the forms people use every day, or it checks nothing.
    assert {"/cases/{case_id}/steps", "/cases/{case_id}/replies", "/signout"} <= set(routes)
    sign_in(client, cast.owner.email)
    before = client.get(f"/api/v1/cases/{case['id']}/timeline", headers=cast.owner.headers)
    accepted = []
    for path in routes:
        # Every id names the one case (or 1): the refusal must come before any lookup
        # would matter, and nothing may change whatever the id.
        url = re.sub(r"\{[a-z_]+\}", str(case["id"]), path)
        response = client.post(url, data={"csrf_token": "", "text": "x", "reason": "x"})
        if response.status_code < 400:
            accepted.append((path, response.status_code))
    assert accepted == [], accepted
    assert len(routes) >= 15, routes
    after = client.get(f"/api/v1/cases/{case['id']}/timeline", headers=cast.owner.headers)
    assert after.json() == before.json()
    # Still signed in: even sign-out wants the token.
    assert client.get("/cases").status_code == 200

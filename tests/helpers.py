from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.config import Settings
from amends.db import transaction
from tests.conftest import DEFAULT_PLAYBOOK, Person


def make_customer(client: TestClient, who: Person, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Pekáreň U Nováka s.r.o.",
        "language": "sk",
        "timezone": "Europe/Bratislava",
        "currency": "EUR",
        "recurring_value": "200.00",
        "contacts": [{"name": "Ján Novák", "email": "jan@pekaren-novak.example"}],
    }
    body.update(overrides)
    response = client.post("/api/v1/customers", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def make_case(
    client: TestClient, who: Person, customer_id: int, owner_id: int, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer_id": customer_id,
        "owner_id": owner_id,
        "title": "Marketingové reporty nikdy neprišli",
        "severity": "high",
        "category": "missed_commitment",
        "origin": "complaint",
    }
    body.update(overrides)
    response = client.post("/api/v1/cases", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def route_table(routes: Sequence[object], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every (method, path) the application answers, its included routers unfolded: the
    security suites enumerate routes from here so that a new one is covered at once."""
    for route in routes:
        included = getattr(route, "original_router", None)  # an included router, as is
        if included is not None:
            inner = prefix + getattr(route, "include_context").prefix  # noqa: B009
            yield from route_table(included.routes, inner)
        elif isinstance(route, APIRoute):
            for method in route.methods:
                yield method, prefix + route.path


def load_demo(sessions: sessionmaker[Session], settings: Settings, now: datetime) -> None:
    """The demo workspace in the test database, loaded as `amends demo` loads it."""
    from amends.demo import load as demo_load

    with transaction(sessions) as s:
        demo_load.load(
            s, settings=settings, now=now, password="demo password 1", playbook=DEFAULT_PLAYBOOK
        )

"""Where every win-back starts: a customer of the agent's whose case was worked and
closed as lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Cast, Person
from tests.helpers import make_case, make_customer

# Makes a customer (``make_customer``'s fields) and loses them: the customer, the case.
LostCustomer = Callable[..., tuple[dict[str, Any], int]]


def lose(client: TestClient, who: Person, customer_id: int) -> int:
    """A case of ``customer_id`` owned by ``who``, worked and closed as lost."""
    case = make_case(client, who, customer_id, who.id, severity="low", category="communication")
    for body in (
        {
            "steps": ["own", "remedy", "compensate"],
            "call_note": "Zavolal som a ospravedlnil sa.",
            # A second loss of the same customer is a repeat, and a repeat needs compensating.
            "compensation": {"kind": "none", "rationale": "the customer asked for nothing"},
        },
        {"steps": ["close"], "outcome": "lost"},
    ):
        response = client.post(f"/api/v1/cases/{case['id']}/steps", json=body, headers=who.headers)
        assert response.status_code == 200, response.text
    return int(case["id"])


@pytest.fixture
def lost_customer(client: TestClient, cast: Cast) -> LostCustomer:
    def make(**fields: Any) -> tuple[dict[str, Any], int]:
        customer = make_customer(client, cast.agent, **fields)
        return customer, lose(client, cast.agent, customer["id"])

    return make

"""A case named by id or ref in a JSON body is a number or a string, never true: read as
the number 1 it merged another case into case 1."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.helpers import make_case, make_customer


def test_a_merge_or_bulk_merge_into_true_is_refused_and_moves_nothing(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.agent)
    first = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Prvý")
    second = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Druhý")
    assert first["id"] == 1
    merge = client.post(
        f"/api/v1/cases/{second['id']}/merge", json={"into": True}, headers=cast.manager.headers
    )
    assert merge.status_code == 422, merge.text
    bulk = client.post(
        "/api/v1/cases/bulk",
        json={"action": "merge", "into": True, "case_ids": [second["id"]], "reason": "duplicate"},
        headers=cast.manager.headers,
    )
    assert bulk.status_code == 422, bulk.text
    after = client.get(f"/api/v1/cases/{second['id']}", headers=cast.manager.headers).json()
    assert after["state"] != "closed"
    # A number and a ref are still what they were.
    by_ref = client.post(
        f"/api/v1/cases/{second['id']}/merge",
        json={"into": f"C-{first['id']}"},
        headers=cast.manager.headers,
    )
    assert by_ref.status_code in (200, 201), by_ref.text


def test_a_case_named_with_digits_that_are_not_ascii_is_refused_not_a_server_error(
    client: TestClient, cast: Cast
) -> None:
    # "³" and "①" pass str.isdigit() and then fail int(); "١٢" would be read as 12.
    customer = make_customer(client, cast.agent)
    first = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Prvý")
    for into in ("³", "C-³", "①", "١"):
        merge = client.post(
            f"/api/v1/cases/{first['id']}/merge", json={"into": into}, headers=cast.manager.headers
        )
        assert merge.status_code == 422, (into, merge.text)
        assert merge.json()["code"] == "case-ref-invalid"

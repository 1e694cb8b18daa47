"""Deliveries reported by other systems through the HMAC-signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from amends.app import create_app
from amends.clock import FrozenClock
from amends.config import Settings
from tests.conftest import Cast
from tests.helpers import make_customer

SECRET = "webhook-test-secret-4f9c"


@pytest.fixture
def hooked(settings: Settings, clock: FrozenClock, engine: Engine) -> Iterator[TestClient]:
    app = create_app(
        settings.model_copy(update={"webhook_secret": SecretStr(SECRET)}),
        clock=clock,
        engine=engine,
    )
    with TestClient(app) as client:
        yield client


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Amends-Signature": f"sha256={digest}", "Content-Type": "application/json"}


def test_signed_delivery_is_recorded_and_forgeries_are_refused(
    hooked: TestClient, cast: Cast
) -> None:
    customer = make_customer(hooked, cast.agent)
    created = hooked.post(
        "/api/v1/commitments",
        headers=cast.agent.headers,
        json={
            "customer_id": customer["id"],
            "title": "Týždenné upratovanie",
            "kind": "deliverable",
            "currency": "EUR",
            "due_at": "2026-05-06T09:00:00+02:00",
            "external_id": "clean-77",
        },
    )
    assert created.status_code == 201, created.text
    body = json.dumps(
        {
            "delivery_id": "courier-1",
            "sent_at": "2026-05-04T09:00:00Z",
            "commitment_external_id": "clean-77",
            "delivered_at": "2026-05-04T08:30:00+02:00",
            "note": "Upratané, fotky v systéme",
        }
    ).encode()
    ok = hooked.post("/api/v1/webhooks/deliveries", content=body, headers=signed(body))
    assert ok.status_code == 201, ok.text
    assert ok.json()["note"] == "Upratané, fotky v systéme"

    forged = hooked.post(
        "/api/v1/webhooks/deliveries", content=body, headers=signed(body, "not-the-secret")
    )
    assert forged.status_code == 401
    assert forged.json()["code"] == "signature-invalid"
    tampered = body.replace(b"08:30", b"07:30")
    assert (
        hooked.post(
            "/api/v1/webhooks/deliveries", content=tampered, headers=signed(body)
        ).status_code
        == 401
    )
    unknown = json.dumps(
        {
            "delivery_id": "courier-2",
            "sent_at": "2026-05-04T09:00:00Z",
            "commitment_external_id": "nope",
            "delivered_at": "2026-05-04T08:30:00+02:00",
        }
    ).encode()
    missing = hooked.post("/api/v1/webhooks/deliveries", content=unknown, headers=signed(unknown))
    assert missing.status_code == 404
    listed = hooked.get(
        f"/api/v1/deliveries?commitment_id={created.json()['id']}", headers=cast.viewer.headers
    ).json()
    assert len(listed["items"]) == 1


def test_webhook_is_off_without_a_secret(client: TestClient) -> None:
    body = b"{}"
    response = client.post("/api/v1/webhooks/deliveries", content=body, headers=signed(body))
    assert response.status_code == 404
    assert response.json()["code"] == "webhook-disabled"

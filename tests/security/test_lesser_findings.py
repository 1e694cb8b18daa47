"""Lesser findings: server errors on odd input, a replayable webhook with absurd dates,
and cases dated in the future. Each must now be a clean 4xx (or the right answer)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from amends.app import create_app
from amends.clock import FrozenClock
from amends.commitments.models import WebhookReceipt
from amends.config import Settings
from amends.db import transaction
from tests.conftest import START, Cast
from tests.helpers import make_customer

SECRET = "lesser-findings-webhook-secret"


@pytest.fixture
def hooked(settings: Settings, clock: FrozenClock, engine: Engine) -> Iterator[TestClient]:
    app = create_app(
        settings.model_copy(update={"webhook_secret": SecretStr(SECRET)}),
        clock=clock,
        engine=engine,
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def signed(body: bytes) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Amends-Signature": f"sha256={digest}", "Content-Type": "application/json"}


def test_a_non_ascii_csrf_token_is_a_refusal_not_a_server_error(hooked: TestClient) -> None:
    hooked.get("/complaint")
    answer = hooked.post(
        "/complaint",
        data={"email": "jana@example.sk", "message": "Nič neprišlo.", "csrf_token": "žltý-ключ"},
    )
    assert answer.status_code == 400
    upload = hooked.post(
        "/complaint?csrf_token=%C5%BElt%C3%BD",
        files=[("files", ("a.txt", b"x", "text/plain"))],
    )
    assert upload.status_code == 400


def test_a_non_ascii_signature_header_is_a_401_not_a_server_error(hooked: TestClient) -> None:
    body = b"{}"
    answer = hooked.post(
        "/api/v1/webhooks/deliveries",
        content=body,
        headers={"X-Amends-Signature": "sha256=žž".encode(), "Content-Type": b"application/json"},
    )
    assert answer.status_code == 401
    assert answer.json()["code"] == "signature-invalid"


def test_a_nul_in_a_search_is_a_422_on_every_database(hooked: TestClient, cast: Cast) -> None:
    make_customer(hooked, cast.agent)
    for path in ("/api/v1/customers?q=%00", "/api/v1/cases?q=%00"):
        answer = hooked.get(path, headers=cast.agent.headers)
        assert answer.status_code == 422, (path, answer.text)
    page = hooked.get("/cases?q=%00", headers=cast.agent.headers)
    assert page.status_code < 500


def promise(client: TestClient, cast: Cast) -> None:
    customer = make_customer(client, cast.agent)
    created = client.post(
        "/api/v1/commitments",
        headers=cast.agent.headers,
        json={
            "customer_id": customer["id"],
            "title": "Doručenie do 48 hodín",
            "kind": "deliverable",
            "currency": "EUR",
            "due_at": "2026-05-06T09:00:00+02:00",
            "external_id": "parcel-9",
        },
    )
    assert created.status_code == 201, created.text


def delivery(delivery_id: str, *, sent_at: str, delivered_at: str) -> bytes:
    return json.dumps(
        {
            "delivery_id": delivery_id,
            "sent_at": sent_at,
            "commitment_external_id": "parcel-9",
            "delivered_at": delivered_at,
        }
    ).encode()


def receipts(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as s:
        return int(s.scalar(select(func.count()).select_from(WebhookReceipt)) or 0)


def test_a_replayed_webhook_delivery_is_refused(
    hooked: TestClient, cast: Cast, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    promise(hooked, cast)
    body = delivery("d-1", sent_at="2026-05-04T09:00:00Z", delivered_at="2026-05-04T08:00:00Z")
    assert (
        hooked.post("/api/v1/webhooks/deliveries", content=body, headers=signed(body)).status_code
        == 201
    )
    again = hooked.post("/api/v1/webhooks/deliveries", content=body, headers=signed(body))
    assert again.status_code == 409
    assert again.json()["code"] == "webhook-replayed"
    # Later, the same body is stale, and the seen id has been pruned.
    clock.advance(timedelta(minutes=6))
    late = hooked.post("/api/v1/webhooks/deliveries", content=body, headers=signed(body))
    assert late.status_code == 422
    assert late.json()["code"] == "webhook-stale"
    fresh = delivery("d-2", sent_at="2026-05-04T09:06:00Z", delivered_at="2026-05-04T08:10:00Z")
    assert (
        hooked.post("/api/v1/webhooks/deliveries", content=fresh, headers=signed(fresh)).status_code
        == 201
    )
    assert receipts(sessions) == 1


def test_a_webhook_delivery_signed_far_from_now_is_refused(hooked: TestClient, cast: Cast) -> None:
    promise(hooked, cast)
    for sent_at in ("2026-05-04T08:54:00Z", "2026-05-04T09:06:00Z"):
        body = delivery(f"d-{sent_at}", sent_at=sent_at, delivered_at="2026-05-04T08:00:00Z")
        answer = hooked.post("/api/v1/webhooks/deliveries", content=body, headers=signed(body))
        assert answer.status_code == 422
        assert answer.json()["code"] == "webhook-stale"


@pytest.mark.parametrize("delivered_at", ["1900-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_a_webhook_delivery_dated_in_1900_or_9999_is_a_clear_422(
    hooked: TestClient, cast: Cast, delivered_at: str
) -> None:
    promise(hooked, cast)
    body = delivery("d-odd", sent_at="2026-05-04T09:00:00Z", delivered_at=delivered_at)
    answer = hooked.post("/api/v1/webhooks/deliveries", content=body, headers=signed(body))
    assert answer.status_code == 422
    assert answer.json()["code"] == "delivered-at-out-of-range"


def test_a_case_dated_in_the_future_is_refused(hooked: TestClient, cast: Cast) -> None:
    customer = make_customer(hooked, cast.agent)
    ahead = (START + timedelta(hours=3)).isoformat()
    opened = hooked.post(
        "/api/v1/cases",
        headers=cast.agent.headers,
        json={"customer_id": customer["id"], "title": "Budúci prípad", "opened_at": ahead},
    )
    assert opened.status_code == 422
    assert opened.json()["code"] == "time-in-future"
    complaint = hooked.post(
        "/api/v1/complaints",
        headers=cast.agent.headers,
        json={"customer_id": customer["id"], "text": "Zajtra sa to pokazí.", "received_at": ahead},
    )
    assert complaint.status_code == 422
    assert complaint.json()["code"] == "time-in-future"
    # A minute ahead is only another machine's clock, and is taken.
    skewed = (START + timedelta(minutes=1)).isoformat()
    ok = hooked.post(
        "/api/v1/cases",
        headers=cast.agent.headers,
        json={"customer_id": customer["id"], "title": "Hodiny idú napred", "opened_at": skewed},
    )
    assert ok.status_code == 201, ok.text

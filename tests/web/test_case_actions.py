"""The case page's forms without JavaScript: each posts under /cases/{id}/, carries the
CSRF token, redirects back with a result, and a refusal comes back as the page with its
reason in the user's language (never JSON)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.db import transaction
from amends.messages.models import OutboxItem
from tests.conftest import Cast
from tests.helpers import make_case, make_customer
from tests.web.test_pages import csrf_from, sign_in


def test_an_agent_works_a_case_through_the_forms_and_a_manager_decides(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.owner)
    case = make_case(
        client, cast.owner, customer["id"], cast.agent.id, severity="medium", category="billing"
    )
    base = f"/cases/{case['id']}"
    sign_in(client, cast.agent.email)
    page = client.get(base)
    token = csrf_from(page.text)
    assert f'action="{base}/steps"' in page.text and "<textarea" in page.text

    # Without the token nothing happens.
    refused = client.post(base + "/steps", data={"step": "acknowledge", "csrf_token": "x"})
    assert refused.status_code == 400 and "acknowledged" not in refused.text.split("Timeline")[-1]

    # Acknowledging is said to the customer: without a call note the page says why.
    said = client.post(base + "/steps", data={"step": "acknowledge", "csrf_token": token})
    assert said.status_code == 422
    assert "text/html" in said.headers["content-type"]
    assert 'data-code="message-required"' in said.text
    done = client.post(
        base + "/steps",
        data={"step": "acknowledge", "call_note": "Called Ján, said sorry.", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].startswith(base + "?done=")

    # The coach stops a reply that blames the courier; the page shows the words.
    blame = "Prepáčte, ale kuriér meškal."
    stopped = client.post(base + "/replies", data={"text": blame, "csrf_token": token})
    assert stopped.status_code == 409
    assert 'data-code="coach-findings"' in stopped.text
    assert re.search(
        r'<mark class="finding finding-blame-third-party"[^>]*>kuriér meškal</mark>', stopped.text
    )
    assert blame in stopped.text  # the text is kept in the reply box
    live = client.post(base + "/coach", data={"text": blame, "csrf_token": token})
    assert 'data-code="blame-third-party"' in live.text and "<html" not in live.text

    sent = client.post(
        base + "/replies",
        data={
            "text": "Ospravedlňujem sa, je to naša chyba a ešte dnes to napravíme.",
            "steps": ["own", "remedy"],
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("done=sent#messages")

    granted = client.post(
        base + "/compensation",
        data={"kind": "credit", "amount": "40", "rationale": "for the wait", "csrf_token": token},
        follow_redirects=False,
    )
    assert "done=granted" in granted.headers["location"]
    asked = client.post(
        base + "/compensation",
        data={
            "kind": "refund",
            "amount": "400",
            "rationale": "the whole order",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert "done=requested" in asked.headers["location"]
    closing = client.post(base + "/close", data={"outcome": "retained", "csrf_token": token})
    assert closing.status_code == 409 and 'data-code="compensation-pending"' in closing.text

    # The agent cannot decide; the manager can, on the case page.
    page = client.get(base)
    assert 'value="approve"' not in page.text
    client.cookies.clear()
    sign_in(client, cast.manager.email)
    page = client.get(base)
    comp_id = re.search(rf'action="{base}/compensation/(\d+)/decision"', page.text)
    assert comp_id is not None
    approved = client.post(
        f"{base}/compensation/{comp_id.group(1)}/decision",
        data={"decision": "approve", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert "done=approved" in approved.headers["location"]

    client.cookies.clear()
    sign_in(client, cast.agent.email)
    token = csrf_from(client.get(base).text)
    no_reason = client.post(
        base + "/handoff", data={"to_user_id": cast.manager.id, "reason": "", "csrf_token": token}
    )
    assert no_reason.status_code == 422 and 'data-code="handoff-reason-missing"' in no_reason.text
    handed = client.post(
        base + "/handoff",
        data={
            "to_user_id": cast.manager.id,
            "reason": "Marek knows this account",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert handed.status_code == 303
    page = client.get(base)
    assert re.search(r"Αλέξης Agent → Marek Manažér", page.text)

    client.cookies.clear()
    sign_in(client, cast.manager.email)
    token = csrf_from(client.get(base).text)
    closed = client.post(
        base + "/close", data={"outcome": "retained", "csrf_token": token}, follow_redirects=False
    )
    assert closed.status_code == 303
    assert 'id="close"' not in client.get(base).text  # closed: no more actions


def test_a_reply_offering_more_than_the_limit_waits_for_the_manager(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    customer = make_customer(client, cast.owner)
    case = make_case(
        client, cast.owner, customer["id"], cast.agent.id, severity="low", category="other"
    )
    base = f"/cases/{case['id']}"
    sign_in(client, cast.agent.email)
    token = csrf_from(client.get(base).text)
    held = client.post(
        base + "/replies",
        data={
            "text": "Ospravedlňujem sa, je to naša chyba. Vrátime Vám celú sumu.",
            "steps": ["own", "remedy"],
            "offer_kind": "refund",
            "offer_amount": "300",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert held.headers["location"].endswith("done=held#messages")

    def outbox() -> list[str]:
        with transaction(sessions) as s:
            return [str(o.status) for o in s.scalars(select(OutboxItem))]

    assert outbox() == ["held"]
    page = client.get(held.headers["location"])
    assert "outbox-held" in page.text
    client.cookies.clear()
    sign_in(client, cast.manager.email)
    page = client.get(base)
    decision = re.search(rf'action="({base}/compensation/\d+/decision)"', page.text)
    assert decision is not None
    client.post(decision.group(1), data={"decision": "approve", "csrf_token": csrf_from(page.text)})
    assert outbox() == ["pending"]


def test_odd_form_values_and_roles_without_rights_come_back_as_the_page(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.owner)
    case = make_case(client, cast.owner, customer["id"], cast.agent.id)
    base = f"/cases/{case['id']}"
    sign_in(client, cast.agent.email)
    token = csrf_from(client.get(base).text)
    odd = client.post(base + "/close", data={"outcome": "vanished", "csrf_token": token})
    assert odd.status_code == 422 and "text/html" in odd.headers["content-type"]
    assert 'data-code="invalid-input"' in odd.text
    client.cookies.clear()
    sign_in(client, cast.viewer.email)
    page = client.get(base)
    assert f'action="{base}/replies"' not in page.text  # a viewer sees no forms
    denied = client.post(
        base + "/steps",
        data={"step": "own", "csrf_token": csrf_from(page.text)},
    )
    assert denied.status_code == 403 and 'data-code="forbidden"' in denied.text


def test_the_agent_may_insist_with_a_reason_and_the_timeline_keeps_it(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.owner)
    case = make_case(client, cast.owner, customer["id"], cast.agent.id)
    base = f"/cases/{case['id']}"
    sign_in(client, cast.agent.email)
    token = csrf_from(client.get(base).text)
    blame = "Prepáčte, ale kuriér meškal."
    stopped = client.post(base + "/replies", data={"text": blame, "csrf_token": token})
    assert '<details class="override" open>' in stopped.text
    insisted = client.post(
        base + "/replies",
        data={"text": blame, "override_reason": "the customer asked who", "csrf_token": token},
        follow_redirects=False,
    )
    assert insisted.status_code == 303
    page = client.get(base)
    assert re.search(r'data-kind="coach_override".*the customer asked who', page.text)

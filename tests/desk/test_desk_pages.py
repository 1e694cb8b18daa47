"""Who else is on a case, a reply written before a newer message, saved replies and the
keyboard's routes: through the pages (no JavaScript) and the API."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from amends.clock import FrozenClock
from amends.desk.rules import PRESENCE_TTL
from tests.conftest import Cast
from tests.helpers import make_case, make_customer
from tests.web.test_pages import csrf_from, sign_in

CLEAN_SK = "Ospravedlňujem sa, je to naša chyba a ešte dnes to napravíme."


def _case(client: TestClient, cast: Cast) -> int:
    customer = make_customer(client, cast.owner)
    case = make_case(
        client, cast.owner, customer["id"], cast.agent.id, severity="low", category="billing"
    )
    return int(case["id"])


def test_two_people_on_a_case_see_each_other_until_one_leaves(
    client: TestClient, cast: Cast, clock: FrozenClock
) -> None:
    case_id = _case(client, cast)
    url = f"/api/v1/cases/{case_id}/presence"
    first = client.post(url, json={"typing": True}, headers=cast.agent.headers)
    assert first.status_code == 200 and first.json()["others"] == []
    seen = client.post(url, json={}, headers=cast.manager.headers).json()["others"]
    assert [(o["user_id"], o["typing"]) for o in seen] == [(cast.agent.id, True)]
    back = client.post(url, json={}, headers=cast.agent.headers).json()["others"]
    assert [o["user_id"] for o in back] == [cast.manager.id]
    # Nobody renews: both lapse.
    clock.advance(PRESENCE_TTL + timedelta(seconds=1))
    assert client.post(url, json={}, headers=cast.manager.headers).json()["others"] == []

    # The page's beat needs its CSRF token, and answers a fragment with the names.
    client.post(url, json={"typing": True}, headers=cast.manager.headers)
    sign_in(client, cast.agent.email)
    page = client.get(f"/cases/{case_id}")
    assert 'hx-trigger="load, every 5s"' in page.text
    token = csrf_from(page.text)
    beat = f"/cases/{case_id}/presence"
    assert client.post(beat, data={"csrf_token": "x"}).status_code == 400
    fragment = client.post(beat, data={"csrf_token": token, "typing": "1"})
    assert "<html" not in fragment.text
    assert re.search(rf'<li data-user="{cast.manager.id}" class="typing">', fragment.text)


def test_a_reply_written_before_a_newer_one_is_refused_once(client: TestClient, cast: Cast) -> None:
    case_id = _case(client, cast)
    base = f"/cases/{case_id}"
    sign_in(client, cast.agent.email)
    page = client.get(base)
    token = csrf_from(page.text)
    seen = re.search(r'name="seen_message_id" value="(\d+)"', page.text)
    assert seen is not None
    # A manager answers the customer meanwhile, through the API.
    theirs = "Ospravedlňujeme sa, chyba je naša; faktúru opravíme ešte dnes."
    answered = client.post(
        f"/api/v1/cases/{case_id}/replies",
        json={"text": theirs, "seen_message_id": int(seen.group(1))},
        headers=cast.manager.headers,
    )
    assert answered.status_code == 201, answered.text
    form = {"text": CLEAN_SK, "csrf_token": token, "seen_message_id": seen.group(1)}
    stale = client.post(base + "/replies", data=form)
    assert stale.status_code == 409
    assert 'data-code="reply-stale"' in stale.text
    newer = stale.text.split('class="newer"', 1)[1].split("</section>", 1)[0]
    assert theirs in newer
    assert CLEAN_SK in stale.text  # the reply stays in the box
    again = re.search(r'name="seen_message_id" value="(\d+)"', stale.text)
    assert again is not None and int(again.group(1)) > int(seen.group(1))
    form["seen_message_id"] = again.group(1)
    sent = client.post(base + "/replies", data=form, follow_redirects=False)
    assert sent.status_code == 303 and "done=sent" in sent.headers["location"]

    # The API refuses the same way, with a stable code.
    late = client.post(
        f"/api/v1/cases/{case_id}/replies",
        json={"text": CLEAN_SK, "seen_message_id": int(seen.group(1))},
        headers=cast.manager.headers,
    )
    assert late.status_code == 409 and late.json()["code"] == "reply-stale"


def test_saved_replies_are_made_in_the_browser_and_filled_into_the_composer(
    client: TestClient, cast: Cast
) -> None:
    case_id = _case(client, cast)
    sign_in(client, cast.agent.email)
    settings = client.get("/settings/replies")
    token = csrf_from(settings.text)
    blame = {
        "title": "kuriér",
        "language": "sk",
        "text": "Prepáčte, ale kuriér meškal.",
        "csrf_token": token,
    }
    refused = client.post("/settings/replies", data=blame)
    assert refused.status_code == 409 and 'data-code="coach-findings"' in refused.text
    assert '<li data-code="blame-third-party"><mark>kuriér meškal</mark>' in refused.text
    assert "Prepáčte, ale kuriér meškal." in refused.text  # kept for rewriting
    good = dict(blame, title="náprava", text="Dobrý deň, {customer_name}: " + CLEAN_SK)
    made = client.post("/settings/replies", data=good, follow_redirects=False)
    assert made.status_code == 303
    listed = client.get("/api/v1/saved-replies", headers=cast.agent.headers).json()
    assert [r["title"] for r in listed] == ["náprava"]
    reply_id = listed[0]["id"]

    page = client.get(f"/cases/{case_id}")
    assert f'<option value="{reply_id}">náprava' in page.text
    filled = client.get(f"/cases/{case_id}/saved-replies/{reply_id}")
    assert filled.text == "Dobrý deň, Ján Novák: " + CLEAN_SK
    without_script = client.get(f"/cases/{case_id}?saved={reply_id}")
    assert "Dobrý deň, Ján Novák: " in without_script.text.split('id="reply-text"', 1)[1]
    # Someone else's own saved reply is not there for them.
    other = client.get(
        f"/api/v1/cases/{case_id}/saved-replies/{reply_id}", headers=cast.manager.headers
    )
    assert other.status_code == 404


def test_assign_to_me_and_next_case(client: TestClient, cast: Cast) -> None:
    first = _case(client, cast)
    second = _case(client, cast)
    sign_in(client, cast.manager.email)
    page = client.get(f"/cases/{first}")
    token = csrf_from(page.text)
    assert 'id="take-case"' in page.text
    taken = client.post(f"/cases/{first}/take", data={"csrf_token": token}, follow_redirects=False)
    assert taken.status_code == 303
    case = client.get(f"/api/v1/cases/{first}", headers=cast.manager.headers).json()
    assert case["owner"]["id"] == cast.manager.id
    sign_in(client, cast.agent.email)
    nxt = client.get(f"/next-case?after={second}", follow_redirects=False)
    assert nxt.headers["location"] == f"/cases/{second}"  # the only one left wraps round

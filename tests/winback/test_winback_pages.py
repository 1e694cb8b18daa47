"""The win-back on the customer page, the win-back list and the watch list, in the
reader's language; the stop form works without JavaScript and checks its token."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.config import Settings
from tests.conftest import Cast
from tests.web.test_pages import csrf_from, sign_in
from tests.winback.conftest import LostCustomer
from tests.winback.test_winback import worker


def test_the_owner_sees_and_stops_the_win_back_on_the_customer_page(
    client: TestClient, cast: Cast, lost_customer: LostCustomer
) -> None:
    customer, case_id = lost_customer(name="Pekáreň <b>U Nováka</b>")
    sign_in(client, cast.agent.email)
    timeline = client.get(f"/cases/{case_id}")
    assert timeline.status_code == 200 and "win-back started" in timeline.text
    page = client.get(f"/customers/{customer['id']}")
    assert page.status_code == 200
    assert "Stop the follow-ups" in page.text and "<b>U Nováka</b>" not in page.text
    listed = client.get("/winbacks")
    assert listed.status_code == 200 and "Pekáreň &lt;b&gt;U Nováka&lt;/b&gt;" in listed.text
    winback_id = client.get(
        f"/api/v1/customers/{customer['id']}", headers=cast.agent.headers
    ).json()["winback"]["id"]
    refused = client.post(
        f"/winbacks/{winback_id}/stop", data={"csrf_token": "", "no_contact": "yes"}
    )
    assert refused.status_code >= 400
    done = client.post(
        f"/winbacks/{winback_id}/stop",
        data={"csrf_token": csrf_from(page.text), "no_contact": "yes", "back": "customer"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/customers/{customer['id']}"
    after = client.get(f"/customers/{customer['id']}")
    assert "No more contact" in after.text and "Stop the follow-ups" not in after.text
    assert "Record the outcome" in after.text


def test_the_pages_speak_the_readers_language_and_hide_others_sequences(
    client: TestClient, cast: Cast, lost_customer: LostCustomer
) -> None:
    lost_customer()
    sign_in(client, cast.viewer.email)
    form = client.get("/winbacks")
    client.post("/me/language", data={"language": "el", "csrf_token": csrf_from(form.text)})
    shown = client.get("/winbacks")
    assert shown.status_code == 200
    assert "Επαναπροσέγγιση" in shown.text
    # A viewer reads the workspace but writes no follow-ups: none are theirs.
    assert "Pekáreň" not in shown.text
    watch = client.get("/watch")
    assert watch.status_code == 200 and "Λίστα παρακολούθησης" in watch.text


def test_the_customer_page_shows_each_follow_up_sent_in_the_owners_name(
    client: TestClient,
    cast: Cast,
    clock: FrozenClock,
    settings: Settings,
    sessions: sessionmaker[Session],
    lost_customer: LostCustomer,
) -> None:
    customer, _ = lost_customer()
    clock.advance(timedelta(days=3, minutes=1))
    worker(settings, sessions, clock).tick()
    sign_in(client, cast.agent.email)
    page = client.get(f"/customers/{customer['id']}")
    assert 'lang="sk"' in page.text and "Dáte nám malú šancu" in page.text

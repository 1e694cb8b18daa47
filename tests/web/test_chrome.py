"""What every page carries: the language switcher, the bell and its notifications, error
pages with navigation, and sentences said in the reader's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import clocks
from amends.cases.models import Notification
from amends.clock import FrozenClock
from amends.db import transaction
from amends.web import i18n
from tests.conftest import Cast
from tests.helpers import make_case, make_customer
from tests.web.test_pages import csrf_from, sign_in

HTML = {"Accept": "text/html"}


def test_the_language_switcher_is_kept_with_the_user(client: TestClient, cast: Cast) -> None:
    sign_in(client, cast.agent.email)
    page = client.get("/cases", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in page.text
    # Without the CSRF token the choice is refused.
    refused = client.post("/me/language", data={"language": "el"}, follow_redirects=False)
    assert refused.status_code == 400
    chosen = client.post(
        "/me/language",
        data={"language": "el", "csrf_token": csrf_from(page.text)},
        headers={"Referer": "http://testserver/cases?open=true"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/cases?open=true"
    # The stored language wins over the browser's from now on.
    greek = client.get("/cases", headers={"Accept-Language": "sk"})
    assert '<html lang="el">' in greek.text
    unknown = client.post(
        "/me/language",
        data={"language": "xx", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert unknown.status_code == 422


def test_browsers_get_error_pages_with_navigation_and_the_api_problem_json(
    client: TestClient, cast: Cast
) -> None:
    anonymous = client.get("/nowhere", headers={**HTML, "Accept-Language": "sk"})
    assert anonymous.status_code == 404
    assert "text/html" in anonymous.headers["content-type"]
    assert "Stránka sa nenašla" in anonymous.text
    assert 'href="/signin"' in anonymous.text
    sign_in(client, cast.agent.email)
    csrf = csrf_from(client.get("/cases").text)
    client.post("/me/language", data={"language": "th", "csrf_token": csrf})
    for path in ("/cases/abc", "/nowhere/else", "/cases/999999"):
        page = client.get(path, headers={**HTML, "Accept-Language": "sk"})
        assert page.status_code == 404, path
        assert "text/html" in page.headers["content-type"], path
        assert "ไม่พบหน้านี้" in page.text  # the user's own language, not the browser's
        assert 'href="/notifications"' in page.text and 'href="/cases"' in page.text
    api = client.get("/api/v1/cases/abc", headers=cast.agent.headers)
    assert api.headers["content-type"] == "application/problem+json"
    script = client.get("/nowhere", headers={"Accept": "application/json"})
    assert script.headers["content-type"] == "application/problem+json"


def test_the_bell_counts_and_the_list_links_each_notification_to_its_case(
    client: TestClient,
    cast: Cast,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
) -> None:
    customer = make_customer(client, cast.manager)
    case = make_case(client, cast.manager, customer["id"], cast.agent.id)
    clock.advance(timedelta(days=3))
    with transaction(sessions) as s:
        clocks.escalate_breaches(s, now=clock.now())
    sign_in(client, cast.agent.email)
    page = client.get("/notifications")
    assert '<span class="count">' in page.text
    assert "/notifications/" in page.text and case["ref"] in page.text
    assert "acknowledgment SLA breached" in page.text
    # The same notification, read in Slovak, is said in Slovak.
    csrf = csrf_from(page.text)
    client.post("/me/language", data={"language": "sk", "csrf_token": csrf})
    slovak = client.get("/notifications")
    assert "lehota na potvrdenie (SLA) prekročená" in slovak.text
    with transaction(sessions) as s:
        first = s.scalars(select(Notification).where(Notification.user_id == cast.agent.id)).first()
        assert first is not None
        first_id = first.id
    opened = client.post(
        f"/notifications/{first_id}/read",
        data={"csrf_token": csrf, "then": "case"},
        follow_redirects=False,
    )
    assert opened.headers["location"] == f"/cases/{case['id']}"
    client.post("/notifications/read", data={"csrf_token": csrf})
    assert '<span class="count">' not in client.get("/notifications").text
    # Someone else's notification is not there to mark.
    sign_in(client, cast.manager.email)
    theirs = client.post(
        f"/notifications/{first_id}/read",
        data={"csrf_token": csrf_from(client.get("/notifications").text)},
        headers=HTML,
    )
    assert theirs.status_code == 404


def test_durations_and_money_are_said_in_the_readers_language() -> None:
    assert i18n.duration(135, "en") == "2 hr 15 min"
    assert i18n.duration(timedelta(days=3, hours=4, minutes=5), "sk") == "3 dni 4 h"
    assert i18n.duration(0, "el") == "0 λ."
    assert "ชม." in i18n.duration(90, "th")
    assert i18n.language_name("th", "el") == "Ταϊλανδικά"
    assert (i18n.language_name("und", "sk"), i18n.language_name("xx", "sk")) == ("—", "xx")
    stored = i18n.said(
        "%(ref)s: approve a %(kind)s of %(amount)s?",
        ref="C-7",
        kind="refund",
        amount="50.00",
        currency="EUR",
        fmt={"kind": "tr", "amount": "money"},
    )
    assert i18n.english(stored) == "C-7: approve a refund of 50.00 EUR?"

    class Reader:
        language = "sk"
        timezone = "Europe/Bratislava"

    slovak = i18n.say(stored, i18n.translations("sk").gettext, Reader())
    assert slovak is not None and "50,00" in slovak and "€" in slovak


def test_refusals_and_reasons_are_said_in_the_readers_language() -> None:
    from decimal import Decimal

    from amends.cases.rules import Step, plan_steps
    from amends.compensation.rules import recommend
    from amends.errors import InvalidTransition

    class Reader:
        language = "sk"
        timezone = "Europe/Bratislava"

    slovak = i18n.translations("sk").gettext
    with pytest.raises(InvalidTransition) as refused:
        plan_steps([Step.ACKNOWLEDGE, Step.OWN], [Step.OWN], required=[])
    assert refused.value.message == "already done: own"  # the API and CLI keep English
    spoken = i18n.refusal(refused.value, slovak, Reader())
    assert spoken.startswith("Už hotové: ") and "own" not in spoken
    rec = recommend(
        failed_value=Decimal("200"),
        recurring_value=Decimal("200"),
        currency="EUR",
        severity="high",
        is_repeat=True,
        lateness=timedelta(days=15),
        recurring_service=True,
    )
    assert "worth 200 EUR" in rec.explanation and "2 week(s) late" in rec.explanation
    # The recommendation's reasons are catalog messages with their values, and a page
    # says amounts, shares and factors as its reader writes them.
    said = [i18n.say(r.said, slovak, Reader()) for r in rec.reasons]
    assert said[0] == "to, čo zlyhalo, malo hodnotu 200,00\xa0€"
    assert "125\xa0%" in said[1] and "×1,3" in said[2]
    assert all(s and "severity" not in s and "week" not in s for s in said)

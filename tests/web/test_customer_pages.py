"""The customers list: folded search (Thai inside an unspaced name, Greek without
accents, Slovak without diacritics, an address, an external id), filters and pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.helpers import make_customer
from tests.web.test_pages import csrf_from, sign_in


def names(html: str) -> list[str]:
    return re.findall(r'<a href="/customers/\d+" lang="[^"]*">([^<]*)</a>', html)


def people(client: TestClient, cast: Cast) -> None:
    make_customer(client, cast.agent)  # Pekáreň U Nováka s.r.o.
    make_customer(
        client,
        cast.agent,
        name="ร้านกาแฟบ้านสวนเชียงใหม่",
        language="th",
        timezone="Asia/Bangkok",
        currency="THB",
        external_id="CRM-TH-77",
        contacts=[{"name": "สมชาย", "email": "somchai@baansuan.example"}],
    )
    make_customer(
        client,
        cast.agent,
        name="Ταβέρνα Ο Γιώργος",
        language="el",
        timezone="Europe/Athens",
        tier="gold",
        status="at_risk",
        contacts=[{"name": "Γιώργος", "email": "giorgos@taverna.example"}],
    )


def test_search_finds_thai_inside_a_name_greek_without_accents_and_slovak_without_diacritics(
    client: TestClient, cast: Cast
) -> None:
    people(client, cast)
    sign_in(client, cast.agent.email)
    assert names(client.get("/customers", params={"q": "บ้านสวน"}).text) == ["ร้านกาแฟบ้านสวนเชียงใหม่"]
    assert names(client.get("/customers", params={"q": "ταβερνα γιωργος"}).text) == [
        "Ταβέρνα Ο Γιώργος"
    ]
    assert names(client.get("/customers", params={"q": "pekaren novaka"}).text) == [
        "Pekáreň U Nováka s.r.o."
    ]
    assert names(client.get("/customers", params={"q": "somchai@baansuan"}).text) == [
        "ร้านกาแฟบ้านสวนเชียงใหม่"
    ]
    assert names(client.get("/customers", params={"q": "crm-th-77"}).text) == [
        "ร้านกาแฟบ้านสวนเชียงใหม่"
    ]
    assert names(client.get("/customers", params={"q": "nikto"}).text) == []


def test_the_list_filters_by_status_tier_language_and_at_risk_a_page_at_a_time(
    client: TestClient, cast: Cast
) -> None:
    people(client, cast)
    sign_in(client, cast.manager.email)
    everyone = client.get("/customers")
    assert everyone.status_code == 200
    assert len(names(everyone.text)) == 3
    assert names(client.get("/customers", params={"at_risk": "1"}).text) == ["Ταβέρνα Ο Γιώργος"]
    assert names(client.get("/customers", params={"tier": "gold"}).text) == ["Ταβέρνα Ο Γιώργος"]
    assert names(client.get("/customers", params={"language": "th"}).text) == [
        "ร้านกาแฟบ้านสวนเชียงใหม่"
    ]
    assert names(client.get("/customers", params={"status": "active", "language": "sk"}).text) == [
        "Pekáreň U Nováka s.r.o."
    ]
    for n in range(51):
        make_customer(client, cast.agent, name=f"Filler {n:02}", contacts=[])
    first = client.get("/customers", params={"q": "filler"}).text
    assert len(names(first)) == 50 and "offset=50" in first
    second = client.get("/customers", params={"q": "filler", "offset": "50"}).text
    assert names(second) == ["Filler 50"]
    assert "/customers?q=filler&amp;offset=0" in second


def test_the_header_links_to_the_customers_list(client: TestClient, cast: Cast) -> None:
    sign_in(client, cast.agent.email)
    assert '<a href="/customers">' in client.get("/cases").text


def promise(client: TestClient, cast: Cast, customer_id: int, **overrides: object) -> dict:
    body = {
        "customer_id": customer_id,
        "title": "Mesačný report",
        "kind": "recurring_service",
        "due_at": "2026-03-05T09:00:00Z",
        "rrule": "FREQ=MONTHLY;BYMONTHDAY=5",
        "value": "200",
        "currency": "EUR",
        **overrides,
    }
    made = client.post("/api/v1/commitments", json=body, headers=cast.manager.headers)
    assert made.status_code == 201, made.text
    return dict(made.json())


def row(html: str, commitment_id: int) -> str:
    found = re.search(rf'<tr data-commitment="{commitment_id}">.*?</tr>', html, re.S)
    assert found, commitment_id
    return found.group(0)


def test_recording_a_delivery_on_the_page_turns_the_missed_occurrence_delivered(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.agent)
    made = promise(client, cast, customer["id"])
    sign_in(client, cast.manager.email)
    page = client.get(f"/customers/{customer['id']}").text
    before = row(page, made["id"])
    assert before.count("occurrence-missed") == 2  # March and April, the 5th
    assert "occurrence-late" not in before
    done = client.post(
        f"/customers/{customer['id']}/commitments/{made['id']}/deliveries",
        data={"csrf_token": csrf_from(page), "note": "poslané"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = row(client.get(done.headers["location"]).text, made["id"])
    assert after.count("occurrence-missed") == 1
    assert after.count("occurrence-late") == 1 and "delivered" in after
    deliveries = client.get(
        "/api/v1/deliveries", params={"commitment_id": made["id"]}, headers=cast.manager.headers
    ).json()
    assert [d["note"] for d in deliveries["items"]] == ["poslané"]


def test_a_commitment_is_added_with_a_picked_schedule_and_paused_and_resumed(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.agent)
    sign_in(client, cast.agent.email)
    page = client.get(f"/customers/{customer['id']}").text
    added = client.post(
        f"/customers/{customer['id']}/commitments",
        data={
            "csrf_token": csrf_from(page),
            "title": "Týždenný upratovací servis",
            "kind": "recurring_service",
            "value": "120,50",
            "currency": "eur",
            "due": "2026-05-11",
            "repeat": "weekly",
            "weekdays": ["FR", "MO"],
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    listed = client.get(
        "/api/v1/commitments", params={"customer_id": customer["id"]}, headers=cast.agent.headers
    ).json()["items"]
    assert [(c["rrule"], c["value"], c["currency"]) for c in listed] == [
        ("FREQ=WEEKLY;BYDAY=MO,FR", "120.50", "EUR")
    ]
    made = listed[0]
    paused = client.post(
        f"/customers/{customer['id']}/commitments/{made['id']}/status",
        data={"csrf_token": csrf_from(page), "status": "paused"},
        follow_redirects=False,
    )
    assert paused.status_code == 303
    shown = row(client.get(f"/customers/{customer['id']}").text, made["id"])
    assert "Resume" in shown
    status = client.get(f"/api/v1/commitments/{made['id']}", headers=cast.agent.headers)
    assert status.json()["status"] == "paused"
    client.post(
        f"/customers/{customer['id']}/commitments/{made['id']}/status",
        data={"csrf_token": csrf_from(page), "status": "active"},
    )
    status = client.get(f"/api/v1/commitments/{made['id']}", headers=cast.agent.headers)
    assert status.json()["status"] == "active"
    # A weekly schedule with no day is refused with the page, nothing kept.
    refused = client.post(
        f"/customers/{customer['id']}/commitments",
        data={"csrf_token": csrf_from(page), "title": "x", "due": "2026-05-11", "repeat": "weekly"},
    )
    assert refused.status_code == 422
    listed = client.get(
        "/api/v1/commitments", params={"customer_id": customer["id"]}, headers=cast.agent.headers
    ).json()["items"]
    assert len(listed) == 1


def test_the_customer_is_edited_on_the_page(client: TestClient, cast: Cast) -> None:
    customer = make_customer(client, cast.agent)
    sign_in(client, cast.manager.email)
    page = client.get(f"/customers/{customer['id']}").text
    saved = client.post(
        f"/customers/{customer['id']}/edit",
        data={
            "csrf_token": csrf_from(page),
            "name": "Pekáreň Novák",
            "tier": "gold",
            "language": "sk",
            "recurring_value": "350",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    shown = client.get(f"/api/v1/customers/{customer['id']}", headers=cast.manager.headers).json()
    assert (shown["name"], shown["tier"], shown["recurring_value"]) == (
        "Pekáreň Novák",
        "gold",
        "350.00",
    )


def test_a_viewer_sees_no_forms_and_is_refused(client: TestClient, cast: Cast) -> None:
    customer = make_customer(client, cast.agent)
    made = promise(client, cast, customer["id"])
    sign_in(client, cast.viewer.email)
    page = client.get(f"/customers/{customer['id']}").text
    assert "/deliveries" not in page and "/edit" not in page
    refused = client.post(
        f"/customers/{customer['id']}/commitments/{made['id']}/deliveries",
        data={"csrf_token": csrf_from(page)},
    )
    assert refused.status_code == 403
    assert "occurrence-late" not in row(client.get(f"/customers/{customer['id']}").text, made["id"])


def test_a_commitment_of_another_customer_is_not_found_from_this_page(
    client: TestClient, cast: Cast
) -> None:
    one = make_customer(client, cast.agent)
    other = make_customer(client, cast.agent, name="Iný zákazník", contacts=[])
    made = promise(client, cast, other["id"])
    sign_in(client, cast.manager.email)
    page = client.get(f"/customers/{one['id']}").text
    wrong = client.post(
        f"/customers/{one['id']}/commitments/{made['id']}/deliveries",
        data={"csrf_token": csrf_from(page)},
    )
    assert wrong.status_code == 404


def test_each_picked_schedule_becomes_an_rrule_said_in_words_in_every_language() -> None:
    from amends.commitments.rules import Repeat, rrule_for
    from amends.web import recurrence

    rules = {
        Repeat.ONCE: rrule_for(Repeat.ONCE),
        Repeat.DAILY: rrule_for(Repeat.DAILY),
        Repeat.WEEKLY: rrule_for(Repeat.WEEKLY, weekdays=["TH", "TU"]),
        Repeat.MONTHLY: rrule_for(Repeat.MONTHLY, day=5),
        Repeat.LAST_BUSINESS_DAY: rrule_for(Repeat.LAST_BUSINESS_DAY),
    }
    assert rules == {
        Repeat.ONCE: "",
        Repeat.DAILY: "FREQ=DAILY",
        Repeat.WEEKLY: "FREQ=WEEKLY;BYDAY=TU,TH",
        Repeat.MONTHLY: "FREQ=MONTHLY;BYMONTHDAY=5",
        Repeat.LAST_BUSINESS_DAY: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    }
    for language in ("en", "th", "sk", "el"):
        for rule in list(rules.values())[1:]:
            said = recurrence.in_words(rule, language)
            assert said and "FREQ" not in said, (language, rule)
    for bad in ({"weekdays": []}, {"weekdays": ["XX"]}):
        try:
            rrule_for(Repeat.WEEKLY, **bad)  # type: ignore[arg-type]
        except ValueError:
            continue
        raise AssertionError(bad)

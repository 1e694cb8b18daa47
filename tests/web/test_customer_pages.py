"""The customers list: folded search (Thai inside an unspaced name, Greek without
accents, Slovak without diacritics, an address, an external id), filters and pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.helpers import make_customer
from tests.web.test_pages import sign_in


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

"""The inbox: an agent's open cases by urgency, filters, keyset pages and search
(Thai inside unspaced text, Greek without accents, Slovak without diacritics)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import inbox as cases_inbox
from amends.clock import FrozenClock
from amends.db import transaction
from amends.messages import service as messages
from amends.messages.rules import Channel, Direction
from amends.patterns import search
from amends.people.rules import OPERATOR
from tests.conftest import DEFAULT_PLAYBOOK, Cast
from tests.helpers import make_case, make_customer
from tests.web.test_pages import sign_in


def refs(html: str) -> list[str]:
    """Case refs in the order the inbox's rows show them."""
    return re.findall(r'<td class="ref"><a href="/cases/\d+">(C-\d+)</a>', html)


def row_of(html: str, ref: str) -> str:
    match = re.search(r"<tr[^>]*>\s*<td class=\"ref\"><a[^>]*>" + ref + r"</a>.*?</tr>", html, re.S)
    assert match, ref
    return match.group(0)


def say(
    sessions: sessionmaker[Session], clock: FrozenClock, case: dict[str, Any], *texts: str
) -> None:
    with transaction(sessions) as s:
        for text in texts:
            messages.record_message(
                s,
                actor=OPERATOR,
                now=clock.now(),
                direction=Direction.INBOUND,
                channel=Channel.EMAIL,
                subject="Re: objednávka",
                text=text,
                case_id=case["id"],
                playbook=DEFAULT_PLAYBOOK,
            )


def test_an_overdue_case_comes_first_and_is_marked_for_its_owner(
    client: TestClient, cast: Cast, clock: FrozenClock
) -> None:
    customer = make_customer(client, cast.agent)
    calm = make_case(client, cast.agent, customer["id"], cast.agent.id, severity="low")
    late = make_case(
        client,
        cast.agent,
        customer["id"],
        cast.agent.id,
        title="Nobody answered for ten days",
        opened_at=(clock.now() - timedelta(days=10)).isoformat(),
    )
    theirs = make_case(
        client,
        cast.agent,
        customer["id"],
        cast.manager.id,
        opened_at=(clock.now() - timedelta(days=20)).isoformat(),
    )
    sign_in(client, cast.agent.email)
    html = client.get("/cases").text
    late_ref, calm_ref = f"C-{late['id']}", f"C-{calm['id']}"
    # Mine only, by urgency: the manager's older breach is not in my inbox.
    assert refs(html) == [late_ref, calm_ref]
    row = row_of(html, late_ref)
    assert 'class="sev-high overdue"' in row
    assert "⚠ Overdue by" in row  # a text marker, not colour alone
    assert "(Acknowledge)" in row
    assert "Overdue by" not in row_of(html, calm_ref)
    assert "in " in row_of(html, calm_ref)
    # The ref never wraps.
    assert 'class="ref"' in row
    assert f"C-{theirs['id']}" in client.get("/cases?scope=all").text


def test_filters_counts_and_keyset_pages(
    client: TestClient, cast: Cast, clock: FrozenClock
) -> None:
    slovak = make_customer(client, cast.agent)
    thai = make_customer(
        client,
        cast.agent,
        name="ร้านกาแฟ สมใจ",
        language="th",
        timezone="Asia/Bangkok",
        currency="THB",
        contacts=[{"name": "สมใจ", "email": "somjai@cafe.example"}],
    )
    old = (clock.now() - timedelta(days=10)).isoformat()
    overdue = make_case(client, cast.agent, slovak["id"], cast.agent.id, opened_at=old)
    low = make_case(
        client,
        cast.agent,
        slovak["id"],
        cast.agent.id,
        severity="low",
        category="billing",
        title="Účet",
    )
    in_thai = make_case(
        client, cast.agent, thai["id"], cast.manager.id, category="late_delivery", title="ส่งช้า"
    )
    sign_in(client, cast.agent.email)

    def shown(query: str) -> set[str]:
        response = client.get("/cases?" + query)
        assert response.status_code == 200, response.text
        return set(refs(response.text))

    ref = {k: f"C-{c['id']}" for k, c in {"o": overdue, "l": low, "t": in_thai}.items()}
    assert shown("") == {ref["o"], ref["l"]}
    assert shown("scope=all") == set(ref.values())
    assert shown("scope=all&language=th") == {ref["t"]}
    assert shown("scope=all&category=late_delivery") == {ref["t"]}
    assert shown(f"scope=all&owner={cast.manager.id}") == {ref["t"]}
    assert shown("scope=all&severity=low") == {ref["l"]}
    assert shown("scope=all&overdue=1") == {ref["o"]}
    assert shown("scope=all&state=closed") == set()
    assert shown("scope=all&state=new&severity=&category=&owner=&language=") == set(ref.values())
    html = client.get("/cases?scope=mine").text
    assert re.search(r'value="mine" checked>\s*Mine <span class="count">\(2\)', html)
    assert re.search(r'value="all" >\s*All <span class="count">\(3\)', html)
    assert 'Overdue only <span class="count">(1)' in html
    # Past the counted limit the number says so instead of counting every case.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cases_inbox, "COUNTED_UP_TO", 2)
        html = client.get("/cases?scope=mine").text
    assert re.search(r'value="mine" checked>\s*Mine <span class="count">\(2\)', html)
    assert re.search(r'value="all" >\s*All <span class="count">\(2\+\)', html)
    assert client.get("/cases?severity=dreadful").status_code == 422

    # A page of one row at a time, through the next-page links.
    seen: list[str] = []
    link: str | None = "/cases?scope=all"
    from amends.recovery import inbox

    size = inbox.PAGE_SIZE
    inbox.PAGE_SIZE = 1
    try:
        while link:
            html = client.get(link.replace("&amp;", "&")).text
            seen.extend(refs(html))
            found = re.search(r'<a href="([^"]+)" rel="next">', html)
            link = found.group(1) if found else None
    finally:
        inbox.PAGE_SIZE = size
    assert sorted(seen) == sorted(ref.values())
    assert seen[0] == ref["o"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("กล่องเสียหาย", "thai"),  # from the middle of an unspaced sentence, 4th message
        ("σπασμενη", "greek"),  # typed without accents
        ("ΤΕΧΝΙΚΟΣ", "greek"),  # capitals, final sigma typed as Σ
        ("zauctovana dvakrat", "slovak"),  # without diacritics, both words
        ("Novák", "slovak"),  # the customer's name
        ("pekaren-novak", "slovak"),  # a contact's address
        ("นวดไทย", "thai"),  # the customer's name
        ("objednávka dvakrát", "slovak"),  # a subject word and a message word
    ],
)
def test_search_finds_cases_in_every_language(
    client: TestClient,
    cast: Cast,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
    query: str,
    expected: str,
) -> None:
    slovak = make_customer(client, cast.agent)
    thai = make_customer(
        client,
        cast.agent,
        name="ร้านนวดไทยสบายดี",
        language="th",
        timezone="Asia/Bangkok",
        currency="THB",
        contacts=[{"name": "สมใจ", "email": "somjai@spa.example"}],
    )
    greek = make_customer(
        client,
        cast.agent,
        name="Ταβέρνα Ο Νίκος",
        language="el",
        timezone="Europe/Athens",
        contacts=[{"name": "Νίκος", "email": "nikos@taverna.example"}],
    )
    cases = {
        "slovak": make_case(client, cast.agent, slovak["id"], cast.agent.id, title="Faktúra"),
        "thai": make_case(client, cast.agent, thai["id"], cast.manager.id, title="สินค้า"),
        "greek": make_case(client, cast.agent, greek["id"], cast.agent.id, title="Παραγγελία"),
    }
    say(sessions, clock, cases["slovak"], "Faktúra bola zaúčtovaná dvakrát.")
    # The Thai words come in the fourth message: search reads every message, not just
    # the first three that similarity keeps.
    say(
        sessions,
        clock,
        cases["thai"],
        "สวัสดีครับ",
        "ขอสอบถามเรื่องคำสั่งซื้อ",
        "รอนานมากแล้ว",
        "สินค้ามาถึงช้ามากและกล่องเสียหายทั้งหมดเลยครับ",
    )
    say(
        sessions,
        clock,
        cases["greek"],
        "Η παραγγελία έφτασε σπασμένη. Δεν ήρθε ποτέ ο τεχνικός.",
    )
    want = f"C-{cases[expected]['id']}"
    sign_in(client, cast.agent.email)
    page = client.get("/cases", params={"q": query})
    assert page.status_code == 200
    assert refs(page.text) == [want]
    assert f'value="{query}"' in page.text
    api = client.get("/api/v1/cases", params={"q": query}, headers=cast.agent.headers)
    assert api.status_code == 200
    assert [item["ref"] for item in api.json()["items"]] == [want]


def test_search_by_ref_and_short_words(client: TestClient, cast: Cast) -> None:
    customer = make_customer(client, cast.agent)
    first = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Okno")
    second = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Dvere 7b")
    sign_in(client, cast.agent.email)
    for query in (f"C-{second['id']}", f"c{second['id']}", f"#{second['id']}"):
        assert refs(client.get("/cases", params={"q": query}).text) == [f"C-{second['id']}"]
    # Under three characters: titles, names and addresses, not messages.
    assert refs(client.get("/cases", params={"q": "7B"}).text) == [f"C-{second['id']}"]
    assert f"C-{first['id']}" in client.get("/cases", params={"q": "okn"}).text
    assert refs(client.get("/cases", params={"q": "žiadny taký"}).text) == []
    assert "No cases match." in client.get("/cases", params={"q": "zzzz"}).text


@pytest.mark.parametrize("limit", ["LISTED_UP_TO", "INDEX_LISTED_UP_TO"])
def test_a_word_in_many_cases_is_searched_as_a_condition(
    client: TestClient,
    cast: Cast,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
) -> None:
    # Past LISTED_UP_TO matches (names, pieces) or INDEX_LISTED_UP_TO (the word index) a
    # word stays a condition of the list, tested case by case, instead of an id list.
    monkeypatch.setattr(search, limit, 0)
    customer = make_customer(client, cast.agent, name="Ταβέρνα Ο Νίκος", language="el")
    thai = make_customer(client, cast.agent, name="ร้านนวดไทย", language="th")
    broken = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Παραγγελία")
    other = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Λογαριασμός")
    late = make_case(client, cast.agent, thai["id"], cast.agent.id, title="สินค้า")
    say(sessions, clock, broken, "Η παραγγελία έφτασε σπασμένη.")
    say(sessions, clock, other, "Ο λογαριασμός χρεώθηκε δύο φορές.")
    say(sessions, clock, late, "สินค้ามาถึงช้ามากและกล่องเสียหายทั้งหมดเลยครับ")
    sign_in(client, cast.agent.email)
    assert refs(client.get("/cases", params={"q": "σπασμενη"}).text) == [f"C-{broken['id']}"]
    both = client.get("/cases", params={"q": "ταβερνα"}).text
    assert sorted(refs(both)) == sorted([f"C-{broken['id']}", f"C-{other['id']}"])
    assert refs(client.get("/cases", params={"q": "ταβερνα χρεωθηκε"}).text) == [f"C-{other['id']}"]
    assert refs(client.get("/cases", params={"q": "กล่องเสียหาย"}).text) == [f"C-{late['id']}"]
    assert refs(client.get("/cases", params={"q": "ไม่มีคำนี้"}).text) == []


def test_a_word_finds_the_words_it_begins_and_a_piece_is_found_when_no_word_is(
    client: TestClient, cast: Cast, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    customer = make_customer(client, cast.agent)
    parcel = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Zásielka")
    bill = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Faktúra")
    say(sessions, clock, parcel, "Kuriér nechal zásielku pred bránou.")
    say(sessions, clock, bill, "Faktúru ste poslali dvakrát, zasielame ju späť.")
    sign_in(client, cast.agent.email)

    def found(query: str) -> list[str]:
        return sorted(refs(client.get("/cases", params={"q": query}).text))

    # "zasiel" begins "zásielka" and "zásielku" in one case, "zasielame" in the other.
    assert found("zasiel") == sorted([f"C-{parcel['id']}", f"C-{bill['id']}"])
    assert found("zasielk") == [f"C-{parcel['id']}"]
    # No word begins with "ielk": it is found as a piece of "zásielka".
    assert found("ielk") == [f"C-{parcel['id']}"]
    # A word that begins one: the piece search is not asked, nothing inside words is.
    assert found("brana") == []
    assert found("branou") == [f"C-{parcel['id']}"]

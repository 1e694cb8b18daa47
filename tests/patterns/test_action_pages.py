"""The pattern page, corrective actions in the browser and the themes page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.db import transaction
from amends.patterns.models import CorrectiveAction
from tests.conftest import Cast
from tests.helpers import make_case, make_customer
from tests.patterns.helpers import COURIER
from tests.web.test_pages import csrf_from, sign_in


def _courier_pattern(client: TestClient, cast: Cast) -> list[dict[str, object]]:
    made = []
    for shop in COURIER:
        customer = make_customer(
            client,
            cast.agent,
            name=shop.name,
            language=shop.language,
            timezone=shop.timezone,
            currency=shop.currency,
            recurring_value=shop.monthly,
            contacts=[],
        )
        made.append(
            make_case(
                client,
                cast.agent,
                customer["id"],
                cast.agent.id,
                title=shop.complaint,
                category="quality",
            )
        )
    listed = client.get("/api/v1/patterns", headers=cast.manager.headers).json()["items"]
    assert listed, "the courier cases make a pattern"
    return made


def _pattern_id(client: TestClient, cast: Cast) -> int:
    return int(
        client.get("/api/v1/patterns", headers=cast.manager.headers).json()["items"][0]["id"]
    )


def test_the_pattern_page_lists_its_cases_in_their_languages_named_by_what_they_share(
    client: TestClient, cast: Cast
) -> None:
    made = _courier_pattern(client, cast)
    pid = _pattern_id(client, cast)
    sign_in(client, cast.agent.email)
    page = client.get(f"/patterns/{pid}")
    assert page.status_code == 200
    rows = re.findall(r'<td class="language">(\w+)</td>', page.text)
    assert {"sk", "th", "el"} <= set(rows)
    for case in made:
        assert f'href="/cases/{case["id"]}"' in page.text
    heading = re.search(r"<h1>(.*?)</h1>", page.text, re.S)
    assert heading is not None
    assert "Quality" in heading.group(1) and "Kuriér" not in heading.group(1)
    assert '<ol class="timeline">' in page.text and "opened for" in page.text
    # Agents read the pattern but are not offered the manager's forms.
    assert 'class="add-action"' not in page.text
    assert client.get("/patterns/999999").status_code == 404


def test_a_manager_adds_links_and_moves_a_corrective_action_on_from_the_pattern_page(
    client: TestClient, cast: Cast
) -> None:
    made = _courier_pattern(client, cast)
    pid = _pattern_id(client, cast)
    sign_in(client, cast.manager.email)
    page = client.get(f"/patterns/{pid}")
    assert 'class="add-action"' in page.text
    token = csrf_from(page.text)
    added = client.post(
        "/actions",
        data={
            "csrf_token": token,
            "pattern_id": str(pid),
            "description": "parcels are handed over in person, never left at the gate",
            "root_cause": "the courier's drivers were paid per stop",
            "change_kind": "quality_check",
            "owner_id": str(cast.manager.id),
            "due_on": "2026-07-01",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    assert added.headers["location"] == f"/patterns/{pid}"
    shown = client.get("/api/v1/actions", headers=cast.manager.headers).json()["items"]
    assert len(shown) == 1 and shown[0]["pattern_ids"] == [pid]
    action_id = shown[0]["id"]

    linked = client.post(
        f"/actions/{action_id}/links",
        data={"csrf_token": token, "cases": f"C-{made[0]['id']}", "back": str(pid)},
        follow_redirects=False,
    )
    assert linked.status_code == 303
    after = client.get(f"/api/v1/actions/{action_id}", headers=cast.manager.headers).json()
    assert after["case_ids"] == [made[0]["id"]]

    for status in ("in_progress", "done"):
        moved = client.post(
            f"/actions/{action_id}/status",
            data={"csrf_token": token, "status": status, "back": str(pid)},
            follow_redirects=False,
        )
        assert moved.status_code == 303, moved.text
        got = client.get(f"/api/v1/actions/{action_id}", headers=cast.manager.headers).json()
        assert got["status"] == status
    # The service decides: a done action cannot go back to planned.
    refused = client.post(
        f"/actions/{action_id}/status", data={"csrf_token": token, "status": "planned"}
    )
    assert refused.status_code == 409
    verified = client.post(
        f"/actions/{action_id}/status",
        data={"csrf_token": token, "status": "verified"},
        follow_redirects=False,
    )
    assert verified.status_code == 303
    # An action recorded for a case alone is linked to the pattern afterwards.
    second = client.post(
        "/actions",
        data={
            "csrf_token": token,
            "description": "a named contact at the courier",
            "root_cause": "nobody at the courier answered",
            "change_kind": "named_contact",
            "owner_id": str(cast.manager.id),
            "due_on": "2026-07-01",
            "cases": f"C-{made[1]['id']}",
        },
        follow_redirects=False,
    )
    assert second.headers["location"] == "/actions"
    second_id = max(
        a["id"] for a in client.get("/api/v1/actions", headers=cast.manager.headers).json()["items"]
    )
    client.post(f"/actions/{second_id}/links", data={"csrf_token": token, "patterns": f"P-{pid}"})
    again = client.get(f"/api/v1/actions/{second_id}", headers=cast.manager.headers).json()
    assert again["pattern_ids"] == [pid] and again["case_ids"] == [made[1]["id"]]

    listing = client.get("/actions")
    assert listing.status_code == 200
    assert f'id="action-{action_id}" data-status="verified"' in listing.text
    assert f'href="/patterns/{pid}"' in listing.text

    # Without the CSRF token nothing moves.
    forged = client.post(f"/actions/{action_id}/status", data={"status": "in_progress"})
    assert forged.status_code == 400
    got = client.get(f"/api/v1/actions/{action_id}", headers=cast.manager.headers).json()
    assert got["status"] == "verified"


def test_agents_cannot_add_or_move_corrective_actions_in_the_browser(
    client: TestClient, cast: Cast
) -> None:
    _courier_pattern(client, cast)
    pid = _pattern_id(client, cast)
    created = client.post(
        "/api/v1/actions",
        headers=cast.manager.headers,
        json={
            "root_cause": "drivers paid per stop",
            "change_kind": "quality_check",
            "description": "parcels handed over in person",
            "owner_email": cast.manager.email,
            "due_on": "2026-07-01",
            "pattern_ids": [pid],
        },
    ).json()
    sign_in(client, cast.agent.email)
    page = client.get("/actions")
    assert page.status_code == 200 and "action-status" not in page.text
    token = csrf_from(page.text)
    add = client.post(
        "/actions",
        data={
            "csrf_token": token,
            "pattern_id": str(pid),
            "description": "an agent's change",
            "root_cause": "an agent's cause",
            "change_kind": "staffing",
            "owner_id": str(cast.agent.id),
            "due_on": "2026-07-01",
        },
    )
    assert add.status_code == 403
    move = client.post(
        f"/actions/{created['id']}/status", data={"csrf_token": token, "status": "in_progress"}
    )
    assert move.status_code == 403
    link = client.post(f"/actions/{created['id']}/links", data={"csrf_token": token, "cases": "1"})
    assert link.status_code == 403
    still = client.get(f"/api/v1/actions/{created['id']}", headers=cast.manager.headers).json()
    assert still["status"] == "planned" and still["case_ids"] == []
    assert len(client.get("/api/v1/actions", headers=cast.manager.headers).json()["items"]) == 1


def test_the_themes_page_ranks_themes_with_money_per_currency(
    client: TestClient, cast: Cast
) -> None:
    _courier_pattern(client, cast)
    sign_in(client, cast.manager.email)
    page = client.get("/themes")
    assert page.status_code == 200
    table = page.text[page.text.index('<table class="themes"') :]
    assert (
        "€" in table and "THB" in table and "£" in table
    )  # EUR and THB customers, never added together
    sign_in(client, cast.employee.email)
    assert client.get("/themes").status_code == 403


def _drafted(client: TestClient, cast: Cast, case_id: int) -> str:
    drafted = client.get(
        f"/api/v1/cases/{case_id}/draft",
        headers=cast.agent.headers,
        params={"step": "change_explained"},
    )
    assert drafted.status_code == 200, drafted.text
    return str(drafted.json()["text"])


def test_each_customer_is_told_the_change_in_their_own_language_or_by_its_kind_alone(
    client: TestClient, cast: Cast
) -> None:
    made = _courier_pattern(client, cast)
    pid = _pattern_id(client, cast)
    english = "every parcel is now handed over in person, never left at the gate"
    created = client.post(
        "/api/v1/actions",
        headers=cast.manager.headers,
        json={
            "root_cause": "the courier's drivers were paid per stop",
            "change_kind": "quality_check",
            "description": english,
            "owner_email": cast.manager.email,
            "due_on": "2026-07-01",
            "pattern_ids": [pid],
            "wordings": {
                "sk": "každý balík teraz odovzdávame osobne, nikdy ho nenecháme pri bráne"
            },
        },
    )
    assert created.status_code == 201, created.text
    action = created.json()
    # The description counts for the language it is written in.
    assert set(action["wordings"]) == {"en", "sk"} and action["wordings"]["en"] == english
    slovak, thai, greek, british = (c["id"] for c in made[:4])
    assert "každý balík teraz odovzdávame osobne" in _drafted(client, cast, slovak)
    assert english in _drafted(client, cast, british)
    # No Greek wording yet: the Greek customer is told the kind of change, in Greek, and
    # no English sentence.
    told = _drafted(client, cast, greek)
    assert "ένας νέος ποιοτικός έλεγχος" in told and english not in told
    assert "Rychlo" not in told.split("αλλάξαμε:")[1].split(".")[0]
    # An agent adds the Thai wording on the actions page; the Thai draft then says it.
    sign_in(client, cast.agent.email)
    page = client.get("/actions")
    assert 'class="action-wording"' in page.text
    assert "told the kind of change alone" in page.text
    thai_words = "ตอนนี้เราส่งมอบพัสดุทุกชิ้นด้วยมือ ไม่วางไว้หน้าประตูอีก"
    worded = client.post(
        f"/actions/{action['id']}/wordings",
        data={"csrf_token": csrf_from(page.text), "language": "th", "text": thai_words},
        follow_redirects=False,
    )
    assert worded.status_code == 303
    assert worded.headers["location"] == f"/actions#action-{action['id']}"
    assert thai_words in _drafted(client, cast, thai)
    # The API twin; an empty text removes a wording, a language the coach does not speak
    # is refused.
    greek_words = "κάθε δέμα παραδίδεται πλέον ιδιοχείρως"
    put = client.put(
        f"/api/v1/actions/{action['id']}/wordings/el",
        headers=cast.agent.headers,
        json={"text": greek_words},
    )
    assert put.status_code == 200 and put.json()["wordings"]["el"] == greek_words
    assert greek_words in _drafted(client, cast, greek)
    removed = client.put(
        f"/api/v1/actions/{action['id']}/wordings/sk", headers=cast.agent.headers, json={"text": ""}
    )
    assert "sk" not in removed.json()["wordings"]
    assert "každý balík" not in _drafted(client, cast, slovak)
    german = client.put(
        f"/api/v1/actions/{action['id']}/wordings/de",
        headers=cast.agent.headers,
        json={"text": "x y z"},
    )
    assert german.status_code == 422 and german.json()["code"] == "language-unknown"
    # A viewer reads actions but cannot word them.
    viewer = client.put(
        f"/api/v1/actions/{action['id']}/wordings/sk",
        headers=cast.viewer.headers,
        json={"text": "abc"},
    )
    assert viewer.status_code == 403


def test_an_action_recorded_before_wordings_keeps_its_description_when_one_is_added(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    _courier_pattern(client, cast)
    pid = _pattern_id(client, cast)
    english = "every parcel is now handed over in person, never left at the gate"
    created = client.post(
        "/api/v1/actions",
        headers=cast.manager.headers,
        json={
            "root_cause": "drivers paid per stop",
            "change_kind": "quality_check",
            "description": english,
            "owner_email": cast.manager.email,
            "due_on": "2026-07-01",
            "pattern_ids": [pid],
        },
    ).json()
    with transaction(sessions) as s:
        item = s.get(CorrectiveAction, created["id"])
        assert item is not None
        item.wordings = None  # as the migration leaves an action recorded before
    put = client.put(
        f"/api/v1/actions/{created['id']}/wordings/th",
        headers=cast.agent.headers,
        json={"text": "ตอนนี้เราส่งมอบพัสดุทุกชิ้นด้วยมือ"},
    )
    assert put.status_code == 200, put.text
    assert put.json()["wordings"] == {"en": english, "th": "ตอนนี้เราส่งมอบพัสดุทุกชิ้นด้วยมือ"}

"""Drafts in the writer's own grammatical gender and the contact's greeting: set by the
person on their profile page (or a manager, the API, the CLI), by an agent on the
customer's page, and used by the case page's drafts."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends.audit.models import AuditEvent
from amends.cli import app as cli
from amends.db import transaction
from tests.conftest import Cast
from tests.helpers import make_case, make_customer
from tests.web.test_pages import csrf_from, sign_in


def _draft_text(client: TestClient, case_id: int, step: str) -> str:
    page = client.get(f"/cases/{case_id}?draft={step}")
    assert page.status_code == 200, page.text
    found = re.search(r'<textarea id="reply-text"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert found, "no composer on the case page"
    return unescape(found.group(1))


def test_an_agent_chooses_how_drafts_speak_for_them_and_the_thai_draft_follows(
    client: TestClient, cast: Cast
) -> None:
    thai = make_customer(
        client,
        cast.agent,
        name="บ้านสวน",
        language="th",
        contacts=[{"name": "สมศรี", "email": "somsri@baansuan.example"}],
    )
    case = make_case(client, cast.agent, thai["id"], cast.agent.id, title="ส่งรายงานช้า")
    sign_in(client, cast.agent.email)
    # Not said yet: the draft uses "เรา" and no particle, never "ดิฉัน/ผม".
    before = _draft_text(client, case["id"], "follow_up")
    assert "/ผม" not in before and "ดิฉัน" not in before and "ครับ" not in before
    assert "ไหม\n" in before
    profile = client.get("/me")
    assert profile.status_code == 200 and cast.agent.email in profile.text
    saved = client.post(
        "/me/gender-form", data={"gender_form": "feminine", "csrf_token": csrf_from(profile.text)}
    )
    assert saved.status_code == 200 and 'value="feminine" selected' in saved.text
    after = _draft_text(client, case["id"], "follow_up")
    assert "ดิฉันอยากตรวจสอบ" in after and "ไหมคะ" in after
    # Without the form's CSRF token nothing changes.
    refused = client.post("/me/gender-form", data={"gender_form": "masculine"})
    assert refused.status_code == 400
    mine = client.get("/api/v1/me", headers=cast.agent.headers).json()
    assert mine["gender_form"] == "feminine"
    # The profile changes the interface's language too, and comes back to itself.
    switched = client.post(
        "/me/language",
        data={"language": "sk", "csrf_token": csrf_from(profile.text)},
        headers={"referer": "http://testserver/me"},
        follow_redirects=False,
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/me"
    assert '<html lang="sk">' in client.get("/me").text


def test_a_person_sets_their_own_form_and_only_a_manager_sets_anothers(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    own = client.put(
        f"/api/v1/users/{cast.agent.id}/gender-form",
        headers=cast.agent.headers,
        json={"gender_form": "masculine"},
    )
    assert own.status_code == 200 and own.json()["gender_form"] == "masculine", own.text
    theirs = client.put(
        f"/api/v1/users/{cast.viewer.id}/gender-form",
        headers=cast.agent.headers,
        json={"gender_form": "feminine"},
    )
    assert theirs.status_code == 403
    managed = client.put(
        f"/api/v1/users/{cast.viewer.id}/gender-form",
        headers=cast.manager.headers,
        json={"gender_form": "feminine"},
    )
    assert managed.status_code == 200 and managed.json()["gender_form"] == "feminine"
    cleared = client.put(
        f"/api/v1/users/{cast.agent.id}/gender-form",
        headers=cast.agent.headers,
        json={"gender_form": None},
    )
    assert cleared.status_code == 200 and cleared.json()["gender_form"] is None
    wrong = client.put(
        f"/api/v1/users/{cast.agent.id}/gender-form",
        headers=cast.agent.headers,
        json={"gender_form": "female"},
    )
    assert wrong.status_code == 422
    with transaction(sessions) as s:
        kept = s.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "user.form-set")
        ).all()
    assert [d["form"] for d in kept] == ["masculine", "feminine", ""]


def test_a_greek_contact_is_greeted_as_recorded_or_as_the_name_shows(
    client: TestClient, cast: Cast
) -> None:
    greek = make_customer(
        client,
        cast.agent,
        name="Ψηφιακή Α.Ε.",
        language="el",
        contacts=[{"name": "Andrea Rossi", "email": "andrea@psifiaki.example", "is_primary": True}],
    )
    case = make_case(client, cast.agent, greek["id"], cast.agent.id, title="Οι αναφορές")
    sign_in(client, cast.agent.email)
    assert _draft_text(client, case["id"], "apology").startswith("Γεια σας, Andrea Rossi,")
    page = client.get(f"/customers/{greek['id']}")
    contact_id = greek["contacts"][0]["id"]
    assert f'action="/customers/{greek["id"]}/contacts/{contact_id}/gender-form"' in page.text
    saved = client.post(
        f"/customers/{greek['id']}/contacts/{contact_id}/gender-form",
        data={"gender_form": "masculine", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("?done=greeting#contacts")
    assert _draft_text(client, case["id"], "apology").startswith("Αγαπητέ Andrea Rossi,")
    # The API twin, and a contact of another customer is not found through this one.
    put = client.put(
        f"/api/v1/customers/{greek['id']}/contacts/{contact_id}/gender-form",
        headers=cast.agent.headers,
        json={"gender_form": "feminine"},
    )
    assert put.status_code == 200 and put.json()["gender_form"] == "feminine", put.text
    assert _draft_text(client, case["id"], "apology").startswith("Αγαπητή Andrea Rossi,")
    other = make_customer(client, cast.agent, name="Other", contacts=[])
    elsewhere = client.put(
        f"/api/v1/customers/{other['id']}/contacts/{contact_id}/gender-form",
        headers=cast.agent.headers,
        json={"gender_form": None},
    )
    assert elsewhere.status_code == 404
    bad = client.post(
        f"/customers/{greek['id']}/contacts/{contact_id}/gender-form",
        data={"gender_form": "female", "csrf_token": csrf_from(page.text)},
    )
    assert bad.status_code == 422 and 'data-code="form-invalid"' in bad.text


def test_the_cli_sets_both_forms(
    client: TestClient,
    cast: Cast,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)
    monkeypatch.setenv("AMENDS_OPERATOR", cast.manager.email)
    customer = make_customer(client, cast.agent)
    runner = CliRunner()
    set_user = runner.invoke(
        cli, ["users", "set-gender-form", cast.agent.email, "masculine", "--json"]
    )
    assert set_user.exit_code == 0, set_user.output
    assert json.loads(set_user.stdout)["gender_form"] == "masculine"
    wrong = runner.invoke(cli, ["users", "set-gender-form", cast.agent.email, "male"])
    assert wrong.exit_code != 0 and "feminine, masculine or none" in wrong.output
    set_contact = runner.invoke(
        cli,
        [
            "customers",
            "contact-form",
            str(customer["id"]),
            "jan@pekaren-novak.example",
            "masculine",
            "--json",
        ],
    )
    assert set_contact.exit_code == 0, set_contact.output
    assert json.loads(set_contact.stdout)["gender_form"] == "masculine"
    missing = runner.invoke(
        cli, ["customers", "contact-form", str(customer["id"]), "nobody@example.com", "none"]
    )
    assert missing.exit_code != 0 and "no single contact" in missing.output
    more = runner.invoke(
        cli,
        [
            "customers",
            "add-contact",
            str(customer["id"]),
            "Mária Nováková",
            "--email",
            "maria@pekaren-novak.example",
            "--primary",
            "--gender-form",
            "feminine",
            "--json",
        ],
    )
    assert more.exit_code == 0, more.output
    assert json.loads(more.stdout)["is_primary"] is True
    assert json.loads(more.stdout)["gender_form"] == "feminine"


def test_a_thai_customer_without_a_contact_person_is_greeted_as_a_company(
    client: TestClient, cast: Cast
) -> None:
    shop = make_customer(client, cast.agent, name="ร้านกาแฟบ้านสวน", language="th", contacts=[])
    case = make_case(client, cast.agent, shop["id"], cast.agent.id, title="ส่งกาแฟช้า")
    sign_in(client, cast.agent.email)
    # "คุณ" is for a person: "เรียน คุณร้านกาแฟบ้านสวน" would call the shop by a title.
    assert _draft_text(client, case["id"], "apology").startswith("เรียน ร้านกาแฟบ้านสวน\n")


def test_an_agent_adds_a_customer_and_a_contact_in_the_browser(
    client: TestClient, cast: Cast
) -> None:
    sign_in(client, cast.agent.email)
    listing = client.get("/customers")
    assert 'action="/customers"' in listing.text and 'id="add-customer"' in listing.text
    token = csrf_from(listing.text)
    added = client.post(
        "/customers",
        data={
            "csrf_token": token,
            "name": "Ψηφιακή Α.Ε.",
            "language": "el",
            "timezone": "Europe/Athens",
            "currency": "eur",
            "tier": "gold",
            "recurring_value": "250,50",
            "contact_name": "Ελένη Νικολάου",
            "contact_email": "eleni@psifiaki.example",
            "contact_form": "",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    customer_id = int(added.headers["location"].rsplit("/", 1)[1])
    shown = client.get(f"/api/v1/customers/{customer_id}", headers=cast.agent.headers).json()
    assert (shown["language"], shown["currency"], shown["tier"]) == ("el", "EUR", "gold")
    assert [c["email"] for c in shown["contacts"]] == ["eleni@psifiaki.example"]
    # A refusal is said on the list page, with the form open again.
    bad = client.post(
        "/customers",
        data={"csrf_token": token, "name": "X", "timezone": "Mars/Olympus", "language": "en"},
    )
    assert bad.status_code == 422 and 'role="alert"' in bad.text and "timezone" in bad.text
    assert '<details id="add-customer" open>' in bad.text
    page = client.get(f"/customers/{customer_id}")
    moved = client.post(
        f"/customers/{customer_id}/contacts",
        data={
            "csrf_token": csrf_from(page.text),
            "name": "Γιώργος Νικολάου",
            "email": "giorgos@psifiaki.example",
            "primary": "1",
        },
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert moved.headers["location"].endswith("?done=contact#contacts")
    shown = client.get(f"/api/v1/customers/{customer_id}", headers=cast.agent.headers).json()
    primary = [c["name"] for c in shown["contacts"] if c["is_primary"]]
    assert primary == ["Γιώργος Νικολάου"] and len(shown["contacts"]) == 2
    # Drafts greet the primary contact, a man by his name's ending, in the vocative.
    case = make_case(client, cast.agent, customer_id, cast.agent.id, title="Οι αναφορές")
    assert _draft_text(client, case["id"], "apology").startswith("Αγαπητέ Γιώργο Νικολάου,")
    twice = client.post(
        f"/customers/{customer_id}/contacts",
        data={"csrf_token": csrf_from(page.text), "name": "G", "email": "giorgos@psifiaki.example"},
    )
    assert twice.status_code == 409 and 'data-code="contact-exists"' in twice.text
    # The API twin, and a viewer may not add one.
    api = client.post(
        f"/api/v1/customers/{customer_id}/contacts",
        headers=cast.agent.headers,
        json={"name": "Μαρία", "email": "maria@psifiaki.example", "gender_form": "feminine"},
    )
    assert api.status_code == 201 and api.json()["gender_form"] == "feminine", api.text
    viewer = client.post(
        f"/api/v1/customers/{customer_id}/contacts",
        headers=cast.viewer.headers,
        json={"name": "V"},
    )
    assert viewer.status_code == 403
    # Removing the primary contact makes the longest-known other one primary.
    shown = client.get(f"/api/v1/customers/{customer_id}", headers=cast.agent.headers).json()
    (giorgos,) = [c["id"] for c in shown["contacts"] if c["is_primary"]]
    page = client.get(f"/customers/{customer_id}")
    assert f'action="/customers/{customer_id}/contacts/{giorgos}/remove"' in page.text
    removed = client.post(
        f"/customers/{customer_id}/contacts/{giorgos}/remove",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    shown = client.get(f"/api/v1/customers/{customer_id}", headers=cast.agent.headers).json()
    assert [(c["name"], c["is_primary"]) for c in shown["contacts"]] == [
        ("Ελένη Νικολάου", True),
        ("Μαρία", False),
    ]
    maria = shown["contacts"][1]["id"]
    deleted = client.delete(
        f"/api/v1/customers/{customer_id}/contacts/{maria}", headers=cast.agent.headers
    )
    assert deleted.status_code == 204
    again = client.delete(
        f"/api/v1/customers/{customer_id}/contacts/{maria}", headers=cast.agent.headers
    )
    assert again.status_code == 404
    # Viewers see no forms.
    client.cookies.clear()
    sign_in(client, cast.viewer.email)
    assert 'id="add-customer"' not in client.get("/customers").text
    assert 'id="add-contact"' not in client.get(f"/customers/{customer_id}").text


def test_a_manager_sets_how_a_colleagues_drafts_speak_on_the_people_page(
    client: TestClient, cast: Cast
) -> None:
    sign_in(client, cast.manager.email)
    page = client.get("/settings/people")
    assert f'action="/settings/people/{cast.agent.id}/gender-form"' in page.text
    done = client.post(
        f"/settings/people/{cast.agent.id}/gender-form",
        data={"gender_form": "masculine", "csrf_token": csrf_from(page.text)},
    )
    assert done.status_code == 200 and 'role="status"' in done.text
    mine = client.get("/api/v1/me", headers=cast.agent.headers).json()
    assert mine["gender_form"] == "masculine"

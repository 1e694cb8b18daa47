"""One view of a case for its page, `cases show` and GET /api/v1/cases/{id}: clocks,
validity, compensation, repeats, similar cases, participants and attachments; and the
files that came with a complaint, listed on its case and downloaded as attachments."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_percent
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends.cases import service as cases
from amends.cli import app as cli
from amends.clock import FileClock, FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.people.models import User
from amends.people.rules import OPERATOR
from amends.recovery.facts import duration, file_size
from amends.web.i18n import translations
from tests.conftest import Cast
from tests.helpers import make_case, make_customer
from tests.intake.test_web_form import form, token
from tests.web.test_pages import sign_in

VIEW_KEYS = {"clocks", "validity", "compensation", "repeat_of", "similar"}
VIEW_KEYS |= {"participants", "attachments"}


def a_repeat_with_a_request(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> tuple[int, int]:
    """Two cases of one customer about the same failure; the second asks for compensation
    above the agent's limit and names the employee."""
    customer = make_customer(client, cast.owner)
    first = make_case(client, cast.owner, customer["id"], cast.agent.id)
    monthly = client.post(
        "/api/v1/commitments",
        headers=cast.owner.headers,
        json={
            "customer_id": customer["id"],
            "title": "Mesačný marketingový report",
            "kind": "recurring_service",
            "currency": "EUR",
            "due_at": "2026-02-05T09:00:00+01:00",
            "rrule": "FREQ=MONTHLY;BYMONTHDAY=5",
            "owner_id": cast.agent.id,
            "value": "200.00",
        },
    )
    assert monthly.status_code == 201, monthly.text
    second = make_case(
        client,
        cast.owner,
        customer["id"],
        cast.agent.id,
        title="Marketingové reporty opäť chýbajú",
        commitment_id=monthly.json()["id"],
    )
    asked = client.post(
        f"/api/v1/cases/{second['id']}/steps",
        headers=cast.agent.headers,
        json={
            "steps": ["acknowledge", "own", "remedy", "compensate"],
            "compensation": {"kind": "credit", "amount": "5000", "rationale": "a year"},
            "call_note": "Called Ján: we missed the reports, they are on the way.",
        },
    )
    assert asked.status_code == 200, asked.text
    with transaction(sessions) as s:
        case = cases.get_case(s, second["id"], actor=OPERATOR)
        cases.add_participant(
            s, case=case, user_id=cast.employee.id, reason="named", actor=OPERATOR, now=clock.now()
        )
    return first["id"], second["id"]


def test_the_api_and_the_cli_show_the_case_from_one_view(
    client: TestClient,
    cast: Cast,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    first, second = a_repeat_with_a_request(client, cast, sessions, clock)
    shown = client.get(f"/api/v1/cases/{second}", headers=cast.agent.headers)
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert set(body) >= VIEW_KEYS
    assert body["repeat_of"] == [
        {"id": first, "ref": f"C-{first}", "title": "Marketingové reporty nikdy neprišli"}
    ]
    assert body["similar"][0]["id"] == first and body["similar"][0]["ref"] == f"C-{first}"
    assert 0 < body["similar"][0]["score"] <= 1 and len(body["similar"]) <= 5
    assert body["validity"]["verdict"] == "right" and body["validity"]["reasons"]
    (claim,) = body["validity"]["claims"]
    assert (claim["commitment"], claim["status"]) == ("Mesačný marketingový report", "missed")
    recommended = body["compensation"]["recommended"]
    assert recommended["currency"] == "EUR" and recommended["explanation"]
    (asked,) = body["compensation"]["granted"]
    assert (asked["amount"], asked["currency"], asked["status"]) == ("5000.00", "EUR", "requested")
    assert body["compensation"]["open_request"] is True
    assert [(p["name"], p["reason"]) for p in body["participants"]] == [
        ("Somchai Employee", "named")
    ]
    clocks = {c["name"]: c for c in body["clocks"]}
    assert clocks["acknowledge"]["status"] == "met"
    assert clocks["remedy"]["status"] == "met"
    assert clocks["close"]["status"] == "running" and clocks["close"]["seconds_left"] > 0
    assert body["attachments"] == []

    # The employee named in it sees the case, but not the earlier one they had no part in.
    theirs = client.get(f"/api/v1/cases/{second}", headers=cast.employee.headers).json()
    assert theirs["repeat_of"] == [] and theirs["similar"] == []
    assert client.get(f"/api/v1/cases/{first}", headers=cast.employee.headers).status_code == 404

    monkeypatch.setenv("AMENDS_HOME", str(settings.home))
    monkeypatch.setenv("AMENDS_DATABASE_URL", settings.database_url)
    moment = tmp_path / "clock"
    FileClock(moment).set(clock.now())
    monkeypatch.setenv("AMENDS_CLOCK_FILE", str(moment))
    runner = CliRunner()
    as_json = runner.invoke(cli, ["cases", "show", str(second), "--json"])
    assert as_json.exit_code == 0, as_json.stderr
    payload = json.loads(as_json.stdout)
    assert {k: payload[k] for k in VIEW_KEYS} == {k: body[k] for k in VIEW_KEYS}
    assert payload["timeline"][0]["kind"] == "opened"
    text = runner.invoke(cli, ["cases", "show", str(second)])
    assert text.exit_code == 0, text.stderr
    for line in (
        f"repeats C-{first} Marketingové reporty nikdy neprišli",
        "compensation #1: credit 5000.00 EUR requested",
        "participant Somchai Employee (employee, named)",
        "is the customer right? right",
        "recommended: ",
    ):
        assert line in text.stdout


@pytest.mark.parametrize("language", ["th", "sk", "el"])
def test_the_case_page_shows_the_panels_in_the_readers_language(
    client: TestClient,
    cast: Cast,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    language: str,
) -> None:
    first, second = a_repeat_with_a_request(client, cast, sessions, clock)
    with transaction(sessions) as s:
        s.execute(update(User).where(User.id == cast.agent.id).values(language=language))
    sign_in(client, cast.agent.email)
    page = client.get(f"/cases/{second}")
    assert page.status_code == 200
    _ = translations(language).gettext
    for label in (
        "Deadlines",
        "Is the customer right?",
        "Compensation",
        "Participants",
        "Attachments",
        "Related cases",
        "The customer is right",
        "Never delivered",
        "Met",
    ):
        assert _(label) != label and _(label) in page.text, label
    # The recommendation's reasons, in the reader's language too.
    # Shares as the reader writes them ("125 %" in Slovak, with a no-break space).
    share = format_percent(Decimal("1.25"), locale=language)
    assert html.escape(_("start at %(share)s of the loss") % {"share": share}) in page.text
    assert f'href="/cases/{first}"' in page.text
    assert "Somchai Employee" in page.text


def test_the_case_page_fetches_its_similar_cases_on_their_own_and_only_those_one_may_see(
    client: TestClient,
    cast: Cast,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
) -> None:
    first, second = a_repeat_with_a_request(client, cast, sessions, clock)
    sign_in(client, cast.agent.email)
    page = client.get(f"/cases/{second}")
    assert f'hx-get="/cases/{second}/similar"' in page.text
    assert 'class="similar"' not in page.text  # not ranked while the page is drawn
    fragment = client.get(f"/cases/{second}/similar", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert 'class="similar"' in fragment.text and f'href="/cases/{first}"' in fragment.text
    assert "<html" not in fragment.text
    # Followed as a link without JavaScript: a whole page.
    alone = client.get(f"/cases/{second}/similar")
    assert "<html" in alone.text and f'href="/cases/{first}"' in alone.text
    # The employee named in the complaint sees this case, but not the earlier one.
    sign_in(client, cast.employee.email)
    theirs = client.get(f"/cases/{second}/similar", headers={"HX-Request": "true"})
    assert theirs.status_code == 200 and f'href="/cases/{first}"' not in theirs.text
    assert client.get(f"/cases/{first}/similar").status_code == 404


def test_durations_and_sizes_read_as_people_say_them() -> None:
    assert duration(2 * 3600 + 15 * 60, "en") == "2 hr 15 min"
    assert duration(-(3 * 86400 + 3600 + 60), "sk") == "3 dni 1 h"
    assert duration(20, "en") == "0 min"
    assert file_size(13, "en") == "13 byte"
    assert file_size(1_234_567, "sk") == "1,2 MB"


@pytest.mark.slow
def test_a_complaint_form_attachment_is_listed_on_its_case_and_downloads_as_an_attachment(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    pdf = b"%PDF-1.4 the invoice"
    page = b"<html><script>alert(1)</script></html>"
    csrf = token(client)
    sent = client.post(
        f"/complaint?csrf_token={csrf}",  # multipart: the token is shown before the body
        data=form(csrf),
        files=[
            ("files", ("faktúra.pdf", pdf, "application/pdf")),
            ("files", ('"evil".html', page, "text/html")),
        ],
    )
    assert sent.status_code == 200, sent.text
    found = re.search(r"<strong>C-(\d+)</strong>", sent.text)
    assert found
    case_id = int(found.group(1))

    listed = client.get(f"/api/v1/cases/{case_id}", headers=cast.agent.headers).json()
    files = {f["name"]: f for f in listed["attachments"]}
    invoice = files["faktúra.pdf"]
    assert (invoice["size"], invoice["content_type"]) == (len(pdf), "application/pdf")
    assert invoice["url"] == f"/cases/{case_id}/attachments/{invoice['id']}"

    # Signed out, the file is not served at all.
    assert client.get(invoice["url"], follow_redirects=False).status_code == 303

    sign_in(client, cast.agent.email)
    case_page = client.get(f"/cases/{case_id}")
    assert "faktúra.pdf" in case_page.text and f'href="{invoice["url"]}"' in case_page.text
    got = client.get(invoice["url"])
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''fakt%C3%BAra.pdf" in disposition

    (evil,) = [f for f in listed["attachments"] if f["name"].endswith(".html")]
    hostile = client.get(evil["url"])
    assert hostile.content == page and hostile.headers["content-type"] == "application/octet-stream"
    assert hostile.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in hostile.headers["content-security-policy"]

    # A file asked for under another case is not there.
    other = make_case(client, cast.owner, make_customer(client, cast.owner)["id"], cast.agent.id)
    assert client.get(f"/cases/{other['id']}/attachments/{invoice['id']}").status_code == 404

    # The employee, not part of this case, cannot tell the file exists.
    client.cookies.clear()
    sign_in(client, cast.employee.email)
    assert client.get(invoice["url"]).status_code == 404


def test_the_download_name_is_always_safe() -> None:
    from amends.intake.pages import content_disposition, safe_content_type

    assert content_disposition("a\r\nb.pdf") == (
        "attachment; filename=\"a_b.pdf\"; filename*=UTF-8''a%0D%0Ab.pdf"
    )
    assert content_disposition("ใบแจ้งหนี้.pdf").startswith('attachment; filename="attachment.pdf";')
    assert safe_content_type("image/svg+xml") == "application/octet-stream"
    assert safe_content_type("Application/PDF; name=x") == "application/pdf"

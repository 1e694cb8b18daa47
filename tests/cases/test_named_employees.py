"""An employee named in a complaint takes part in its case: Eleni in a Greek complaint,
Nok in a Thai one (by her nickname นก), Zuzana in a Slovak one, Tomáš in an English one.
Each is told, sees that case as an ``employee`` and no other, and gives a statement;
the case cannot close until the statement is recorded or a manager waives it with the
reason. The API, the CLI and the pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends.audit.models import AuditEvent
from amends.cases import statements
from amends.cases.models import Notification
from amends.cli import app as cli
from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.intake.pipeline import ingest
from amends.people import service as people
from amends.people.rules import Role
from amends.recovery.wording import REFUSALS
from amends.web.i18n import translations
from tests.conftest import PASSWORD, Cast, Person
from tests.helpers import make_customer
from tests.security import intake_mail
from tests.web.test_pages import csrf_from, sign_in

runner = CliRunner()

COMPLAINTS = {
    "el": ("Αγένεια στο τηλέφωνο", "Η Ελένη μου μίλησε με αγένεια", "eleni"),
    "th": ("บริการไม่ดี", "น้องนกพูดจาไม่ดี", "nok"),
    "sk": ("Sťažnosť", "So Zuzanou sa nedá dohodnúť, zvýšila na mňa hlas.", "zuzana"),
    "en": ("Rude technician", "Your technician Tomáš was rude to me at the counter.", "tomas"),
}
CUSTOMERS = {
    "el": ("Ταβέρνα Κύμα", "Γιώργος Νικολάου", "EUR", "Europe/Athens"),
    "th": ("ร้านกาแฟริมน้ำ", "สมศรี ใจงาม", "THB", "Asia/Bangkok"),
    "sk": ("Kaviareň Dunaj", "Jana Mikulová", "EUR", "Europe/Bratislava"),
    "en": ("Corner Bakery", "Ruth Miller", "GBP", "Europe/London"),
}
STAFF = {
    "eleni": ("eleni@example.com", "Eleni Papadaki", []),
    "nok": ("nok@example.com", "Nok Srisuk", ["นก"]),
    "zuzana": ("zuzana@example.com", "Zuzana Horváthová", ["Zuzka"]),
    "tomas": ("tomas@example.com", "Tomáš Baláž", []),
}


@dataclass
class Named:
    person: Person
    case_id: int
    language: str


def _employees(sessions: sessionmaker[Session], clock: FrozenClock) -> dict[str, Person]:
    made = {}
    with transaction(sessions) as s:
        for key, (email, name, _) in STAFF.items():
            user = people.create_user(
                s, email=email, name=name, role=Role.EMPLOYEE, now=clock.now(), password=PASSWORD
            )
            token = people.create_token(s, user=user, name="tests", now=clock.now())
            made[key] = Person(user.id, email, Role.EMPLOYEE, token)
    return made


def _complain(client: TestClient, cast: Cast, language: str, **extra: Any) -> dict[str, Any]:
    name, contact, currency, tz = CUSTOMERS[language]
    customer = make_customer(
        client,
        cast.owner,
        name=name,
        language=language,
        currency=currency,
        timezone=tz,
        contacts=[{"name": contact, "email": f"{language}@customer.example"}],
    )
    subject, text, _ = COMPLAINTS[language]
    body = {"customer_id": customer["id"], "subject": subject, "text": text, "language": language}
    body.update(extra)
    sent = client.post("/api/v1/complaints", headers=cast.agent.headers, json=body)
    assert sent.status_code == 201, sent.text
    return dict(sent.json())


@pytest.fixture
def named(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> dict[str, Named]:
    """One complaint per language, each naming one employee."""
    staff = _employees(sessions, clock)
    put = client.put(
        f"/api/v1/users/{staff['nok'].id}/nicknames",
        headers=cast.manager.headers,
        json={"nicknames": ["นก", "Nok"]},
    )
    assert put.status_code == 200 and put.json()["nicknames"] == ["นก", "Nok"], put.text
    found = {}
    for language, (_, _, key) in COMPLAINTS.items():
        case = _complain(client, cast, language)
        found[language] = Named(staff[key], case["case_id"], language)
    return found


@pytest.mark.parametrize("language", ["el", "th", "sk", "en"])
def test_a_complaint_makes_the_employee_it_names_a_participant_who_sees_only_that_case(
    client: TestClient,
    cast: Cast,
    sessions: sessionmaker[Session],
    named: dict[str, Named],
    language: str,
) -> None:
    it = named[language]
    shown = client.get(f"/api/v1/cases/{it.case_id}", headers=cast.owner.headers).json()
    (participant,) = shown["participants"]
    assert participant["user"] == it.person.email
    assert participant["reason"] == "named" and participant["statement_at"] is None
    # They see this case, with the customer's words, and no other.
    mine = client.get("/api/v1/cases", headers=it.person.headers)
    assert mine.status_code == 200, mine.text
    assert [c["id"] for c in mine.json()["items"]] == [it.case_id]
    for other in named.values():
        if other.case_id != it.case_id:
            hidden = client.get(f"/api/v1/cases/{other.case_id}", headers=it.person.headers)
            assert hidden.status_code == 404
    assert client.get(f"/api/v1/cases/{it.case_id}", headers=it.person.headers).status_code == 200
    # They were told, and asked for their statement.
    with transaction(sessions) as s:
        told = s.scalars(select(Notification).where(Notification.user_id == it.person.id)).all()
        assert [(n.kind, n.case_id) for n in told] == [("named_in_complaint", it.case_id)]
    pending = client.get("/api/v1/people/statements", headers=it.person.headers).json()
    assert [(p["case_id"], p["user"]) for p in pending] == [(it.case_id, it.person.email)]


def _ready_to_close(client: TestClient, cast: Cast, case_id: int) -> None:
    done = client.post(
        f"/api/v1/cases/{case_id}/steps",
        headers=cast.agent.headers,
        json={
            "steps": ["acknowledge", "own", "remedy", "compensate"],
            "compensation": {"kind": "none", "rationale": "an apology in person"},
            "call_note": "Called the customer and apologised.",
        },
    )
    assert done.status_code == 200, done.text


def _close(client: TestClient, cast: Cast, case_id: int) -> Any:
    return client.post(
        f"/api/v1/cases/{case_id}/steps",
        headers=cast.agent.headers,
        json={"steps": ["close"], "outcome": "retained"},
    )


@pytest.mark.parametrize("language", ["el", "th", "sk", "en"])
def test_the_case_closes_once_the_named_employee_gave_a_statement(
    client: TestClient, cast: Cast, named: dict[str, Named], language: str
) -> None:
    it = named[language]
    _ready_to_close(client, cast, it.case_id)
    refused = _close(client, cast, it.case_id)
    assert refused.status_code == 409
    assert refused.json()["code"] == "statement-pending"
    name = STAFF[COMPLAINTS[language][2]][1]
    assert name in refused.json()["detail"]
    # Only the named employee speaks for themselves.
    other = client.post(
        f"/api/v1/cases/{it.case_id}/statement",
        headers=cast.agent.headers,
        json={"text": "I was not there."},
    )
    assert other.status_code == 404
    given = client.post(
        f"/api/v1/cases/{it.case_id}/statement",
        headers=it.person.headers,
        json={"text": "The customer asked about the price; I answered too sharply."},
    )
    assert given.status_code == 200, given.text
    assert given.json()["statement_at"] is not None
    assert client.get("/api/v1/people/statements", headers=cast.owner.headers).json() == [
        p
        for p in client.get("/api/v1/people/statements", headers=cast.owner.headers).json()
        if p["case_id"] != it.case_id
    ]
    closed = _close(client, cast, it.case_id)
    assert closed.status_code == 200, closed.text
    timeline = client.get(f"/api/v1/cases/{it.case_id}/timeline", headers=it.person.headers)
    kinds = [e["kind"] for e in timeline.json()]
    assert kinds.index("participant_added") < kinds.index("statement_recorded")
    recorded = next(e for e in timeline.json() if e["kind"] == "statement_recorded")
    assert (
        recorded["note"].startswith("The customer asked") and recorded["actor_id"] == it.person.id
    )


def test_a_manager_may_waive_the_statement_with_a_reason_and_an_agent_may_not(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], named: dict[str, Named]
) -> None:
    it = named["th"]
    _ready_to_close(client, cast, it.case_id)
    body = {"user_id": it.person.id, "reason": "Nok has left the company"}
    by_agent = client.post(
        f"/api/v1/cases/{it.case_id}/statement-waiver", headers=cast.agent.headers, json=body
    )
    assert by_agent.status_code == 403 and by_agent.json()["code"] == "waiver-forbidden"
    no_reason = client.post(
        f"/api/v1/cases/{it.case_id}/statement-waiver",
        headers=cast.manager.headers,
        json={"user_id": it.person.id, "reason": " "},
    )
    assert no_reason.status_code == 422
    waived = client.post(
        f"/api/v1/cases/{it.case_id}/statement-waiver",
        headers=cast.manager.headers,
        json={"user": it.person.email, "reason": body["reason"]},
    )
    assert waived.status_code == 200, waived.text
    assert waived.json()["waived_at"] is not None
    assert _close(client, cast, it.case_id).status_code == 200
    timeline = client.get(f"/api/v1/cases/{it.case_id}/timeline", headers=it.person.headers)
    (event,) = [e for e in timeline.json() if e["kind"] == "statement_waived"]
    assert event["note"] == "Nok has left the company" and event["actor_id"] == cast.manager.id
    with transaction(sessions) as s:
        audited = s.scalars(select(AuditEvent.action)).all()
        assert "statement.waived" in audited


def test_a_word_containing_a_name_or_a_customer_named_like_an_employee_names_nobody(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    _employees(sessions, clock)
    with transaction(sessions) as s:
        nok = people.user_by_email(s, "nok@example.com")
        people.set_nicknames(
            s, actor=people.actor_for(nok), user=nok, nicknames=["นก"], now=clock.now()
        )
    cases = [
        _complain(client, cast, "en", text="My Nokia phone shows your invoice twice."),
        _complain(client, cast, "th", text="เนกไทที่สั่งมาขาด ส่งของช้ามาก"),
        # The customer signs with the name of a colleague: that is no complaint about her.
        _complain(client, cast, "el", text="Κανείς δεν απάντησε.\nΕλένη", from_name="Ελένη Κ."),
        _complain(client, cast, "sk", text="Faktúra je zlá.\nZuzana", from_name="Zuzana Nová"),
    ]
    for case in cases:
        shown = client.get(f"/api/v1/cases/{case['case_id']}", headers=cast.owner.headers)
        assert shown.json()["participants"] == [], case


def test_the_cli_shows_participants_refuses_to_close_and_records_statement_and_waiver(
    client: TestClient,
    cast: Cast,
    named: dict[str, Named],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)
    monkeypatch.setenv("AMENDS_OPERATOR", cast.manager.email)
    greek, slovak = named["el"], named["sk"]
    for it in (greek, slovak):
        _ready_to_close(client, cast, it.case_id)

    shown = runner.invoke(cli, ["cases", "show", str(greek.case_id), "--json"])
    assert shown.exit_code == 0, shown.output
    (participant,) = json.loads(shown.stdout)["participants"]
    assert {k: participant[k] for k in ("user", "reason", "statement_at")} == {
        "user": "eleni@example.com",
        "reason": "named",
        "statement_at": None,
    }
    pending = runner.invoke(cli, ["people", "statements", "--json"])
    assert pending.exit_code == 0, pending.output
    owed = [json.loads(line) for line in pending.stdout.splitlines()]
    assert {(o["case_id"], o["user"]) for o in owed} >= {
        (greek.case_id, "eleni@example.com"),
        (slovak.case_id, "zuzana@example.com"),
    }

    close = ["cases", "act", str(greek.case_id), "close", "--outcome", "retained"]
    refused = runner.invoke(cli, close)
    assert refused.exit_code == 1
    assert "statement-pending" in refused.stderr and "Eleni Papadaki" in refused.stderr

    given = runner.invoke(
        cli,
        [
            "cases",
            "statement",
            str(greek.case_id),
            "--as",
            "eleni@example.com",
            "--text",
            "I kept calm; the customer was upset about the bill.",
        ],
    )
    assert given.exit_code == 0, given.output
    assert runner.invoke(cli, close).exit_code == 0

    waived = runner.invoke(
        cli,
        [
            "cases",
            "waive-statement",
            str(slovak.case_id),
            "--user",
            "zuzana@example.com",
            "--reason",
            "Zuzana is on parental leave",
        ],
    )
    assert waived.exit_code == 0, waived.output
    slovak_close = ["cases", "act", str(slovak.case_id), "close", "--outcome", "retained"]
    assert runner.invoke(cli, slovak_close).exit_code == 0
    left = runner.invoke(cli, ["people", "statements", "--json"])
    assert {json.loads(line)["case_id"] for line in left.stdout.splitlines()} == {
        named["th"].case_id,
        named["en"].case_id,
    }
    nick = runner.invoke(cli, ["users", "set-nicknames", "tomas@example.com", "Tomi", "--json"])
    assert nick.exit_code == 0 and json.loads(nick.stdout)["nicknames"] == ["Tomi"]


@pytest.mark.parametrize("language", ["el", "th", "sk", "en"])
def test_on_the_case_page_the_employee_gives_a_statement_and_closing_says_why_it_waits(
    client: TestClient,
    cast: Cast,
    sessions: sessionmaker[Session],
    named: dict[str, Named],
    language: str,
) -> None:
    it = named[language]
    _ready_to_close(client, cast, it.case_id)
    with transaction(sessions) as s:
        people.set_language(s, cast.agent.id, language)
        people.set_language(s, it.person.id, language)
    _ = translations(language).gettext
    sign_in(client, cast.agent.email)
    page = client.get(f"/cases/{it.case_id}")
    refused = client.post(
        f"/cases/{it.case_id}/close",
        data={"outcome": "retained", "csrf_token": csrf_from(page.text)},
    )
    assert refused.status_code == 409
    wanted = _(REFUSALS["statement-pending"])
    assert wanted != REFUSALS["statement-pending"] or language == "en"
    assert wanted in refused.text
    client.cookies.clear()

    sign_in(client, it.person.email)
    page = client.get(f"/cases/{it.case_id}")
    assert page.status_code == 200
    assert COMPLAINTS[language][1] in page.text  # the customer's words, nothing hidden
    assert 'class="statement-form"' in page.text and 'class="waiver-form"' not in page.text
    assert (
        client.get(f"/cases/{named['el' if language != 'el' else 'th'].case_id}").status_code == 404
    )
    saved = client.post(
        f"/cases/{it.case_id}/statement",
        data={"text": "Mine, in my words.", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and "done=statement" in saved.headers["location"]
    again = client.get(saved.headers["location"])
    assert 'data-statement="recorded"' in again.text and "Mine, in my words." in again.text
    assert _("Your statement is recorded.") in again.text


def test_a_manager_waives_a_statement_on_the_page(
    client: TestClient, cast: Cast, named: dict[str, Named]
) -> None:
    it = named["sk"]
    sign_in(client, cast.manager.email)
    page = client.get(f"/cases/{it.case_id}")
    assert 'class="waiver-form"' in page.text and 'class="statement-form"' not in page.text
    done = client.post(
        f"/cases/{it.case_id}/statement-waiver",
        data={
            "user_id": str(it.person.id),
            "reason": "Zuzana already apologised in person",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and "done=waived" in done.headers["location"]
    shown = client.get(done.headers["location"]).text
    assert 'data-statement="waived"' in shown and "Zuzana already apologised in person" in shown


def test_people_set_nicknames_on_the_settings_page(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    staff = _employees(sessions, clock)
    sign_in(client, cast.manager.email)
    page = client.get("/settings/people")
    saved = client.post(
        f"/settings/people/{staff['nok'].id}/nicknames",
        data={"nicknames": "นก, Nok", "csrf_token": csrf_from(page.text)},
    )
    assert saved.status_code == 200, saved.text
    with transaction(sessions) as s:
        assert people.get_user(s, staff["nok"].id).nicknames == ["นก", "Nok"]
    # An employee may not change someone else's.
    denied = client.put(
        f"/api/v1/users/{staff['zuzana'].id}/nicknames",
        headers=staff["nok"].headers,
        json={"nicknames": ["Zuzi"]},
    )
    assert denied.status_code == 403


def test_mail_intake_names_the_employee_but_not_a_sender_who_shares_the_name(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    ctx = intake_mail.context(settings, sessions, clock, tmp_path / "home")
    _employees(sessions, clock)
    about_zuzana = ingest(
        ctx,
        intake_mail.raw_mail(body="Dobrý deň, so Zuzanou sa nedá dohodnúť, zvýšila na mňa hlas."),
        source="test",
    )
    # A customer called Nok writes, and gives her name: nobody is named.
    signed = ingest(
        ctx,
        intake_mail.raw_mail(
            sender="Nok Chaiyaporn <nok@riverside-cafe.example>",
            subject="Late delivery",
            msgid="<m2@riverside-cafe.example>",
            body="Hello, Nok from Riverside Cafe here: the beans have not arrived for a week.",
        ),
        source="test",
    )
    with transaction(sessions) as s:
        found = {
            case_id: [u.email for _, u in statements.named_on(s, case_id)]
            for case_id in (about_zuzana.case_id, signed.case_id)
            if case_id is not None
        }
    assert found == {about_zuzana.case_id: ["zuzana@example.com"], signed.case_id: []}


def test_erasing_the_customer_erases_the_statement_about_them(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], named: dict[str, Named]
) -> None:
    it = named["sk"]
    given = client.post(
        f"/api/v1/cases/{it.case_id}/statement",
        headers=it.person.headers,
        json={"text": "Pani Mikulová kričala prvá."},
    )
    assert given.status_code == 200, given.text
    shown = client.get(f"/api/v1/cases/{it.case_id}", headers=cast.owner.headers).json()
    erased = client.post(
        f"/api/v1/customers/{shown['customer_id']}/erase", headers=cast.owner.headers
    )
    assert erased.status_code == 200, erased.text
    after = client.get(f"/api/v1/cases/{it.case_id}", headers=cast.owner.headers).json()
    (participant,) = after["participants"]
    assert participant["statement"] == "[erased]" and participant["statement_at"] is not None

"""Complaints opened by the form, by mail and by the API get a category from their text,
with its confidence on the case and its opening event; an agent sets the category by the
API, the command line or the case page, and the change is on the timeline. A guessed
category alone never groups unrelated complaints into a pattern."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case, TimelineEvent
from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.intake.pipeline import IntakeContext, ingest_many
from amends.patterns.models import Pattern
from amends.people import service as people
from amends.people.rules import Role
from tests.cases.test_cases_cli import env, run
from tests.conftest import DEFAULT_PLAYBOOK, START, Cast
from tests.helpers import make_customer
from tests.intake.test_web_form import form, fresh_limiter, token
from tests.web.test_pages import csrf_from, sign_in

__all__ = ["env", "fresh_limiter"]  # fixtures shared with the other tests

BILLING_SK = "Za tú istú objednávku ste mi strhli peniaze z karty dvakrát."


def _opened(sessions: sessionmaker[Session], case_id: int) -> tuple[Case, dict[str, Any]]:
    with transaction(sessions) as s:
        case = s.get(Case, case_id)
        assert case is not None
        s.expunge(case)
        event = s.scalars(
            select(TimelineEvent).where(
                TimelineEvent.case_id == case_id, TimelineEvent.kind == "opened"
            )
        ).one()
        return case, dict(event.data)


def _complaint(client: TestClient, cast: Cast, text: str, subject: str = "") -> int:
    customer = make_customer(client, cast.owner)
    response = client.post(
        "/api/v1/complaints",
        json={"customer_id": customer["id"], "subject": subject, "text": text, "language": "sk"},
        headers=cast.agent.headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["case_id"])


@pytest.mark.slow
def test_the_complaint_form_opens_a_case_with_the_category_of_its_text(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    csrf = token(client)
    response = client.post(
        f"/complaint?csrf_token={csrf}",
        data=form(csrf, subject="Faktúra", message=BILLING_SK),
    )
    assert response.status_code == 200, response.text
    reference = re.search(r"<strong>C-(\d+)</strong>", response.text)
    assert reference
    case, opened = _opened(sessions, int(reference.group(1)))
    assert case.category == "billing"
    assert case.category_confidence is not None and 0.15 <= case.category_confidence <= 1
    assert opened["category"] == "billing"
    assert opened["category_confidence"] == case.category_confidence


def _mail(sender: str, subject: str, body: str, msgid: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "care@amends-test.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(START - timedelta(hours=3))
    msg["Message-ID"] = f"<{msgid}>"
    msg.set_content(body)
    return msg.as_bytes()


def test_mailed_complaints_open_cases_with_the_category_of_their_text(
    sessions: sessionmaker[Session], clock: FrozenClock, settings: Settings, tmp_path: Path
) -> None:
    with transaction(sessions) as s:
        people.create_user(
            s, email="marek@example.com", name="Marek", role=Role.MANAGER, now=clock.now()
        )
    mails = [
        _mail(
            "Νίκος Π. <nikos@taverna-kyma.example>",
            "Χρέωση",
            "Μας χρεώσατε δύο φορές για την ίδια παραγγελία στην κάρτα.",
            "cat-1@taverna-kyma.example",
        ),
        _mail(
            "สมศรี <somsri@baansuan.example>",
            "เสื้อผิดสี",
            "สั่งเสื้อสีแดงแต่ได้สีเทามา แถมซิปพังด้วย",
            "cat-2@baansuan.example",
        ),
    ]
    cfg = settings.model_copy(update={"home": tmp_path / "h", "mail_from": "care@amends.example"})
    ctx = IntakeContext(cfg, sessions, clock, DEFAULT_PLAYBOOK)
    results = list(ingest_many(ctx, [(raw, "eml", f"m{i}.eml") for i, raw in enumerate(mails)]))
    found = []
    for result in results:
        assert result.case_id is not None, result
        case, opened = _opened(sessions, result.case_id)
        assert case.category_confidence == opened["category_confidence"]
        found.append((case.category, opened["category"]))
    assert found == [("billing", "billing"), ("wrong_item", "wrong_item")]


def test_an_agent_changes_the_category_by_the_api_and_the_timeline_shows_from_and_to(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    case_id = _complaint(client, cast, BILLING_SK, "Faktúra")
    guessed, _ = _opened(sessions, case_id)
    response = client.patch(
        f"/api/v1/cases/{case_id}", json={"category": "quality"}, headers=cast.agent.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["category"] == "quality"
    timeline = client.get(f"/api/v1/cases/{case_id}/timeline", headers=cast.agent.headers).json()
    (change,) = [e for e in timeline if e["kind"] == "updated"]
    assert change["data"]["before"] == {
        "category": "billing",
        "category_confidence": guessed.category_confidence,
    }
    assert change["data"]["after"] == {"category": "quality", "category_confidence": None}
    changed, _ = _opened(sessions, case_id)
    assert changed.category_confidence is None  # a person's category, no longer a guess


def test_confirming_the_guessed_category_makes_it_the_agents_and_is_on_the_timeline(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    case_id = _complaint(client, cast, BILLING_SK)
    response = client.patch(
        f"/api/v1/cases/{case_id}", json={"category": "billing"}, headers=cast.agent.headers
    )
    assert response.status_code == 200, response.text
    timeline = client.get(f"/api/v1/cases/{case_id}/timeline", headers=cast.agent.headers).json()
    assert [e["data"]["after"] for e in timeline if e["kind"] == "updated"] == [
        {"category": "billing", "category_confidence": None}
    ]


def test_a_viewer_cannot_change_the_category(client: TestClient, cast: Cast) -> None:
    case_id = _complaint(client, cast, BILLING_SK)
    response = client.patch(
        f"/api/v1/cases/{case_id}", json={"category": "other"}, headers=cast.viewer.headers
    )
    assert response.status_code == 403


def test_an_agent_changes_the_category_on_the_case_page(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    case_id = _complaint(client, cast, BILLING_SK, "Faktúra")
    sign_in(client, cast.agent.email)
    page = client.get(f"/cases/{case_id}", headers={"Accept-Language": "sk"})
    assert page.status_code == 200
    assert f'action="/cases/{case_id}/category"' in page.text
    response = client.post(
        f"/cases/{case_id}/category",
        data={"category": "staff_behaviour", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    shown = client.get(response.headers["location"], headers={"Accept-Language": "en"})
    assert "Staff behaviour" in shown.text
    assert re.search(r'data-kind="updated">.*Billing.*→ Staff behaviour', shown.text)
    changed, _ = _opened(sessions, case_id)
    assert (changed.category, changed.category_confidence) == ("staff_behaviour", None)


def test_the_case_page_refuses_an_unknown_category_and_a_missing_token(
    client: TestClient, cast: Cast
) -> None:
    case_id = _complaint(client, cast, BILLING_SK)
    sign_in(client, cast.agent.email)
    page = client.get(f"/cases/{case_id}")
    refused = client.post(
        f"/cases/{case_id}/category",
        data={"category": "weather", "csrf_token": csrf_from(page.text)},
    )
    assert refused.status_code == 422
    assert "weather is not a category" in refused.text
    forged = client.post(f"/cases/{case_id}/category", data={"category": "other"})
    assert forged.status_code in (400, 403)


def test_an_agent_sets_the_category_from_the_command_line(env: None) -> None:
    from amends.console import open_workspace
    from amends.customers import service as customers
    from amends.people.rules import OPERATOR
    from amends.recovery import conversation

    ws = open_workspace()
    with ws.transaction() as s:
        people.create_user(
            s, email="marek@example.com", name="Marek", role=Role.MANAGER, now=ws.clock.now()
        )
        shop = customers.create_customer(
            s,
            actor=OPERATOR,
            now=ws.clock.now(),
            name="Kaviareň Dunaj",
            language="sk",
            timezone="Europe/Bratislava",
            currency="EUR",
        )
        case_id = conversation.receive_complaint(
            s,
            actor=OPERATOR,
            now=ws.clock.now(),
            playbook=ws.playbook,
            customer_id=shop.id,
            text=BILLING_SK,
            language="sk",
        ).case.id
    code, out, err = run("cases", "set-category", str(case_id), "wrong_item", "--json")
    assert code == 0, err
    assert json.loads(out)["category"] == "wrong_item"
    code, out, err = run("cases", "set-category", str(case_id), "weather")
    assert code == 2 and "weather" in err
    with ws.transaction() as s:
        (change,) = s.scalars(
            select(TimelineEvent).where(
                TimelineEvent.case_id == case_id, TimelineEvent.kind == "updated"
            )
        ).all()
        assert change.data["before"]["category"] == "billing"
        assert change.data["after"] == {"category": "wrong_item", "category_confidence": None}


def test_unrelated_complaints_sharing_a_guessed_category_form_no_pattern(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    texts = [
        "Za tú istú objednávku ste mi strhli peniaze z karty dvakrát.",
        "Na faktúre za máj je o 40 eur viac, než sme sa dohodli v ponuke.",
        "Predplatné som zrušila v marci a v apríli ste mi znova strhli poplatok.",
        "Sľúbili ste vrátiť peniaze za vrátený tovar a na účte stále nič nemám.",
        "Prečo je na účte poplatok za administratívu, o ktorom nikto nehovoril?",
        "Zaplatil som zálohu za zrušený pobyt a dodnes mi ju nevrátili.",
    ]
    for i, text in enumerate(texts):
        customer = make_customer(
            client,
            cast.owner,
            name=f"Zákazník {i}",
            contacts=[{"name": f"Z {i}", "email": f"z{i}@firma{i}.example"}],
        )
        response = client.post(
            "/api/v1/complaints",
            json={"customer_id": customer["id"], "text": text, "language": "sk"},
            headers=cast.agent.headers,
        )
        assert response.status_code == 201, response.text
    with transaction(sessions) as s:
        guessed = s.scalars(select(Case.category)).all()
        # Before guessing, sharing "billing" alone made five customers a pattern.
        assert guessed.count("billing") >= 5, guessed
        assert s.scalars(select(Pattern)).all() == []

"""Finding: one bad subject stops all outbound mail.

A case title or reply subject with U+2028 (or a complaint subject with a newline) made
``build_email`` raise inside the outbox job: the batch stayed claimed and other
customers' replies were never sent. Now such values are refused where they enter (the
API, the complaint form, the reply flow), cleaned again where mail is built, and a row
that still cannot become a mail fails alone with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import message_from_bytes, policy

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.errors import InvalidInput
from amends.intake import pages as intake_pages
from amends.messages import outbox
from amends.messages.models import OutboxItem
from amends.people.rules import Actor
from amends.recovery import conversation
from amends.text.header import clean_header, header_problem, one_mailbox
from tests.conftest import DEFAULT_PLAYBOOK, Cast
from tests.helpers import make_case, make_customer
from tests.security.mail import APOLOGY, Relay, mail_settings, relay, reply_to

__all__ = ["relay"]


@pytest.fixture(autouse=True)
def fresh_limiter() -> Iterator[None]:
    saved = intake_pages.LIMITER
    intake_pages.LIMITER = intake_pages.RateLimiter(intake_pages.RATE_LIMIT, 600)
    yield
    intake_pages.LIMITER = saved


BREAKS = ["\u2028", "\u2029", "\x85", "\n", "\r", "\x9b", "\x00", "\t"]


@pytest.mark.parametrize("bad", BREAKS)
def test_header_helper_names_every_line_break_and_control_and_cleans_it(bad: str) -> None:
    assert header_problem(f"Rožky{bad}prišli") is not None
    assert clean_header(f" Rožky{bad}{bad}prišli ") == "Rožky prišli"
    assert header_problem("Rožky prišli · ดอกไม้ · Τα ψωμάκια") is None


def test_a_case_title_with_a_line_separator_does_not_stop_other_customers_replies(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    relay: Relay,
) -> None:
    # Titles that reach a case without the API's check (an import, an older version)
    # become the reply's subject.
    reply_to(sessions, clock, cast, email="jan@pekaren-novak.example")
    poisoned = reply_to(
        sessions, clock, cast, email="eva@kvetiny.example", title="Kvety\u2028Bcc: x@evil.test"
    )
    reply_to(sessions, clock, cast, email="nikos@fourno.example", title="Ψωμί\x85χθες")

    counts = outbox.drain(sessions, mail_settings(settings, relay), now=clock.now())

    assert counts["sent"] == 3 and counts["failed"] == 0
    assert sorted(relay.recipients()) == [
        "eva@kvetiny.example",
        "jan@pekaren-novak.example",
        "nikos@fourno.example",
    ]
    subjects = {
        message_from_bytes(m.content, policy=policy.default)["Subject"] for m in relay.delivered
    }
    assert f"Kvety Bcc: x@evil.test [C-{poisoned}]" in subjects
    assert all(
        message_from_bytes(m.content, policy=policy.default)["Bcc"] is None for m in relay.delivered
    )
    with transaction(sessions) as s:
        assert {i.status for i in s.scalars(select(OutboxItem))} == {"sent"}


def test_a_row_that_cannot_become_a_mail_fails_alone_with_its_reason(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    relay: Relay,
) -> None:
    first = reply_to(sessions, clock, cast, email="jan@pekaren-novak.example")
    reply_to(sessions, clock, cast, email="eva@kvetiny.example")
    with transaction(sessions) as s:
        row = s.scalars(select(OutboxItem).order_by(OutboxItem.id)).first()
        assert row is not None
        row.to_address = "jan@pekaren-novak.example\u2028Bcc: x@evil.test"

    counts = outbox.drain(sessions, mail_settings(settings, relay), now=clock.now())

    assert (counts["sent"], counts["failed"]) == (1, 1)
    assert relay.recipients() == ["eva@kvetiny.example"]
    with transaction(sessions) as s:
        rows = list(s.scalars(select(OutboxItem).order_by(OutboxItem.id)))
        assert [r.status for r in rows] == ["failed", "sent"]
        assert "not exactly one valid address" in rows[0].last_error
    assert first


@pytest.mark.parametrize("bad", ["\u2028", "\u2029", "\x85", "\n", "\x9b"])
def test_the_api_refuses_titles_and_subjects_that_would_break_a_mail_header(
    client: TestClient, cast: Cast, bad: str
) -> None:
    customer = make_customer(client, cast.agent)
    refused = client.post(
        "/api/v1/cases",
        json={
            "customer_id": customer["id"],
            "owner_id": cast.agent.id,
            "title": f"Reporty{bad}neprišli",
            "severity": "high",
            "category": "missed_commitment",
            "origin": "complaint",
        },
        headers=cast.agent.headers,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "validation-failed"
    assert "single line" in refused.json()["detail"]

    case = make_case(client, cast.agent, customer["id"], cast.agent.id)
    renamed = client.patch(
        f"/api/v1/cases/{case['id']}",
        json={"title": f"Nový{bad}názov"},
        headers=cast.agent.headers,
    )
    assert renamed.status_code == 422, renamed.text
    reply = client.post(
        f"/api/v1/cases/{case['id']}/replies",
        json={"text": APOLOGY, "subject": f"Ospravedlnenie{bad}Bcc: x@evil.test"},
        headers=cast.agent.headers,
    )
    assert reply.status_code == 422, reply.text
    complaint = client.post(
        "/api/v1/complaints",
        json={"customer_id": customer["id"], "subject": f"Zlé{bad}rožky", "text": APOLOGY},
        headers=cast.agent.headers,
    )
    assert complaint.status_code == 422, complaint.text
    message = client.post(
        "/api/v1/messages",
        json={
            "direction": "inbound",
            "case_id": case["id"],
            "subject": f"Zlé{bad}rožky",
            "text": APOLOGY,
        },
        headers=cast.agent.headers,
    )
    assert message.status_code == 422, message.text
    assert client.get("/api/v1/messages", headers=cast.agent.headers).json()["items"] == []


def test_a_reply_subject_from_the_command_line_or_a_page_is_refused_by_the_flow(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    case_id = reply_to(sessions, clock, cast, email="jan@pekaren-novak.example")
    with transaction(sessions) as s, pytest.raises(InvalidInput) as refused:
        conversation.send_reply(
            s,
            case_id,
            actor=Actor(cast.agent.id, cast.agent.role),
            now=clock.now(),
            playbook=DEFAULT_PLAYBOOK,
            text=APOLOGY,
            subject="Ospravedlnenie\u2028Bcc: x@evil.test",
        )
    assert refused.value.code == "subject-invalid"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("sk", "Vaše meno a predmet"),
        ("el", "Το όνομά σας και το θέμα"),
        ("th", "ชื่อและหัวเรื่อง"),
        ("en", "Your name and the subject"),
    ],
)
def test_the_complaint_form_says_in_the_visitors_language_that_the_subject_is_one_line(
    client: TestClient, language: str, expected: str
) -> None:
    page = client.get("/complaint", headers={"Accept-Language": language})
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    response = client.post(
        "/complaint",
        headers={"Accept-Language": language},
        data={
            "name": "Ján Novák",
            "email": "jan@pekaren-novak.example",
            "subject": "Reporty\nBcc: x@evil.test",
            "message": "Už tri mesiace nedostávame marketingové reporty.",
            "csrf_token": found.group(1),
        },
    )
    assert response.status_code == 422
    assert expected in response.text


def test_one_mailbox_takes_exactly_one_address() -> None:
    assert one_mailbox(" Jan@Pekaren-Novak.example ") == "jan@pekaren-novak.example"
    assert one_mailbox("Ján Novák <jan@pekaren-novak.example>") == "jan@pekaren-novak.example"
    for bad in [
        "crlf@evil.test, victim@third.test",
        "a@evil.test victim@third.test",
        "<a@evil.test>, <victim@third.test>",
        "a@evil.test;victim@third.test",
        "jan@pekaren-novak.example\r\nBcc: victim@third.test",
        "",
        "not-an-address",
    ]:
        assert one_mailbox(bad) is None, bad

"""A lost customer gets personal follow-ups in their language, sent in the owner's name
through the outbox; a reply, "no more contact" or parting ways stops them at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Notification, TimelineEvent
from amends.clock import FrozenClock
from amends.coach.rules import check
from amends.config import Settings
from amends.db import transaction
from amends.messages.models import Message, OutboxItem
from amends.winback.rules import sign
from amends.worker import JobContext, Worker, registered_jobs
from tests.conftest import Cast, Person
from tests.helpers import make_case, make_customer
from tests.winback.conftest import LostCustomer, lose

JOB = "winback-follow-ups"


def worker(settings: Settings, sessions: sessionmaker[Session], clock: FrozenClock) -> Worker:
    jobs = registered_jobs()
    return Worker(JobContext(settings, sessions, clock), jobs={JOB: jobs[JOB]})


def follow_ups(sessions: sessionmaker[Session], customer_id: int) -> list[tuple[Message, str]]:
    """Every follow-up queued to the customer, with its outbox row's address."""
    with transaction(sessions) as s:
        rows = s.execute(
            select(Message, OutboxItem.to_address)
            .join(OutboxItem, OutboxItem.message_id == Message.id)
            .where(Message.customer_id == customer_id)
            .order_by(Message.id)
        ).all()
        s.expunge_all()
        return [(m, to) for m, to in rows]


def answers(
    client: TestClient, who: Person, customer_id: int, text: str, subject: str = "Re: osobná správa"
) -> dict[str, Any]:
    """The lost customer writes back, in Slovak; ``who`` records it as a complaint."""
    reply = client.post(
        "/api/v1/complaints",
        json={"customer_id": customer_id, "text": text, "subject": subject, "language": "sk"},
        headers=who.headers,
    )
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def winback_of(client: TestClient, who: Person, customer_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/customers/{customer_id}", headers=who.headers)
    assert response.status_code == 200
    found = response.json()["winback"]
    assert found is not None
    return dict(found)


def test_a_lost_slovak_customer_gets_the_day_3_follow_up_in_slovak_and_a_reply_stops_the_rest(
    client: TestClient,
    cast: Cast,
    clock: FrozenClock,
    settings: Settings,
    sessions: sessionmaker[Session],
    lost_customer: LostCustomer,
) -> None:
    customer, _ = lost_customer()
    jobs = worker(settings, sessions, clock)
    assert winback_of(client, cast.agent, customer["id"])["status"] == "active"
    # Day 2: nothing yet.
    clock.advance(timedelta(days=2))
    jobs.tick()
    assert follow_ups(sessions, customer["id"]) == []
    # Day 3: the first follow-up, in Slovak, from the owner, to the customer's address.
    clock.advance(timedelta(days=1, minutes=5))
    assert jobs.tick()[JOB]["sent"] == 1
    ((first, to),) = follow_ups(sessions, customer["id"])
    assert to == "jan@pekaren-novak.example"
    assert first.language == "sk" and first.author_id == cast.agent.id
    assert "Dáte nám malú šancu" in first.text and "Ján Novák" in first.text
    assert "/winback/stop/" in first.text
    assert check(first.text, "sk").findings == ()
    # The customer answers on day 5 ...
    clock.advance(timedelta(days=2))
    answers(client, cast.agent, customer["id"], "Dobrý deň, môžeme sa porozprávať o návrate.")
    shown = winback_of(client, cast.agent, customer["id"])
    assert (shown["status"], shown["stop_reason"]) == ("stopped", "replied")
    # ... so day 10 (and every later day) sends nothing more.
    for _ in range(4):
        clock.advance(timedelta(days=15))
        jobs.tick()
    assert len(follow_ups(sessions, customer["id"])) == 1
    assert [s["status"] for s in shown["steps"]] == ["sent", "skipped", "skipped", "skipped"]
    with transaction(sessions) as s:
        told = s.scalars(
            select(Notification.kind).where(Notification.user_id == cast.agent.id)
        ).all()
    assert "winback_sent" in told and "winback_replied" in told


def test_the_owner_records_won_back_and_the_customer_status_follows(
    client: TestClient, cast: Cast, lost_customer: LostCustomer
) -> None:
    customer, _ = lost_customer()
    winback_id = winback_of(client, cast.agent, customer["id"])["id"]
    # Only the owner or a manager decides it.
    other = client.post(
        f"/api/v1/winbacks/{winback_id}/stop",
        json={"outcome": "won_back"},
        headers=cast.viewer.headers,
    )
    assert other.status_code in (403, 404)
    done = client.post(
        f"/api/v1/winbacks/{winback_id}/stop",
        json={"outcome": "won_back", "note": "Podpísali novú zmluvu"},
        headers=cast.agent.headers,
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "won_back"
    shown = client.get(f"/api/v1/customers/{customer['id']}", headers=cast.agent.headers).json()
    assert shown["status"] == "won_back" and shown["winback"]["status"] == "won_back"
    again = client.post(
        f"/api/v1/winbacks/{winback_id}/stop",
        json={"outcome": "not_won_back"},
        headers=cast.agent.headers,
    )
    assert again.status_code == 409


def test_no_more_contact_from_the_signed_link_stops_the_sequence_in_the_customers_language(
    client: TestClient,
    cast: Cast,
    clock: FrozenClock,
    settings: Settings,
    sessions: sessionmaker[Session],
    lost_customer: LostCustomer,
) -> None:
    customer, _ = lost_customer()
    winback_id = winback_of(client, cast.agent, customer["id"])["id"]
    token = sign(settings.secret(), winback_id)
    page = client.get(f"/winback/stop/{token}")
    assert page.status_code == 200
    assert 'lang="sk"' in page.text and "Zastaviť správy" in page.text
    # Opening the link changes nothing; confirming does.
    assert winback_of(client, cast.agent, customer["id"])["status"] == "active"
    csrf = client.cookies.get("amends_csrf")
    done = client.post(f"/winback/stop/{token}", data={"csrf_token": csrf})
    assert done.status_code == 200 and "Ďakujeme" in done.text
    shown = winback_of(client, cast.agent, customer["id"])
    assert (shown["status"], shown["stop_reason"]) == ("stopped", "no_contact")
    # A changed token is refused, with a page still in a language the reader speaks.
    tampered = client.get(f"/winback/stop/{winback_id}.{'A' * 24}")
    assert tampered.status_code == 404
    clock.advance(timedelta(days=90))
    worker(settings, sessions, clock).tick()
    assert follow_ups(sessions, customer["id"]) == []


def test_the_owner_records_no_more_contact_and_nothing_more_is_ever_sent(
    client: TestClient,
    cast: Cast,
    clock: FrozenClock,
    settings: Settings,
    sessions: sessionmaker[Session],
    lost_customer: LostCustomer,
) -> None:
    customer, case_id = lost_customer(language="el", name="Ξενοδοχείο Αιγαίο")
    winback_id = winback_of(client, cast.agent, customer["id"])["id"]
    stopped = client.post(
        f"/api/v1/winbacks/{winback_id}/stop",
        json={"no_contact": True, "note": "Ο πελάτης ζήτησε να μην επικοινωνήσουμε"},
        headers=cast.agent.headers,
    )
    assert stopped.status_code == 200
    assert stopped.json()["stop_reason"] == "no_contact"
    clock.advance(timedelta(days=61))
    worker(settings, sessions, clock).tick()
    assert follow_ups(sessions, customer["id"]) == []
    with transaction(sessions) as s:
        notes = s.scalars(select(TimelineEvent.kind).where(TimelineEvent.case_id == case_id)).all()
    assert notes.count("winback") == 2  # started, stopped
    # A later loss of the same customer starts nothing: they asked to be left alone.
    lose(client, cast.agent, customer["id"])
    listed = client.get(
        "/api/v1/winbacks", params={"customer_id": customer["id"]}, headers=cast.manager.headers
    )
    assert [w["id"] for w in listed.json()["items"]] == [winback_id]


def test_a_customer_who_parted_ways_gets_no_win_back_step(
    client: TestClient,
    cast: Cast,
    clock: FrozenClock,
    settings: Settings,
    sessions: sessionmaker[Session],
    lost_customer: LostCustomer,
) -> None:
    customer, _ = lost_customer(language="th", name="ร้านกาแฟนก")
    patched = client.patch(
        f"/api/v1/customers/{customer['id']}",
        json={"status": "parted_ways"},
        headers=cast.manager.headers,
    )
    assert patched.status_code == 200
    clock.advance(timedelta(days=4))
    assert worker(settings, sessions, clock).tick()[JOB]["stopped"] == 1
    assert follow_ups(sessions, customer["id"]) == []
    shown = winback_of(client, cast.agent, customer["id"])
    assert (shown["status"], shown["stop_reason"]) == ("stopped", "parted_ways")


def test_silence_after_the_last_follow_up_ends_not_won_back_with_one_note_per_due_day(
    client: TestClient,
    cast: Cast,
    clock: FrozenClock,
    settings: Settings,
    sessions: sessionmaker[Session],
    lost_customer: LostCustomer,
) -> None:
    customer, _ = lost_customer(language="en", name="Kitchen Co")
    jobs = worker(settings, sessions, clock)
    lost_at = clock.now()
    # Away until day 12: of the day-3 and day-10 notes only the later one goes.
    clock.advance(timedelta(days=12))
    assert jobs.tick()[JOB] == {
        "sent": 1,
        "skipped": 1,
        "concluded": 0,
        "stopped": 0,
        "reminded": 0,
        "kept": 0,
    }
    for day in (30, 60):
        clock.advance(lost_at + timedelta(days=day, minutes=5) - clock.now())
        assert jobs.tick()[JOB]["sent"] == 1
    sent = follow_ups(sessions, customer["id"])
    assert len(sent) == 3
    assert "one small chance" not in sent[0][0].text  # day 10's note, not the first one
    assert all(check(m.text, "en").findings == () for m, _ in sent)
    clock.advance(timedelta(days=13))
    assert jobs.tick()[JOB]["concluded"] == 0
    clock.advance(timedelta(days=2))
    assert jobs.tick()[JOB]["concluded"] == 1
    shown = winback_of(client, cast.agent, customer["id"])
    assert (shown["status"], shown["stop_reason"]) == ("not_won_back", "finished")
    listed = client.get("/api/v1/winbacks", headers=cast.agent.headers).json()["items"]
    assert [w["customer_id"] for w in listed] == [customer["id"]]
    assert client.get("/api/v1/winbacks", headers=cast.employee.headers).json()["items"] == []


def test_closing_the_case_a_reply_opened_as_won_back_is_the_sequences_outcome(
    client: TestClient, cast: Cast, clock: FrozenClock, lost_customer: LostCustomer
) -> None:
    customer, _ = lost_customer()
    clock.advance(timedelta(days=4))
    reply = answers(
        client, cast.agent, customer["id"], "Skúsime to ešte raz, ak nám zavoláte.", "Návrat"
    )
    assert reply["opened"] is True
    body = {
        "steps": ["own", "remedy", "compensate"],
        "call_note": "Dohodli sme sa na návrate.",
        "compensation": {"kind": "none", "rationale": "the customer asked for nothing"},
    }
    for step in (body, {"steps": ["close"], "outcome": "won_back"}):
        done = client.post(
            f"/api/v1/cases/{reply['case_id']}/steps", json=step, headers=cast.agent.headers
        )
        assert done.status_code == 200, done.text
    shown = client.get(f"/api/v1/customers/{customer['id']}", headers=cast.agent.headers).json()
    assert shown["status"] == "won_back"
    assert (shown["winback"]["status"], shown["winback"]["stop_reason"]) == ("won_back", "replied")


def test_a_follow_up_the_coach_refuses_is_skipped_and_the_others_still_go(
    client: TestClient,
    cast: Cast,
    clock: FrozenClock,
    settings: Settings,
    sessions: sessionmaker[Session],
    lost_customer: LostCustomer,
) -> None:
    blamed = make_customer(client, cast.agent, language="en", name="Kitchen Co")
    case = make_case(
        client,
        cast.agent,
        blamed["id"],
        cast.agent.id,
        severity="low",
        category="communication",
        title="the delay, which was the courier's fault",
    )
    for body in (
        {"steps": ["own", "remedy"], "call_note": "Called them."},
        {"steps": ["close"], "outcome": "lost"},
    ):
        done = client.post(
            f"/api/v1/cases/{case['id']}/steps", json=body, headers=cast.agent.headers
        )
        assert done.status_code == 200, done.text
    other, _ = lost_customer()
    clock.advance(timedelta(days=3, minutes=1))
    result = worker(settings, sessions, clock).tick()[JOB]
    assert (result["sent"], result["skipped"]) == (1, 1)
    assert follow_ups(sessions, blamed["id"]) == []
    assert len(follow_ups(sessions, other["id"])) == 1

"""A survey goes out through the outbox after a case closes; its signed link opens a
public page in the customer's language, takes one answer, and refuses a second answer,
an expired link and a changed one, each with its own page and status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.rules import Outcome
from amends.clock import FrozenClock
from amends.compensation.models import Compensation
from amends.customers.rules import CustomerStatus
from amends.db import transaction
from amends.messages.rules import OutboxStatus
from amends.surveys.models import Survey
from amends.web.i18n import translations
from tests.conftest import Cast
from tests.surveys import helpers
from tests.web.test_pages import sign_in

ANSWERED = (
    "This survey was answered already, and each link takes one answer. Thank you for your time."
)
EXPIRED = "The link to this survey has expired. If you would like to tell us something, simply reply to our email."
INVALID = "The survey link is not complete or not valid. Please open it again from our email, or simply reply to the email."
FORM = "How satisfied are you with how we handled it? (1 = not at all, 5 = very)"


def said(language: str, english: str) -> str:
    text = translations(language).gettext(english)
    # The page must really be in the customer's language, not English passed through.
    assert language == "en" or text != english, f"{language} lacks {english!r}"
    return text.replace("'", "&#39;").replace('"', "&#34;")


def _sent(
    client: TestClient,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    language: str,
    outcome: Outcome = Outcome.RETAINED,
) -> tuple[int, int, str]:
    """(customer id, survey id, link path) of a survey sent through the API."""
    with transaction(sessions) as s:
        who = helpers.customer(s, clock.now(), language)
        case = helpers.closed_case(s, clock.now(), who, cast.agent.id, outcome)
        customer_id, case_id = who.id, case.id
    sent = client.post("/api/v1/surveys", json={"case_id": case_id}, headers=cast.agent.headers)
    assert sent.status_code == 201, sent.text
    assert sent.json()["language"] == language and sent.json()["state"] == "waiting"
    with transaction(sessions) as s:
        path, message, item = helpers.link_in_mail(s, sent.json()["id"])
        assert item.status is OutboxStatus.PENDING and message.language == language
    return customer_id, sent.json()["id"], path


@pytest.mark.parametrize("language", ["sk", "th", "el", "en"])
def test_a_survey_link_takes_one_answer_and_refuses_a_second_in_the_customers_language(
    client: TestClient,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    language: str,
) -> None:
    _, survey_id, path = _sent(client, sessions, clock, cast, language)
    form = client.get(path)
    assert form.status_code == 200
    assert f'<html lang="{language}">' in form.text
    assert said(language, FORM) in form.text
    answered = client.post(path, data={"csat": "4", "nps": "8", "comment": "Ďakujeme <b>!</b>"})
    assert answered.status_code == 200
    assert said(language, "We have your answer. It helps us do better.") in answered.text
    again = client.post(path, data={"csat": "1", "nps": "0", "comment": "changed my mind"})
    assert again.status_code == 409
    assert said(language, ANSWERED) in again.text
    assert "Traceback" not in again.text
    assert client.get(path).status_code == 409
    shown = client.get(f"/api/v1/surveys/{survey_id}", headers=cast.viewer.headers).json()
    assert (shown["state"], shown["csat"], shown["nps"]) == ("answered", 4, 8)
    assert shown["comment"] == "Ďakujeme <b>!</b>"


@pytest.mark.parametrize("language", ["th", "sk"])
def test_an_expired_link_is_refused_with_a_page_in_the_customers_language(
    client: TestClient,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    language: str,
) -> None:
    _, survey_id, path = _sent(client, sessions, clock, cast, language)
    clock.advance(timedelta(days=14, seconds=1))
    for response in (client.get(path), client.post(path, data={"csat": "5"})):
        assert response.status_code == 410
        assert said(language, EXPIRED) in response.text
    with transaction(sessions) as s:
        survey = s.get(Survey, survey_id)
        assert survey is not None and survey.answered_at is None and survey.csat is None


@pytest.mark.parametrize("language", ["el", "th"])
def test_a_changed_link_is_refused_with_a_page_in_the_customers_language(
    client: TestClient,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    language: str,
) -> None:
    _, survey_id, path = _sent(client, sessions, clock, cast, language)
    token = path.removeprefix("/survey/")
    number, lang, nonce, signature = token.split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    tampered = [
        f"{number}.{lang}.{nonce}.{flipped}",
        f"{int(number) + 1}.{lang}.{nonce}.{signature}",
        f"{number}.{lang}.{nonce[::-1]}.{signature}",
        f"{number}.{lang}.{nonce}",
    ]
    for bad in tampered:
        for response in (
            client.get(f"/survey/{bad}"),
            client.post(f"/survey/{bad}", data={"csat": "5"}),
        ):
            assert response.status_code == 404, bad
            assert said(language, INVALID) in response.text
    with transaction(sessions) as s:
        survey = s.get(Survey, survey_id)
        assert survey is not None and survey.answered_at is None


def test_an_answer_out_of_range_shows_the_form_again_and_records_nothing(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    _, _, path = _sent(client, sessions, clock, cast, "sk")
    refused = client.post(path, data={"csat": "9", "comment": "komentár"})
    assert refused.status_code == 422
    assert said("sk", "Choose how satisfied you are, from 1 to 5.") in refused.text
    assert "komentár" in refused.text
    assert client.post(path, data={"csat": "3", "nps": "11"}).status_code == 422
    assert client.post(path, data={"csat": "3"}).status_code == 200


def test_a_ten_after_a_recovery_makes_the_customer_an_advocate_who_can_be_rewarded(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    customer_id, _, path = _sent(client, sessions, clock, cast, "sk")
    assert (
        client.get(f"/api/v1/customers/{customer_id}", headers=cast.agent.headers).json()[
            "advocate"
        ]
        is False
    )
    assert client.post(path, data={"csat": "4", "nps": "10"}).status_code == 200
    shown = client.get(f"/api/v1/customers/{customer_id}", headers=cast.agent.headers).json()
    assert shown["advocate"] is True
    listed = client.get("/api/v1/advocates", headers=cast.viewer.headers).json()["items"]
    assert [(a["customer_id"], a["nps"], a["reward"]) for a in listed] == [(customer_id, 10, None)]
    given = client.post(
        f"/api/v1/advocates/{customer_id}/reward",
        json={"kind": "gift", "amount": "30", "rationale": "Ďakujeme za odporúčanie"},
        headers=cast.agent.headers,
    )
    assert given.status_code == 201, given.text
    assert given.json()["status"] == "granted"
    with transaction(sessions) as s:
        ledger = s.get(Compensation, given.json()["id"])
        assert ledger is not None and ledger.amount == 30 and ledger.currency == "EUR"
    listed = client.get("/api/v1/advocates", headers=cast.viewer.headers).json()["items"]
    assert listed[0]["reward"]["compensation_id"] == given.json()["id"]
    twice = client.post(
        f"/api/v1/advocates/{customer_id}/reward",
        json={"kind": "gift", "amount": "30", "rationale": "znova"},
        headers=cast.agent.headers,
    )
    assert twice.status_code == 409 and twice.json()["code"] == "advocate-rewarded"
    page = client.get("/advocates", headers=cast.agent.headers)
    assert page.status_code in (200, 303)


@pytest.mark.parametrize(
    ("outcome", "answer", "advocate"),
    [
        (Outcome.LOST, {"csat": "5", "nps": "10"}, False),  # not recovered
        (Outcome.WON_BACK, {"csat": "5", "nps": "8"}, False),  # the NPS decides
        (Outcome.WON_BACK, {"csat": "5"}, True),  # no NPS: the top CSAT stands in
        (Outcome.RETAINED, {"csat": "4"}, False),
    ],
)
def test_who_is_proposed_as_an_advocate(
    client: TestClient,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    outcome: Outcome,
    answer: dict[str, str],
    advocate: bool,
) -> None:
    customer_id, _, path = _sent(client, sessions, clock, cast, "el", outcome)
    assert client.post(path, data=answer).status_code == 200
    shown = client.get(f"/api/v1/customers/{customer_id}", headers=cast.agent.headers).json()
    assert shown["advocate"] is advocate


def test_no_survey_goes_to_a_customer_we_parted_ways_with(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        who = helpers.customer(s, clock.now(), "sk", status=CustomerStatus.PARTED_WAYS)
        case = helpers.closed_case(s, clock.now(), who, cast.agent.id, Outcome.PARTED_WAYS)
        case_id = case.id
    refused = client.post("/api/v1/surveys", json={"case_id": case_id}, headers=cast.agent.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "no-automated-messages"
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Survey)) == 0


def test_a_survey_is_sent_once_per_case_and_only_for_a_closed_one(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    _, _, _ = _sent(client, sessions, clock, cast, "sk")
    with transaction(sessions) as s:
        case_id = s.scalar(select(Survey.case_id))
    again = client.post("/api/v1/surveys", json={"case_id": case_id}, headers=cast.agent.headers)
    assert again.status_code == 409 and again.json()["code"] == "survey-exists"
    viewer = client.post("/api/v1/surveys", json={"case_id": case_id}, headers=cast.viewer.headers)
    assert viewer.status_code == 403


def test_the_answer_shows_on_the_case_and_the_customer_and_the_advocate_is_listed(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    customer_id, _, path = _sent(client, sessions, clock, cast, "el")
    comment = "Ευχαριστώ! <script>alert(1)</script>"
    assert client.post(path, data={"csat": "5", "nps": "10", "comment": comment}).status_code == 200
    with transaction(sessions) as s:
        case_id = s.scalar(select(Survey.case_id))
    sign_in(client, cast.manager.email)
    escaped = "Ευχαριστώ! &lt;script&gt;alert(1)&lt;/script&gt;"
    for page in (f"/cases/{case_id}", f"/customers/{customer_id}"):
        shown = client.get(page)
        assert shown.status_code == 200
        assert 'id="surveys"' in shown.text and escaped in shown.text
        assert "<script>alert(1)" not in shown.text
    advocates = client.get("/advocates")
    assert advocates.status_code == 200 and f"/customers/{customer_id}" in advocates.text
    form = advocates.text.split(f'action="/advocates/{customer_id}/reward"')[1]
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    rewarded = client.post(
        f"/advocates/{customer_id}/reward",
        data={"csrf_token": token, "kind": "gift", "amount": "25", "rationale": "Ευχαριστούμε"},
        follow_redirects=False,
    )
    assert rewarded.status_code == 303
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Compensation)) == 1
    listed = client.get("/advocates").text
    assert f'action="/advocates/{customer_id}/reward"' not in listed


def test_customer_lists_mark_advocates(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    customer_id, _, path = _sent(client, sessions, clock, cast, "th")
    assert client.post(path, data={"csat": "5"}).status_code == 200
    listed = client.get("/api/v1/customers", headers=cast.agent.headers).json()["items"]
    assert {c["id"]: c["advocate"] for c in listed} == {customer_id: True}


def test_a_survey_for_customer_true_is_refused_not_sent_to_customer_1(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    # JSON's true is not an id: read leniently it was the number 1 (found by schemathesis).
    with transaction(sessions) as s:
        helpers.customer(s, clock.now(), "sk")
    for body in ({"customer_id": True}, {"case_id": True}):
        sent = client.post("/api/v1/surveys", json=body, headers=cast.agent.headers)
        assert sent.status_code == 422, sent.text
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Survey)) == 0

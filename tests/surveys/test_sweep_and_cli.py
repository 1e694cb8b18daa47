"""The sweep surveys each closed case once (never a customer we parted ways with), and
`amends surveys send|list|show|advocates|reward` work as a script would use them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends.cases.rules import Outcome
from amends.cli import app
from amends.clock import FrozenClock
from amends.customers.rules import CustomerStatus
from amends.db import transaction
from amends.messages.models import OutboxItem
from amends.people.rules import SYSTEM
from amends.surveys import rules, service
from amends.surveys.models import Survey
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast
from tests.surveys import helpers

runner = CliRunner()


def test_the_sweep_surveys_each_closed_case_once_and_skips_parted_ways(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        kept = helpers.customer(s, clock.now(), "sk", email="kept@example.com")
        gone = helpers.customer(
            s, clock.now(), "el", email="gone@example.com", status=CustomerStatus.PARTED_WAYS
        )
        helpers.closed_case(s, clock.now(), kept, cast.agent.id, Outcome.RETAINED)
        helpers.closed_case(s, clock.now(), gone, cast.agent.id, Outcome.PARTED_WAYS)
    for _ in range(2):
        with transaction(sessions) as s:
            counts = service.send_due(
                s, actor=SYSTEM, now=clock.now(), playbook=PLAYBOOK, mailing=helpers.mailing()
            )
    assert counts == {"sent": 0, "skipped": 1}
    with transaction(sessions) as s:
        rows = s.execute(select(OutboxItem.to_address)).scalars().all()
        assert rows == ["kept@example.com"]
        assert s.scalar(select(func.count()).select_from(Survey)) == 1
        path, message, _ = helpers.link_in_mail(s, s.scalar(select(Survey.id)) or 0)
        assert message.subject.startswith("Ako sme to zvládli?")
        assert "Dobrý deň," in message.text and path.startswith("/survey/")


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "AMENDS_HOME": str(tmp_path / "ws"),
        "AMENDS_DATABASE_URL": db_url,
        "AMENDS_SECRET_KEY": "cli-secret",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def _json(args: list[str]) -> object:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.splitlines()[0]) if result.stdout.strip() else None


def test_surveys_from_the_command_line(
    env: dict[str, str], sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        who = helpers.customer(s, clock.now(), "th", email="nok@example.com")
        case = helpers.closed_case(s, clock.now(), who, cast.agent.id, Outcome.WON_BACK)
        customer_id, case_id = who.id, case.id
    sent = _json(["surveys", "send", "--case", str(case_id), "--json"])
    assert isinstance(sent, dict) and sent["state"] == "waiting" and sent["language"] == "th"
    again = runner.invoke(app, ["surveys", "send", "--case", str(case_id)])
    assert again.exit_code == 1 and "survey-exists" in again.stderr
    assert runner.invoke(app, ["surveys", "send"]).exit_code == 2
    with transaction(sessions) as s:
        survey = s.get(Survey, sent["id"])
        assert survey is not None
        token = rules.sign_link(
            "cli-secret", survey_id=survey.id, language=survey.language, nonce=survey.nonce
        )
        # Real time (not the test clock) for the CLI's own clock: answered now.
        done = service.answer_link(
            s, secret="cli-secret", token=token, now=survey.sent_at, csat="5", nps="10"
        )
        assert done.problem is None
    listed = runner.invoke(app, ["surveys", "list", "--answered", "--json"])
    assert [json.loads(x)["id"] for x in listed.stdout.splitlines()] == [sent["id"]]
    shown = _json(["surveys", "show", str(sent["id"]), "--json"])
    assert isinstance(shown, dict) and (shown["csat"], shown["nps"]) == (5, 10)
    advocates = _json(["surveys", "advocates", "--json"])
    assert isinstance(advocates, dict) and advocates["customer_id"] == customer_id
    customer = _json(["customers", "show", str(customer_id), "--json"])
    assert isinstance(customer, dict) and customer["advocate"] is True
    rewarded = _json(
        [
            "surveys", "reward", str(customer_id), "--kind", "credit", "--amount", "20",
            "--rationale", "ขอบคุณที่แนะนำเรา", "--as", cast.manager.email, "--json",
        ]
    )  # fmt: skip
    assert isinstance(rewarded, dict) and rewarded["status"] == "granted"
    assert rewarded["case_id"] == case_id


def test_a_customers_survey_answers_are_exported_and_erased_with_them(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, tmp_path: Path
) -> None:
    from amends.privacy.erase import erase_customer
    from amends.privacy.export import documents, holdings

    with transaction(sessions) as s:
        who = helpers.customer(s, clock.now(), "sk", email="zuzka@example.com")
        case = helpers.closed_case(s, clock.now(), who, cast.agent.id, Outcome.RETAINED)
        survey = service.send_survey(
            s,
            actor=SYSTEM,
            now=clock.now(),
            playbook=PLAYBOOK,
            mailing=helpers.mailing(),
            case_id=case.id,
        )
        token = rules.sign_link(
            "test-secret-key", survey_id=survey.id, language="sk", nonce=survey.nonce
        )
        service.answer_link(
            s, secret="test-secret-key", token=token, now=clock.now(), csat=2, comment="Zuzka"
        )
        customer_id, survey_id = who.id, survey.id
    with transaction(sessions) as s:
        exported = documents(holdings(s, customer_id, home=tmp_path), now=clock.now())
        assert [v["comment"] for v in exported["surveys.json"]] == ["Zuzka"]
        erase_customer(s, customer_id=customer_id, now=clock.now(), home=tmp_path)
    with transaction(sessions) as s:
        erased = s.get(Survey, survey_id)
        assert erased is not None and erased.csat == 2
        assert "Zuzka" not in erased.comment and "zuzka" not in erased.to_address

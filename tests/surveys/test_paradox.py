"""The recovery-paradox figure on a fixture whose answers are known: recovered customers
against customers who never had a failure, in `amends report --json` and the API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends.cases.rules import Outcome
from amends.cli import app
from amends.clock import FrozenClock
from amends.customers.models import Customer
from amends.customers.rules import CustomerStatus
from amends.db import transaction
from amends.people.rules import OPERATOR
from amends.reports import paradox
from amends.reports.rules import paradox as compare
from amends.reports.rules import satisfaction_group
from amends.surveys import rules, service
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast
from tests.surveys import helpers

SECRET = "paradox-secret"

EXPECTED = {
    "recovered": {
        "customers": 3,
        "retained": 2,
        "retention_pct": 66.7,
        "answers": 2,
        "csat_mean": 4.5,
        "nps_answers": 2,
        "nps": 100,
    },
    "never_failed": {
        "customers": 3,
        "retained": 2,
        "retention_pct": 66.7,
        "answers": 2,
        "csat_mean": 3.5,
        "nps_answers": 2,
        "nps": -50,
    },
    "csat_difference": 1.0,
    "retention_difference_pct": 0.0,
    "holds": True,
}


def _answer(
    s: Session, now: datetime, who: Customer, csat: int, nps: int | None, case_id: int | None
) -> None:
    survey = service.send_survey(
        s,
        actor=OPERATOR,
        now=now,
        playbook=PLAYBOOK,
        mailing=helpers.mailing(SECRET),
        case_id=case_id,
        customer_id=None if case_id else who.id,
    )
    token = rules.sign_link(
        SECRET, survey_id=survey.id, language=survey.language, nonce=survey.nonce
    )
    done = service.answer_link(s, secret=SECRET, token=token, now=now, csat=csat, nps=nps)
    assert done.problem is None


def _fixture(sessions: sessionmaker[Session], start: datetime, owner_id: int) -> None:
    """Period [start, start + 30 days). Recovered in it: R1 (5/10), R2 (4/9), R3 (no
    answer, since lost). Never failed: N1 (4/8), N2 (3/6), N3 (no answer, parted ways).
    Outside both: L1 (lost, answered 1), R4 (recovered before the period, answered 2
    before it) and a lead."""
    before, inside = start - timedelta(days=10), start + timedelta(days=1)
    lost, parted = CustomerStatus.LOST, CustomerStatus.PARTED_WAYS
    with transaction(sessions) as s:
        r4 = helpers.customer(s, before, "sk", email="r4@example.com", created=before)
        case = helpers.closed_case(s, before, r4, owner_id, Outcome.RETAINED)
        _answer(s, before, r4, 2, 3, case.id)
        for name, outcome, status, csat, nps in [
            ("r1", Outcome.RETAINED, CustomerStatus.ACTIVE, 5, 10),
            ("r2", Outcome.WON_BACK, CustomerStatus.WON_BACK, 4, 9),
            ("r3", Outcome.RETAINED, lost, None, None),
            ("l1", Outcome.LOST, lost, 1, None),
        ]:
            who = helpers.customer(s, inside, "en", email=f"{name}@example.com", created=before)
            case = helpers.closed_case(s, inside, who, owner_id, outcome)
            if csat is not None:
                _answer(s, inside, who, csat, nps, case.id)
            who.status = status
        for name, status, csat, nps in [
            ("n1", CustomerStatus.ACTIVE, 4, 8),
            ("n2", CustomerStatus.AT_RISK, 3, 6),
            ("n3", parted, None, None),
        ]:
            who = helpers.customer(s, inside, "th", email=f"{name}@example.com", created=before)
            if csat is not None:
                _answer(s, inside, who, csat, nps, None)
            who.status = status
        lead = helpers.customer(s, inside, "el", email="lead@example.com", created=before)
        lead.is_lead = True


def test_the_figure_compares_recovered_customers_with_those_who_never_failed(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    start = clock.now()
    _fixture(sessions, start, cast.agent.id)
    with transaction(sessions) as s:
        figure = paradox.recovery_paradox(
            s, actor=OPERATOR, since=start, until=start + timedelta(days=30)
        )
    assert {k: figure[k] for k in EXPECTED} == EXPECTED


def test_report_json_and_the_reports_api_carry_the_figure(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    client: TestClient,
    tmp_path: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = clock.now()
    _fixture(sessions, start, cast.agent.id)
    until = start + timedelta(days=30)
    window = {"since": start.isoformat(), "until": until.isoformat()}
    api = client.get("/api/v1/reports/recovery", params=window, headers=cast.viewer.headers)
    assert api.status_code == 200
    figure = api.json()["recovery_paradox"]
    assert {k: figure[k] for k in EXPECTED} == EXPECTED
    alone = client.get(
        "/api/v1/reports/recovery-paradox", params=window, headers=cast.viewer.headers
    )
    assert alone.json()["recovered"] == EXPECTED["recovered"]
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)
    args = ["report", "--json", "--since", window["since"], "--until", window["until"]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)["recovery_paradox"]
    assert {k: printed[k] for k in EXPECTED} == EXPECTED
    text = CliRunner().invoke(app, ["report", "--since", window["since"]])
    assert text.exit_code == 0 and "recovery paradox holds" in text.stdout


def test_the_figure_says_nothing_without_answers() -> None:
    recovered = satisfaction_group(["active", "lost"], [], [])
    never = satisfaction_group(["active"], [4], [9])
    assert recovered["retention_pct"] == 50.0 and recovered["csat_mean"] is None
    assert compare(recovered, never) == {
        "csat_difference": None,
        "retention_difference_pct": -50.0,
        "holds": None,
    }
    assert compare(never, satisfaction_group(["active"], [5], [])) == {
        "csat_difference": -1.0,
        "retention_difference_pct": 0.0,
        "holds": False,
    }

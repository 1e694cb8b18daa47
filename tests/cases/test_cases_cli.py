"""`amends cases act`, `cases handoff` and `report` with the documented exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amends.cli import app
from amends.recovery import flows

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)
    # Commands that change a case act as a named user: here Marek, a manager.
    monkeypatch.setenv("AMENDS_OPERATOR", "marek@example.com")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def setup_case(session_env: None) -> int:
    from amends.cases.rules import Category, Severity
    from amends.console import open_workspace
    from amends.customers import service as customers
    from amends.people import service as people
    from amends.people.rules import OPERATOR, Role

    ws = open_workspace()
    with ws.transaction() as s:
        agent = people.create_user(
            s, email="lucia@example.com", name="Lucia", role=Role.AGENT, now=ws.clock.now()
        )
        people.create_user(
            s, email="marek@example.com", name="Marek", role=Role.MANAGER, now=ws.clock.now()
        )
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=ws.clock.now(),
            name="Kaviareň Dunaj",
            language="sk",
            timezone="Europe/Bratislava",
            currency="EUR",
        )
        case = flows.open_case(
            s,
            actor=OPERATOR,
            now=ws.clock.now(),
            customer_id=customer.id,
            owner_id=agent.id,
            title="Chýbajúca faktúra",
            severity=Severity.LOW,
            category=Category.BILLING,
            playbook=ws.playbook,
        )
        return case.id


def test_act_walks_the_case_and_refuses_with_exit_1(env: None) -> None:
    case_id = setup_case(env)
    code, out, _ = run(
        "cases",
        "act",
        str(case_id),
        "own",
        "--json",
        "--as",
        "lucia@example.com",
        "--call",
        "Called the customer.",
    )
    assert code == 0
    assert json.loads(out)["done"] == ["acknowledge", "own"]
    code, _, err = run(
        "cases",
        "act",
        str(case_id),
        "close",
        "--outcome",
        "retained",
        "--call",
        "Called the customer.",
    )
    assert code == 1
    assert "requires remedy before 'close'" in err
    code, _, err = run("cases", "act", str(case_id), "own", "--call", "Called the customer.")
    assert code == 1 and "already done: own" in err
    assert (
        run(
            "cases",
            "act",
            str(case_id),
            "remedy",
            "--note",
            "faktúra poslaná",
            "--call",
            "Called the customer.",
        )[0]
        == 0
    )
    code, out, _ = run(
        "cases",
        "act",
        str(case_id),
        "close",
        "--outcome",
        "retained",
        "--json",
        "--call",
        "Called the customer.",
    )
    assert code == 0
    assert json.loads(out)["case"]["state"] == "closed"
    code, _, err = run("cases", "act", str(case_id), "explode")
    assert code == 2


def test_handoff_without_reason_is_refused(env: None) -> None:
    case_id = setup_case(env)
    code, _, err = run("cases", "handoff", str(case_id), "--to", "marek@example.com")
    assert code == 2
    assert "--reason" in err
    code, out, _ = run(
        "cases",
        "handoff",
        str(case_id),
        "--to",
        "marek@example.com",
        "--reason",
        "Marek owns the billing system",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["handoffs"] == 1


def test_report_json_has_the_documented_keys(env: None) -> None:
    case_id = setup_case(env)
    assert run("cases", "act", str(case_id), "own", "--call", "Called the customer.")[0] == 0
    assert run("cases", "act", str(case_id), "remedy", "--call", "Called the customer.")[0] == 0
    code, out, _ = run("report", "--json")
    assert code == 0
    data = json.loads(out)
    for key in (
        "ack_median_minutes",
        "ack_p90_minutes",
        "ack_within_sla_pct",
        "remedy_within_sla_pct",
        "close_within_sla_pct",
        "handoffs_per_case",
        "one_interaction_pct",
        "outcomes",
    ):
        assert key in data
    assert data["cases"] == 1
    assert data["one_interaction_pct"] == 100.0
    assert data["by_owner"][0]["owner"] == "Lucia"
    assert run("report", "--since", "yesterday")[0] == 2


def test_the_command_line_refuses_to_act_with_nobody_named(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = setup_case(env)
    monkeypatch.delenv("AMENDS_OPERATOR")
    code, _, err = run("cases", "act", str(case_id), "own", "--call", "Called the customer.")
    assert code == 2
    assert "actor-required" in err and "--as EMAIL" in err
    code, out, _ = run(
        "cases",
        "act",
        str(case_id),
        "own",
        "--as",
        "lucia@example.com",
        "--json",
        "--call",
        "Called the customer.",
    )
    assert code == 0
    timeline = json.loads(run("cases", "show", str(case_id), "--json")[1])["timeline"]
    acted = [e for e in timeline if e["kind"] == "step"]
    assert acted and {e["actor_id"] for e in acted} == {json.loads(out)["case"]["owner"]["id"]}


def test_a_compensation_from_the_command_line_is_in_the_named_currency(env: None) -> None:
    case_id = setup_case(env)
    for step in ("own", "remedy"):
        assert run("cases", "act", str(case_id), step, "--call", "Called the customer.")[0] == 0
    code, _, err = run(
        "cases",
        "act",
        str(case_id),
        "compensate",
        "--kind",
        "credit",
        "--amount",
        "150",
        "--currency",
        "thb",
        "--rationale",
        "a month of coffee",
        "--as",
        "lucia@example.com",
        "--json",
    )
    assert code == 0, err
    shown = json.loads(run("cases", "show", str(case_id), "--json")[1])
    (given,) = shown["compensation"]["granted"]
    assert (given["amount"], given["currency"], given["status"]) == ("150.00", "THB", "requested")
    code, _, err = run(
        "cases",
        "act",
        str(case_id),
        "compensate",
        "--kind",
        "credit",
        "--amount",
        "5",
        "--currency",
        "XYZ",
        "--as",
        "lucia@example.com",
    )
    assert code == 2 and "--currency" in err

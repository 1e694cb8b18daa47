"""`amends winback list|show|stop|watch` and the win-back in `amends customers show --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amends.cases.rules import Category, Outcome, Severity, Step
from amends.cli import app
from amends.console import open_workspace
from amends.customers import service as customers
from amends.people import service as people
from amends.people.rules import OPERATOR, Actor, Role
from amends.recovery import flows

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def lost_customer() -> int:
    ws = open_workspace()
    with ws.transaction() as s:
        agent = people.create_user(
            s, email="lucia@example.com", name="Lucia", role=Role.AGENT, now=ws.clock.now()
        )
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=ws.clock.now(),
            name="Kaviareň Dunaj",
            language="sk",
            timezone="Europe/Bratislava",
            currency="EUR",
            contacts=[customers.ContactInput(name="Eva", email="eva@kaviaren.example")],
        )
        actor = Actor(agent.id, agent.role)
        case = flows.open_case(
            s,
            actor=actor,
            now=ws.clock.now(),
            customer_id=customer.id,
            owner_id=agent.id,
            title="Chýbajúca faktúra",
            severity=Severity.LOW,
            category=Category.BILLING,
            playbook=ws.playbook,
        )
        for steps in ([Step.OWN, Step.REMEDY], [Step.CLOSE]):
            flows.perform_steps(
                s,
                case.id,
                actor=actor,
                now=ws.clock.now(),
                playbook=ws.playbook,
                steps=steps,
                outcome=Outcome.LOST if Step.CLOSE in steps else None,
                call_note="Telefonát so zákazníčkou.",
            )
        return customer.id


def test_the_cli_lists_a_lost_customers_sequence_and_stops_it_for_no_more_contact(
    env: None,
) -> None:
    customer_id = lost_customer()
    code, out, _ = run("customers", "show", str(customer_id), "--json")
    assert code == 0
    shown = json.loads(out)["winback"]
    assert shown["status"] == "active" and [s["day"] for s in shown["steps"]] == [3, 10, 30, 60]
    code, out, _ = run("winback", "list", "--json")
    assert code == 0
    (listed,) = [json.loads(line) for line in out.splitlines()]
    assert listed["id"] == shown["id"] and listed["customer"] == "Kaviareň Dunaj"
    # Stopping changes a sequence: it says who does it.
    code, _, err = run("winback", "stop", str(listed["id"]), "--no-contact")
    assert code == 2 and "--as" in err
    code, out, _ = run(
        "winback", "stop", str(listed["id"]), "--no-contact", "--as", "lucia@example.com", "--json"
    )
    assert code == 0 and json.loads(out)["stop_reason"] == "no_contact"
    # Stopping a stopped sequence without an outcome is a refusal (exit 1).
    code, _, err = run("winback", "stop", str(listed["id"]), "--as", "lucia@example.com")
    assert code == 1 and "stopped" in err
    code, out, _ = run(
        "winback",
        "stop",
        str(listed["id"]),
        "--outcome",
        "not_won_back",
        "--as",
        "lucia@example.com",
        "--json",
    )
    assert code == 0 and json.loads(out)["status"] == "not_won_back"
    code, out, _ = run("customers", "show", str(customer_id), "--json")
    assert json.loads(out)["winback"]["status"] == "not_won_back"
    assert json.loads(out)["status"] == "lost"
    code, out, _ = run("winback", "watch", "--json")
    assert code == 0 and out.strip() == ""

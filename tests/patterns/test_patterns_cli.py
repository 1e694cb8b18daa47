"""`amends patterns`, `amends actions` and `amends compensation` as scripts use them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends.cases.rules import Step
from amends.cli import app
from amends.db import transaction
from amends.people.rules import OPERATOR
from amends.recovery import flows
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast
from tests.patterns.helpers import COURIER, add_shop, open_courier_case

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)
    monkeypatch.setenv("AMENDS_TIMEZONE", "Europe/Bratislava")
    monkeypatch.setenv("AMENDS_OPERATOR", "manager@example.com")


def lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _cluster(sessions: sessionmaker[Session], cast: Cast) -> list[int]:
    # The command line runs on the real clock, so these cases are opened "now" too.
    now = datetime.now(UTC)
    ids = []
    with transaction(sessions) as s:
        for shop in COURIER:
            customer_id = add_shop(s, shop, now=now)
            case = open_courier_case(
                s,
                customer_id=customer_id,
                owner_id=cast.agent.id,
                title=shop.complaint,
                now=now,
                playbook=PLAYBOOK,
            )
            flows.perform_steps(
                s,
                case.id,
                actor=OPERATOR,
                now=now,
                playbook=PLAYBOOK,
                steps=[Step.OWN, Step.REMEDY, Step.COMPENSATE],
                compensation=flows.CompensationInput("credit", Decimal("40"), "EUR", "a month"),
                call_note="Called the customer and told them.",
            )
            ids.append(case.id)
    return ids


def test_patterns_actions_and_the_change_message_from_the_command_line(
    env: None, sessions: sessionmaker[Session], cast: Cast
) -> None:
    ids = _cluster(sessions, cast)
    listed = runner.invoke(app, ["patterns", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    (pattern,) = lines(listed.stdout)
    assert (pattern["ref"], pattern["customers"], pattern["status"]) == ("P-1", 5, "open")
    assert sorted(pattern["case_ids"]) == sorted(ids)  # type: ignore[type-var]

    refused = runner.invoke(app, ["cases", "act", str(ids[0]), "explain-change"])
    assert refused.exit_code == 1
    assert "corrective-action-missing" in refused.stderr

    rest = [
        "--root-cause",
        "a cause",
        "--description",
        "a change",
        "--owner",
        "manager@example.com",
    ]
    bad = runner.invoke(
        app, ["actions", "add", *rest, "--kind", "prayer", "--due", "2026-12-31", "--pattern", "1"]
    )
    assert bad.exit_code == 2
    bad_date = runner.invoke(
        app, ["actions", "add", *rest, "--kind", "stock", "--due", "next week", "--pattern", "1"]
    )
    assert bad_date.exit_code == 2

    added = runner.invoke(
        app,
        [
            "actions",
            "add",
            "--root-cause",
            "the courier leaves parcels when nobody answers the door",
            "--kind",
            "quality_check",
            "--description",
            "every parcel is handed over in person and photographed",
            "--owner",
            "manager@example.com",
            "--due",
            "2026-12-31",
            "--pattern",
            "1",
            "--json",
        ],
    )
    assert added.exit_code == 0, added.output
    action = json.loads(added.stdout)
    assert (action["ref"], action["change_kind"], action["pattern_ids"]) == (
        "A-1",
        "quality_check",
        [1],
    )
    assert [a["id"] for a in lines(runner.invoke(app, ["actions", "list", "--json"]).stdout)] == [1]
    shown = json.loads(runner.invoke(app, ["actions", "show", "1", "--json"]).stdout)
    assert shown["verification"]["verdict"] == "not_done"
    assert runner.invoke(app, ["actions", "show", "99"]).exit_code == 1

    allowed = runner.invoke(
        app,
        [
            "cases",
            "act",
            str(ids[0]),
            "explain-change",
            "--json",
            "--call",
            "Told her what changed.",
        ],
    )
    assert allowed.exit_code == 0, allowed.output
    drafted = runner.invoke(
        app, ["coach", "draft", "--case", str(ids[0]), "--step", "change_explained", "--json"]
    )
    assert drafted.exit_code == 0, drafted.output
    text = json.loads(drafted.stdout)["text"]
    # Written in English: the Slovak customer is told the kind of change in Slovak alone,
    # until it is worded in Slovak.
    assert "Toto sme zmenili: nová kontrola kvality. " in text and "every parcel" not in text
    worded = runner.invoke(
        app,
        ["actions", "word", "1", "sk", "každý balík odovzdávame osobne a fotografujeme", "--json"],
    )
    assert worded.exit_code == 0, worded.output
    assert set(json.loads(worded.stdout)["wordings"]) == {"en", "sk"}
    again_drafted = runner.invoke(
        app, ["coach", "draft", "--case", str(ids[0]), "--step", "change_explained", "--json"]
    )
    assert (
        "nová kontrola kvality — každý balík odovzdávame osobne"
        in json.loads(again_drafted.stdout)["text"]
    )
    unknown = runner.invoke(app, ["actions", "word", "1", "de", "jedes Paket persönlich"])
    assert unknown.exit_code == 2 and "language-unknown" in unknown.stderr

    early = runner.invoke(app, ["actions", "status", "1", "verified"])
    assert early.exit_code == 1 and "only a done change" in early.stderr
    done = runner.invoke(app, ["actions", "status", "1", "done", "--json"])
    assert done.exit_code == 0 and json.loads(done.stdout)["status"] == "done"

    themes = json.loads(runner.invoke(app, ["patterns", "themes", "--json"]).stdout)
    quality = next(t for t in themes["themes"] if t["key"] == "quality")
    assert (quality["cases"], quality["customers"]) == (5, 5)
    assert quality["revenue_at_stake"] == {"EUR": "400.00", "GBP": "300.00", "THB": "4500.00"}

    ledger = json.loads(runner.invoke(app, ["compensation", "report", "--json"]).stdout)
    assert ledger["timezone"] == "Europe/Bratislava"
    assert ledger["total"]["given"] == {"EUR": "200.00"}
    assert ledger["total"]["customers"] == 5
    assert runner.invoke(app, ["compensation", "report", "--since", "yesterday"]).exit_code == 2

    again = json.loads(runner.invoke(app, ["patterns", "detect", "--json"]).stdout)
    assert again == {"cases": 5, "patterns_created": 0, "cases_added": 0}
    for command, shows in [
        (["patterns", "list"], "P-1"),
        (["patterns", "show", "1"], "A-1"),
        (["patterns", "themes"], "quality"),
        (["actions", "list"], "A-1"),
        (["actions", "show", "1"], "root cause"),
        (["compensation", "report"], "total"),
    ]:
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
        assert shows in result.stdout, (command, result.stdout)

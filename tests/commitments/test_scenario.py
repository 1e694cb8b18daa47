"""The founding story: a website plus monthly marketing at 200 a month; the website was
built, the marketing was never queued. amends notices the first missed report itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amends.cli import app

runner = CliRunner()

CUSTOMERS = """external_id,name,email,language,timezone,currency,recurring_value
acme-sk,Pekáreň Novák s.r.o.,jan@pekaren-novak.example,sk,Europe/Bratislava,EUR,200
"""
COMMITMENTS = """external_id,customer_external_id,title,kind,due_at,rrule,grace_hours,owner_email,value,currency
web-1,acme-sk,Nová webová stránka,deliverable,2026-02-01T09:00:00+01:00,,24,lucia@agency.example,1500,EUR
mkt-1,acme-sk,Mesačný marketingový report,recurring_service,2026-03-05T09:00:00+01:00,FREQ=MONTHLY;BYMONTHDAY=5,48,lucia@agency.example,200,EUR
"""
DELIVERIES = """commitment_external_id,delivered_at,note
web-1,2026-01-30T16:00:00+01:00,Stránka spustená
"""


@pytest.fixture
def workspace(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)
    monkeypatch.setenv("AMENDS_TIMEZONE", "Europe/Bratislava")
    # Commands act as Marta, the agency's manager, unless told otherwise.
    monkeypatch.setenv("AMENDS_OPERATOR", "marta@agency.example")
    for email, name, role in (
        ("lucia@agency.example", "Lucia Kováčová", "agent"),
        ("marta@agency.example", "Marta Horváthová", "manager"),
    ):
        result = runner.invoke(app, ["users", "add", email, "--name", name, "--role", role])
        assert result.exit_code == 0, result.output
    for name, text in (
        ("customers", CUSTOMERS),
        ("commitments", COMMITMENTS),
        ("deliveries", DELIVERIES),
    ):
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        imported = runner.invoke(app, ["import", name, str(path), "--json"])
        assert imported.exit_code == 0, imported.output
        assert json.loads(imported.stdout)["rejected"] == 0
    return tmp_path


def sweep(now: str) -> dict[str, object]:
    result = runner.invoke(app, ["sweep", "--now", now, "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def show(case_id: int) -> dict[str, object]:
    result = runner.invoke(app, ["cases", "show", str(case_id), "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_missed_reports_open_one_proactive_case_before_any_complaint(workspace: Path) -> None:
    # Before the first report's deadline (due 5 March 09:00 + 48 h grace) nothing happens,
    # but the report is listed as due soon for its owner.
    early = sweep("2026-03-04T12:00:00+01:00")
    assert early["breaches_opened"] == 0
    assert [d["title"] for d in early["due_soon"]] == ["Mesačný marketingový report"]

    first = sweep("2026-03-07T09:30:00+01:00")
    assert first["breaches_opened"] == 1
    assert len(first["cases_opened"]) == 1
    case_id = first["cases_opened"][0]
    for later in ("2026-03-07T09:31:00+01:00", "2026-03-08T10:00:00+01:00"):
        again = sweep(later)
        assert again["breaches_opened"] == 0
        assert again["cases_opened"] == []

    case = show(case_id)
    assert case["origin"] == "breach"
    assert case["owner"]["email"] == "lucia@agency.example"
    assert case["category"] == "missed_commitment"
    kinds = [e["kind"] for e in case["timeline"]]
    assert kinds[:3] == ["opened", "breach", "draft_prepared"]

    # The drafted first message owns the miss, in Slovak, and is not sent.
    import os

    from sqlalchemy import func, select

    from amends.db import make_engine, make_session_factory, transaction
    from amends.messages.models import Message, OutboxItem

    engine = make_engine(os.environ["AMENDS_DATABASE_URL"])
    with transaction(make_session_factory(engine)) as s:
        draft = s.scalars(select(Message).where(Message.case_id == case_id)).one()
        assert draft.is_draft and draft.language == "sk"
        assert "Je to naša chyba" in draft.text
        assert "5. marca 2026" in draft.text
        assert s.scalar(select(func.count()).select_from(OutboxItem)) == 0
    engine.dispose()

    # April's report is missed too: it joins the open case instead of opening another.
    april = sweep("2026-04-08T09:00:00+02:00")
    assert april["breaches_opened"] == 1
    assert april["cases_opened"] == [] and april["cases_joined"] == [case_id]

    # Then the customer writes in: the complaint joins the proactive case.
    token = runner.invoke(app, ["tokens", "create", "--user", "lucia@agency.example"])
    assert token.exit_code == 0
    from fastapi.testclient import TestClient

    from amends.app import create_app
    from amends.clock import FrozenClock
    from amends.config import load_settings

    clock = FrozenClock(datetime(2026, 4, 8, 10, 0, tzinfo=UTC))
    with TestClient(create_app(load_settings(), clock=clock)) as client:
        headers = {"Authorization": f"Bearer {token.stdout.strip()}"}
        complaint = client.post(
            "/api/v1/complaints",
            headers=headers,
            json={
                "from_address": "jan@pekaren-novak.example",
                "subject": "Kde sú naše reporty?",
                "text": "Dobrý deň, platíme za marketing už od marca, ale nedostali sme ani "
                "jeden report. Prosím o vysvetlenie.",
                "language": "sk",
            },
        )
        assert complaint.status_code == 201, complaint.text
        assert complaint.json()["case_id"] == case_id
        assert complaint.json()["opened"] is False
        # Judged as of the day the complaint arrived (the CLI judges as of today).
        validity = client.get(f"/api/v1/cases/{case_id}/validity", headers=headers).json()

    assert show(case_id)["validity"]["verdict"] == "right"
    assert validity["verdict"] == "right"
    missing = [e for e in validity["evidence"] if e["status"] == "missed"]
    assert [e["due_at"][:10] for e in missing] == ["2026-03-05", "2026-04-05"]
    assert all(e["commitment"] == "Mesačný marketingový report" for e in missing)
    assert "never delivered" in " ".join(validity["reasons"])

    # Once the case is closed, the next miss opens a new case.
    for step in ("own", "remedy"):
        assert (
            runner.invoke(
                app, ["cases", "act", str(case_id), step, "--call", "Called the customer."]
            ).exit_code
            == 0
        )
    assert (
        runner.invoke(
            app,
            [
                "cases",
                "act",
                str(case_id),
                "compensate",
                "--kind",
                "credit",
                "--amount",
                "400",
                "--rationale",
                "two months",
                "--call",
                "Called the customer.",
            ],
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            app, ["cases", "act", str(case_id), "explain-change", "--call", "Called the customer."]
        ).exit_code
        == 0
    )
    closed = runner.invoke(
        app,
        [
            "cases",
            "act",
            str(case_id),
            "close",
            "--outcome",
            "retained",
            "--call",
            "Called the customer.",
        ],
    )
    assert closed.exit_code == 0, closed.output
    may = sweep("2026-05-08T09:00:00+02:00")
    assert may["breaches_opened"] == 1
    assert len(may["cases_opened"]) == 1 and may["cases_opened"][0] != case_id


def test_all_delivered_means_not_right(workspace: Path) -> None:
    path = workspace / "more.csv"
    path.write_text(
        "commitment_external_id,delivered_at,note\n"
        "mkt-1,2026-03-05T08:00:00+01:00,Report za február\n"
        "mkt-1,2026-04-04T15:00:00+02:00,Report za marec\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["import", "deliveries", str(path)]).exit_code == 0
    assert sweep("2026-04-08T09:00:00+02:00")["breaches_opened"] == 0
    token = runner.invoke(app, ["tokens", "create", "--user", "lucia@agency.example"])
    from fastapi.testclient import TestClient

    from amends.app import create_app
    from amends.clock import FrozenClock
    from amends.config import load_settings

    clock = FrozenClock(datetime(2026, 4, 8, 10, 0, tzinfo=UTC))
    with TestClient(create_app(load_settings(), clock=clock)) as client:
        headers = {"Authorization": f"Bearer {token.stdout.strip()}"}
        complaint = client.post(
            "/api/v1/complaints",
            headers=headers,
            json={
                "from_address": "jan@pekaren-novak.example",
                "text": "Nedostali sme žiadne marketingové reporty!",
                "language": "sk",
            },
        )
        assert complaint.json()["opened"] is True
        verdict = client.get(
            f"/api/v1/cases/{complaint.json()['case_id']}/validity", headers=headers
        ).json()
    assert verdict["verdict"] == "not_right"
    assert {e["delivery_id"] is not None for e in verdict["evidence"]} == {True}
    assert [e["due_at"][:10] for e in verdict["evidence"]] == ["2026-03-05", "2026-04-05"]


def _complain(subject: str, text: str, at: datetime) -> tuple[dict[str, object], object]:
    """Post a complaint as Ján on ``at``; the verdict read back the same day."""
    from fastapi.testclient import TestClient

    from amends.app import create_app
    from amends.clock import FrozenClock
    from amends.config import load_settings

    token = runner.invoke(app, ["tokens", "create", "--user", "lucia@agency.example"])
    headers = {"Authorization": f"Bearer {token.stdout.strip()}"}
    with TestClient(create_app(load_settings(), clock=FrozenClock(at))) as client:
        complaint = client.post(
            "/api/v1/complaints",
            headers=headers,
            json={
                "from_address": "jan@pekaren-novak.example",
                "subject": subject,
                "text": text,
                "language": "sk",
            },
        )
        assert complaint.status_code == 201, complaint.text
        case_id = complaint.json()["case_id"]
        verdict = client.get(f"/api/v1/cases/{case_id}/validity", headers=headers).json()
    return verdict, case_id


def test_a_complaint_about_a_delivered_website_and_a_missed_report_is_partly_right(
    workspace: Path,
) -> None:
    (case_id,) = sweep("2026-03-07T09:30:00+01:00")["cases_opened"]  # type: ignore[misc]
    verdict, joined = _complain(
        "Nič ste nedodali",
        "Nedostali sme nič: ani webovú stránku, ani marketingový report.",
        datetime(2026, 3, 9, 10, 0, tzinfo=UTC),
    )
    assert joined == case_id  # it joined the proactive case for the missed report
    assert verdict["verdict"] == "partly_right"
    rows = {c["commitment"]: (c["status"], c["holds"]) for c in verdict["claims"]}
    assert rows == {
        "Nová webová stránka": ("kept_on_time", False),
        "Mesačný marketingový report": ("missed", True),
    }
    evidence = {(e["commitment"], e["status"]) for e in verdict["evidence"]}
    assert ("Nová webová stránka", "on_time") in evidence
    assert ("Mesačný marketingový report", "missed") in evidence
    # The case's own title ("... missed (2026-03-05)") is never taken for the customer's words.
    assert all("missed (" not in reason for reason in verdict["reasons"])


def test_the_verdict_is_of_its_moment_and_judged_again_only_on_request(workspace: Path) -> None:
    verdict, case_id = _complain(
        "Kde je report?",
        "Stále čakáme na marketingový report za marec.",
        datetime(2026, 3, 9, 10, 0, tzinfo=UTC),
    )
    assert verdict["verdict"] == "right" and verdict["judged_at"] is None
    # The report is delivered after the complaint: the verdict of that day stands.
    path = workspace / "late.csv"
    path.write_text(
        "commitment_external_id,delivered_at,note\nmkt-1,2026-03-12T10:00:00+01:00,Report\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["import", "deliveries", str(path)]).exit_code == 0
    assert show(int(case_id))["validity"]["verdict"] == "right"  # type: ignore[index,arg-type]
    judged = runner.invoke(app, ["cases", "judge", str(case_id), "--json"])
    assert judged.exit_code == 0, judged.output
    again = json.loads(judged.stdout)
    # Judged again as of today (the command runs on the real clock), and kept so.
    assert again["judged_at"] is not None and again["as_of"] > verdict["as_of"]
    assert show(int(case_id))["validity"]["as_of"] == again["as_of"]  # type: ignore[index,arg-type]
    kinds = [e["kind"] for e in show(int(case_id))["timeline"]]  # type: ignore[arg-type]
    assert "validity_judged" in kinds


def test_a_complaint_about_rudeness_is_not_judged_by_the_ledger(workspace: Path) -> None:
    verdict, _ = _complain(
        "Nepríjemný kuriér",
        "Váš kuriér bol na našu predavačku hrubý a kričal.",
        datetime(2026, 2, 20, 10, 0, tzinfo=UTC),
    )
    assert verdict["verdict"] == "unknown"
    assert verdict["claims"] == []

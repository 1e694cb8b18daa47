"""Finding: nothing recorded who signed in, failed to, or changed whose access; the audit
log is append-only and chained by hash, so an edit made behind its back shows."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends.audit import service as audit
from amends.audit.models import AuditEvent
from amends.cli import app
from amends.clock import FrozenClock
from amends.db import transaction
from tests.conftest import Cast
from tests.web.test_pages import sign_in

runner = CliRunner()


def _actions(sessions: sessionmaker[Session]) -> list[str]:
    with transaction(sessions) as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_no_audit_log_sign_ins_and_access_changes_are_recorded(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    form = client.get("/signin")
    from tests.web.test_pages import csrf_from

    client.post(
        "/signin",
        data={
            "email": cast.agent.email,
            "password": "not it at all",
            "csrf_token": csrf_from(form.text),
        },
    )
    sign_in(client, cast.agent.email)
    client.put(
        f"/api/v1/users/{cast.viewer.id}/role", json={"role": "agent"}, headers=cast.manager.headers
    )
    client.post(f"/api/v1/users/{cast.employee.id}/deactivate", headers=cast.owner.headers)
    client.put(
        f"/api/v1/users/{cast.viewer.id}/password",
        json={"password": "a new password"},
        headers=cast.owner.headers,
    )
    mine = client.get("/api/v1/tokens", headers=cast.agent.headers).json()[0]["id"]
    client.delete(f"/api/v1/tokens/{mine}", headers=cast.agent.headers)

    actions = _actions(sessions)
    # The cast: five people, each with a token.
    assert actions[:10] == ["user.created", "token.created"] * 5
    assert actions[10:] == [
        "sign-in.failed",
        "sign-in",
        "user.role-changed",
        "user.deactivated",
        "user.password-set",
        "token.revoked",
    ]
    with transaction(sessions) as s:
        changed = s.scalar(select(AuditEvent).where(AuditEvent.action == "user.role-changed"))
        assert changed is not None
        assert changed.actor_id == cast.manager.id
        assert changed.subject == f"user:{cast.viewer.id}"
        assert changed.detail == {"email": cast.viewer.email, "from": "viewer", "to": "agent"}
        assert audit.verify(s).ok


def test_no_audit_log_verify_names_the_row_edited_by_hand(
    engine: Engine, sessions: sessionmaker[Session], cast: Cast, cli_env: None
) -> None:
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit log OK: 10 rows" in result.stdout

    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET subject = 'user:99' WHERE id = 4"))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at row 4" in result.stdout
    with transaction(sessions) as s:
        verdict = audit.verify(s)
    assert (verdict.ok, verdict.broken_at) == (False, 4)


def test_no_audit_log_a_row_rewritten_with_a_fresh_hash_breaks_the_next_link(
    engine: Engine, sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as s:
        row = s.get(AuditEvent, 6)
        assert row is not None
        forged = audit.canonical(
            id=6,
            at=row.at,
            actor_id=row.actor_id,
            action=row.action,
            subject="token:666",
            detail=row.detail,
            prev_hash=row.prev_hash,
        )
    import hashlib

    with engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET subject = 'token:666', hash = :h WHERE id = 6"),
            {"h": hashlib.sha256(forged.encode()).hexdigest()},
        )
    with transaction(sessions) as s:
        verdict = audit.verify(s)
    assert (verdict.ok, verdict.broken_at) == (False, 7)


def test_no_audit_log_deleting_the_newest_rows_is_noticed(
    engine: Engine, sessions: sessionmaker[Session], cast: Cast
) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id >= 9"))
    with transaction(sessions) as s:
        verdict = audit.verify(s)
    assert (verdict.ok, verdict.broken_at) == (False, 9)


def test_no_audit_log_concurrent_writers_do_not_fork_the_chain(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    with transaction(sessions) as s:
        audit.record(s, actor_id=None, action="test.start", subject="-", now=clock.now())
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                with transaction(sessions) as s:
                    audit.record(
                        s, actor_id=n, action="test.write", subject=f"{n}:{i}", now=clock.now()
                    )
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 41
        verdict = audit.verify(s)
    assert verdict.ok, verdict


def test_no_audit_log_list_shows_the_newest_first(cast: Cast, cli_env: None) -> None:
    result = runner.invoke(app, ["audit", "list", "--limit", "2", "--json"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert '"action": "token.created"' in lines[0]
    assert '"id": 10' in lines[0]


def test_no_audit_log_money_decisions_and_coach_overrides_are_recorded(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    from tests.helpers import make_case, make_customer

    customer = make_customer(client, cast.owner)
    case = make_case(client, cast.owner, customer["id"], cast.agent.id)
    asked = client.post(
        f"/api/v1/cases/{case['id']}/steps",
        headers=cast.agent.headers,
        json={
            "steps": ["acknowledge", "own", "remedy", "compensate"],
            "compensation": {"kind": "credit", "amount": "5000", "rationale": "a year"},
            "call_note": "Called: we missed it, it is on the way.",
        },
    )
    assert asked.status_code == 200, asked.text
    with transaction(sessions) as s:
        held = s.scalar(select(AuditEvent).where(AuditEvent.action == "compensation.requested"))
        assert held is not None and held.actor_id == cast.agent.id
        assert held.detail["amount"] == "5000.00"
    compensation_id = int(held.subject.split(":")[1])
    decided = client.post(
        f"/api/v1/compensations/{compensation_id}/decision",
        headers=cast.manager.headers,
        json={"approve": True, "note": "worth it"},
    )
    assert decided.status_code == 200, decided.text
    blaming = {"text": "Čakali sme ešte na Vaše podklady, preto report meškal."}
    sent = client.post(
        f"/api/v1/cases/{case['id']}/replies",
        headers=cast.agent.headers,
        json={**blaming, "override_reason": "the customer asked for the facts"},
    )
    assert sent.status_code == 201, sent.text

    actions = _actions(sessions)
    assert actions[-3:] == ["compensation.requested", "compensation.approved", "coach.override"]
    with transaction(sessions) as s:
        override = s.scalar(select(AuditEvent).where(AuditEvent.action == "coach.override"))
        assert override is not None
        assert override.subject == f"case:{case['id']}"
        assert override.detail["reason"] == "the customer asked for the facts"
        assert audit.verify(s).ok

"""Finding: a killed sender strands replies.

Over kill -9 rounds, replies a sender had claimed stayed stuck, and nothing listed or
settled the ``uncertain`` ones. Now: a dead sender's claims go back to the queue when
its lease ends and are sent by the next drain; the one it was handing to the relay
becomes ``uncertain`` and is never resent by itself; a manager lists those and decides —
resend or mark sent — from the CLI, the API or the outbox page, and the decision and
who made it go on the case's timeline.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends import rehearsal
from amends.cases.models import TimelineEvent
from amends.cli import app as cli
from amends.clock import FileClock, FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.messages import outbox
from amends.messages.models import OutboxItem
from tests.conftest import Cast
from tests.security.mail import Relay, mail_settings, relay, reply_to
from tests.web.test_pages import csrf_from, sign_in

__all__ = ["relay"]

# Runs one drain in its own process, as the worker does.
SENDER = """
import sys
from datetime import datetime
import amends.models  # noqa: F401 - every table, for the foreign keys
from amends.config import Settings
from amends.db import make_engine, make_session_factory
from amends.messages import outbox
settings = Settings()
sessions = make_session_factory(make_engine(settings.database_url))
outbox.drain(sessions, settings, now=datetime.fromisoformat(sys.argv[1]), worker="doomed")
"""


def kill_a_sender_mid_send(settings: Settings, tmp_path: Path, now: str) -> None:
    """Start a sender that stops right after the relay took its first mail; SIGKILL it."""
    markers = tmp_path / "rehearsal"
    env = {
        **os.environ,
        "AMENDS_HOME": str(settings.home),
        "AMENDS_DATABASE_URL": settings.database_url,
        "AMENDS_SMTP_PORT": str(settings.smtp_port),
        "AMENDS_MAIL_FROM": settings.mail_from,
        "AMENDS_REHEARSAL_HOLD": rehearsal.SEND_BEFORE_RECORD,
        "AMENDS_REHEARSAL_DIR": str(markers),
    }
    proc = subprocess.Popen([sys.executable, "-c", SENDER, now], env=env)
    try:
        deadline = time.monotonic() + 60
        while not list(markers.glob("*")):
            assert proc.poll() is None, "the sender ended before the hold point"
            assert time.monotonic() < deadline, "the sender never reached the hold point"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def statuses(sessions: sessionmaker[Session]) -> list[str]:
    with transaction(sessions) as s:
        return [str(i.status) for i in s.scalars(select(OutboxItem).order_by(OutboxItem.id))]


def test_a_sender_killed_mid_send_leaves_one_uncertain_reply_and_the_rest_are_sent(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    relay: Relay,
    tmp_path: Path,
) -> None:
    for address in ["jan@pekaren-novak.example", "eva@kvetiny.example", "nikos@fourno.ex"]:
        reply_to(sessions, clock, cast, email=address)
    cfg = mail_settings(settings, relay)

    kill_a_sender_mid_send(cfg, tmp_path, clock.now().isoformat())

    assert statuses(sessions) == ["sending", "claimed", "claimed"]
    assert len(relay.delivered) == 1
    # Within the lease nobody touches the dead sender's rows.
    assert outbox.drain(sessions, cfg, now=clock.now())["sent"] == 0
    clock.advance(outbox.LEASE + timedelta(seconds=1))
    counts = outbox.drain(sessions, cfg, now=clock.now())
    assert (counts["sent"], counts["uncertain"]) == (2, 1)
    assert statuses(sessions) == ["uncertain", "sent", "sent"]
    assert sorted(relay.recipients()) == [
        "eva@kvetiny.example",
        "jan@pekaren-novak.example",
        "nikos@fourno.ex",
    ]
    # The uncertain one is never sent again by itself.
    clock.advance(timedelta(hours=2))
    assert outbox.drain(sessions, cfg, now=clock.now())["sent"] == 0
    assert len(relay.delivered) == 3


def make_uncertain(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> tuple[int, int]:
    """A reply whose sender stopped after handing it over: (case id, outbox id)."""
    case_id = reply_to(sessions, clock, cast, email="jan@pekaren-novak.example")
    with transaction(sessions) as s:
        (item_id,) = outbox.claim(s, worker="doomed", now=clock.now()).ids
        assert outbox.hand_over(s, item_id, worker="doomed")
    clock.advance(outbox.LEASE + timedelta(seconds=1))
    with transaction(sessions) as s:
        assert outbox._expire_leases(s, now=clock.now()) == 1
    return case_id, item_id


def timeline(sessions: sessionmaker[Session], case_id: int) -> list[tuple[str, int | None]]:
    with transaction(sessions) as s:
        return [
            (str(e.kind), e.actor_id)
            for e in s.scalars(
                select(TimelineEvent)
                .where(TimelineEvent.case_id == case_id)
                .order_by(TimelineEvent.id)
            )
        ]


@pytest.fixture
def cli_env(
    settings: Settings, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> FileClock:
    """The command line on the test's database, at the test's time."""
    shared = FileClock(tmp_path / "clock")
    shared.set(clock.now())
    monkeypatch.setenv("AMENDS_HOME", str(settings.home))
    monkeypatch.setenv("AMENDS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("AMENDS_CLOCK_FILE", str(shared.path))
    return shared


def test_uncertain_replies_are_listed_and_resent_from_the_command_line(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    relay: Relay,
    cli_env: FileClock,
) -> None:
    case_id, item_id = make_uncertain(sessions, clock, cast)
    cli_env.set(clock.now())
    runner = CliRunner()

    listed = runner.invoke(cli, ["outbox", "list", "--status", "uncertain", "--json"])
    assert listed.exit_code == 0, listed.output
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["id"], row["case_id"], row["status"]) == (item_id, case_id, "uncertain")
    assert "stopped mid-send" in row["last_error"]

    both = runner.invoke(cli, ["outbox", "resolve", str(item_id), "--resend", "--mark-sent"])
    assert both.exit_code == 2
    resent = runner.invoke(
        cli,
        [
            "outbox",
            "resolve",
            str(item_id),
            "--resend",
            "--as",
            cast.manager.email,
            "--note",
            "the relay's log has no such mail",
        ],
    )
    assert resent.exit_code == 0, resent.output
    again = runner.invoke(
        cli, ["outbox", "resolve", str(item_id), "--mark-sent", "--as", cast.manager.email]
    )
    assert again.exit_code == 1 and "outbox-not-uncertain" in again.stderr
    agent = runner.invoke(
        cli, ["outbox", "resolve", str(item_id), "--resend", "--as", cast.agent.email]
    )
    assert agent.exit_code == 1

    assert outbox.drain(sessions, mail_settings(settings, relay), now=clock.now())["sent"] == 1
    mail = message_from_bytes(relay.delivered[0].content, policy=policy.default)
    assert mail["To"] == "jan@pekaren-novak.example"
    assert statuses(sessions) == ["sent"]
    assert ("reply_resent", cast.manager.id) in timeline(sessions, case_id)


def test_only_owners_and_managers_settle_uncertain_replies_through_the_api(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    client: TestClient,
) -> None:
    case_id, item_id = make_uncertain(sessions, clock, cast)
    for who in (cast.agent, cast.viewer, cast.employee):
        assert client.get("/api/v1/outbox", headers=who.headers).status_code == 403
        refused = client.post(
            f"/api/v1/outbox/{item_id}/resolution",
            json={"resolution": "resend"},
            headers=who.headers,
        )
        assert refused.status_code == 403

    listed = client.get(
        "/api/v1/outbox", params={"status": "uncertain"}, headers=cast.manager.headers
    )
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()] == [item_id]
    settled = client.post(
        f"/api/v1/outbox/{item_id}/resolution",
        json={"resolution": "mark_sent", "note": "Ján confirmed on the phone"},
        headers=cast.owner.headers,
    )
    assert settled.status_code == 200, settled.text
    assert settled.json()["status"] == "sent"
    twice = client.post(
        f"/api/v1/outbox/{item_id}/resolution",
        json={"resolution": "resend"},
        headers=cast.manager.headers,
    )
    assert twice.status_code == 409
    assert twice.json()["code"] == "outbox-not-uncertain"
    assert ("reply_marked_sent", cast.owner.id) in timeline(sessions, case_id)
    assert (
        client.get(
            "/api/v1/outbox", params={"status": "uncertain"}, headers=cast.manager.headers
        ).json()
        == []
    )


def test_a_manager_settles_an_uncertain_reply_on_the_outbox_page(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    client: TestClient,
) -> None:
    case_id, item_id = make_uncertain(sessions, clock, cast)
    sign_in(client, cast.agent.email)
    assert 'href="/outbox"' not in client.get("/cases").text
    assert client.get("/outbox").status_code == 403
    client.post("/signout", data={"csrf_token": csrf_from(client.get("/cases").text)})

    sign_in(client, cast.manager.email)
    assert 'href="/outbox"' in client.get("/cases").text
    page = client.get("/outbox", headers={"Accept-Language": "sk"})
    assert page.status_code == 200
    assert f"/outbox/{item_id}/resolution" in page.text
    assert f"C-{case_id}" in page.text

    forged = client.post(
        f"/outbox/{item_id}/resolution", data={"resolution": "resend", "csrf_token": "x"}
    )
    assert forged.status_code == 400
    assert statuses(sessions) == ["uncertain"]
    done = client.post(
        f"/outbox/{item_id}/resolution",
        data={"resolution": "resend", "csrf_token": csrf_from(page.text), "note": "nie je v logu"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/outbox?done=resend"
    assert statuses(sessions) == ["pending"]
    assert ("reply_resent", cast.manager.id) in timeline(sessions, case_id)
    after = client.get(done.headers["location"])
    assert f"/outbox/{item_id}/resolution" not in after.text

"""`amends demo` prints who to sign in as, keeps it private, and every demo page says so."""

from __future__ import annotations

import stat
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from amends.app import create_app
from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import make_engine, make_session_factory, transaction
from amends.demo import SIGN_IN_FILE
from amends.demo.load import (
    DemoSignIns,
    SignInRow,
    parse_sign_ins,
    write_playbook,
    write_sign_in,
)
from amends.people import service as people
from amends.playbook.policy import load as load_playbook
from tests.conftest import AMENDS, DemoServer


@pytest.mark.slow
def test_demo_prints_the_sign_ins_it_keeps_private_and_again_on_restart(
    demo_server: DemoServer,
) -> None:
    path = demo_server.home / SIGN_IN_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # The demo's playbook gives the baht a rate, so its Thai customers' grants have an
    # agent limit (100 EUR at 0.026 EUR a baht) as the euro ones do.
    book = load_playbook(demo_server.home, workspace_timezone="UTC")
    limit = book.compensation.limit_for("THB", "EUR")
    assert limit is not None and Decimal(3800) < limit < Decimal(3900)
    printed = parse_sign_ins(demo_server.printed)
    assert printed == parse_sign_ins(path.read_text())
    assert [(r.role, r.language) for r in printed.rows] == [
        ("owner", "en"),
        ("manager", "sk"),
        ("agent", "th"),
        ("agent", "sk"),
        ("agent", "el"),
        ("agent", "en"),
    ]
    # Run again on the same data: nothing is loaded twice, the same sign-ins are shown.
    again = subprocess.run(
        [AMENDS, "demo", "--no-serve", "--port", "8123"],
        env=demo_server.env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "demo workspace created" not in again.stderr
    assert "http://127.0.0.1:8123/signin" in again.stdout
    assert parse_sign_ins(again.stdout) == printed
    # Each printed person really signs in with the printed password, in their language.
    engine = make_engine(demo_server.env["AMENDS_DATABASE_URL"])
    try:
        with transaction(make_session_factory(engine)) as session:
            for row in printed.rows:
                _, user = people.sign_in(
                    session, email=row.email, password=printed.password, now=datetime.now(UTC)
                )
                assert user.language == row.language
    finally:
        engine.dispose()


def test_the_table_reads_back_whatever_the_names() -> None:
    sign_ins = DemoSignIns(
        "pw-with  two spaces?",
        (SignInRow("agent", "el", "agent.eleni@amends-demo.example", "Ελένη Παπαδάκη Νέα"),),
    )
    text = "some line before\n" + sign_ins.describe() + "\n"
    back = parse_sign_ins(text)
    assert back.rows == sign_ins.rows


def test_a_sign_in_file_from_before_the_table_still_reads() -> None:
    old = parse_sign_ins("owner@amends-demo.example\nYb_NWinOfHDS8VOv\n")
    assert old.password == "Yb_NWinOfHDS8VOv"
    assert old.rows[0].email == "owner@amends-demo.example"


def test_the_banner_shows_only_in_a_demo_workspace(
    settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    with TestClient(create_app(settings, clock=clock)) as plain:
        assert "demo-banner" not in plain.get("/signin").text
    write_sign_in(settings.home, "a demo password")
    with TestClient(create_app(settings, clock=clock)) as demo:
        page = demo.get("/signin", headers={"accept-language": "el"})
        assert "demo-banner" in page.text
        assert "Αυτός είναι ένας χώρος εργασίας επίδειξης." in page.text


def test_the_demo_never_replaces_a_workspaces_own_playbook(tmp_path: Path) -> None:
    assert write_playbook(tmp_path) is True
    assert "\nTHB = 0.026" in (tmp_path / "playbook.toml").read_text(encoding="utf-8")
    (tmp_path / "playbook.toml").write_text("# mine\n", encoding="utf-8")
    assert write_playbook(tmp_path) is False
    assert (tmp_path / "playbook.toml").read_text(encoding="utf-8") == "# mine\n"

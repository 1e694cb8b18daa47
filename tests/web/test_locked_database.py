"""A server that never stalls: another connection holds SQLite's write lock for 15 s
while a person browses and scripts call the API against a real `amends serve`.

The health check must answer quickly throughout (database work never waits on the
event loop), reads must keep working (WAL), and a write that cannot get the lock in
time must answer 503 with Retry-After, never 500 and never hang.
"""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import make_url

from amends.db import BUSY_TIMEOUT_MS
from tests.conftest import AMENDS, DemoServer
from tests.web.test_browser import browser  # noqa: F401 - the Chromium fixture, shared

LOCK_SECONDS = 15.0
# Nearly every health check answers within HEALTH_BUDGET; none may take STALL, a tenth of
# the ten seconds a request waiting on the write lock would hold things up (busy_timeout).
# One slow answer alone is the machine's scheduler (two cores shared with Chromium), not
# the server: on a quiet run the slowest is under 0.05 s.
HEALTH_BUDGET = 0.1
STALL = BUSY_TIMEOUT_MS / 1000 / 10


@dataclass
class HealthWatch:
    """Polls /healthz from its own thread and records how long each answer took."""

    base: str
    took: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop.is_set():
                started = time.perf_counter()
                response = client.get("/healthz")
                self.took.append(time.perf_counter() - started)
                self.statuses.append(response.status_code)
                self.stop.wait(0.05)  # pacing the poll of a real server, not test time


@pytest.fixture
def sqlite_server(db_url: str, request: pytest.FixtureRequest) -> DemoServer:
    # Skipped before a server is started for nothing (seconds of the suite).
    if not db_url.startswith("sqlite"):
        pytest.skip("the write lock under test is SQLite's")
    server: DemoServer = request.getfixturevalue("demo_server")
    return server


@pytest.fixture
def write_lock(sqlite_server: DemoServer) -> Iterator[sqlite3.Connection]:
    """A separate connection in BEGIN IMMEDIATE: it holds the write lock until released."""
    path = make_url(sqlite_server.env["AMENDS_DATABASE_URL"]).database
    assert path
    # The server's own worker may be writing at this moment; wait our turn for the lock.
    holder = sqlite3.connect(path, timeout=60, isolation_level=None)
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


@pytest.mark.slow
@pytest.mark.alone
def test_a_held_write_lock_never_stalls_the_server(
    sqlite_server: DemoServer,
    write_lock: sqlite3.Connection,
    browser: object,  # noqa: F811 - the fixture imported above
) -> None:
    server = sqlite_server
    token = subprocess.run(
        [AMENDS, "tokens", "create", "--user", server.sign_in()[0], "--name", "lock test"],
        env=server.env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    api = httpx.Client(
        base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    # Before the lock: sign in (a write). The token stays unused, so the first API read
    # under the lock also wants to record its last use, and must not wait to.
    page = browser.new_page(locale="sk-SK")  # type: ignore[attr-defined]
    statuses: list[tuple[str, int]] = []
    page.on("response", lambda r: statuses.append((r.url, r.status)))
    email, password = server.sign_in()
    page.goto(server.base + "/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(server.base + "/")  # the owner lands on the dashboard
    page.goto(server.base + "/cases")

    watch = HealthWatch(server.base)
    poller = threading.Thread(target=watch.run, name="healthz-poll")
    writes: dict[str, httpx.Response] = {}

    def api_write() -> None:
        writes["customer"] = api.post("/api/v1/customers", json={"name": "Locked Out s.r.o."})

    write_lock.execute("BEGIN IMMEDIATE")
    locked_at = time.monotonic()
    poller.start()
    writer = threading.Thread(target=api_write, name="api-write")
    writer.start()
    try:
        # Reads go on while the lock is held: the API, and pages in the browser.
        listed = api.get("/api/v1/cases", params={"limit": 5})
        assert listed.status_code == 200 and listed.json()["items"]
        page.goto(server.base + "/cases?scope=all&state=any")
        assert page.locator("table.cases tbody tr").count() >= 1
        page.goto(server.base + "/cases/1")
        assert page.locator("h1").inner_text().startswith("C-1")

        # A write from the browser: the public complaint form cannot store the mail.
        page.goto(server.base + "/complaint")
        page.fill("input[name=name]", "Jana Nováková")
        page.fill("input[name=email]", "jana@example.sk")
        page.fill("textarea[name=message]", "Objednávka neprišla ani po dvoch týždňoch.")
        with page.expect_response(lambda r: r.url.split("?")[0].endswith("/complaint")) as answered:
            page.click("form[method=post] button[type=submit]")
        busy_page = answered.value
        assert busy_page.status == 503
        assert busy_page.headers.get("retry-after")
        assert "Práve zaneprázdnené" in page.locator("h1").inner_text()

        writer.join(timeout=60)
        assert time.monotonic() - locked_at < LOCK_SECONDS, "the lock was not held throughout"
        busy = writes["customer"]
        assert busy.status_code == 503
        assert busy.headers["content-type"].startswith("application/problem+json")
        assert busy.json()["code"] == "database-busy"
        assert int(busy.headers["retry-after"]) > 0

        # Keep the lock for the whole LOCK_SECONDS while the health check is polled.
        watch.stop.wait(max(0.0, LOCK_SECONDS - (time.monotonic() - locked_at)))
    finally:
        write_lock.execute("ROLLBACK")
        watch.stop.set()
        poller.join(timeout=60)
        writer.join(timeout=60)

    # Released: the same write goes through.
    created = api.post("/api/v1/customers", json={"name": "Locked Out s.r.o."})
    assert created.status_code == 201
    api.close()

    assert len(watch.took) >= 50
    assert set(watch.statuses) == {200}
    p95 = sorted(watch.took)[int(len(watch.took) * 0.95)]
    assert p95 < HEALTH_BUDGET, f"p95 /healthz took {p95:.3f} s"
    assert max(watch.took) < STALL, f"slowest /healthz took {max(watch.took):.3f} s"
    server_errors = [(url, status) for url, status in statuses if status >= 500 and status != 503]
    assert server_errors == []

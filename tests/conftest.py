"""Shared fixtures: a real database per test (SQLite file, and PostgreSQL when
AMENDS_TEST_POSTGRES_URL is set), the injected clock, and named people with tokens."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from amends import migrate
from amends.app import create_app
from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import make_engine, make_session_factory, transaction
from amends.models import Base
from amends.people import passwords
from amends.people import service as people
from amends.people.rules import Role
from amends.playbook import policy as playbook
from tests import skips

# The closing line of a run (skipped groups and how to install them; CI fails on them).
pytest_runtest_logreport = skips.pytest_runtest_logreport
pytest_collectreport = skips.pytest_collectreport
pytest_sessionfinish = skips.pytest_sessionfinish
pytest_unconfigure = skips.pytest_unconfigure

POSTGRES_URL = os.environ.get("AMENDS_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)  # a Monday morning
DEFAULT_PLAYBOOK = playbook.load(Path("/nonexistent"), workspace_timezone="Europe/Bratislava")


def _pg_url(url: str) -> str:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


# The production scrypt cost (128 MiB, seconds on a busy shared core) would make every
# fixture that creates people slow; tests hash cheaply unless they test the cost itself
# (tests/security sets passwords.COST back to passwords.RECOMMENDED where it matters).
TEST_COST = passwords.ScryptCost(n=2**10, r=8, p=1)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "COST", TEST_COST)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once; each test gets a copy, so every test still runs the real schema."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throwaway database for this test run, migrated once."""
    if not POSTGRES_URL:
        pytest.skip(skips.reason("postgres", "AMENDS_TEST_POSTGRES_URL is not set"))
    admin_url = make_url(_pg_url(POSTGRES_URL))
    name = f"amends_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(
        admin_url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "amends.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("postgres_database")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(_EMPTY_EVERY_TABLE)
    engine.dispose()
    return url


# What a test left behind, deleted: TRUNCATE gives each of the fifty tables and their
# indexes new files, a fifth of a second per test, where deleting the few rows a test
# wrote takes milliseconds. Triggers and foreign-key checks are off meanwhile (the
# tables are emptied in no particular order; the derived tables go too), and every
# sequence starts again at 1, as TRUNCATE's RESTART IDENTITY did.
_EMPTY_EVERY_TABLE = ";".join(
    [
        "SET LOCAL session_replication_role = replica",
        *(f'DELETE FROM "{t.name}"' for t in Base.metadata.sorted_tables),
        "SELECT setval(c.oid, 1, false) FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'S' AND n.nspname = 'public'",
    ]
)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session inside one transaction, committed at the end like a request would be."""
    with transaction(sessions) as s:
        yield s


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=db_url, timezone="Europe/Bratislava")


@dataclass
class Person:
    id: int
    email: str
    role: Role
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Cast:
    """The people every permission test talks about."""

    owner: Person
    manager: Person
    agent: Person
    employee: Person  # the employee a complaint will name
    viewer: Person


PASSWORD = "correct horse battery"


@pytest.fixture
def cast(sessions: sessionmaker[Session], clock: FrozenClock) -> Cast:
    people_made: dict[str, Person] = {}
    with transaction(sessions) as s:
        for key, name, role in [
            ("owner", "Olivia Owner", Role.OWNER),
            ("manager", "Marek Manažér", Role.MANAGER),
            ("agent", "Αλέξης Agent", Role.AGENT),
            ("employee", "Somchai Employee", Role.EMPLOYEE),
            ("viewer", "Vera Viewer", Role.VIEWER),
        ]:
            user = people.create_user(
                s,
                email=f"{key}@example.com",
                name=name,
                role=role,
                now=clock.now(),
                password=PASSWORD,
            )
            token = people.create_token(s, user=user, name="tests", now=clock.now())
            people_made[key] = Person(user.id, user.email, role, token)
    return Cast(**people_made)


@pytest.fixture
def client(settings: Settings, clock: FrozenClock, engine: Engine) -> Iterator[TestClient]:
    app = create_app(settings, clock=clock, engine=engine)
    with TestClient(app) as test_client:
        yield test_client


AMENDS = str(Path(sys.executable).with_name("amends"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DemoServer:
    base: str
    env: dict[str, str]
    home: Path
    printed: str  # what `amends demo --no-serve` printed: the table of sign-ins

    def sign_in(self) -> tuple[str, str]:
        """The owner's email and the demo password, from the workspace's sign-in file."""
        from amends.demo.load import read_sign_in

        sign_ins = read_sign_in(self.home)
        assert sign_ins is not None
        return sign_ins.rows[0].email, sign_ins.password


@contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`amends serve` as a real process on a free port, once its /healthz answers: its
    base URL and the process. Stopped when the block ends."""
    port = free_port()
    proc = subprocess.Popen(
        [AMENDS, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                # Stopped first: reading a live server's output would wait for ever.
                proc.kill()
                output = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"amends serve did not come up:\n{output}")
            time.sleep(0.1)  # waiting for a real server process to start, not test time
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@dataclass
class _DemoTemplate:
    """A demo workspace made once per test process and engine; each test serves a copy."""

    home: Path
    url: str  # the SQLite file or PostgreSQL database the copies are made from
    printed: str


def _admin_engine() -> Engine:
    return make_engine(_pg_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, _DemoTemplate]]:
    """`amends demo --no-serve` run once per engine, on first use (it takes seconds: a
    process start and the demo's people hashed at the real cost); dropped at the end."""
    made: dict[str, _DemoTemplate] = {}
    yield made
    if "postgres" in made:
        admin = _admin_engine()
        name = make_url(made["postgres"].url).database
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _demo_template(
    made: dict[str, _DemoTemplate], backend: str, tmp_path_factory: pytest.TempPathFactory
) -> _DemoTemplate:
    if backend in made:
        return made[backend]
    base = tmp_path_factory.mktemp(f"demo-{backend}")
    if backend == "sqlite":
        url = f"sqlite:///{base / 'amends.db'}"
    else:
        name = f"amends_demo_{uuid.uuid4().hex[:10]}"
        admin = _admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(_pg_url(POSTGRES_URL)).set(database=name).render_as_string(False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    env = dict(os.environ, AMENDS_HOME=str(base / "ws"), AMENDS_DATABASE_URL=url)
    printed = subprocess.run(
        [AMENDS, "demo", "--no-serve"], env=env, check=True, capture_output=True, text=True
    ).stdout
    made[backend] = _DemoTemplate(base / "ws", url, printed)
    return made[backend]


@pytest.fixture
def demo_server(
    tmp_path: Path,
    db_url: str,
    demo_templates: dict[str, _DemoTemplate],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DemoServer]:
    """A copy of the demo workspace (`amends demo --no-serve`, made once per engine),
    then `amends serve` as a real process on a free port."""
    backend = "sqlite" if db_url.startswith("sqlite") else "postgres"
    template = _demo_template(demo_templates, backend, tmp_path_factory)
    home = tmp_path / "ws"
    shutil.copytree(template.home, home)
    copy: str | None = None
    if backend == "sqlite":
        made = Path(make_url(template.url).database or "")
        for suffix in ("", "-wal"):  # a WAL the demo's last connection left, if any
            if Path(f"{made}{suffix}").exists():
                shutil.copyfile(f"{made}{suffix}", tmp_path / f"amends.db{suffix}")
        url = db_url
    else:
        copy = f"amends_demo_{uuid.uuid4().hex[:10]}"
        admin = _admin_engine()
        with admin.connect() as conn:
            source = make_url(template.url).database
            conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"'))
        admin.dispose()
        url = make_url(template.url).set(database=copy).render_as_string(False)
    env = dict(os.environ, AMENDS_HOME=str(home), AMENDS_DATABASE_URL=url)
    try:
        with serving(env) as (base, _):
            yield DemoServer(base, env, home, template.printed)
    finally:
        if copy is not None:
            admin = _admin_engine()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
            admin.dispose()

"""Finding: nothing limited sign-in attempts (100 wrong passwords in 23 s, then the right
one worked), and the response time told known emails from unknown ones."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from amends.app import create_app
from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.errors import NotAuthenticated
from amends.people import passwords
from amends.people import service as people
from amends.people.models import User
from amends.people.rules import FAILURES_PER_ADDRESS, FAILURES_PER_CLIENT
from tests.conftest import PASSWORD, Cast
from tests.web.test_pages import try_sign_in


def test_nothing_limits_sign_in_attempts_the_right_password_is_refused_after_five_wrong(
    client: TestClient, cast: Cast, clock: FrozenClock
) -> None:
    for _ in range(FAILURES_PER_ADDRESS):
        assert try_sign_in(client, cast.agent.email, "wrong password!").status_code == 401
    throttled = try_sign_in(client, cast.agent.email, PASSWORD)
    assert throttled.status_code == 429
    assert "Too many failed sign-ins" in throttled.text
    assert 'name="password"' in throttled.text  # the form is shown again
    assert int(throttled.headers["retry-after"]) == 15 * 60
    # Another address from the same client is not locked out by someone else's guesses.
    assert try_sign_in(client, cast.manager.email, PASSWORD).status_code == 303

    clock.advance(timedelta(minutes=15, seconds=1))
    assert try_sign_in(client, cast.agent.email, PASSWORD).status_code == 303


def test_nothing_limits_sign_in_attempts_a_script_gets_429_problem_json(
    client: TestClient, cast: Cast
) -> None:
    for _ in range(FAILURES_PER_ADDRESS):
        try_sign_in(client, cast.agent.email, "wrong password!")
    response = try_sign_in(client, cast.agent.email, PASSWORD, accept="application/json")
    assert response.status_code == 429
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "sign-in-throttled"
    assert "retry-after" in response.headers


def test_nothing_limits_sign_in_attempts_the_refusal_is_in_the_visitors_language(
    client: TestClient, cast: Cast
) -> None:
    for _ in range(FAILURES_PER_ADDRESS):
        try_sign_in(client, cast.agent.email, "wrong password!")
    response = try_sign_in(client, cast.agent.email, PASSWORD, **{"accept-language": "th"})
    assert response.status_code == 429
    assert "Too many" not in response.text
    assert "ลองใหม่" in response.text


def test_nothing_limits_sign_in_attempts_one_client_guessing_many_addresses_is_stopped(
    client: TestClient, cast: Cast
) -> None:
    for n in range(FAILURES_PER_CLIENT):
        assert try_sign_in(client, f"nobody{n}@example.com", "guess guess").status_code == 401
    assert try_sign_in(client, cast.viewer.email, PASSWORD).status_code == 429


def test_nothing_limits_sign_in_attempts_servers_share_the_count_through_the_database(
    settings: Settings, clock: FrozenClock, engine: Engine, cast: Cast
) -> None:
    with (
        TestClient(create_app(settings, clock=clock, engine=engine)) as first,
        TestClient(create_app(settings, clock=clock, engine=engine)) as second,
    ):
        for n in range(FAILURES_PER_ADDRESS):
            server = first if n % 2 else second
            assert try_sign_in(server, cast.agent.email, "wrong password!").status_code == 401
        assert try_sign_in(first, cast.agent.email, PASSWORD).status_code == 429
        assert try_sign_in(second, cast.agent.email, PASSWORD).status_code == 429


@pytest.fixture
def derivations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The scrypt N of every derivation made, in order."""
    made: list[int] = []
    real = hashlib.scrypt

    def counting(password: bytes, **kwargs: int) -> bytes:
        made.append(kwargs["n"])
        return real(password, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(passwords.hashlib, "scrypt", counting)
    return made


def test_response_time_tells_known_emails_an_unknown_one_costs_the_same_derivation(
    sessions: sessionmaker[Session], cast: Cast, clock: FrozenClock, derivations: list[int]
) -> None:
    passwords.dummy_hash()  # made once per process, not per request
    for email in (cast.agent.email, "nobody@example.com"):
        derivations.clear()
        with transaction(sessions) as s, pytest.raises(NotAuthenticated):
            people.sign_in(s, email=email, password="wrong password!", now=clock.now())
        assert derivations == [passwords.COST.n], email


def test_response_time_tells_known_emails_a_deactivated_user_costs_the_same_too(
    sessions: sessionmaker[Session], cast: Cast, clock: FrozenClock, derivations: list[int]
) -> None:
    passwords.dummy_hash()
    with transaction(sessions) as s:
        s.get(User, cast.viewer.id).active = False  # type: ignore[union-attr]
    with transaction(sessions) as s, pytest.raises(NotAuthenticated):
        people.sign_in(s, email=cast.viewer.email, password=PASSWORD, now=clock.now())
    assert derivations == [passwords.COST.n]


def test_scrypt_cost_below_recommendation_new_hashes_use_n_2_17(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(passwords, "COST", passwords.RECOMMENDED)
    stored = passwords.hash_password("a long enough password")
    assert stored.startswith("scrypt$131072$8$1$")
    assert passwords.verify_password("a long enough password", stored)
    assert not passwords.needs_rehash(stored)


def test_scrypt_cost_below_recommendation_an_old_hash_is_raised_at_sign_in(
    sessions: sessionmaker[Session], cast: Cast, clock: FrozenClock
) -> None:
    # The format and cost every password had before: scrypt$16384$salt$digest.
    salt = bytes(range(16))
    old = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    legacy = f"scrypt$16384${salt.hex()}${old.hex()}"
    with transaction(sessions) as s:
        s.get(User, cast.agent.id).password_hash = legacy  # type: ignore[union-attr]
    with transaction(sessions) as s:
        people.sign_in(s, email=cast.agent.email, password=PASSWORD, now=clock.now())
    with transaction(sessions) as s:
        stored = s.scalar(select(User.password_hash).where(User.id == cast.agent.id))
    assert stored is not None and stored != legacy
    assert stored.startswith(f"scrypt${passwords.COST.n}${passwords.COST.r}${passwords.COST.p}$")
    assert passwords.verify_password(PASSWORD, stored)


def test_nothing_limits_sign_in_attempts_parallel_guesses_count_against_each_other(
    sessions: sessionmaker[Session], cast: Cast, clock: FrozenClock
) -> None:
    import threading

    from amends.errors import TooManyAttempts

    outcomes: list[str] = []

    def guess() -> None:
        try:
            with transaction(sessions) as s:
                people.begin_sign_in(s, email=cast.agent.email, client="10.0.0.9", now=clock.now())
            outcomes.append("checked")
        except TooManyAttempts:
            outcomes.append("throttled")
        except BaseException as exc:  # reported in the assertion, not lost in a thread
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["checked"] * FAILURES_PER_ADDRESS + ["throttled"] * (
        12 - FAILURES_PER_ADDRESS
    )


def test_scrypt_on_the_event_loop_the_sign_in_handler_is_a_plain_def() -> None:
    # A coroutine handler would run scrypt (seconds on a busy core) on the event loop and
    # stop every other request meanwhile; a plain def runs in the thread pool.
    import inspect

    from fastapi.routing import APIRoute

    from amends.people.pages import router

    posts = [
        r
        for r in router.routes
        if isinstance(r, APIRoute) and r.path == "/signin" and "POST" in r.methods
    ]
    assert len(posts) == 1
    assert not inspect.iscoroutinefunction(posts[0].endpoint)

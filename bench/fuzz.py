"""The JSON API fuzzed for a while against a real server: no input, in any order, may
make it answer with a server error.

For each engine: a fresh workspace (`amends demo --no-serve`, so customers, cases,
commitments and messages exist for generated ids to hit), an owner's API token made with
`amends tokens create`, and `amends serve` as its own process. Schemathesis then runs, in
turns until ``--seconds`` have passed,

- its stateful test: chains of calls that follow the API's links (a customer made, then
  its commitments, cases and messages), so later calls act on rows earlier ones made;
- a sweep over every operation with valid and invalid input, as the shorter test in
  tests/web/test_schemathesis.py does in-process (its checks are reused here).

Every answer of 500 or more is recorded with the operation, the status and a curl
command that repeats the request (the token replaced by ``$AMENDS_TOKEN``).

    python bench/fuzz.py [--seconds 600] [--engine sqlite|postgresql|both] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from tests.web.test_schemathesis import CHECKS

from _common import AMENDS, emit, progress, server

ADMIN_URL = os.environ.get(
    "AMENDS_BENCH_POSTGRES_URL",
    os.environ.get("AMENDS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
).replace("postgresql+psycopg://", "postgresql://")
# Generated bodies reach megabytes; the body cap is tested on its own (tests/security).
MAX_API_BODY = str(256 * 1024 * 1024)
SHOWN_FAILURES = 20


@contextmanager
def database(engine: str, folder: Path) -> Iterator[str]:
    """An empty database for one run, dropped afterwards."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / 'amends.db'}"
        return
    import psycopg

    name = f"amends_fuzz_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (
            "postgresql+psycopg"
            + ADMIN_URL.rsplit("/", 1)[0].removeprefix("postgresql")
            + ("/" + name)
        )
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def demo_workspace(env: dict[str, str]) -> str:
    """The demo data loaded into the workspace; an owner's API token."""
    full = {**os.environ, **env}
    subprocess.run([AMENDS, "demo", "--no-serve"], env=full, check=True, capture_output=True)
    return owner_token(env)


def owner_token(env: dict[str, str]) -> str:
    """A new API token of an active owner: the demo's own, or whoever generated calls
    made an owner before it deactivated itself (an owner may, when another remains)."""
    full = {**os.environ, **env}
    listed = subprocess.run(
        [AMENDS, "users", "list", "--json"], env=full, check=True, capture_output=True, text=True
    )
    users = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
    owner = next(u["email"] for u in users if u["role"] == "owner" and u["active"])
    made = subprocess.run(
        [AMENDS, "tokens", "create", "--user", owner, "--name", "fuzz"],
        env=full,
        check=True,
        capture_output=True,
        text=True,
    )
    return made.stdout.strip()


class Tally:
    """What the run saw: calls made, answers by class, server errors with a repro."""

    def __init__(self, token: str, env: dict[str, str], base: str) -> None:
        self.token = token
        self.env, self.base = env, base
        self.tokens_made = 0
        self.cases = 0
        self.stateful_cases = 0
        self.links = 0
        self.by_class: dict[str, int] = {}
        self.by_status: dict[str, int] = {}
        self.transport_errors = 0
        self.check_failures: dict[str, int] = {}
        self.check_examples: dict[str, dict[str, Any]] = {}
        self.server_errors: list[dict[str, Any]] = []
        self.seen: set[tuple[str, int]] = set()

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def record(self, case: schemathesis.Case, response: Any) -> None:
        self.cases += 1
        if response.status_code == 401:
            self.rearm()
        key = f"{response.status_code // 100}xx"
        self.by_class[key] = self.by_class.get(key, 0) + 1
        status = str(response.status_code)
        self.by_status[status] = self.by_status.get(status, 0) + 1
        if response.status_code < 500:
            return
        label = case.operation.label
        first_time = (label, response.status_code) not in self.seen
        self.seen.add((label, response.status_code))
        if first_time or len(self.server_errors) < SHOWN_FAILURES:
            curl = case.as_curl_command(headers=self.headers())
            self.server_errors.append(
                {
                    "operation": label,
                    "status": response.status_code,
                    "body": response.text[:500],
                    "reproduce": curl.replace(self.token, "$AMENDS_TOKEN"),
                }
            )

    def rearm(self) -> None:
        """A new token when the run's own is no longer accepted: the API lets an owner
        revoke their own token or deactivate themselves, and generated calls do, which
        would leave the rest of the run asking with a dead token (every answer a 401)."""
        me = httpx.get(self.base + "/api/v1/me", headers=self.headers(), timeout=30)
        if me.status_code != 401:
            return
        self.token = owner_token(self.env)
        self.tokens_made += 1

    def checks(self, case: schemathesis.Case, response: Any) -> None:
        """The other checks of the in-process test, counted (not fatal) by name."""
        try:
            case.validate_response(response, checks=CHECKS)
        # Schemathesis reports findings as a FailureGroup, a BaseExceptionGroup.
        except (Exception, BaseExceptionGroup) as failure:
            found = getattr(failure, "exceptions", None) or [failure]
            for each in found:
                name = type(each).__name__
                self.check_failures[name] = self.check_failures.get(name, 0) + 1
                if name not in self.check_examples:
                    self.check_examples[name] = {
                        "operation": case.operation.label,
                        "status": response.status_code,
                        "finding": str(each)[:300],
                        "reproduce": case.as_curl_command(headers=self.headers()).replace(
                            self.token, "$AMENDS_TOKEN"
                        ),
                    }


def stateful_round(schema: Any, tally: Tally, seed: int, examples: int) -> None:
    """One hypothesis run of the state machine; every answer is tallied, none is fatal."""
    base_machine = schema.as_state_machine()
    # The transitions schemathesis found between operations (an id one answer gives and
    # another takes): without them the stateful test would only make unrelated calls.
    transitions = getattr(base_machine, "_transitions", None)
    operations = getattr(transitions, "operations", {})
    tally.links = sum(len(t.outgoing) for t in operations.values())

    class Machine(base_machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": tally.headers(), "timeout": 30}

        def validate_response(self, response: Any, case: schemathesis.Case, **_: Any) -> None:
            tally.stateful_cases += 1
            tally.record(case, response)

    settings_ = settings(
        max_examples=examples,
        stateful_step_count=10,
        deadline=None,
        derandomize=False,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    try:
        _seeded(seed, lambda: Machine.run(settings=settings_))
    except Exception as failure:  # transport trouble ends one round, not the run
        tally.transport_errors += 1
        progress(f"stateful round ended: {type(failure).__name__}: {str(failure)[:200]}")


def sweep(schema: Any, tally: Tally, seed: int, examples: int, deadline: float) -> None:
    """Every operation, valid and invalid input, as tests/web/test_schemathesis.py."""
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if time.monotonic() > deadline:
                return

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.generate],
            )
            def run(case: schemathesis.Case) -> None:
                response = case.call(headers=tally.headers(), timeout=30)
                tally.record(case, response)
                tally.checks(case, response)

            try:
                _seeded(seed, run)
            except Unsatisfiable:
                pass  # an operation with no inputs has no invalid form
            except Exception as failure:
                tally.transport_errors += 1
                progress(f"{operation.label}: {type(failure).__name__}: {str(failure)[:200]}")


def _seeded(seed: int, run: Callable[[], None]) -> None:
    from hypothesis import seed as hypothesis_seed

    hypothesis_seed(seed)(run)()


def fuzz(engine: str, seconds: int, seed: int) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="amends-fuzz-") as tmp,
        database(engine, Path(tmp)) as url,
    ):
        home = Path(tmp) / "ws"
        env = {
            "AMENDS_HOME": str(home),
            "AMENDS_DATABASE_URL": url,
            "AMENDS_LOG_LEVEL": "WARNING",
            "AMENDS_MAX_API_BODY": MAX_API_BODY,
        }
        progress(f"{engine}: loading the demo workspace")
        token = demo_workspace(env)
        with server(env) as base:
            schema = schemathesis.openapi.from_url(base + "/api/v1/openapi.json")
            tally = Tally(token, env, base)
            before = os.getloadavg()
            started = time.monotonic()
            deadline = started + seconds
            rounds = 0
            progress(f"{engine}: fuzzing {base} for {seconds} s")
            while time.monotonic() < deadline:
                stateful_round(schema, tally, seed + rounds, examples=10)
                if time.monotonic() < deadline:
                    sweep(schema, tally, seed + rounds, examples=3, deadline=deadline)
                rounds += 1
                progress(f"{engine}: round {rounds}, {tally.cases} cases")
            elapsed = time.monotonic() - started
            after = os.getloadavg()
    return {
        "engine": engine,
        "seconds": round(elapsed, 1),
        "rounds": rounds,
        "cases_run": tally.cases,
        "stateful_cases": tally.stateful_cases,
        "stateful_links": tally.links,
        "answers": dict(sorted(tally.by_class.items())),
        "answers_by_status": dict(sorted(tally.by_status.items())),
        "server_errors_found": sum(n for k, n in tally.by_class.items() if k >= "5xx"),
        "distinct_server_errors": sorted(f"{op} -> {status}" for op, status in tally.seen),
        "server_errors": tally.server_errors,
        "transport_errors": tally.transport_errors,
        "tokens_remade": tally.tokens_made,
        "other_check_failures": tally.check_failures,
        "other_check_examples": tally.check_examples,
        "load_average_before": [round(x, 2) for x in before],
        "load_average_after": [round(x, 2) for x in after],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    emit({"runs": [fuzz(engine, args.seconds, args.seed) for engine in engines]})


if __name__ == "__main__":
    main()

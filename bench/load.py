"""A working day's mix under load, on the production shape: two `amends serve` processes
and two `amends worker` processes sharing one database.

For each engine (PostgreSQL, and SQLite for comparison) a fresh demo workspace, then for
``--seconds`` five wrk processes at once, one per kind of request, each with two threads,
one thread on each server (so both servers take every kind):

- inbox: an agent's ``GET /cases``;
- case: an agent's ``GET /cases/{id}`` of the workspace's cases;
- reply: an agent's reply form ``POST /cases/{id}/replies`` on their own open cases (the
  workers pick the outbox rows up, as they would for real mail);
- intake_api: ``POST /api/v1/complaints`` with a token, from new and known senders;
- complaint_form: the public form ``POST /complaint``, each request from its own client
  address (``X-Forwarded-For``, which the server trusts from the local proxy address), as
  the form's per-address limit would otherwise answer 429 to the one load generator.

Prints JSON: requests per second, p50/p99 and the answers that were not 2xx/3xx per
kind, socket errors, the load average before and after. wrk runs on the same machine,
which is shared: the figures are the server's plus loopback and other people's work.

    python bench/load.py [--seconds 60] [--engine postgresql|sqlite|both] [--connections 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cases as case_bench
from _common import AMENDS, emit, progress, server
from fuzz import database, demo_workspace

KINDS = ("inbox", "case", "reply", "intake_api", "complaint_form")

# Each thread of a wrk process talks to its own server; every request is picked at random
# from the kind's list, with the kind's headers and, for a form, its body.
LUA = """
math.randomseed(%(seed)d)
local ports = {%(ports)s}
local requests = {%(requests)s}
local next_port = 1
local counter = 0
local threads = {}
statuses = {}
function setup(thread)
  thread.addr = wrk.lookup("127.0.0.1", ports[next_port])[1]
  thread:set("id", next_port)
  table.insert(threads, thread)
  next_port = next_port %% #ports + 1
end
response = function(status, headers, body)
  -- A redirect to the sign-in page is a failure that looks like success.
  local location = headers["location"] or headers["Location"] or ""
  if string.find(location, "/signin", 1, true) then status = 401 end
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      io.write(string.format("STATUS %%d %%d\\n", status, count))
    end
  end
end
request = function()
  counter = counter + 1
  local r = requests[math.random(#requests)]
  local headers = {}
  for k, v in pairs(r.headers) do headers[k] = v end
  if r.forwarded then
    headers["X-Forwarded-For"] = "10." .. math.random(0, 255) .. "." ..
      math.random(0, 255) .. "." .. math.random(1, 254)
  end
  local body = r.body
  if body then body = string.gsub(body, "COUNTER", tostring(counter) .. "-" .. math.random(1e9)) end
  return wrk.format(r.method, r.path, headers, body)
end
"""


def _lua(value: str) -> str:
    return '"' + "".join(f"\\{b}" for b in value.encode()) + '"'


def _request(
    method: str, path: str, headers: dict[str, str], body: str | None = None, *, forwarded: bool
) -> str:
    pairs = ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in headers.items())
    return (
        f"{{method = {_lua(method)}, path = {_lua(path)}, headers = {{{pairs}}}, "
        f"body = {_lua(body) if body is not None else 'nil'}, "
        f"forwarded = {'true' if forwarded else 'false'}}}"
    )


def _signed_in(base: str, email: str, password: str) -> tuple[str, str]:
    """A session cookie and its CSRF token, signed in through the form."""
    with httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/signin").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf is not None
        client.post(
            "/signin", data={"email": email, "password": password, "csrf_token": csrf.group(1)}
        )
        page = client.get("/cases").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None, "signed in, but the inbox has no form token"
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        return cookie, token.group(1)


def _form(values: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(values)


def scripts(base: str, home: Path, token: str) -> dict[str, list[str]]:
    """Each kind's requests, as Lua table entries."""
    from amends.demo.load import read_sign_in

    sign_ins = read_sign_in(home)
    assert sign_ins is not None
    agent = next(row for row in sign_ins.rows if row.role == "agent")
    cookie, csrf = _signed_in(base, agent.email, sign_ins.password)
    api = {"Authorization": f"Bearer {token}"}
    every = httpx.get(base + "/api/v1/cases", params={"limit": 200}, headers=api, timeout=30)
    every.raise_for_status()
    items = every.json()["items"]
    me = httpx.get(base + "/api/v1/users", headers=api, timeout=30).json()
    agent_id = next(u["id"] for u in me if u["email"] == agent.email)
    own_open = [c["id"] for c in items if c["owner"]["id"] == agent_id and c["state"] != "closed"]
    assert own_open, "the demo agent owns no open case to reply on"
    page = {"Cookie": cookie}
    form_headers = {**page, "Content-Type": "application/x-www-form-urlencoded"}
    reply = (
        "Dobrý deň, ďakujeme za trpezlivosť. Na náprave pracujeme a do piatku sa ozveme"
        " s presným termínom. (COUNTER)"
    )
    public = httpx.get(base + "/complaint", timeout=30)
    form_csrf = re.search(r'name="csrf_token" value="([^"]+)"', public.text)
    assert form_csrf is not None
    visitor = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in public.cookies.items()),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    senders = [f"zakaznik{n}@example.com" for n in range(50)]
    return {
        "inbox": [_request("GET", "/cases", page, forwarded=False)],
        "case": [_request("GET", f"/cases/{c['id']}", page, forwarded=False) for c in items],
        "reply": [
            _request(
                "POST",
                f"/cases/{case_id}/replies",
                form_headers,
                _form({"csrf_token": csrf, "text": reply}),
                forwarded=False,
            )
            for case_id in own_open
        ],
        "intake_api": [
            _request(
                "POST",
                "/api/v1/complaints",
                {**api, "Content-Type": "application/json"},
                json.dumps(
                    {
                        "from_address": sender,
                        "from_name": "Zákazník",
                        "subject": "Objednávka COUNTER",
                        "text": "Objednávka prišla poškodená a nikto nám neodpovedá. COUNTER",
                        "language": "sk",
                    },
                    ensure_ascii=False,
                ),
                forwarded=False,
            )
            for sender in senders
        ],
        "complaint_form": [
            _request(
                "POST",
                "/complaint",
                visitor,
                _form(
                    {
                        "csrf_token": form_csrf.group(1),
                        "name": "Ján Novák",
                        "email": "jan.novak@example.com",
                        "subject": "Reklamácia COUNTER",
                        "message": "Kuriér nechal balík pred domom a zmokol. COUNTER",
                    }
                ),
                forwarded=True,
            )
        ],
    }


def warm_complaint_form(base: str, n: int) -> None:
    """One complaint through the form: the server starts the helper process that takes
    web-form complaints in on the first one, which should not count as a request's time."""
    with httpx.Client(base_url=base, timeout=120) as client:
        form = client.get("/complaint").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf is not None
        answer = client.post(
            "/complaint",
            headers={"X-Forwarded-For": f"192.0.2.{n + 1}"},
            data={
                "csrf_token": csrf.group(1),
                "name": "Ján Novák",
                "email": "jan.novak@example.com",
                "subject": "Reklamácia",
                "message": "Kuriér nechal balík pred domom a zmokol.",
            },
        )
        answer.raise_for_status()


@contextmanager
def processes(env: dict[str, str], count: int, *args: str) -> Iterator[None]:
    """``count`` processes of ``amends ARGS`` until the block ends."""
    procs = [
        subprocess.Popen(
            [AMENDS, *args],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def drive(
    ports: list[int],
    requests: dict[str, list[str]],
    seconds: int,
    connections: int,
    kinds: list[str],
) -> dict[str, Any]:
    """The five kinds at once, one wrk each; their outputs, parsed."""
    with tempfile.TemporaryDirectory(prefix="amends-load-") as folder:
        running: dict[str, subprocess.Popen[str]] = {}
        for n, kind in enumerate(kinds):
            script = Path(folder) / f"{kind}.lua"
            script.write_text(
                LUA
                % {
                    "seed": 42 + n,
                    "ports": ", ".join(f'"{p}"' for p in ports),
                    "requests": ",\n".join(requests[kind]),
                }
            )
            # A long timeout: wrk leaves slower requests out of its latencies.
            command = ["wrk", f"-t{len(ports)}", f"-c{connections * len(ports)}", "--latency"]
            command += ["--timeout", "60s", "-s", str(script), f"-d{seconds}s"]
            command.append(f"http://127.0.0.1:{ports[0]}")
            running[kind] = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
        outputs = {kind: proc.communicate()[0] for kind, proc in running.items()}
    result: dict[str, Any] = {}
    for kind, output in outputs.items():
        parsed: dict[str, Any] = dict(case_bench.parse_wrk(output))
        done = re.search(r"(\d+) requests in", output)
        parsed["requests"] = int(done.group(1)) if done else 0
        errors = re.search(r"Socket errors: (.*)", output)
        parsed["socket_errors"] = errors.group(1).strip() if errors else ""
        statuses: dict[str, int] = {}
        for status, count in re.findall(r"^STATUS (\d+) (\d+)$", output, re.M):
            statuses[status] = statuses.get(status, 0) + int(count)
        parsed["statuses"] = dict(sorted(statuses.items()))
        if not parsed["requests"]:
            parsed["wrk_output"] = output[-1000:]
        # wrk falls back to plain GETs of / when its script fails: such a run measures
        # nothing of the kind it is named after.
        if re.search(r"\.lua:\d+:", output):
            raise RuntimeError(f"wrk's script for {kind} failed: {output[-500:]}")
        result[kind] = parsed
    return result


def run(engine: str, seconds: int, connections: int, chosen: list[str]) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="amends-load-") as tmp,
        database(engine, Path(tmp)) as url,
    ):
        home = Path(tmp) / "ws"
        env = {"AMENDS_HOME": str(home), "AMENDS_DATABASE_URL": url, "AMENDS_LOG_LEVEL": "ERROR"}
        progress(f"{engine}: loading the demo workspace")
        token = demo_workspace(env)
        with ExitStack() as stack:
            bases = [stack.enter_context(server(env, "--no-worker")) for _ in range(2)]
            stack.enter_context(processes(env, 2, "worker"))
            requests = scripts(bases[0], home, token)
            ports = [int(b.rsplit(":", 1)[1]) for b in bases]
            progress(f"{engine}: warming up")
            for n, base in enumerate(bases):
                warm_complaint_form(base, n)
            drive(ports, requests, 3, connections, chosen)
            progress(f"{engine}: {seconds} s of load on {', '.join(bases)}")
            before = os.getloadavg()
            kinds = drive(ports, requests, seconds, connections, chosen)
            after = os.getloadavg()
            health = [httpx.get(b + "/healthz", timeout=10).status_code for b in bases]
    total_rps = sum(k.get("requests_per_second", 0.0) for k in kinds.values())
    errors = sum(int(k.get("non_2xx", 0)) for k in kinds.values())
    return {
        "engine": engine,
        "servers": 2,
        "workers": 2,
        "seconds": seconds,
        "connections_per_server_per_kind": connections,
        "requests_per_second": round(total_rps, 1),
        "errors": errors,
        "kinds": kinds,
        "servers_healthy_after": health,
        "load_average_before": [round(x, 2) for x in before],
        "load_average_after": [round(x, 2) for x in after],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--engine", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--kinds", default=",".join(KINDS), help="a comma-separated subset")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/load.py needs wrk: apt-get install wrk")
    random.seed(1)
    engines = ["postgresql", "sqlite"] if args.engine == "both" else [args.engine]
    started = time.monotonic()
    chosen = [k for k in args.kinds.split(",") if k in KINDS]
    runs = [run(engine, args.seconds, args.connections, chosen) for engine in engines]
    emit({"runs": runs, "wall_seconds": round(time.monotonic() - started, 1)})


if __name__ == "__main__":
    main()

"""The browser's pages under load at 1,000,000 cases: the inbox, a case page, search and
the manager's dashboard.

Builds a workspace (kept between runs, per size and schema revision) with 1,000,000
cases as bench/cases.py makes them, customers in th/el/sk/en, and three messages per
case (two inbound complaints from the multilingual generator, one reply), through
bench/_bulk.py: COPY with triggers and indexes off, then the migrations' own SQL for the
derived tables (search indexes, tallies). A build under an earlier schema is upgraded by
the migrations instead of rebuilt. Serves it with two worker processes, signs in and
drives, with wrk, each for ``--seconds``:

- the inbox ``/cases`` (the agent's open cases, most urgent first) of random agents;
- a case page ``/cases/{id}`` of random cases;
- search ``/cases?q=WORD`` with words taken from the middle of the messages, as a person
  types one (Thai: a word newmm finds in an unspaced run; Greek without accents, Slovak
  without diacritics, English), each a lookup of the word index;
- the dashboard ``/`` as the owner, for all time, the last 30 days and the last year.

Targets: inbox and case page p99 <= 100 ms, search p99 <= 150 ms, dashboard p99 <=
300 ms. wrk runs on the same machine, so its latencies are the server's plus loopback;
the load average is printed beside them (the machine is shared).

With ``--helpdesk-tickets N`` (default 100,000; 0 skips it) the same run measures
django-helpdesk on N tickets in SQLite, served by gunicorn with two workers, installed
as bench/intake.py installs it: its ticket list (``/helpdesk/tickets/`` and the JSON its
table loads) and its dashboard (``/helpdesk/``).

The PostgreSQL build of the full size takes most of an hour on the two-core machine
this was written on; SQLite's, with every trigger running, takes hours.

    python bench/pages.py [--cases N] [--engine postgresql|sqlite|both] [--seconds S]
                          [--connections C] [--rebuild] [--build-only]
                          [--helpdesk-tickets N]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from tests.patterns.synthetic import strip_accents

import _bulk
import cases as case_bench
from _bulk import PASSWORD, language_of
from _common import OUT, emit, free_port, progress, server
from amends import migrate
from amends.db import make_engine
from amends.migrations import HEAD
from amends.text.fold import fold
from amends.text.words import thai_words

AGENT = "agent0@bench.example"
OWNER = "owner@bench.example"
ADMIN_URL = os.environ.get(
    "AMENDS_BENCH_POSTGRES_URL",
    os.environ.get("AMENDS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
).replace("postgresql+psycopg://", "postgresql://")


def _pg_url(database: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + database


def prepare(engine: str, n_cases: int, rebuild: bool) -> tuple[str, Path, float | None]:
    """The workspace of ``n_cases`` cases on ``engine``: its SQLAlchemy URL, its home
    folder and how long building it took (None when an earlier run's was reused).

    A built workspace is kept under a name with its size and schema revision: a
    PostgreSQL database ``amends_bench_pages_N_HEAD`` (renamed to that only once
    complete), or bench/out/pages-N-HEAD/amends.db.
    """
    home = OUT / f"pages-{engine}-{n_cases}-{HEAD}"
    if engine == "sqlite":
        db_path = home / "amends.db"
        if rebuild:
            shutil.rmtree(home, ignore_errors=True)
        if db_path.exists():
            return f"sqlite:///{db_path}", home, None
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        started = time.perf_counter()
        partial = home / "building.db"
        migrate_fresh(f"sqlite:///{partial}")
        _bulk.write_sqlite(partial, _bulk.Corpus(n_cases))
        partial.rename(db_path)
        return f"sqlite:///{db_path}", home, round(time.perf_counter() - started, 1)

    import psycopg

    name = f"amends_bench_pages_{n_cases}_{HEAD}"
    building = name + "_building"
    home.mkdir(parents=True, exist_ok=True)
    url = "postgresql+psycopg" + _pg_url(name).removeprefix("postgresql")
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not rebuild:
            return url, home, None
        older = admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname NOT LIKE %s",
            (f"amends_bench_pages_{n_cases}_%", "%_building"),
        ).fetchone()
        if older and not rebuild:
            # A build under an earlier schema is brought up to date by the migrations
            # themselves, as a real workspace would be, instead of hours of rebuilding.
            progress(f"upgrading {older[0]} to {HEAD}")
            migrate_fresh("postgresql+psycopg" + _pg_url(older[0]).removeprefix("postgresql"))
            admin.execute(f'ALTER DATABASE "{older[0]}" RENAME TO "{name}"')
            return url, home, None
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{building}"')
    started = time.perf_counter()
    migrate_fresh("postgresql+psycopg" + _pg_url(building).removeprefix("postgresql"))
    _bulk.write_postgresql(_pg_url(building), _bulk.Corpus(n_cases))
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    return url, home, round(time.perf_counter() - started, 1)


def migrate_fresh(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()


def search_words(url: str, count: int = 200) -> list[str]:
    """Words of the messages, as people type them: Greek and Slovak without accents."""
    rng = random.Random(3)
    engine = create_engine(url)
    with engine.connect() as db:
        bodies = [
            r[0]
            for r in db.execute(
                text(
                    "SELECT text FROM messages WHERE direction = 'inbound' AND id % 997 = 0"
                    " ORDER BY id LIMIT 2000"
                )
            )
        ]
    engine.dispose()
    words: list[str] = []
    for body in bodies:
        if language_of(body) == "th":
            # No spaces between Thai words: a word of the longest unspaced run, as newmm
            # cuts it, from its middle (not its first or last word), of 3 letters or more.
            run = max(re.findall(r"[\u0e00-\u0e7f]{10,}", body) or [""], key=len)
            inner = [w for w in thai_words(run)[1:-1] if len(w) >= 3]
            if inner:
                words.append(rng.choice(inner))
            continue
        candidates = [w for w in re.findall(r"\w{5,}", body) if not w.isdigit()]
        if candidates:
            words.append(strip_accents(rng.choice(candidates)).lower())
    rng.shuffle(words)
    return words[:count]


def sign_in(base: str, email: str = AGENT) -> str:
    """The session cookie of a bench user (the agent unless told), signed in through
    the form."""
    with httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/signin").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf is not None
        response = client.post(
            "/signin",
            data={"email": email, "password": PASSWORD, "csrf_token": csrf.group(1)},
        )
        assert response.status_code in (200, 303), response.text[:300]
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


LUA = """
math.randomseed(%(seed)d)
local paths = {%(paths)s}
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def lua_string(value: str) -> str:
    return '"' + "".join(f"\\{b}" for b in value.encode()) + '"'


def drive(
    base: str, cookie: str, paths: list[str], seconds: int, connections: int
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(LUA % {"seed": 42, "paths": ", ".join(lua_string(p) for p in paths)})
        script.flush()
        # A long timeout: wrk leaves requests slower than its timeout (2 s by default)
        # out of the latencies, which would flatter a slow page.
        wrk = ["wrk", "-t2", f"-c{connections}", "-H", f"Cookie: {cookie}", "--latency"]
        wrk += ["--timeout", "60s"]
        wrk += ["-s", script.name]
        subprocess.run([*wrk, "-d3s", base], check=True, capture_output=True)  # warm-up
        before = os.getloadavg()
        run = subprocess.run(
            [*wrk, f"-d{seconds}s", base], check=True, capture_output=True, text=True
        )
        after = os.getloadavg()
    result: dict[str, Any] = dict(case_bench.parse_wrk(run.stdout))
    done = re.search(r"(\d+) requests in", run.stdout)
    result["requests"] = int(done.group(1)) if done else 0
    errors = re.search(r"Socket errors: (.*)", run.stdout)
    result["socket_errors"] = errors.group(1).strip() if errors else ""
    result["load_average_before"] = [round(x, 2) for x in before]
    result["load_average_after"] = [round(x, 2) for x in after]
    return result


def check_search(base: str, cookie: str, words: list[str], url: str) -> dict[str, Any]:
    """Each word finds at least one case, and every case it finds has it (folded) in a
    message, its title, or its customer's name or contact."""
    found_all, exact = 0, 0
    engine = create_engine(url)
    with (
        engine.connect() as db,
        httpx.Client(base_url=base, timeout=60, headers={"Cookie": cookie}) as client,
    ):
        for word in words[:20]:
            html = client.get("/cases", params={"q": word}).text
            ids = [int(x) for x in re.findall(r'<td class="ref"><a href="/cases/(\d+)">', html)]
            found_all += bool(ids)
            ok = True
            for case_id in ids[:5]:
                texts = [
                    r[0] + " " + r[1]
                    for r in db.execute(
                        text("SELECT subject, text FROM messages WHERE case_id = :c"),
                        {"c": case_id},
                    )
                ]
                texts += [
                    " ".join(r)
                    for r in db.execute(
                        text(
                            "SELECT c.title, u.name, k.name, k.email FROM cases c"
                            " JOIN customers u ON u.id = c.customer_id"
                            " JOIN contacts k ON k.customer_id = u.id WHERE c.id = :c"
                        ),
                        {"c": case_id},
                    )
                ]
                ok = ok and any(fold(word)[0] in fold(t)[0] for t in texts)
            exact += ok
    engine.dispose()
    return {"words_checked": min(20, len(words)), "found_some": found_all, "all_right": exact}


# --- django-helpdesk ----------------------------------------------------------------


def run_helpdesk(tickets: int, seconds: int, connections: int) -> dict[str, Any]:
    """django-helpdesk's ticket list over ``tickets`` tickets, two gunicorn workers."""
    import intake

    try:
        python = intake.helpdesk_python()
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "gunicorn"], check=True, capture_output=True
        )
    except subprocess.CalledProcessError as exc:
        return {"error": f"could not install django-helpdesk: {exc}"}
    site = OUT / f"helpdesk-list-{tickets}"
    db_file = site / "helpdesk.db"
    settings = intake.SETTINGS.replace("DB_PATH", repr(str(db_file)))
    settings = settings.replace("MEDIA_PATH", repr(str(site / "media")))
    env = {**os.environ, "PYTHONPATH": str(site), "DJANGO_SETTINGS_MODULE": "hdsite.settings"}
    env.pop("VIRTUAL_ENV", None)
    if not db_file.exists():
        shutil.rmtree(site, ignore_errors=True)
        (site / "hdsite").mkdir(parents=True)
        (site / "hdsite" / "__init__.py").write_text("")
        (site / "hdsite" / "settings.py").write_text(settings)
        (site / "hdsite" / "urls.py").write_text(intake.URLS)
        (site / "hdsite" / "wsgi_app.py").write_text(
            "from django.core.wsgi import get_wsgi_application\n"
            "application = get_wsgi_application()\n"
        )
        subprocess.run(
            [str(python), "-m", "django", "migrate", "--noinput"],
            env=env,
            check=True,
            capture_output=True,
        )
        progress(f"django-helpdesk: {tickets:,} tickets")
        fill = HELPDESK_FILL % {"tickets": tickets, "password": PASSWORD}
        subprocess.run([str(python), "-c", fill], env=env, check=True, capture_output=True)
    cookie = subprocess.run(
        [str(python), "-c", HELPDESK_SESSION], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    port = free_port()
    proc = subprocess.Popen(
        [
            str(python),
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "hdsite.wsgi_app:application",
        ],
        env=env,
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/helpdesk/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    return {"error": "gunicorn did not start"}
                time.sleep(0.3)
        session = f"sessionid={cookie}"
        listing = httpx.get(base + "/helpdesk/tickets/", headers={"Cookie": session}, timeout=60)
        result: dict[str, Any] = {
            "tickets": tickets,
            "server": "gunicorn -w 2 (sync)",
            "ticket_list_status": listing.status_code,
        }
        result["ticket_list_page"] = drive(
            base, session, ["/helpdesk/tickets/"], seconds, connections
        )
        # The list page fills its table from this JSON (server-side DataTables), for the
        # query the page encodes in it.
        encoded = re.search(r"datatables_ticket_list/([A-Za-z0-9+/=]+)", listing.text)
        if encoded is None:
            result["ticket_table_json"] = {"error": "no datatables URL in the list page"}
            return result
        table = f"/helpdesk/datatables_ticket_list/{encoded.group(1)}?draw=1&start=0&length=25"
        result["ticket_table_json"] = drive(base, session, [table], seconds, connections)
        # Its dashboard: the signed-in user's tickets, unassigned ones and the queue counts
        # (``/helpdesk/`` only redirects to it, which wrk would count as a fast answer).
        dashboard = httpx.get(
            base + "/helpdesk/dashboard/", headers={"Cookie": session}, timeout=120
        )
        result["dashboard_status"] = dashboard.status_code
        if dashboard.status_code == 200:
            result["dashboard_page"] = drive(
                base, session, ["/helpdesk/dashboard/"], seconds, connections
            )
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=20)


HELPDESK_FILL = """
import django, datetime, random
django.setup()
from django.contrib.auth.models import User
from django.utils import timezone
from helpdesk.models import Queue, Ticket
user = User.objects.create_superuser("bench", "bench@example.com", %(password)r)
queue = Queue.objects.create(title="Bench", slug="bench")
rng = random.Random(5)
now = timezone.now()
batch = []
for i in range(%(tickets)d):
    at = now - datetime.timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
    batch.append(Ticket(title=f"Ticket {i}", queue=queue, created=at, modified=at,
        submitter_email=f"customer{i %% 20000}@example.com", status=rng.choice([1, 2, 3, 4]),
        priority=rng.randint(1, 5), assigned_to=user if i %% 3 else None,
        description="Bench ticket"))
    if len(batch) == 5000:
        Ticket.objects.bulk_create(batch)
        batch.clear()
Ticket.objects.bulk_create(batch)
"""

HELPDESK_SESSION = """
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
user = User.objects.get(username="bench")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def measure(engine: str, url: str, home: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The three pages under wrk against `amends serve --workers 2` on one workspace."""
    db = create_engine(url)
    with db.connect() as conn:
        n_cases = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
        n_messages = conn.execute(text("SELECT count(*) FROM messages")).scalar_one()
        agents = [r[0] for r in conn.execute(text("SELECT id FROM users WHERE role = 'agent'"))]
    db.dispose()
    words = search_words(url)
    rng = random.Random(9)
    env = {"AMENDS_HOME": str(home), "AMENDS_DATABASE_URL": url, "AMENDS_LOG_LEVEL": "WARNING"}
    result: dict[str, Any] = {"engine": engine, "cases": n_cases, "messages": n_messages}
    with server(env, "--workers", "2", "--no-worker") as base:
        cookie = sign_in(base)
        # The bench agent's own inbox, and every agent's through the owner filter.
        inboxes = [f"/cases?scope=all&owner={a}" for a in agents] + ["/cases"] * 10
        case_pages = [f"/cases/{rng.randint(1, n_cases)}" for _ in range(500)]
        searches = ["/cases?" + str(httpx.QueryParams({"q": w})) for w in words]
        for name, paths, target in (
            ("inbox", inboxes, 100),
            ("case_page", case_pages, 100),
            ("search", searches, 150),
        ):
            progress(f"{engine}: wrk {name}")
            measured = drive(base, cookie, paths, args.seconds, args.connections)
            measured["p99_target_ms"] = target
            measured["p99_ok"] = measured.get("p99_ms", 1e9) <= target and not measured["non_2xx"]
            result[name] = measured
        # The manager's dashboard as the owner, as it opens (all time, from the kept
        # tallies); then with the last month or year picked, which counts the cases of
        # the window themselves (measured apart: no target is set for them).
        owner = sign_in(base, OWNER)
        for name, paths, target in (
            ("dashboard", ["/"], 300),
            ("dashboard_windows", ["/?period=30", "/?period=365"], None),
        ):
            progress(f"{engine}: wrk {name}")
            measured = drive(base, owner, paths, args.seconds, args.connections)
            if target is not None:
                measured["p99_target_ms"] = target
                measured["p99_ok"] = (
                    measured.get("p99_ms", 1e9) <= target and not measured["non_2xx"]
                )
            result[name] = measured
        # The case page's similar cases, fetched on their own (see recovery.pages): one
        # request, timed alone; the candidate query does not yet scale (README, similar).
        started = time.perf_counter()
        try:
            fetched = httpx.get(
                f"{base}{case_pages[0]}/similar",
                headers={"Cookie": cookie, "HX-Request": "true"},
                timeout=args.similar_timeout,
            )
            result["similar_fragment"] = {
                "seconds": round(time.perf_counter() - started, 2),
                "status": fetched.status_code,
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        except httpx.TimeoutException:
            result["similar_fragment"] = {"timed_out_after_seconds": args.similar_timeout}
        result["search_words_sample"] = words[:8]
        result["search_checked"] = check_search(base, cookie, words, url)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["postgresql", "sqlite", "both"], default="postgresql")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--helpdesk-tickets", type=int, default=100_000)
    parser.add_argument("--similar-timeout", type=float, default=300)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/pages.py needs wrk: apt-get install wrk")
    engines = ["postgresql", "sqlite"] if args.engine == "both" else [args.engine]
    result: dict[str, Any] = {
        "benchmark": "pages",
        "schema": HEAD,
        "server_workers": 2,
        "load_generator": f"wrk -t2 -c{args.connections} -d{args.seconds}s",
        "cpu_cores": os.cpu_count(),
    }
    built: dict[str, tuple[str, Path]] = {}
    for engine in engines:
        progress(f"{engine}: workspace of {args.cases:,} cases")
        url, home, seconds = prepare(engine, args.cases, args.rebuild)
        built[engine] = (url, home)
        result[f"{engine}_build_seconds"] = seconds
        if seconds is not None:
            progress(f"{engine}: built in {seconds:.0f} s")
    if args.build_only:
        emit(result)
        return
    for engine, (url, home) in built.items():
        result[engine] = measure(engine, url, home, args)
    if args.helpdesk_tickets:
        result["django_helpdesk"] = run_helpdesk(
            args.helpdesk_tickets, args.seconds, args.connections
        )
    emit(result)


if __name__ == "__main__":
    main()

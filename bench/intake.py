"""Mail intake, amends and django-helpdesk side by side on the same generated mailbox.

Target for amends: parse + store >= 1,000 messages/s on one core into SQLite, with the
importing process's peak RSS < 300 MB. The corpus (default 20,000 messages, fixed
seed, kept in bench/out/intake/) mixes plain, multipart/alternative, HTML-only,
attachments, forwarded message/rfc822 and quoted replies in th/el/sk/en, in UTF-8 and
the legacy code pages (TIS-620, windows-874, ISO-8859-7, windows-1253, ISO-8859-2,
windows-1250), with a few raw 8-bit legacy files, undeclared 8-bit bodies and bodies
holding Windows paths (``C:\\Users\\novak\\...``).

Both systems import the same files, each pinned to one CPU: amends with
``amends intake maildir`` (then, timed apart, ``amends worker --once`` judging the
cases the import queued for repeats and patterns), django-helpdesk 2.6.1 (installed
from PyPI into its own venv under bench/out/, never a dependency of amends) with its
``get_email`` command over a local mailbox folder. For every generated message the
text we wrote is known, so the texts each system stored are checked for U+FFFD and
mojibake.

    python bench/intake.py [--messages N] [--seed S] [--batch B] [--skip-helpdesk]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from _common import AMENDS, OUT, emit, progress
from _mailcorpus import OUR_ADDRESS, Expected, generate

HERE = Path(__file__).parent
WORK = OUT / "intake"
HELPDESK_VERSION = "2.6.1"
HELPDESK_VENV = OUT / "helpdesk-venv"
TARGET_PER_SECOND = 1000
TARGET_RSS_MB = 300

_TAG = re.compile(r"<[^>]+>")


def one_cpu() -> int:
    return max(os.sched_getaffinity(0))


def run_measured(command: list[str], env: dict[str, str], stdout: Any) -> dict[str, Any]:
    """Run a child pinned to one CPU; its wall time, CPU time and peak RSS (wait4)."""
    cpu = one_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        # Pinning before exec: the child starts on the one CPU it is measured on.
        preexec_fn=lambda: os.sched_setaffinity(0, {cpu}),
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "returncode": proc.returncode,
        "wall_seconds": round(time.perf_counter() - started, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "cpu_user_seconds": round(usage.ru_utime, 3),
        "cpu_system_seconds": round(usage.ru_stime, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "stderr_tail": err.decode("utf-8", "replace")[-1500:],
    }


def visible(text: str) -> str:
    """Text as a reader sees it: tags gone, entities decoded, NFC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", html.unescape(_TAG.sub(" ", text))).split())


def judge(expected: str, stored: str | None) -> str:
    """intact | replacement_char | mojibake | altered | missing."""
    if stored is None:
        return "missing"
    if "\ufffd" in stored and "\ufffd" not in expected:
        return "replacement_char"
    if visible(expected) in visible(stored):
        return "intact"
    foreign = {c for c in stored if ord(c) > 127} - set(expected)
    return "mojibake" if foreign else "altered"


def tally(
    corpus: list[Expected], texts: dict[str, str], subjects: dict[str, str]
) -> dict[str, Any]:
    text_verdicts: Counter[str] = Counter()
    subject_verdicts: Counter[str] = Counter()
    examples: dict[str, list[dict[str, str]]] = {}
    for e in corpus:
        verdict = judge(e.text, texts.get(e.message_id))
        text_verdicts[verdict] += 1
        subject_verdicts[judge(e.subject, subjects.get(e.message_id))] += 1
        if verdict != "intact" and len(examples.setdefault(verdict, [])) < 3:
            examples[verdict].append(
                {
                    "file": e.file,
                    "charset": e.charset,
                    "transfer": e.transfer,
                    "expected": e.text[:120],
                    "stored": (texts.get(e.message_id) or "")[:120],
                }
            )
    return {
        "texts": dict(text_verdicts),
        "subjects": dict(subject_verdicts),
        "texts_with_mojibake_or_fffd": text_verdicts["mojibake"]
        + text_verdicts["replacement_char"],
        "examples": examples,
    }


def tricky(corpus: list[Expected], texts: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"file": e.file, "what": ",".join(e.notes), "charset": e.charset, "transfer": e.transfer}
        | {"verdict": judge(e.text, texts.get(e.message_id))}
        for e in corpus
        if e.notes
    ]


# --- amends ------------------------------------------------------------------------


def run_amends(corpus: list[Expected], maildir: Path, batch: int) -> dict[str, Any]:
    home = WORK / "amends-ws"
    shutil.rmtree(home, ignore_errors=True)
    env = {
        **os.environ,
        "AMENDS_HOME": str(home),
        "AMENDS_MAIL_FROM": OUR_ADDRESS,
        "AMENDS_LOG_LEVEL": "WARNING",
    }
    subprocess.run([AMENDS, "init"], env=env, check=True, capture_output=True)
    subprocess.run(
        [
            AMENDS,
            "users",
            "add",
            "owner@amends-bench.example",
            "--name",
            "Olga",
            "--role",
            "manager",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    progress(f"amends: importing {len(corpus)} messages (one CPU)")
    results = WORK / "amends-results.jsonl"
    with results.open("wb") as out:
        measured = run_measured(
            [AMENDS, "intake", "maildir", str(maildir), "--json", "--batch", str(batch)],
            env,
            out,
        )
    statuses = Counter(
        json.loads(line)["status"] for line in results.read_text(encoding="utf-8").splitlines()
    )
    judging = judge_in_background(home, env)
    db = sqlite3.connect(home / "amends.db")
    texts, subjects = {}, {}
    for key, text, subject in db.execute("SELECT message_key, text, subject FROM messages"):
        texts[key] = text
        subjects[key] = subject
    cases = db.execute("SELECT count(*) FROM cases").fetchone()[0]
    db.close()
    exact = sum(1 for e in corpus if texts.get(e.message_id) == e.text)
    n = len(corpus)
    return {
        "command": f"amends intake maildir DIR --batch {batch}",
        **measured,
        "messages_per_second": round(n / measured["wall_seconds"]),
        "messages_per_cpu_second": round(n / max(measured["cpu_seconds"], 1e-9)),
        "statuses": dict(statuses),
        "cases_opened": cases,
        "judging_in_background": judging,
        "texts_exactly_as_written": exact,
        **tally(corpus, texts, subjects),
        "tricky_files": tricky(corpus, texts),
    }


def waiting_to_be_judged(home: Path) -> int:
    db = sqlite3.connect(home / "amends.db")
    try:
        return int(db.execute("SELECT count(*) FROM judging_queue").fetchone()[0])
    finally:
        db.close()


def judge_in_background(home: Path, env: dict[str, str]) -> dict[str, Any]:
    """The import leaves its new cases to the judge-cases job (repeats and patterns):
    ``amends worker --once`` runs until the queue is empty, pinned to the same CPU, and
    its time is reported apart from the import's."""
    queued = waiting_to_be_judged(home)
    progress(f"amends: the worker judges {queued} new cases (one CPU)")
    wall = cpu = 0.0
    runs = 0
    while waiting_to_be_judged(home) and runs < 100:
        measured = run_measured([AMENDS, "worker", "--once"], env, subprocess.DEVNULL)
        if measured["returncode"] != 0:
            return {"error": measured["stderr_tail"], "queued": queued}
        wall += measured["wall_seconds"]
        cpu += measured["cpu_seconds"]
        runs += 1
    return {
        "command": "amends worker --once (until the judging queue is empty)",
        "queued": queued,
        "left": waiting_to_be_judged(home),
        "worker_runs": runs,
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "cases_per_second": round(queued / wall) if wall else None,
    }


# --- django-helpdesk ---------------------------------------------------------------

SETTINGS = """\
# Generated by bench/intake.py: the smallest Django project django-helpdesk runs in.
SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize", "rest_framework", "helpdesk",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "hdsite.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
# The same SQLite set-up as amends: WAL, synchronous=NORMAL.
DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": DB_PATH,
    "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
}}
USE_TZ = True
TIME_ZONE = "UTC"
SITE_ID = 1
STATIC_URL = "/static/"
MEDIA_ROOT = MEDIA_PATH
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Its acknowledgement mails are built and then dropped: nothing leaves the machine.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "care@amends-bench.example"
HELPDESK_TEAMS_MODE_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"level": "WARNING", "handlers": []}}
"""

URLS = """\
from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls"))]
"""


def helpdesk_python() -> Path:
    """The helpdesk venv's Python, created and filled from PyPI on first use."""
    python = HELPDESK_VENV / "bin" / "python"
    check = [str(python), "-c", "import helpdesk, importlib.metadata as m; "]
    check[-1] += "print(m.version('django-helpdesk'))"
    if python.exists():
        found = subprocess.run(check, capture_output=True, text=True)
        if found.returncode == 0 and found.stdout.strip() == HELPDESK_VERSION:
            return python
    progress(f"installing django-helpdesk {HELPDESK_VERSION} into {HELPDESK_VENV}")
    subprocess.run([sys.executable, "-m", "venv", str(HELPDESK_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", f"django-helpdesk=={HELPDESK_VERSION}"],
        check=True,
        capture_output=True,
        text=True,
    )
    return python


def run_helpdesk(corpus: list[Expected], maildir: Path) -> dict[str, Any]:
    try:
        python = helpdesk_python()
    except subprocess.CalledProcessError as exc:
        return {"error": f"could not install django-helpdesk: {exc}", "stderr": exc.stderr}
    site = WORK / "helpdesk-site"
    shutil.rmtree(site, ignore_errors=True)
    (site / "hdsite").mkdir(parents=True)
    settings = SETTINGS.replace("DB_PATH", repr(str(site / "helpdesk.db")))
    settings = settings.replace("MEDIA_PATH", repr(str(site / "media")))
    (site / "hdsite" / "__init__.py").write_text("")
    (site / "hdsite" / "settings.py").write_text(settings)
    (site / "hdsite" / "urls.py").write_text(URLS)
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "DJANGO_SETTINGS_MODULE": "hdsite.settings",
        "PYTHONIOENCODING": "utf-8",
    }
    env.pop("VIRTUAL_ENV", None)
    folder = site / "mailbox"
    folder.mkdir()
    setup = (
        "import django; django.setup();"
        "from helpdesk.models import Queue;"
        f"Queue.objects.create(title='Bench', slug='bench', email_box_type='local',"
        f" email_box_local_dir={str(folder)!r}, allow_email_submission=True,"
        f" logging_type='info', email_address={OUR_ADDRESS!r}, email_box_interval=0)"
    )
    for step in (["-m", "django", "migrate", "--noinput"], ["-c", setup]):
        done = subprocess.run([str(python), *step], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            return {"error": f"django-helpdesk set-up failed: {' '.join(step)[:80]}"}
    for path in sorted((maildir / "new").iterdir()):
        shutil.copyfile(path, folder / path.name)
    progress(f"django-helpdesk: get_email over {len(corpus)} files (one CPU)")
    report = site / "driver.json"
    with report.open("wb") as out:
        measured = run_measured(
            [
                str(python),
                str(HERE / "helpdesk" / "get_email_driver.py"),
                str(folder),
                str(site / "removed-by-hand"),
            ],
            env,
            out,
        )
    try:
        driver = json.loads(report.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {"error": "the get_email driver did not finish", **measured}
    db = sqlite3.connect(site / "helpdesk.db")
    texts, subjects = {}, {}
    for message_id, comment, title in db.execute(
        "SELECT f.message_id, f.comment, t.title FROM helpdesk_followup f "
        "JOIN helpdesk_ticket t ON t.id = f.ticket_id"
    ):
        if message_id:
            key = message_id.strip().strip("<>")
            texts[key] = comment or ""
            subjects[key] = title or ""
    tickets = db.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()[0]
    db.close()
    by_file = {e.file: e for e in corpus}
    imported = len(texts)
    seconds = driver["seconds_in_get_email"]
    return {
        "command": "manage.py get_email (local mailbox folder), rerun after each stop",
        **measured,
        "seconds_in_get_email": seconds,
        "messages_per_second": round(imported / seconds) if seconds else 0,
        "messages_per_cpu_second": round(imported / max(measured["cpu_seconds"], 1e-9)),
        "messages_imported": imported,
        "tickets": tickets,
        "get_email_runs": driver["runs"],
        "files_that_stopped_the_queue": [
            stop
            | {
                "charset": by_file[str(stop["file"])].charset,
                "transfer": by_file[str(stop["file"])].transfer,
                "what": ",".join(by_file[str(stop["file"])].notes) or "ordinary",
            }
            for stop in driver["stopped_queue"]
        ],
        "files_left_in_folder": driver["left_in_folder"][:50],
        **tally(corpus, texts, subjects),
        "tricky_files": tricky(corpus, texts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--skip-helpdesk", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    progress(f"generating {args.messages} messages (seed {args.seed}) in {WORK / 'corpus'}")
    corpus = generate(WORK / "corpus", args.messages, args.seed)
    maildir = WORK / "corpus" / "maildir"
    mix = Counter(e.kind for e in corpus)
    charsets = Counter(e.charset for e in corpus)
    amends = run_amends(corpus, maildir, args.batch)
    helpdesk: dict[str, Any] = (
        {"skipped": True} if args.skip_helpdesk else run_helpdesk(corpus, maildir)
    )
    emit(
        {
            "benchmark": "intake",
            "messages": len(corpus),
            "seed": args.seed,
            "corpus": {
                "kinds": dict(mix),
                "languages": dict(Counter(e.language for e in corpus)),
                "charsets": dict(charsets),
                "raw_8bit_legacy_files": sum(e.raw_8bit_legacy for e in corpus),
                "bytes": sum((maildir / "new" / e.file).stat().st_size for e in corpus),
            },
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "amends": amends,
            "django_helpdesk": helpdesk,
            "target": {
                "messages_per_second": TARGET_PER_SECOND,
                "peak_rss_mb": TARGET_RSS_MB,
            },
            "ok": amends["returncode"] == 0
            and amends["messages_per_second"] >= TARGET_PER_SECOND
            and amends["peak_rss_mb"] < TARGET_RSS_MB
            and amends["texts_with_mojibake_or_fffd"] == 0,
        }
    )


if __name__ == "__main__":
    main()

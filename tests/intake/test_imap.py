"""IMAP polling against a real Dovecot on loopback (Debian's dovecot-imapd)."""

from __future__ import annotations

import imaplib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amends.config import Settings
from amends.db import make_engine, make_session_factory, transaction
from amends.intake.imap import Mailbox, poll
from amends.intake.models import RawMail
from amends.intake.pipeline import IntakeContext
from amends.messages.models import Message
from tests.conftest import DEFAULT_PLAYBOOK, Cast, free_port
from tests.skips import needs

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
pytestmark = needs("imap", missing=not Path(DOVECOT).exists(), why="dovecot not installed")
USER, PASSWORD = "care", "imap-test-password"


@pytest.fixture
def dovecot() -> Iterator[int]:
    """A throwaway Dovecot with one plain-text user, listening on a free loopback port."""
    # Dovecot's auth and mail processes run as the dovecot user, so its folder must be
    # readable by them (pytest's tmp_path is private to root).
    root = Path(tempfile.mkdtemp(prefix="amends-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "state", "home"):
        (root / sub).mkdir(parents=True)
    port = free_port()
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    (root / "dovecot.conf").write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 100
mail_location = maildir:{root}/home/%u/Maildir
log_path = {root}/dovecot.log
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
""")
    shutil.chown(root / "home", "dovecot", "dovecot")
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                imaplib.IMAP4("127.0.0.1", port, timeout=2).logout()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (
                        (root / "dovecot.log").read_text()
                        if (root / "dovecot.log").exists()
                        else ""
                    )
                    pytest.fail(f"dovecot did not start: {log}")
                time.sleep(0.1)  # a real server process is starting
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def deliver(
    port: int, *, subject: str, text: str, message_id: str | None = None, resent: bool = False
) -> None:
    mail = EmailMessage()
    if resent:
        mail["Resent-Date"] = "Tue, 05 May 2026 10:00:00 +0300"  # different bytes, same id
    mail["From"] = "Σοφία Νικολάου <sofia@kafeneio.example>"
    mail["To"] = "care@amends-test.example"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id or make_msgid(domain="kafeneio.example")
    mail.set_content(text)
    conn = imaplib.IMAP4("127.0.0.1", port)
    conn.login(USER, PASSWORD)
    conn.append("INBOX", None, None, mail.as_bytes())
    conn.logout()


def unseen(port: int) -> int:
    conn = imaplib.IMAP4("127.0.0.1", port)
    conn.login(USER, PASSWORD)
    conn.select("INBOX")
    _, data = conn.uid("SEARCH", None, "UNSEEN")  # type: ignore[arg-type]
    conn.logout()
    return len((data[0] or b"").split())


def test_poll_takes_unseen_mail_once_and_marks_it_seen(
    dovecot: int, settings: Settings, db_url: str, cast: Cast
) -> None:
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    from amends.clock import SystemClock

    ctx = IntakeContext(settings, sessions, SystemClock(), DEFAULT_PLAYBOOK)
    box = Mailbox("127.0.0.1", dovecot, USER, PASSWORD, use_ssl=False)
    same_id = make_msgid(domain="kafeneio.example")
    deliver(
        dovecot,
        subject="Λάθος λογαριασμός",
        text="Χρεωθήκαμε δύο φορές τον Μάιο.",
        message_id=same_id,
    )
    deliver(dovecot, subject="Καθυστέρηση", text="Ο καφές δεν έφτασε ακόμα στο καφενείο.")
    assert unseen(dovecot) == 2

    first = poll(ctx, box)
    assert [r.status for r in first] == ["stored", "stored"]
    assert first[0].language == "el"
    assert unseen(dovecot) == 0
    assert poll(ctx, box) == []  # nothing new

    # The same message delivered again (a resend) is recognised, not stored twice.
    deliver(
        dovecot,
        subject="Λάθος λογαριασμός",
        text="Χρεωθήκαμε δύο φορές τον Μάιο.",
        message_id=same_id,
        resent=True,
    )
    again = poll(ctx, box)
    assert [r.status for r in again] == ["duplicate"], [r.reason for r in again]
    assert again[0].reason == "message-id-seen"
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 2
        assert s.scalar(select(func.count()).select_from(RawMail)) == 3
    engine.dispose()
    assert os.path.exists(DOVECOT)

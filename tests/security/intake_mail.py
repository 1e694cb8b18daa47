"""Feeding hostile mail to the real intake pipeline (shared by the intake security tests)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.intake.pipeline import IntakeContext
from amends.people import service as people
from amends.people.rules import Role
from tests.conftest import DEFAULT_PLAYBOOK, START

CARE = "care@amends-test.example"
DATE = (START - timedelta(hours=1)).strftime("%a, %d %b %Y %H:%M:%S +0000")


def context(
    settings: Settings, sessions: sessionmaker[Session], clock: FrozenClock, home: Path
) -> IntakeContext:
    """An intake context with a manager to own the cases it opens."""
    with transaction(sessions) as s:
        people.create_user(
            s, email="marek@example.com", name="Marek", role=Role.MANAGER, now=clock.now()
        )
    cfg = settings.model_copy(update={"home": home, "mail_from": CARE})
    return IntakeContext(cfg, sessions, clock, DEFAULT_PLAYBOOK)


def raw_mail(
    *headers: str,
    sender: str = "Jana Horváthová <jana@kaviaren-dunaj.example>",
    subject: str = "Objednávka neprišla",
    msgid: str | None = "<m1@kaviaren-dunaj.example>",
    body: str = "Dobrý deň, objednávka kávy mala prísť v pondelok a stále nie je tu.",
) -> bytes:
    """A mail written header by header, exactly as given (no library tidies it up)."""
    lines = [f"From: {sender}", f"To: {CARE}", f"Subject: {subject}", f"Date: {DATE}"]
    if msgid is not None:
        lines.append(f"Message-ID: {msgid}")
    lines += [*headers, "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode("utf-8")

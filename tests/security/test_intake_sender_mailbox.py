"""Finding: one mail, exactly one sender mailbox.

``From: =?utf-8?q?crlf=40evil.test=2C_victim=40third.test?=`` became one contact whose
email was ``crlf@evil.test, victim@third.test``: a reply would have gone to both.
Line breaks in a subject or display name must never survive to an outgoing header.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.config import Settings
from amends.customers.models import Contact
from amends.db import transaction
from amends.intake.models import Quarantine
from amends.intake.pipeline import ingest
from amends.intake.rules import RawMailStatus
from amends.messages.models import Message
from tests.security.intake_mail import context, raw_mail


@pytest.mark.parametrize(
    "sender",
    [
        "=?utf-8?q?crlf=40evil.test=2C_victim=40third.test?=",
        "Jana <=?utf-8?q?crlf=40evil.test=2C_victim=40third.test?=>",
        "=?utf-8?b?Y3JsZkBldmlsLnRlc3QsIHZpY3RpbUB0aGlyZC50ZXN0?=",
        "jana@kaviaren-dunaj.example, victim@third.test",
        "=?utf-8?q?jana=40kaviaren-dunaj.example=0D=0ABcc=3A_victim=40third.test?=",
    ],
    ids=["encoded-comma", "encoded-in-angle", "base64", "two-mailboxes", "encoded-crlf"],
)
def test_a_from_header_that_is_not_exactly_one_mailbox_is_quarantined(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    tmp_path: Path,
    sender: str,
) -> None:
    ctx = context(settings, sessions, clock, tmp_path / "ws")
    result = ingest(ctx, raw_mail(sender=sender), source="eml")
    assert result.status is RawMailStatus.QUARANTINED
    assert (result.reason or "").startswith("mail-bad-sender")
    with transaction(sessions) as s:
        assert s.scalars(select(Contact.email)).all() == []
        assert s.scalars(select(Quarantine.code)).all() == ["mail-bad-sender"]


def _clean(value: str) -> bool:
    return not any(unicodedata.category(ch) in {"Cc", "Zl", "Zp"} for ch in value)


def test_line_breaks_in_a_subject_or_display_name_become_spaces(
    settings: Settings, sessions: sessionmaker[Session], clock: FrozenClock, tmp_path: Path
) -> None:
    ctx = context(settings, sessions, clock, tmp_path / "ws")
    mail = raw_mail(
        sender="=?utf-8?q?Jana=0DBcc=3A_x=E2=80=A8Hor=C3=A1th?= <jana@kaviaren-dunaj.example>",
        subject="=?utf-8?q?Objedn=C3=A1vka=0DBcc=3A_x=E2=80=A9ne=0Bpri=C5=A1la=C2=85dnes?=",
    )
    result = ingest(ctx, mail, source="eml")
    assert result.status is RawMailStatus.STORED
    with transaction(sessions) as s:
        subject = s.scalars(select(Message.subject)).one()
        name = s.scalars(select(Contact.name)).one()
    assert subject == "Objednávka Bcc: x ne prišla dnes"
    assert name == "Jana Bcc: x Horáth"
    assert _clean(subject) and _clean(name)

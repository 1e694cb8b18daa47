"""Enum columns store the member's plain value and give members back, on every engine."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Notification
from amends.cases.rules import NotificationKind
from amends.clock import FrozenClock
from tests.conftest import Cast


def test_a_member_is_stored_as_its_value_and_read_back_as_the_member(
    sessions: sessionmaker[Session], cast: Cast, clock: FrozenClock
) -> None:
    with sessions.begin() as s:
        s.add(
            Notification(
                user_id=cast.manager.id, kind=NotificationKind.SLA_BREACHED, created_at=clock.now()
            )
        )
    with sessions() as s:
        stored = s.scalar(text("SELECT kind FROM notifications"))
        assert type(stored) is str and stored == "sla_breached"
        kind = s.scalar(select(Notification.kind))
        assert kind is NotificationKind.SLA_BREACHED
        # A plain string still compares, since queries written with one keep working.
        found = s.scalar(select(Notification.id).where(Notification.kind == "sla_breached"))
        assert found is not None


def test_a_value_outside_the_enum_never_reaches_the_table(
    sessions: sessionmaker[Session], cast: Cast, clock: FrozenClock
) -> None:
    refused = pytest.raises(StatementError, match="'sla_breech' is not a valid NotificationKind")
    with refused, sessions.begin() as s:
        s.add(Notification(user_id=cast.manager.id, kind="sla_breech", created_at=clock.now()))
    with sessions() as s:
        assert s.scalar(text("SELECT count(*) FROM notifications")) == 0

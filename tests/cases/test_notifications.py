"""The bell's list reads newest first by when things happened, read or not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from amends.cases import service as cases
from amends.cases.models import Notification
from amends.cases.rules import NotificationKind
from amends.db import transaction
from amends.people.rules import Actor, Role
from tests.conftest import Cast


def test_notifications_are_listed_by_when_they_happened_not_by_when_they_were_written(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    # Written out of order, as the demo and imports write past events; some already read.
    hours = [5, 1, 9, 3]
    with transaction(sessions) as session:
        for n, hour in enumerate(hours):
            at = start + timedelta(hours=hour)
            session.add(
                Notification(
                    user_id=cast.manager.id,
                    kind=NotificationKind.SLA_BREACHED,
                    text=f"note {hour}",
                    created_at=at,
                    read_at=at if n % 2 else None,
                )
            )
    with transaction(sessions) as session:
        actor = Actor(cast.manager.id, Role.MANAGER)
        listed = cases.notifications_for(session, actor=actor, unread_only=False)
        unread = cases.notifications_for(session, actor=actor)
    assert [n.text for n in listed] == ["note 9", "note 5", "note 3", "note 1"]
    assert [n.text for n in unread] == ["note 9", "note 5"]

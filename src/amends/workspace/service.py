"""The workspace row: created from settings on first start."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.config import Settings
from amends.workspace.models import Workspace


def ensure(session: Session, *, settings: Settings, now: datetime) -> Workspace:
    workspace = session.scalar(select(Workspace).order_by(Workspace.id).limit(1))
    if workspace is None:
        workspace = Workspace(
            name=settings.workspace_name,
            timezone=settings.timezone,
            currency=settings.currency,
            languages=",".join(settings.languages),
            created_at=now,
        )
        session.add(workspace)
        session.flush()
    return workspace


def current(session: Session) -> Workspace | None:
    return session.scalar(select(Workspace).order_by(Workspace.id).limit(1))

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
    session.info[_CURRENT] = workspace
    return workspace


def current(session: Session) -> Workspace | None:
    """The workspace row, read once per session: a page asks for its currency and rates
    from several services. The row itself is kept in the session's info, as the
    session's map keeps a row only while something refers to it."""
    known = session.info.get(_CURRENT)
    if known == _NONE:
        return None
    if isinstance(known, Workspace) and known in session:
        return known
    found = session.scalar(select(Workspace).order_by(Workspace.id).limit(1))
    session.info[_CURRENT] = found if found is not None else _NONE
    return found


_CURRENT = "amends.workspace.current"
_NONE = 0  # no row yet (ensure() makes it and says so)

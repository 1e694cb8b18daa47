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
    session.info[_CURRENT] = workspace.id
    session.info[_ROW] = workspace
    return workspace


def current(session: Session) -> Workspace | None:
    """The workspace row, read once per session: a page asks for its currency and rates
    from several services, and the row's key then finds it in the session's map."""
    known = session.info.get(_CURRENT)
    if known == _NONE:
        return None
    if known is not None:
        found = session.get(Workspace, known)
        if found is not None:
            return found
    found = session.scalar(select(Workspace).order_by(Workspace.id).limit(1))
    session.info[_CURRENT] = found.id if found is not None else _NONE
    # Held for the session's life: its map keeps a row only while something refers to it.
    session.info[_ROW] = found
    return found


_CURRENT = "amends.workspace.current"
_ROW = "amends.workspace.row"
_NONE = 0  # no row yet (ensure() makes it and says so)

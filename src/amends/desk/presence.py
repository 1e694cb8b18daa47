"""Who else has a case open, and who is typing a reply (service layer: flushes only).

Each open case page renews its row every few seconds; rows that stop being renewed
lapse. Everything lives in the database, so several server processes agree on it and
nothing but the application is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.desk.models import CasePresence
from amends.desk.rules import PRESENCE_TTL, present, typing
from amends.people.models import User
from amends.people.rules import Actor

# Lapsed rows are swept by the beats themselves, well after they stop counting.
SWEEP_AFTER = 4 * PRESENCE_TTL


@dataclass(frozen=True)
class Here:
    user_id: int
    name: str
    typing: bool


def beat(
    session: Session, case_id: int, *, actor: Actor, now: datetime, typing_now: bool = False
) -> list[Here]:
    """Say that ``actor`` has the case open (and is typing, or not); who else has it.

    Whoever may see the case may say so: an employee named in it as well as an agent."""
    cases.get_case(session, case_id, actor=actor)
    if actor.user_id is not None:
        _renew(session, case_id, actor.user_id, now, typing_now)
    session.execute(delete(CasePresence).where(CasePresence.seen_at < now - SWEEP_AFTER))
    session.flush()
    return others(session, case_id, actor=actor, now=now)


def _renew(session: Session, case_id: int, user_id: int, now: datetime, typing_now: bool) -> None:
    values: dict[str, object] = {"seen_at": now}
    if typing_now:
        values["typing_at"] = now
    mine = (CasePresence.case_id == case_id) & (CasePresence.user_id == user_id)
    if session.execute(update(CasePresence).where(mine).values(**values)).rowcount:  # type: ignore[attr-defined]
        return
    try:
        # Two tabs of one person may both find no row; the second insert loses and updates.
        with session.begin_nested():
            session.add(
                CasePresence(
                    case_id=case_id,
                    user_id=user_id,
                    seen_at=now,
                    typing_at=now if typing_now else None,
                )
            )
    except IntegrityError:
        session.execute(update(CasePresence).where(mine).values(**values))


def others(session: Session, case_id: int, *, actor: Actor, now: datetime) -> list[Here]:
    """Everyone but ``actor`` whose page still has the case open, by name."""
    rows = session.execute(
        select(CasePresence, User.name)
        .join(User, User.id == CasePresence.user_id)
        .where(
            CasePresence.case_id == case_id,
            CasePresence.seen_at >= now - PRESENCE_TTL,
            CasePresence.user_id != (actor.user_id or 0),
        )
        .order_by(User.name, User.id)
    )
    return [
        Here(row.CasePresence.user_id, row.name, typing(row.CasePresence.typing_at, now))
        for row in rows
        if present(row.CasePresence.seen_at, now)
    ]

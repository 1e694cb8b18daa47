from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from amends.db import Base


class CasePresence(Base):
    """Someone has a case open (and perhaps is typing a reply), as of ``seen_at``.

    In the database rather than in a server's memory, so every server process answers
    the same; a row not renewed within ``rules.PRESENCE_TTL`` means the person left.
    """

    __tablename__ = "case_presence"
    __table_args__ = (Index("ix_case_presence_seen_at", "seen_at"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime]
    typing_at: Mapped[datetime | None]


class SavedReply(Base):
    """A snippet an agent inserts into a reply: a person's own, or their team's."""

    __tablename__ = "saved_replies"
    __table_args__ = (
        # Exactly one of the two: a saved reply is personal or a team's, never both.
        CheckConstraint("(owner_id IS NULL) <> (team_id IS NULL)", name="one_scope"),
        Index("ix_saved_replies_owner_id", "owner_id"),
        Index("ix_saved_replies_team_id", "team_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(35))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

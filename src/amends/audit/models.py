"""The audit log: append-only rows chained by hash, and the head of the chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from amends.db import Base


class AuditEvent(Base):
    """One security or money action. Never updated or deleted: each row holds the hash
    of the row before it and of its own content, so any change breaks the chain."""

    __tablename__ = "audit_events"

    # Given by record() (head + 1), not by a sequence: the chain's order is the ids'.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(index=True)
    # No foreign key: deleting a user must not rewrite (and so break) the rows about them.
    actor_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last link (one row). Appending locks it first, so two writers can
    never both build on the same row and fork the chain; it also shows a deleted tail."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from amends.db import Base


class Workspace(Base):
    """The business using amends: one row per installation."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    languages: Mapped[str] = mapped_column(String(100))  # comma-separated BCP 47 codes
    created_at: Mapped[datetime]

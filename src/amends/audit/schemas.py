from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    action: str
    subject: str
    detail: dict[str, Any]
    hash: str


class VerdictOut(BaseModel):
    ok: bool
    rows: int
    broken_at: int | None
    reason: str

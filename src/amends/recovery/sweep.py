"""The ledger sweep: promises judged in the commitments domain, every fresh miss turned
into a proactive case here (service layer: flushes only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from amends.commitments import ledger
from amends.playbook.policy import Playbook
from amends.recovery import breaches


@dataclass
class SweepResult:
    breaches_opened: int = 0
    cases_opened: list[int] = field(default_factory=list)
    cases_joined: list[int] = field(default_factory=list)
    commitments_checked: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "breaches_opened": self.breaches_opened,
            "cases_opened": self.cases_opened,
            "cases_joined": self.cases_joined,
            "commitments_checked": self.commitments_checked,
        }


def sweep(session: Session, *, now: datetime, playbook: Playbook) -> SweepResult:
    """Judge every occurrence whose deadline passed since the last sweep, and open or join
    a case for each miss; only the sweeper that recorded a miss acts on it."""
    judged = ledger.judge_due(session, now=now)
    opened, joined = breaches.record(session, judged.missed, now=now, playbook=playbook)
    return SweepResult(len(judged.missed), opened, joined, judged.commitments_checked)

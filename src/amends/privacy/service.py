"""Export and erase a customer's personal data; erase closed cases after the retention period.

The boundary owns the transaction: ``export_customer`` and ``erase_customer`` only
flush. Files are written (exports) or deleted (``forget_files``, after the commit) by
the caller around that transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from amends.audit import service as audit
from amends.errors import N_, Forbidden
from amends.people.rules import Actor
from amends.privacy import erase as erasing
from amends.privacy.erase import Erasure
from amends.privacy.export import holdings, write_zip
from amends.privacy.rules import may_handle_personal_data

# How many closed cases one retention transaction erases: a run commits per batch so
# it never holds SQLite's write lock for long.
RETENTION_BATCH = 200


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    subject: str,
    detail: dict[str, Any],
    now: datetime,
) -> None:
    """Exports and erasures on the audit log, in the transaction of the change itself;
    ``detail`` holds counts only, never the personal content being handled."""
    audit.record(
        session, actor_id=actor.user_id, action=action, subject=subject, detail=detail, now=now
    )


def _allowed(actor: Actor) -> None:
    if not may_handle_personal_data(actor.role):
        raise Forbidden.saying(
            N_("Only an owner may export or erase a customer's personal data."),
            code="owner-only",
        )


def export_customer(
    session: Session, *, actor: Actor, customer_id: int, home: Path, target: Path, now: datetime
) -> dict[str, int]:
    """Write the customer's data and files as a zip to ``target`` (a new file, 0600)."""
    _allowed(actor)
    found = holdings(session, customer_id, home=home)
    write_zip(found, home=home, target=target, now=now)
    counts = {
        "cases": len(found.cases),
        "messages": len(found.messages),
        "attachments": len(found.attachments),
        "raw_mails": len(found.raw_mails),
        "missing_files": len(found.missing),
    }
    record(
        session,
        actor=actor,
        action="customer.export",
        subject=f"customer:{customer_id}",
        detail=counts,
        now=now,
    )
    return counts


def erase_customer(
    session: Session, *, actor: Actor, customer_id: int, home: Path, now: datetime
) -> Erasure:
    """Replace the customer's personal content with the marker; call ``forget_files``
    after the commit to delete their raw mail and attachments."""
    _allowed(actor)
    erasure = erasing.erase_customer(session, customer_id=customer_id, now=now, home=home)
    record(
        session,
        actor=actor,
        action="customer.erase",
        subject=f"customer:{customer_id}",
        detail=erasure.counts(),
        now=now,
    )
    return erasure


def erase_expired_cases(
    session: Session, *, actor: Actor, retention_days: int, now: datetime
) -> Erasure:
    """One batch of closed cases older than the retention period, erased."""
    due = erasing.closed_cases_due(
        session, closed_before=now - timedelta(days=retention_days), limit=RETENTION_BATCH
    )
    erasure = erasing.erase_cases(session, case_ids=due, now=now)
    if due:
        record(
            session,
            actor=actor,
            action="case.retention-erase",
            subject=",".join(f"case:{i}" for i in due),
            detail=erasure.counts(),
            now=now,
        )
    return erasure


forget_files = erasing.forget_files
leftover_erasure = erasing.leftover_erasure
purge_indexes = erasing.purge_indexes

"""Everything amends holds about one customer, as JSON plus their raw mail and files.

The privacy package reads every domain's tables directly: a person's data is spread over
all of them, and asking each domain's service for its part would fetch the same rows
through a dozen differently shaped views.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from amends.cases.models import Case, TimelineEvent
from amends.commitments.models import Breach, Commitment, Delivery
from amends.compensation.models import Compensation
from amends.customers.models import Contact, Customer
from amends.db import Base
from amends.errors import N_, NotFound
from amends.intake import store
from amends.intake.models import RawMail
from amends.messages.models import Message, StoredAttachment
from amends.surveys.models import Survey

FORMAT = "amends-customer-export/1"
# Long IN lists are cut into chunks: SQLite and PostgreSQL both cap bound parameters.
CHUNK = 500


@dataclass
class Holdings:
    """The rows that are one customer's, and their files (raw mail, attachments)."""

    customer: Customer
    contacts: list[Contact]
    commitments: list[Commitment]
    deliveries: list[Delivery]
    breaches: list[Breach]
    cases: list[Case]
    messages: list[Message]
    attachments: list[StoredAttachment]
    raw_mails: list[RawMail]
    compensations: list[Compensation]
    timeline: list[TimelineEvent]
    missing: list[str] = field(default_factory=list)
    # Their survey answers (comments are their words).
    surveys: list[Survey] = field(default_factory=list)

    @property
    def case_ids(self) -> list[int]:
        return [c.id for c in self.cases]

    @property
    def message_ids(self) -> list[int]:
        return [m.id for m in self.messages]


def chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _in(session: Session, model: Any, column: Any, ids: Sequence[int]) -> list[Any]:
    rows: list[Any] = []
    for part in chunks(ids):
        rows += session.scalars(select(model).where(column.in_(part)).order_by(model.id)).all()
    return rows


def unlinked_mail(session: Session, home: Path, emails: Sequence[str]) -> list[RawMail]:
    """Raw mail that never became a message (quarantined, ignored) but came from or names
    one of ``emails``: its row says nothing of whom it is from, so its bytes are read."""
    wanted = [e.casefold().encode() for e in emails if e]
    if not wanted:
        return []
    loose = select(RawMail).where(RawMail.message_id.is_(None), RawMail.case_id.is_(None))
    found: list[RawMail] = []
    for raw in session.scalars(loose.order_by(RawMail.id)):
        path = store.find(store.raw_root(home), raw.sha256)
        if path.is_file() and any(w in path.read_bytes().lower() for w in wanted):
            found.append(raw)
    return found


def holdings(session: Session, customer_id: int, *, home: Path) -> Holdings:
    """Every row of ``customer_id``'s: theirs directly or through their cases and messages,
    and the mail from their addresses that could not be read."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound.saying(N_("No customer %(id)s."), code="customer-not-found", id=customer_id)
    cases = list(
        session.scalars(select(Case).where(Case.customer_id == customer_id).order_by(Case.id))
    )
    case_ids = [c.id for c in cases]
    messages = list(
        session.scalars(
            select(Message)
            .where(
                or_(
                    Message.customer_id == customer_id,
                    *(Message.case_id.in_(part) for part in chunks(case_ids)),
                )
            )
            .order_by(Message.at, Message.id)
        )
    )
    message_ids = [m.id for m in messages]
    commitments = list(
        session.scalars(
            select(Commitment).where(Commitment.customer_id == customer_id).order_by(Commitment.id)
        )
    )
    commitment_ids = [c.id for c in commitments]
    raw = _in(session, RawMail, RawMail.message_id, message_ids)
    known = {r.id for r in raw}
    raw += [r for r in _in(session, RawMail, RawMail.case_id, case_ids) if r.id not in known]
    raw += unlinked_mail(session, home, [c.email for c in customer.contacts if c.email])
    return Holdings(
        customer=customer,
        contacts=list(customer.contacts),
        commitments=commitments,
        deliveries=_in(session, Delivery, Delivery.commitment_id, commitment_ids),
        breaches=_in(session, Breach, Breach.commitment_id, commitment_ids),
        cases=cases,
        messages=messages,
        attachments=_in(session, StoredAttachment, StoredAttachment.message_id, message_ids),
        raw_mails=raw,
        compensations=_in(session, Compensation, Compensation.case_id, case_ids),
        timeline=_in(session, TimelineEvent, TimelineEvent.case_id, case_ids),
        surveys=list(
            session.scalars(
                select(Survey).where(Survey.customer_id == customer_id).order_by(Survey.id)
            )
        ),
    )


def row_dict(row: Base) -> dict[str, Any]:
    """Every column of a row, by attribute name."""
    return {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=_json_value).encode()


def safe_name(name: str) -> str:
    """A file name from a mail that cannot climb out of its folder or hide its type."""
    cleaned = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[\x00-\x1f\x7f]+", "", cleaned).strip(" .")
    return cleaned[:150] or "attachment"


def attachment_entry(attachment: StoredAttachment) -> str:
    return f"attachments/{attachment.message_id}/{attachment.id}-{safe_name(attachment.filename)}"


def raw_entry(raw: RawMail) -> str:
    return f"mail/{raw.id}-{raw.sha256[:12]}.eml"


def documents(found: Holdings, *, now: datetime) -> dict[str, Any]:
    """The JSON files of an export, by name."""
    by_message: dict[int, list[dict[str, Any]]] = {}
    for attachment in found.attachments:
        item = row_dict(attachment) | {"file": attachment_entry(attachment)}
        by_message.setdefault(attachment.message_id, []).append(item)
    raw_by_message = {r.message_id: raw_entry(r) for r in found.raw_mails if r.message_id}
    messages = [
        row_dict(m)
        | {"attachments": by_message.get(m.id, []), "raw_mail": raw_by_message.get(m.id)}
        for m in found.messages
    ]
    deliveries: dict[int, list[dict[str, Any]]] = {}
    for d in found.deliveries:
        deliveries.setdefault(d.commitment_id, []).append(row_dict(d))
    breaches: dict[int, list[dict[str, Any]]] = {}
    for b in found.breaches:
        breaches.setdefault(b.commitment_id, []).append(row_dict(b))
    return {
        "manifest.json": {
            "format": FORMAT,
            "exported_at": now,
            "customer_id": found.customer.id,
            "counts": {
                "cases": len(found.cases),
                "messages": len(found.messages),
                "attachments": len(found.attachments),
                "raw_mails": len(found.raw_mails),
            },
            "missing_files": found.missing,
        },
        "customer.json": row_dict(found.customer),
        "contacts.json": [row_dict(c) for c in found.contacts],
        "commitments.json": [
            row_dict(c)
            | {"deliveries": deliveries.get(c.id, []), "breaches": breaches.get(c.id, [])}
            for c in found.commitments
        ],
        "cases.json": [row_dict(c) for c in found.cases],
        "messages.json": messages,
        "compensation.json": [row_dict(c) for c in found.compensations],
        "timeline.json": [row_dict(e) for e in found.timeline],
        "raw_mail.json": [row_dict(r) | {"file": raw_entry(r)} for r in found.raw_mails],
        "surveys.json": [row_dict(v) for v in found.surveys],
    }


def _files(found: Holdings, home: Path) -> list[tuple[str, Path]]:
    files: list[tuple[str, Path]] = []
    for raw in found.raw_mails:
        files.append((raw_entry(raw), store.find(store.raw_root(home), raw.sha256)))
    for attachment in found.attachments:
        path = store.find(store.attachments_root(home), attachment.sha256)
        files.append((attachment_entry(attachment), path))
    return files


def private_file(path: Path) -> int:
    """Open ``path`` for writing, new, readable by its owner only (0600) whatever the umask."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)


def write_zip(found: Holdings, *, home: Path, target: Path, now: datetime) -> None:
    """Write the export to ``target`` (a new file, mode 0600)."""
    files = _files(found, home)
    found.missing = [name for name, path in files if not path.is_file()]
    fd = private_file(target)
    try:
        with (
            os.fdopen(fd, "wb") as handle,
            zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf,
        ):
            for name, document in documents(found, now=now).items():
                zf.writestr(name, _dumps(document))
            for name, path in files:
                if path.is_file():
                    zf.write(path, name)
    except BaseException:
        target.unlink(missing_ok=True)
        raise

"""CSV import of customers, commitments and deliveries (service layer: flushes only).

Every row is tried in its own savepoint: a bad row is reported with its line number and
kept in quarantine, the good rows are imported, and a summary closes the run. All of it
is the caller's one transaction: an import that stops (an unreadable file, a crash)
leaves nothing behind, and running it again is safe (rows already there are counted
as such).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from amends.commitments import service as commitments
from amends.commitments.models import Commitment, Delivery
from amends.commitments.rules import CommitmentKind
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.db import nest_savepoints
from amends.errors import N_, AmendsError, InvalidInput
from amends.fields import (
    Currency,
    Email,
    Language,
    Line,
    Money,
    Text,
    Timezone,
    UTCTime,
    clean_line,
)
from amends.intake.models import Quarantine
from amends.people.models import User
from amends.people.rules import Actor


class Table(StrEnum):
    CUSTOMERS = "customers"
    COMMITMENTS = "commitments"
    DELIVERIES = "deliveries"


COLUMNS: dict[Table, tuple[str, ...]] = {
    Table.CUSTOMERS: (
        "external_id",
        "name",
        "email",
        "language",
        "timezone",
        "currency",
        "recurring_value",
    ),
    Table.COMMITMENTS: (
        "external_id",
        "customer_external_id",
        "title",
        "kind",
        "due_at",
        "rrule",
        "grace_hours",
        "owner_email",
        "value",
        "currency",
    ),
    Table.DELIVERIES: ("commitment_external_id", "delivered_at", "note"),
}
MAX_FILE_BYTES = 200 * 1024 * 1024
# The csv module's default field limit (128 KiB) is below what a delivery note may hold
# (Text: 200,000 characters). Above this no column could take the field, and the reader
# cannot tell where its row ends, so the file is refused with the line.
FIELD_CHARS = 1024 * 1024
# External ids are matched to columns of this length (one place: the models).
_EXTERNAL_ID = min(
    getattr(Customer.__table__.c["external_id"].type, "length", 0),
    getattr(Commitment.__table__.c["external_id"].type, "length", 0),
)
ExternalId = Annotated[
    str, Field(min_length=1, max_length=_EXTERNAL_ID), AfterValidator(clean_line)
]


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class CustomerRow(_Row):
    external_id: ExternalId
    name: Line
    email: Email | None = None
    language: Language = "en"
    timezone: Timezone = "UTC"
    currency: Currency = "EUR"
    recurring_value: Money = Decimal("0")


class CommitmentRow(_Row):
    external_id: ExternalId
    customer_external_id: ExternalId
    title: Line
    kind: CommitmentKind
    due_at: UTCTime
    rrule: Line | None = None
    grace_hours: int = Field(default=0, ge=0, le=24 * 365)
    owner_email: Email | None = None
    value: Money = Decimal("0")
    currency: Currency | None = None


class DeliveryRow(_Row):
    commitment_external_id: ExternalId
    delivered_at: UTCTime
    note: Text = ""


@dataclass
class RowProblem:
    line: int
    code: str
    message: str


@dataclass
class ImportSummary:
    table: str
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "problems": [p.__dict__ for p in self.problems],
        }


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); spreadsheets in Central Europe often save cp1250."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1250")
    except UnicodeDecodeError:
        raise InvalidInput(
            "the file is neither UTF-8 nor Windows-1250 text; save it as CSV UTF-8",
            code="csv-encoding",
        ) from None


def rows(text: str, table: Table) -> Iterator[tuple[int, dict[str, str], str]]:
    """(line number, row, raw line) for each data row, after checking the header."""
    # Process-wide, but only ever raised: any other reader is as safe with it.
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_CHARS))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS[table] if c not in header and c not in _OPTIONAL[table]]
    if missing:
        raise InvalidInput(
            f"the header lacks column(s) {', '.join(missing)}; expected "
            + ",".join(COLUMNS[table]),
            code="csv-header",
        )
    reader.fieldnames = header
    lines = text.splitlines()
    line = reader.line_num  # the header's last line
    try:
        for record in reader:
            line = reader.line_num
            raw = lines[line - 1] if 0 < line <= len(lines) else ""
            yield line, {k: (v or "") for k, v in record.items() if k is not None}, raw
    except csv.Error as exc:
        # The row that cannot be read starts on the line after the last one read.
        raise _unreadable(line + 1, exc) from None


def _unreadable(line: int, exc: csv.Error) -> AmendsError:
    if "field limit" in str(exc):
        return InvalidInput.saying(
            N_(
                "line %(line)s: a field is longer than %(limit)s characters, more than any "
                "column takes; nothing was imported"
            ),
            code="csv-field-too-large",
            line=line,
            limit=FIELD_CHARS,
        )
    return InvalidInput.saying(
        N_("line %(line)s cannot be read as CSV (%(error)s); nothing was imported"),
        code="csv-malformed",
        line=line,
        error=str(exc),
    )


_OPTIONAL = {
    Table.CUSTOMERS: {"email", "language", "timezone", "currency", "recurring_value"},
    Table.COMMITMENTS: {"rrule", "grace_hours", "owner_email", "value", "currency"},
    Table.DELIVERIES: {"note"},
}


def import_csv(
    session: Session,
    data: bytes,
    *,
    table: Table,
    actor: Actor,
    now: datetime,
    reference: str,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    text = decode(data)
    summary = ImportSummary(table.value)
    handler = {
        Table.CUSTOMERS: _customer,
        Table.COMMITMENTS: _commitment,
        Table.DELIVERIES: _delivery,
    }[table]
    nest_savepoints(session)
    for count, (line, record, raw) in enumerate(rows(text, table), start=1):
        cleaned = {k: v for k, v in record.items() if v.strip() != ""}
        try:
            with session.begin_nested():
                outcome = handler(session, cleaned, actor=actor, now=now)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "row"
            _reject(
                session,
                summary,
                line,
                "csv-row-invalid",
                f"{where}: {first['msg']}",
                raw,
                table,
                reference,
                now,
            )
        except AmendsError as exc:
            _reject(session, summary, line, exc.code, exc.message, raw, table, reference, now)
        except (DataError, IntegrityError) as exc:
            # A value the engine refused that validation let through: the savepoint is
            # rolled back, so the row is reported like any other bad one.
            message = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
            _reject(session, summary, line, "csv-row-refused", message, raw, table, reference, now)
        else:
            if outcome == "duplicate":
                summary.duplicates += 1
            else:
                summary.imported += 1
        if progress is not None:
            progress(count)
    session.flush()
    return summary


def _reject(
    session: Session,
    summary: ImportSummary,
    line: int,
    code: str,
    message: str,
    raw: str,
    table: Table,
    reference: str,
    now: datetime,
) -> None:
    summary.rejected += 1
    summary.problems.append(RowProblem(line, code, message))
    session.add(
        Quarantine(
            source=f"csv:{table.value}",
            reference=f"{reference}:{line}",
            code=code,
            reason=message[:2000],
            payload=raw.encode("utf-8"),
            created_at=now,
        )
    )


def _customer(session: Session, record: dict[str, str], *, actor: Actor, now: datetime) -> str:
    row = CustomerRow.model_validate(record)
    if session.scalar(select(Customer.id).where(Customer.external_id == row.external_id)):
        return "duplicate"
    contacts = (
        [customers.ContactInput(name=row.name, email=row.email, is_primary=True)]
        if (row.email)
        else []
    )
    customers.create_customer(
        session,
        actor=actor,
        now=now,
        name=row.name,
        language=row.language,
        timezone=row.timezone,
        currency=row.currency,
        recurring_value=row.recurring_value,
        external_id=row.external_id,
        contacts=contacts,
    )
    return "imported"


def _commitment(session: Session, record: dict[str, str], *, actor: Actor, now: datetime) -> str:
    row = CommitmentRow.model_validate(record)
    if session.scalar(select(Commitment.id).where(Commitment.external_id == row.external_id)):
        return "duplicate"
    customer = session.scalar(
        select(Customer).where(Customer.external_id == row.customer_external_id)
    )
    if customer is None:
        raise InvalidInput(
            f"no customer with external_id {row.customer_external_id!r}", code="customer-not-found"
        )
    owner_id = None
    if row.owner_email:
        owner_id = session.scalar(select(User.id).where(User.email == row.owner_email))
        if owner_id is None:
            raise InvalidInput(f"no user with email {row.owner_email}", code="owner-not-found")
    commitments.create_commitment(
        session,
        actor=actor,
        now=now,
        customer_id=customer.id,
        title=row.title,
        kind=row.kind,
        currency=row.currency or customer.currency,
        due_at=row.due_at,
        rrule=row.rrule,
        grace_hours=row.grace_hours,
        owner_id=owner_id,
        value=row.value,
        external_id=row.external_id,
    )
    return "imported"


def _delivery(session: Session, record: dict[str, str], *, actor: Actor, now: datetime) -> str:
    row = DeliveryRow.model_validate(record)
    commitment = session.scalar(
        select(Commitment).where(Commitment.external_id == row.commitment_external_id)
    )
    if commitment is None:
        raise InvalidInput(
            f"no commitment with external_id {row.commitment_external_id!r}",
            code="commitment-not-found",
        )
    if session.scalar(
        select(Delivery.id).where(
            Delivery.commitment_id == commitment.id, Delivery.delivered_at == row.delivered_at
        )
    ):
        return "duplicate"
    commitments.add_delivery(
        session,
        actor=actor,
        now=now,
        commitment_id=commitment.id,
        delivered_at=row.delivered_at,
        note=row.note,
    )
    return "imported"

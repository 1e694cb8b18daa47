"""Five customers who all met the same careless courier, each writing in their own language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.cases.rules import Category, Origin, Severity
from amends.customers import service as customers
from amends.people.rules import OPERATOR
from amends.playbook.policy import Playbook
from amends.recovery import flows


@dataclass(frozen=True)
class Shop:
    name: str
    language: str
    timezone: str
    currency: str
    monthly: str
    complaint: str


# The same failure told five ways: the courier left the parcel outside and it was gone.
COURIER: tuple[Shop, ...] = (
    Shop(
        "Kvetinárstvo Margaréta",
        "sk",
        "Europe/Bratislava",
        "EUR",
        "120.00",
        "Kuriér Rýchlo Expres nechal balík s vázami pred bránou a kým sme prišli, bol preč.",
    ),
    Shop(
        "ร้านกาแฟบ้านสวน",
        "th",
        "Asia/Bangkok",
        "THB",
        "4500.00",
        "พนักงานส่งของ Rychlo Expres วางกล่องเมล็ดกาแฟไว้หน้าร้านตอนปิด เช้ามากล่องหายไปแล้ว",
    ),
    Shop(
        "Φούρνος Η Ελιά",
        "el",
        "Europe/Athens",
        "EUR",
        "200.00",
        "Ο κούριερ της Rychlo Expres άφησε το δέμα με τα αλεύρια έξω από την πόρτα και χάθηκε.",
    ),
    Shop(
        "Hartley & Sons Joinery",
        "en",
        "Europe/London",
        "GBP",
        "300.00",
        "The Rychlo Express driver left our box of hinges on the pavement and it vanished.",
    ),
    Shop(
        "Pekáreň Zlatý Klas",
        "sk",
        "Europe/Bratislava",
        "EUR",
        "80.00",
        "Rýchlo Expres opäť nechal zásielku múky pred dverami, ráno sme ju už nenašli.",
    ),
)


def add_shop(session: Session, shop: Shop, *, now: datetime, status: str = "active") -> int:
    from amends.customers.rules import CustomerStatus

    customer = customers.create_customer(
        session,
        actor=OPERATOR,
        now=now,
        name=shop.name,
        language=shop.language,
        timezone=shop.timezone,
        currency=shop.currency,
        recurring_value=Decimal(shop.monthly),
        status=CustomerStatus(status),
    )
    return customer.id


def open_courier_case(
    session: Session,
    *,
    customer_id: int,
    owner_id: int,
    title: str,
    now: datetime,
    playbook: Playbook,
    severity: Severity = Severity.HIGH,
    category: Category = Category.QUALITY,
    opened_at: datetime | None = None,
    commitment_id: int | None = None,
) -> Case:
    return flows.open_case(
        session,
        actor=OPERATOR,
        now=now,
        customer_id=customer_id,
        owner_id=owner_id,
        title=title,
        severity=severity,
        category=category,
        origin=Origin.COMPLAINT,
        playbook=playbook,
        opened_at=opened_at,
        commitment_id=commitment_id,
    )

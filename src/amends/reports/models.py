from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from amends.cases.rules import Category
from amends.db import Base, EnumText
from amends.reports.rules import TallyMetric


class CaseTally(Base):
    """A running count behind the recovery report, per owner and category.

    Kept by database triggers on ``cases`` from the view ``case_tally_rows`` (migration
    c008), never written by the application, so the report reads a few thousand rows
    instead of every case.
    ``metric`` is one of ``cases``, ``handoffs`` (their sum), ``ack_minutes``,
    ``ack_within``, ``one_interaction`` and ``outcome``; ``value`` is the counted value
    ("" for the first two, "1"/"0" for flags) and ``n`` how many cases have it.
    """

    __tablename__ = "case_tallies"

    owner_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    category: Mapped[Category] = mapped_column(EnumText(Category, 30), primary_key=True)
    metric: Mapped[TallyMetric] = mapped_column(EnumText(TallyMetric, 20), primary_key=True)
    value: Mapped[str] = mapped_column(String(30), primary_key=True)
    n: Mapped[int]

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from amends.cases.rules import (
    CaseState,
    Category,
    EventKind,
    NotificationKind,
    Origin,
    Outcome,
    Severity,
    WaitingOn,
)
from amends.db import Base, EnumText

# Each SLA clock and the column its step sets when it stops the clock.
PENDING_CLOCKS = (("ack", "acknowledged_at"), ("remedy", "resolved_at"), ("close", "closed_at"))


# A case closed as retained or won back (the values of Outcome.RETAINED and WON_BACK).
RECOVERED_CLOSURE = "state = 'closed' AND outcome IN ('retained', 'won_back')"


class Case(Base):
    """One recovery: a failure a customer met (or would have met), with exactly one owner."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_owner_state", "owner_id", "state"),
        Index("ix_cases_customer_opened", "customer_id", "opened_at"),
        # Owners' lists by urgency read their top N straight off this index, in order;
        # only open cases have an urgency, so closed ones (most of them) stay out of it.
        Index(
            "ix_cases_owner_urgency",
            "owner_id",
            "urgency_at",
            "id",
            sqlite_where=text("urgency_at IS NOT NULL"),
            postgresql_where=text("urgency_at IS NOT NULL"),
        ),
        # Everyone's open cases by urgency (the inbox's "all" view), in order, without
        # sorting every open case (migration i011).
        Index(
            "ix_cases_urgency",
            "urgency_at",
            "id",
            sqlite_where=text("urgency_at IS NOT NULL"),
            postgresql_where=text("urgency_at IS NOT NULL"),
        ),
        Index("ix_cases_opened", "opened_at"),
        # The escalation sweep reads each clock's oldest running deadlines from these;
        # a stopped or escalated clock leaves its index, so done cases cost nothing.
        *(
            Index(
                f"ix_cases_{clock}_pending",
                f"{clock}_due_at",
                "id",
                sqlite_where=text(f"{stopped} IS NULL AND {clock}_escalated_at IS NULL"),
                postgresql_where=text(f"{stopped} IS NULL AND {clock}_escalated_at IS NULL"),
            )
            for clock, stopped in PENDING_CLOCKS
        ),
        # The dashboard's repeat rate and open cases by age read only these rows, and its
        # attainment by week reads the recent cases without the table (migration d024).
        *(
            Index(
                name,
                "opened_at",
                "owner_id",
                sqlite_where=text(where),
                postgresql_where=text(where),
            )
            for name, where in (
                ("ix_cases_repeats", "repeat_of IS NOT NULL"),
                ("ix_cases_open_age", "closed_at IS NULL"),
            )
        ),
        Index(
            "ix_cases_attainment",
            "opened_at",
            "owner_id",
            "ack_within",
            "remedy_within",
            "close_within",
        ),
        # Customers with a recovered case, for the recovery paradox (migration q028).
        Index(
            "ix_cases_recovered",
            "customer_id",
            "closed_at",
            sqlite_where=text(RECOVERED_CLOSURE),
            postgresql_where=text(RECOVERED_CLOSURE),
        ),
        # Themes group recent cases by category and customer off this alone (q028).
        Index("ix_cases_themes", "opened_at", "category", "customer_id"),
        # Covers the recovery report's grouped scan so it never touches the table itself.
        Index(
            "ix_cases_report",
            "owner_id",
            "category",
            "outcome",
            "ack_minutes",
            "one_interaction",
            "ack_within",
            "handoffs",
            "opened_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[CaseState] = mapped_column(EnumText(CaseState, 30), index=True)
    severity: Mapped[Severity] = mapped_column(EnumText(Severity, 20))
    category: Mapped[Category] = mapped_column(EnumText(Category, 30))
    # The text model's probability when the category is its guess; None when a person
    # or a rule set it. Only a set category groups cases into repeats and patterns.
    category_confidence: Mapped[float | None] = mapped_column(Float)
    origin: Mapped[Origin] = mapped_column(EnumText(Origin, 20))
    outcome: Mapped[Outcome | None] = mapped_column(EnumText(Outcome, 20))
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="SET NULL"), index=True
    )
    opened_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Playbook progress: comma-separated steps done, in playbook order.
    steps_done: Mapped[str] = mapped_column(String(200), default="")
    handoffs: Mapped[int] = mapped_column(default=0)
    # SLA clocks. Due times are business-hours deadlines; escalated_* are set once, by
    # compare-and-set, so a breach escalates exactly once however many sweeps run.
    ack_due_at: Mapped[datetime | None]
    remedy_due_at: Mapped[datetime | None]
    close_due_at: Mapped[datetime | None]
    ack_escalated_at: Mapped[datetime | None]
    remedy_escalated_at: Mapped[datetime | None]
    close_escalated_at: Mapped[datetime | None]
    # Who is expected to speak next; the remedy clock pauses while it is the customer.
    waiting_on: Mapped[WaitingOn] = mapped_column(EnumText(WaitingOn, 10), default=WaitingOn.US)
    waiting_since: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]
    last_outbound_at: Mapped[datetime | None]
    outbound_count: Mapped[int] = mapped_column(default=0)
    one_interaction: Mapped[bool | None]
    ack_minutes: Mapped[int | None]
    # Acknowledged within the SLA: set at acknowledgment, or False once the clock breached.
    ack_within: Mapped[bool | None]
    # Remedied, and closed, within their SLA: set by the step, or False once the clock
    # breached (the recovery report's attainment for each clock).
    remedy_within: Mapped[bool | None]
    close_within: Mapped[bool | None]
    # Earlier cases this one repeats (same customer, same kind of failure, recently).
    repeat_of: Mapped[list[int] | None] = mapped_column(JSON)
    # An agent's override of the evidence-based verdict: {"verdict", "reason", "by", "at"}.
    validity_override: Mapped[dict[str, Any] | None]
    # The verdict as judged at a moment on request ("judge again"), with its claims; until
    # then the verdict is judged as of the complaint, so it never drifts with time.
    validity: Mapped[dict[str, Any] | None]
    # The nearest open SLA deadline; owners' case lists sort by it (indexed with owner).
    urgency_at: Mapped[datetime | None]
    # When its personal content was erased (a customer's erasure, or retention after
    # closing); its counts and timings stay for the reports.
    erased_at: Mapped[datetime | None]


class CaseParticipant(Base):
    """Someone besides the owner who takes part: e.g. the employee a complaint names."""

    __tablename__ = "case_participants"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    reason: Mapped[str] = mapped_column(String(30), default="participant")
    added_at: Mapped[datetime]
    # An employee named in the complaint gives their side before the case closes, or a
    # manager waives it with the reason (cases.statements).
    statement: Mapped[str | None]
    statement_at: Mapped[datetime | None]
    waived_reason: Mapped[str | None]
    waived_at: Mapped[datetime | None]
    waived_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TimelineEvent(Base):
    """Append-only history of a case: who did what, when. Never deleted, and updated for
    two things only: erasing personal data (``amends.privacy``) replaces its words, and
    merging a case moves its events (with its messages) to the target and back on undo."""

    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[EventKind] = mapped_column(EnumText(EventKind, 50))
    note: Mapped[str] = mapped_column(default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Notification(Base):
    """Something a person must know about: an escalation, an approval to give."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(EnumText(NotificationKind, 50))
    text: Mapped[str] = mapped_column(default="")
    # The same sentence as a message id and parameters (web.i18n.said), for the reader's
    # language; ``text`` keeps it in English for the API and the CLI.
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class CaseMerge(Base):
    """One case merged into another: the source is left a closed stub that points to the
    target, and ``moved`` keeps what went across (and each case's fields before and
    after), so an undo puts exactly that back."""

    __tablename__ = "case_merges"
    __table_args__ = (Index("ix_case_merges_source_undone", "source_id", "undone_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    merged_at: Mapped[datetime]
    merged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moved: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CaseDayCount(Base):
    """A change to how many cases opened on one day (UTC) count for something, by
    category: what the dashboard charts over time (weeks, ages, themes) sums.

    Database triggers on ``cases`` append a row for each change, from the view
    ``case_day_rows`` (migration d029): +n when a case comes to count, -n when it stops.
    Rows are only ever appended by writers, so concurrent transactions never wait on
    one another here; the ``fold-day-counts`` job replaces each day's rows by their sums
    (``folded``) so readers sum a few rows per day.
    ``metric`` is ``cases``, ``open`` or a clock's ``*_within`` (``value`` "1"/"0").
    """

    __tablename__ = "case_day_counts"
    __table_args__ = (
        Index("ix_case_day_counts_day", "day", "metric"),
        # The days the fold has still to do: few, whatever the table holds.
        Index(
            "ix_case_day_counts_unfolded",
            "day",
            sqlite_where=text("NOT folded"),
            postgresql_where=text("NOT folded"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    category: Mapped[Category] = mapped_column(EnumText(Category, 30))
    metric: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(1))
    n: Mapped[int]
    folded: Mapped[bool] = mapped_column(default=False)


# Words compare by code point (collation "C" on PostgreSQL; SQLite's BINARY already
# does), so a prefix is one range of the primary key whatever the server's locale.
WORD = String(60).with_variant(String(60, collation="C"), "postgresql")


class CaseWord(Base):
    """A word of a case's title or of one of its messages: the search's word index.

    Written by ``cases.words`` (when a case opens, a message is recorded, a title
    changes, cases merge, text is erased), read by ``patterns.search``.
    """

    __tablename__ = "case_words"
    __table_args__ = (
        # A case's own words, for the search's per-case test of a very common word.
        Index("ix_case_words_case", "case_id", "word"),
        {"sqlite_with_rowid": False},
    )

    word: Mapped[str] = mapped_column(WORD, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )

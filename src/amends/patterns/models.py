from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from amends.cases.rules import Category
from amends.db import Base, EnumText
from amends.patterns.rules import ActionStatus, ChangeKind, PatternStatus


class Pattern(Base):
    """Similar failures across several customers within a window: a systemic problem that
    needs a corrective action, not one more apology."""

    __tablename__ = "patterns"
    __table_args__ = (Index("ix_patterns_status_last", "status", "last_opened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What every member names (rules.shared_name), else the title of the case that
    # completed the pattern; that case gives it its category.
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[Category] = mapped_column(EnumText(Category, 30))
    status: Mapped[PatternStatus] = mapped_column(EnumText(PatternStatus, 20))
    first_opened_at: Mapped[datetime]
    last_opened_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class PatternCase(Base):
    __tablename__ = "pattern_cases"

    pattern_id: Mapped[int] = mapped_column(
        ForeignKey("patterns.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    added_at: Mapped[datetime]


class CorrectiveAction(Base):
    """What we changed so a failure does not happen again: root cause, change, owner, due
    date, and whether the failures stopped afterwards."""

    __tablename__ = "corrective_actions"
    __table_args__ = (Index("ix_corrective_actions_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    root_cause: Mapped[str] = mapped_column(default="")
    change_kind: Mapped[ChangeKind] = mapped_column(EnumText(ChangeKind, 30))
    description: Mapped[str] = mapped_column(default="")
    # The change as customers of each language are told it (language -> sentence): the
    # description in the language it was written in, and any added for others. None for
    # an action recorded before wordings were kept: its description is told as written.
    wordings: Mapped[dict[str, str] | None] = mapped_column(JSON)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(EnumText(ActionStatus, 20))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]


class ActionCase(Base):
    __tablename__ = "action_cases"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("corrective_actions.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ActionPattern(Base):
    __tablename__ = "action_patterns"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("corrective_actions.id", ondelete="CASCADE"), primary_key=True
    )
    pattern_id: Mapped[int] = mapped_column(
        ForeignKey("patterns.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CaseText(Base):
    """A case's text as similarity reads it: its title and first inbound messages.

    Written only by database triggers on ``cases`` and ``messages`` (see the migration
    ``case_texts_similar``), so it is in step with them inside every transaction; the
    search's trigram index covers it, and triggers queue it for sketching (``CaseSketch``).
    """

    __tablename__ = "case_texts"

    case_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    body: Mapped[str] = mapped_column(Text)


class CaseSketch(Base):
    """A case's text as a sketch (``patterns.sketches``): what the similarity engine
    scores the hundred-odd best candidates of a query by.

    Written by the ``index-similar`` job from ``case_texts``; the triggers on
    ``case_texts`` drop it when the text changes (and queue the case in
    ``similar_pending`` again), so a sketch never stands for an old text.
    """

    __tablename__ = "case_sketches"

    case_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    sketch: Mapped[bytes] = mapped_column(LargeBinary)


class CaseCell(Base):
    """Which cell a case is in, with its folded sketch: what a query reads the nearest
    cells of.

    ``cell`` is ``SimilarModel.id * CELL_SPAN`` plus the cell's number, or -1 when no
    cells were fitted yet. ``slot`` is ``cell * 2**32 + case_id``: on SQLite it is the
    rowid, so the cases of a cell are stored side by side; on PostgreSQL the index on
    ``cell`` carries the folded rows, so a query reads the index alone. Kept like
    ``CaseSketch``.
    """

    __tablename__ = "case_cells"
    __table_args__ = (
        Index("ix_case_cells_case_id", "case_id", unique=True),
        Index("ix_case_cells_cell", "cell", postgresql_include=["case_id", "folded"]),
    )

    slot: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False
    )
    cell: Mapped[int]
    case_id: Mapped[int]
    folded: Mapped[bytes] = mapped_column(LargeBinary)


class CellPack(Base):
    """One cell's cases and folded rows in a single value: what a query reads instead of
    the cell's rows of ``case_cells`` one by one (a few values, not thousands of rows).

    Made by the ``index-similar`` job from ``case_cells`` for the cells of a complete
    model (``patterns.indexing.pack_cells``), so it may lag: cases put in the cell after
    it was made are listed in ``cell_unpacked`` and read beside it; a case whose text
    changed since may still be in it with its old row, which only ranks it (its score
    comes from its current sketch). See ``patterns.sketches.pack_cell`` for the layout.
    """

    __tablename__ = "cell_packs"

    cell: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    cases: Mapped[int]
    pack: Mapped[bytes] = mapped_column(LargeBinary)


class CellUnpacked(Base):
    """A case put in a cell that has a pack after the pack was made: read with the pack
    until the job makes it again."""

    __tablename__ = "cell_unpacked"

    cell: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class SimilarPending(Base):
    """A case whose text has no sketch yet: queued by the triggers on ``case_texts``,
    sketched by the ``index-similar`` job; until then similarity scores its text."""

    __tablename__ = "similar_pending"

    case_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class SimilarModel(Base):
    """The centres of the cells cases are grouped in (``patterns.sketches.fit``), kept
    here so every process asks the same cells. While a newer model's cells are being
    filled (``assigned_up_to`` is the last case moved), the older one still holds the
    cases not moved yet; it is deleted when the newer one is complete."""

    __tablename__ = "similar_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    fitted_at: Mapped[datetime]
    # Sketches there were when it was fitted: a model is fitted again at twice as many.
    cases: Mapped[int]
    cells: Mapped[int]
    # sha256 of ``centres``: what a process caches them by.
    digest: Mapped[str] = mapped_column(String(64))
    assigned_up_to: Mapped[int] = mapped_column(default=0)
    complete: Mapped[bool] = mapped_column(default=False)
    # int64 per cell: how many cases it held when the model was complete (until then,
    # an even share of those moved).
    sizes: Mapped[bytes | None] = mapped_column(LargeBinary)
    # float32, cells x sketches.DIMENSIONS, row by row. Last: SQLite reads a row's
    # columns in order, and this one is megabytes long.
    centres: Mapped[bytes] = mapped_column(LargeBinary)


class JudgingQueued(Base):
    """A case waiting to be judged for repeats and patterns (see ``patterns.judging``)."""

    __tablename__ = "judging_queue"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    queued_at: Mapped[datetime]


class CategoryHit(Base):
    """When a customer's latest case in a category was opened: the themes read the
    customers a category hit in a window from these rows, not from every case.

    Kept by database triggers on ``cases`` (migration e030), never written by the
    application.
    """

    __tablename__ = "category_hits"
    __table_args__ = (Index("ix_category_hits_last", "last_opened_at", "category", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    category: Mapped[Category] = mapped_column(EnumText(Category, 30), primary_key=True)
    last_opened_at: Mapped[datetime]

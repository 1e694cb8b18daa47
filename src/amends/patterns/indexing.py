"""Keeping the similarity engine's sketches, cells and packs (service layer; the
``index-similar`` job runs it).

Four steps, each in short transactions of its own, each safe to stop and run again:

1. sketch the cases waiting in ``similar_pending`` (queued by the triggers on
   ``case_texts``) and put each in the nearest cell of the newest model;
2. fit a model of cells when there is none and enough cases, or when the cases have
   doubled since the last one was fitted (:func:`fit_model`);
3. move every case into the newest model's cells, a chunk at a time
   (:func:`move_cases`); when all are moved, the model is complete and the older one
   is deleted;
4. pack the complete model's cells (:func:`pack_cells`): each cell's rows in one value
   a query reads at once, made again once enough cases were put in the cell since.

Two runs may overlap (a slow run outlasting the next slot's start in another process):
a step that loses a race to the other run fails its transaction on a duplicate key and
is done again by a later run, and packing a cell never drops a case another run put in
it meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from amends.patterns import sketches
from amends.patterns.models import (
    CaseCell,
    CaseSketch,
    CaseText,
    CellPack,
    CellUnpacked,
    SimilarModel,
    SimilarPending,
)
from amends.patterns.textsim import comparable, vector_of

log = logging.getLogger(__name__)

# Cases sketched per transaction, and moved per transaction into a new model's cells.
CHUNK = 2000
# Below this many sketched cases every sketch is read for a query (a few milliseconds),
# so no cells are fitted.
FIT_FROM = 5000
# Cases a cell holds on average: a query reads a few thousand cases from the nearest
# cells, and more, smaller cells make those nearer (bench/similar.py).
CASES_PER_CELL = 200
# Sketches the centres are fitted on, per cell.
SAMPLE_PER_CELL = 25
# A cell's number within its model is below this: cell = model id * CELL_SPAN + number.
CELL_SPAN = 100_000
UNCLUSTERED = -1
# Cells packed per transaction (about CHUNK cases).
PACK_CELLS = CHUNK // CASES_PER_CELL
# A packed cell is packed again once the cases put in it since number this share of
# those in its pack: a query reads at most about that many rows one by one beside it,
# and a busy cell is not rewritten for every case.
REPACK_SHARE = 1 / 16

Transaction = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class Cells:
    """One model's cells as a query uses them."""

    model_id: int
    centres: npt.NDArray[np.float32]
    sizes: npt.NDArray[np.int64]

    def cell_ids(self, numbers: Iterable[int]) -> list[int]:
        return [self.model_id * CELL_SPAN + n for n in numbers]


# A model's arrays that never change once written, by its digest and column: its
# centres, and once it is complete its sizes (counted when it was completed). The digest
# tells two databases' models apart where their ids would not (a process may open
# several).
_KEPT: dict[tuple[str, str], npt.NDArray[Any]] = {}
_MODELS_KEPT = 4


def _kept(
    session: Session,
    model_id: int,
    digest: str,
    column: InstrumentedAttribute[Any],
    dtype: type[np.generic],
) -> npt.NDArray[Any]:
    found = _KEPT.get((digest, column.key))
    if found is None:
        blob = session.scalar(select(column).where(SimilarModel.id == model_id))
        found = np.frombuffer(blob or b"", dtype)
        if len(_KEPT) >= 2 * _MODELS_KEPT:
            _KEPT.clear()
        _KEPT[(digest, column.key)] = found
    return found


def _centres(session: Session, model_id: int, digest: str) -> npt.NDArray[np.float32]:
    centres = _kept(session, model_id, digest, SimilarModel.centres, np.float32)
    return centres.reshape(-1, sketches.DIMENSIONS)


def models(session: Session) -> list[Cells]:
    """The models whose cells hold cases, newest first. A model's centres, and once it
    is complete its sizes, are read once per process."""
    rows = session.execute(
        select(
            SimilarModel.id,
            SimilarModel.digest,
            SimilarModel.cells,
            SimilarModel.complete,
            SimilarModel.assigned_up_to,
        ).order_by(SimilarModel.id.desc())
    ).all()
    found = []
    for model_id, digest, cells, complete, moved in rows:
        # A model being filled holds about as many cases as the last case id moved,
        # shared evenly among its cells until they are counted.
        if complete:
            held = _kept(session, model_id, digest, SimilarModel.sizes, np.int64)
        else:
            held = np.full(cells, max(1, moved // max(cells, 1)), np.int64)
        found.append(Cells(model_id, _centres(session, model_id, digest), held))
    return found


def slot(cell: int, case_id: int) -> int:
    """Where a case's row of ``case_cells`` goes: its cell's cases side by side."""
    return cell * _SLOTS_PER_CELL + case_id


_SLOTS_PER_CELL = 1 << 32


def sketch_pending(session: Session, *, limit: int | None = None) -> int:
    """Sketch up to ``limit`` queued cases into the newest model's cells; how many were
    taken off the queue (texts too short to compare are taken off unsketched)."""
    rows = session.execute(
        select(SimilarPending.case_id, CaseText.body)
        .outerjoin(CaseText, CaseText.case_id == SimilarPending.case_id)
        .order_by(SimilarPending.case_id)
        .limit(limit or CHUNK)
    ).all()
    if not rows:
        return 0
    ids = [case_id for case_id, _ in rows]
    kept = [
        (case_id, sketches.sketch(vector_of(body)))
        for case_id, body in rows
        if body and comparable(body)
    ]
    session.execute(delete(CaseSketch).where(CaseSketch.case_id.in_(ids)))
    session.execute(delete(CaseCell).where(CaseCell.case_id.in_(ids)))
    # Listed beside a pack before its text changed: it may go to the same cell again.
    session.execute(delete(CellUnpacked).where(CellUnpacked.case_id.in_(ids)))
    if kept:
        rows_folded = sketches.folded(sketches.Batch([blob for _, blob in kept]))
        cells = _cells_for(rows_folded, models(session))
        session.execute(
            insert(CaseSketch), [{"case_id": case_id, "sketch": blob} for case_id, blob in kept]
        )
        session.execute(
            insert(CaseCell),
            [
                {"slot": slot(cell, case_id), "cell": cell, "case_id": case_id, "folded": packed}
                for (case_id, _), cell, packed in zip(
                    kept, cells, sketches.pack_rows(rows_folded), strict=True
                )
            ],
        )
        packed_cells = set(
            session.scalars(select(CellPack.cell).where(CellPack.cell.in_(set(cells))))
        )
        later = [
            {"cell": cell, "case_id": case_id}
            for (case_id, _), cell in zip(kept, cells, strict=True)
            if cell in packed_cells
        ]
        if later:
            session.execute(insert(CellUnpacked), later)
    session.execute(delete(SimilarPending).where(SimilarPending.case_id.in_(ids)))
    return len(rows)


def _cells_for(rows: npt.NDArray[np.float32], known: list[Cells]) -> list[int]:
    if not known:
        return [UNCLUSTERED] * len(rows)
    newest = known[0]
    return newest.cell_ids(int(n) for n in sketches.assign(rows, newest.centres))


def fit_model(session: Session, *, now: datetime) -> int | None:
    """Fit new cells when due; the new model's id, or None when none is due."""
    sketched = session.scalar(select(func.count()).select_from(CaseCell)) or 0
    last = session.scalar(select(SimilarModel.cases).order_by(SimilarModel.id.desc()).limit(1))
    if sketched < FIT_FROM or (last is not None and sketched < 2 * last):
        return None
    cells = min(CELL_SPAN - 1, max(2, sketched // CASES_PER_CELL))
    ids = np.fromiter(session.scalars(select(CaseCell.case_id)), np.int64)
    rng = np.random.default_rng(sketched)
    chosen = np.sort(rng.choice(ids, min(len(ids), cells * SAMPLE_PER_CELL), replace=False))
    blobs: list[bytes] = []
    for start in range(0, len(chosen), 900):
        part = [int(x) for x in chosen[start : start + 900]]
        blobs.extend(session.scalars(select(CaseCell.folded).where(CaseCell.case_id.in_(part))))
    centres = sketches.fit(sketches.unpack_rows(blobs), cells)
    blob = centres.astype(np.float32).tobytes()
    model = SimilarModel(
        fitted_at=now,
        digest=hashlib.sha256(blob).hexdigest(),
        cases=sketched,
        cells=len(centres),
        centres=blob,
        sizes=None,
        assigned_up_to=0,
        complete=False,
    )
    session.add(model)
    session.flush()
    log.info("similar cells fitted", extra={"cells": len(centres), "cases": sketched})
    return model.id


def move_cases(session: Session, *, limit: int | None = None) -> int:
    """Move the next ``limit`` cases into the newest unfinished model's cells; how many
    were moved (0 when every model is complete). The last chunk completes the model:
    its cells' sizes are counted and the older models deleted."""
    chunk = limit or CHUNK
    model = session.scalars(
        select(SimilarModel)
        .where(SimilarModel.complete.is_(False))
        .order_by(SimilarModel.id.desc())
    ).first()
    if model is None:
        return 0
    rows = session.execute(
        select(CaseCell.case_id, CaseCell.folded)
        .where(CaseCell.case_id > model.assigned_up_to)
        .order_by(CaseCell.case_id)
        .limit(chunk)
    ).all()
    if rows:
        cells = Cells(model.id, _centres(session, model.id, model.digest), np.zeros(0, np.int64))
        numbers = sketches.assign(sketches.unpack_rows([blob for _, blob in rows]), cells.centres)
        moved = cells.cell_ids(int(n) for n in numbers)
        # The slot is the row's key (its cell's cases side by side), so the rows are
        # named by their case.
        session.connection().execute(
            update(CaseCell)
            .where(CaseCell.case_id == bindparam("moved_case"))
            .values(slot=bindparam("to_slot"), cell=bindparam("to_cell")),
            [
                {"moved_case": case_id, "to_slot": slot(cell, case_id), "to_cell": cell}
                for (case_id, _), cell in zip(rows, moved, strict=True)
            ],
        )
        model.assigned_up_to = rows[-1][0]
    if len(rows) < chunk:
        _complete(session, model)
    return len(rows)


def _complete(session: Session, model: SimilarModel) -> None:
    first = model.id * CELL_SPAN
    held = np.fromiter(
        session.scalars(
            select(CaseCell.cell).where(CaseCell.cell >= first, CaseCell.cell < first + CELL_SPAN)
        ),
        np.int64,
    )
    model.sizes = np.bincount(held - first, minlength=model.cells).astype(np.int64).tobytes()
    model.complete = True
    session.execute(delete(SimilarModel).where(SimilarModel.id < model.id))
    session.execute(delete(CellPack).where(CellPack.cell < first))
    session.execute(delete(CellUnpacked).where(CellUnpacked.cell < first))


def _cells_to_pack(session: Session) -> list[int]:
    """The complete model's cells with no pack, then those with enough cases put in
    them since their pack was made."""
    model = session.execute(
        select(SimilarModel.id, SimilarModel.cells)
        .where(SimilarModel.complete.is_(True))
        .order_by(SimilarModel.id.desc())
        .limit(1)
    ).first()
    if model is None:
        return []
    first = model.id * CELL_SPAN
    packed = dict(
        session.execute(
            select(CellPack.cell, CellPack.cases).where(
                CellPack.cell >= first, CellPack.cell < first + CELL_SPAN
            )
        ).all()
    )
    due = [first + n for n in range(model.cells) if first + n not in packed]
    for cell, later in session.execute(
        select(CellUnpacked.cell, func.count())
        .group_by(CellUnpacked.cell)
        .order_by(CellUnpacked.cell)
    ).all():
        if cell in packed and later >= packed[cell] * REPACK_SHARE:
            due.append(cell)
    return due


def pack_cells(session: Session, *, limit: int | None = None) -> int:
    """Pack up to ``limit`` cells that are due (:func:`_cells_to_pack`) from their rows
    of ``case_cells``; how many were packed."""
    due = _cells_to_pack(session)[: limit or PACK_CELLS]
    if not due:
        return 0
    rows: dict[int, list[tuple[int, bytes]]] = {cell: [] for cell in due}
    for cell, case_id, blob in session.execute(
        select(CaseCell.cell, CaseCell.case_id, CaseCell.folded)
        .where(CaseCell.cell.in_(due))
        .order_by(CaseCell.slot)
    ).all():
        rows[cell].append((case_id, blob))
    packs = [
        {
            "cell": cell,
            "cases": len(held),
            "pack": sketches.pack_cell([c for c, _ in held], [b for _, b in held]),
        }
        for cell, held in rows.items()
    ]
    session.execute(delete(CellPack).where(CellPack.cell.in_(due)))
    # Off the list: the cases now in the packs, and those no longer in the cell they
    # were put in (changed or deleted since). Not a case put in meanwhile by another
    # run, committed after the rows were read: it stays listed until the next pack.
    now_in = select(CaseCell.case_id).where(
        CaseCell.case_id == CellUnpacked.case_id, CaseCell.cell == CellUnpacked.cell
    )
    for cell, held in rows.items():
        session.execute(
            delete(CellUnpacked).where(
                CellUnpacked.cell == cell,
                CellUnpacked.case_id.in_([case_id for case_id, _ in held]) | ~now_in.exists(),
            )
        )
    session.execute(insert(CellPack), packs)
    return len(due)


def _drain(
    transaction: Transaction,
    step: Callable[[Session], int],
    budget: int | None,
    progress: Callable[[str], None] | None,
    told: str,
    *,
    full: int | None = None,
) -> int:
    """Run ``step`` in transactions of its own until it does less than ``full`` (all
    was done; :data:`CHUNK` unless given) or ``budget`` is spent."""
    done = 0
    while budget is None or done < budget:
        with transaction() as session:
            did = step(session)
        done += did
        if progress and did:
            progress(f"{done:,} {told}")
        if did < (full or CHUNK):
            break
    return done


def keep_up(
    transaction: Transaction,
    *,
    now: Callable[[], datetime],
    max_cases: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Sketch the queued cases, fit cells when due, move the cases into them and pack
    the cells, each step in transactions of about :data:`CHUNK` cases, up to
    ``max_cases`` a step: what was done."""
    sketched = _drain(transaction, sketch_pending, max_cases, progress, "cases sketched")
    with transaction() as session:
        fitted = fit_model(session, now=now())
    if progress and fitted is not None:
        progress("cells fitted")
    moved = _drain(transaction, move_cases, max_cases, progress, "cases moved into the new cells")
    cells = None if max_cases is None else max(1, max_cases // CASES_PER_CELL)
    packed = _drain(transaction, pack_cells, cells, progress, "cells packed", full=PACK_CELLS)
    return {
        "sketched": sketched,
        "fitted": int(fitted is not None),
        "moved": moved,
        "packed": packed,
    }

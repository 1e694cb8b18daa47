"""Which cases read like a given text: the one similarity engine (service layer, reads only).

Repeats, patterns and the similar-case search all ask it. It has one candidate source
and one scorer:

- candidates come from the database: each case's text (``case_texts``, kept by
  triggers in the same transaction as the case and its messages), its sketch
  (``case_sketches``) and its folded sketch in a cell of alike texts (``case_cells``),
  both kept by the ``index-similar`` job (``patterns.indexing``), which also packs
  each cell's folded rows in one value (``cell_packs``). A query reads the folded rows
  of the cells nearest it, the sketches of the hundred-odd of those most alike, and
  the texts of the cases not sketched yet. When the cases asked about (a
  window, one customer) are few, all of them are candidates;
- every candidate is scored by the cosine of ``textsim.vector_of``, from its sketch
  (the same numbers as float32) and, for those that may be among the best, from its
  text; it depends on the two texts only (no corpus statistics), so every process on
  every machine gives the same scores for the same database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    ColumnElement,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases.models import Case
from amends.db import binary_rows
from amends.errors import InvalidInput, NotFound
from amends.patterns import indexing, sketches
from amends.patterns.models import (
    CaseCell,
    CaseSketch,
    CaseText,
    CellPack,
    CellUnpacked,
    SimilarPending,
)
from amends.patterns.textsim import Vector, comparable, cosines, vector_of
from amends.people.rules import Action, Actor

# When the cases asked about are this few (one customer's, a quiet window), every one
# of them is scored: nothing is left to the cells.
SCORE_ALL_UP_TO = 1000
# Cases read from the cells nearest a query (about: whole cells are read) and ranked by
# their folded rows. More finds more of the exact top 10: at 1,000,000 generated
# complaints, 3,000 found 0.941 of them, 4,000 0.959, 5,000 0.968, 6,000 0.976
# (bench/similar.py). A query with filters reads FILTERED_READ_FACTOR times as many, as
# only some of them pass.
READ_CASES = 5000
FILTERED_READ_FACTOR = 4
# Cases queued for sketching are scored from their texts, the newest this many: the
# job sketches them within seconds, but after a bulk import they wait their turn.
PENDING_SCORED = 500
# How far a sketch's score may be from its text's (float32 weights: well under this).
SKETCH_ERROR = 1e-5
# Candidates ranked best by their folded rows whose sketches are read and scored. Over
# 1,000,000 generated complaints, those of the exact ten best that were read at all
# were within the first 85 (p99 48; 200 queries reading 5,000 cases each).
SKETCHED = 150
# Profiles of texts just scored: the same recent cases are compared again for every
# new one. Keyed by the text itself, so an edited case is a new key and nothing stale
# is ever used; every process computes the same value for a key.
PROFILE_CACHE = 4096


@lru_cache(maxsize=PROFILE_CACHE)
def _vector(body: str) -> Vector | None:
    """The text's profile as arrays, or None when it is too short to compare."""
    return vector_of(body) if comparable(body) else None


# Ids per IN list when texts are read for many cases: well under every engine's bound.
TEXTS_PER_READ = 900


def texts_of(session: Session, case_ids: Iterable[int]) -> dict[int, str]:
    """Several cases' texts as similarity reads them, by case id, in few statements."""
    ids = sorted(set(case_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), TEXTS_PER_READ):
        chunk = ids[start : start + TEXTS_PER_READ]
        for case_id, body in session.execute(
            select(CaseText.case_id, CaseText.body).where(CaseText.case_id.in_(chunk))
        ):
            found[case_id] = body
    return found


def text_of(session: Session, case_id: int) -> str:
    """The case's text as similarity reads it (title and first inbound messages)."""
    return session.scalar(select(CaseText.body).where(CaseText.case_id == case_id)) or ""


def _filters(
    since: datetime | None, until: datetime | None, customer_id: int | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if since is not None:
        where.append(Case.opened_at >= since)
    if until is not None:
        where.append(Case.opened_at <= until)
    if customer_id is not None:
        where.append(Case.customer_id == customer_id)
    return where


def _from_cells(
    session: Session, query_text: str, where: list[ColumnElement[bool]], k: int
) -> list[tuple[int, float]]:
    """The best ``k`` (or more) cases for the text among those of its nearest cells
    (within ``where``) by their sketches and those queued, scored from their texts:
    best first."""
    wanted = _vector(query_text)
    if wanted is None:
        return []
    ids, weights = sketches.query(wanted)
    budget = READ_CASES * (FILTERED_READ_FACTOR if where else 1)
    row = sketches.folded_query(ids, weights)
    cells = [indexing.UNCLUSTERED]
    known = indexing.models(session)
    if known:
        held = [int(m.sizes.sum()) for m in known]
        for model, cases_held in zip(known, held, strict=True):
            share = max(1, budget * cases_held // max(1, sum(held)))
            cells += model.cell_ids(sketches.nearest_cells(row, model.centres, model.sizes, share))
    case_ids, folded = _folded_rows(session, cells, where)
    queued = select(SimilarPending.case_id)
    if where:
        queued = queued.join(Case, Case.id == SimilarPending.case_id).where(*where)
    chosen: list[int] = []
    found: list[tuple[int, float]] = []
    if len(case_ids):
        # By folded rows first: the exact best are among the first hundred. A case
        # may be read twice (in a pack made before its text changed, and where it is
        # now): its first place counts, and its score comes from its sketch anyway.
        order = np.argsort(-sketches.alike(folded, row), kind="stable")
        _, first = np.unique(case_ids[order], return_index=True)
        best = case_ids[order[np.sort(first)[:SKETCHED]]]
        sketched = binary_rows(
            session,
            select(CaseSketch.case_id, CaseSketch.sketch).where(
                CaseSketch.case_id.in_([int(c) for c in best])
            ),
        )
        by_sketch = sketches.scores(ids, weights, sketches.Batch([blob for _, blob in sketched]))
        order = np.argsort(-by_sketch, kind="stable")
        order = order[by_sketch[order] > 0]
        ranked = by_sketch[order]
        # A sketch's score differs from its text's by under a millionth: where two are
        # closer than that among the best k (or at its edge), those are scored again
        # from their texts, so near-ties fall as the one score has them.
        near = np.zeros(len(ranked), bool)
        gaps = (ranked[:-1] - ranked[1:]) < SKETCH_ERROR
        near[:-1] |= gaps
        near[1:] |= gaps
        edge = min(k, len(ranked))
        while edge < len(ranked) and near[edge] and gaps[edge - 1]:
            edge += 1
        for place in range(edge):
            case_id = sketched[int(order[place])][0]
            if near[place]:
                chosen.append(case_id)
            else:
                found.append((case_id, float(ranked[place])))
    chosen += session.scalars(queued.order_by(SimilarPending.case_id.desc()).limit(PENDING_SCORED))
    found += _scored_stored(session, wanted, chosen)
    found.sort(key=lambda item: (-item[1], item[0]))
    return found


def _folded_rows(
    session: Session, cells: list[int], where: list[ColumnElement[bool]]
) -> tuple[npt.NDArray[np.int64], sketches.Rows]:
    """The case ids and folded rows of the given cells' cases (those within ``where``).

    Without filters, a cell with a pack is read as one value, with the rows of the cases
    put in it since; with filters, the rows are read one by one beside their cases."""
    # Thousands of rows: read as plain tuples, without the ORM's work per row.
    connection = session.connection()
    rows = select(CaseCell.case_id, CaseCell.folded)
    if where:
        read = rows.join(Case, Case.id == CaseCell.case_id).where(CaseCell.cell.in_(cells), *where)
        return _split([(case_id, blob) for case_id, blob in connection.execute(read)])
    packs = binary_rows(
        session,
        select(CellPack.cell, CellPack.cases, CellPack.pack).where(CellPack.cell.in_(cells)),
    )
    packed = {cell for cell, _, _ in packs}
    loose = [cell for cell in cells if cell not in packed]
    found: list[tuple[int, bytes]] = []
    if loose:
        found += binary_rows(session, rows.where(CaseCell.cell.in_(loose)))
    # The cases put in packed cells since: read apart, as a join may be planned from the
    # cells' thousands of rows, when there are usually none.
    put_in: dict[int, int] = {}
    if packed:
        later = select(CellUnpacked.case_id, CellUnpacked.cell).where(CellUnpacked.cell.in_(packed))
        put_in = dict(connection.execute(later).all())
    listed = list(put_in)
    for start in range(0, len(listed), TEXTS_PER_READ):
        now_in = select(CaseCell.case_id, CaseCell.cell, CaseCell.folded).where(
            CaseCell.case_id.in_(listed[start : start + TEXTS_PER_READ])
        )
        # Only while still in the cell it was put in (not changed since).
        found += [(c, blob) for c, cell, blob in binary_rows(session, now_in) if put_in[c] == cell]
    parts = [sketches.unpack_cell(pack, cases) for _, cases, pack in packs]
    parts.append(_split(found))
    return (
        np.concatenate([ids for ids, _ in parts]),
        (
            np.concatenate([tops for _, (tops, _) in parts]),
            np.concatenate([steps for _, (_, steps) in parts]),
        ),
    )


def _split(rows: Sequence[tuple[int, bytes]]) -> tuple[npt.NDArray[np.int64], sketches.Rows]:
    ids = np.fromiter((case_id for case_id, _ in rows), np.int64, len(rows))
    if not rows:
        return ids, (np.zeros(0, np.float32), np.zeros((0, sketches.DIMENSIONS), np.uint8))
    return ids, sketches.split_rows([blob for _, blob in rows])


def nearest(
    session: Session,
    query_text: str,
    *,
    k: int = 10,
    since: datetime | None = None,
    until: datetime | None = None,
    customer_id: int | None = None,
    exclude: Sequence[int] = (),
) -> list[tuple[int, float]]:
    """The ``k`` cases (opened in [since, until], of one customer, if given) whose text
    is most like ``query_text``: (case id, cosine in [0, 1]) best first, ties by the
    lower id. Texts too short to compare are never returned."""
    if k <= 0 or not comparable(query_text):
        return []
    where = _filters(since, until, customer_id)
    if where:
        ids = list(
            session.scalars(
                select(Case.id)
                .where(*where, Case.id.not_in(list(exclude)))
                .order_by(Case.opened_at.desc())
                .limit(SCORE_ALL_UP_TO + 1)
            )
        )
        if len(ids) <= SCORE_ALL_UP_TO:
            return score(session, query_text, ids)[:k]
    left_out = set(exclude)
    found = _from_cells(session, query_text, where, k + len(left_out))
    return [(c, s) for c, s in found if c not in left_out][:k]


def score(session: Session, query_text: str, case_ids: Sequence[int]) -> list[tuple[int, float]]:
    """Every given case that shares anything with ``query_text``, scored exactly, best
    first (ties by the lower id)."""
    wanted = _vector(query_text) if case_ids else None
    return _scored_stored(session, wanted, case_ids) if wanted is not None else []


def _scored_stored(
    session: Session, wanted: Vector, case_ids: Sequence[int]
) -> list[tuple[int, float]]:
    if not case_ids:
        return []
    return _scored(wanted, texts_of(session, case_ids).items())


def _scored(wanted: Vector, bodies: Iterable[tuple[int, str]]) -> list[tuple[int, float]]:
    # Each text is folded once: its cached vector also says whether it is comparable.
    texts = [(cid, other) for cid, body in bodies if (other := _vector(body)) is not None]
    scores = cosines(wanted, [other for _, other in texts])
    scored = [(cid, s) for (cid, _), s in zip(texts, scores, strict=True) if s > 0]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored


def likeness(
    session: Session, subject: str, text: str, *, unstored: Mapping[int, str] | None = None
) -> Callable[[Sequence[int]], dict[int, float]]:
    """How alike a new message (its subject and text) is to each of the cases it is then
    asked about: what ``messages.matching_case`` weighs to tell the same matter.
    ``unstored`` holds case texts the caller already has, by id: those of cases planned
    but not inserted yet (a mail batch's new cases: their titles, as the case text would
    begin) and those it read for many messages at once (``texts_of``); the others are
    read here."""
    message = f"{subject}\n{text}"
    planned_texts = unstored if unstored is not None else {}

    # A new message's text is compared now and never again (a case's text is its own
    # string): its profile is made once, when first asked for (most mail is matched by
    # its references first), and kept out of the cache of case texts, which it would
    # only crowd.
    @cache
    def message_vector() -> Vector | None:
        return vector_of(message) if comparable(message) else None

    def alike(case_ids: Sequence[int]) -> dict[int, float]:
        wanted = message_vector()
        if wanted is None:
            return {}
        stored = [c for c in case_ids if c not in planned_texts]
        found = dict(_scored_stored(session, wanted, stored))
        found.update(
            _scored(wanted, [(c, planned_texts[c]) for c in case_ids if c in planned_texts])
        )
        return found

    return alike


def reindex(session: Session) -> dict[str, float | int]:
    """Write every case's text again from its title and messages (the triggers keep it
    in step; this repairs a database changed with them switched off)."""
    started = time.perf_counter()
    # Touching each case's title to itself would not fire the triggers (they skip
    # unchanged titles), so the texts are deleted and the triggers' own statement is
    # run for every case by re-inserting from the cases.
    session.execute(delete(CaseText))
    dialect = session.get_bind().dialect.name
    session.execute(text(_REBUILD_SQLITE if dialect == "sqlite" else _REBUILD_POSTGRESQL))
    count = session.scalar(select(func.count()).select_from(CaseText)) or 0
    return {"cases": int(count), "seconds": round(time.perf_counter() - started, 3)}


# The triggers' definition of a case's text (migration ``case_texts_similar``): title,
# then the first 3 inbound messages, each cut to 2,000 characters, newline-joined.
_FIRST = (
    "SELECT id, substr(text, 1, 2000) AS t FROM messages"
    " WHERE case_id = cases.id AND direction = 'inbound' ORDER BY id LIMIT 3"
)
_REBUILD_SQLITE = (
    "INSERT INTO case_texts (case_id, body) SELECT id, cases.title || coalesce(char(10)"  # noqa: S608
    f" || (SELECT group_concat(t, char(10)) FROM ({_FIRST})), '') FROM cases"
)
_REBUILD_POSTGRESQL = (
    "INSERT INTO case_texts (case_id, body) SELECT id, cases.title || coalesce(chr(10)"  # noqa: S608
    f" || (SELECT string_agg(t, chr(10) ORDER BY id) FROM ({_FIRST}) m), '') FROM cases"
)


def similar_cases(
    session: Session,
    *,
    case_id: int | None = None,
    text: str | None = None,
    k: int = 10,
    exclude: Sequence[int] = (),
) -> list[tuple[int, float]]:
    """The ``k`` cases most like a case (itself left out) or a text: (case id, cosine),
    best first.

    No permission check: callers filter by what their actor may see.
    """
    if case_id is not None and text is None:
        if session.get(Case, case_id) is None:
            raise NotFound(f"case {case_id} does not exist", code="case-not-found")
        return nearest(session, text_of(session, case_id), k=k, exclude=[*exclude, case_id])
    if text is not None and case_id is None:
        return nearest(session, text, k=k, exclude=exclude)
    raise InvalidInput("give a case or a text, not both", code="similar-query")


def similar_for(
    session: Session,
    case_id: int,
    *,
    actor: Actor,
    limit: int = 10,
) -> list[dict[str, Any]]:
    """Other cases whose text is most like this one's, best first, with a score in [0, 1]:
    the cosine of character trigrams (no word segmentation, so Thai works). Only cases
    the actor may see are listed."""
    cases.get_case(session, case_id, actor=actor)
    found = similar_cases(session, case_id=case_id, k=limit)
    if found and not actor.allows(Action.READ):
        allowed = set(
            session.scalars(
                cases.visible_cases(actor)
                .with_only_columns(Case.id)
                .where(Case.id.in_([c for c, _ in found]))
            )
        )
        found = [(c, score) for c, score in found if c in allowed]
    return [{"case_id": c, "score": round(score, 3)} for c, score in found]

"""The one place repeat and pattern detection ask which cases read like a given one.

Today it is the exact trigram cosine of ``textsim`` over the cases opened in the window
(title plus the first inbound messages, as ``cases show`` does). A faster index only has
to answer the same question: the cases opened in [since, until] most like this one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.messages.models import Message
from amends.messages.rules import Direction
from amends.patterns.textsim import profile, rank
from amends.text.fold import fold_words

# Exact comparison costs one profile per candidate; beyond this many cases in a window
# only the newest are compared, which keeps case creation quick until an index exists.
MAX_CANDIDATES = 1000
# A case's text: its title and its first inbound messages (the similar-case index too).
MESSAGES_PER_CASE = 3
# A few characters ("case 2", "Help!") say nothing about what failed; such texts are
# left to the category and the promise instead of matching everything short.
MIN_TEXT_CHARS = 12
# Building a profile is most of the cost and the same recent cases are compared again for
# every new one, so profiles are kept per text; a changed text is a new key, so nothing
# stale is ever used. Each is held as two small arrays (a few KB), not a dict of strings
# (tens of KB), so the cache stays a few MB.
PROFILE_CACHE = 4096
# Trigram -> column of the arrays, grown as texts are seen. It is bounded by the
# alphabets in use; past this size it starts again (with an empty profile cache).
VOCABULARY_LIMIT = 1_000_000
_vocabulary: dict[str, int] = {}
_generation = [0]  # how many times the vocabulary started again
# Server threads share the vocabulary: one at a time grows it and scores with it.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Vector:
    columns: NDArray[np.int64]
    weights: NDArray[np.float64]
    generation: int


@lru_cache(maxsize=PROFILE_CACHE)
def _vector(text: str) -> _Vector | None:
    """The text's trigram profile, or None when it is too short to say anything."""
    if len(fold_words(text)) < MIN_TEXT_CHARS:
        return None
    weights = profile(text)
    if len(_vocabulary) + len(weights) > VOCABULARY_LIMIT:
        _vocabulary.clear()
        _vector.cache_clear()  # every cached vector used the old columns
        _generation[0] += 1
    known = _vocabulary
    columns = [known.setdefault(gram, len(known)) for gram in weights]
    return _Vector(
        np.array(columns, dtype=np.int64),
        np.fromiter(weights.values(), np.float64, len(weights)),
        _generation[0],
    )


def _vectors(texts: list[str]) -> list[_Vector | None] | None:
    """Vectors of one generation for ``texts``; None if their trigrams alone overflow
    the vocabulary."""
    for _ in range(2):  # the vocabulary may start again midway, once
        found = [_vector(text) for text in texts]
        if all(v is None or v.generation == _generation[0] for v in found):
            return found
    return None


def _plain_cosines(own: str, texts: dict[int, str]) -> list[tuple[int, float]]:
    """The same scores as :func:`_cosines`, from the dicts (for texts too many to fit)."""
    comparable = {cid: t for cid, t in texts.items() if len(fold_words(t)) >= MIN_TEXT_CHARS}
    return rank(own, comparable, limit=len(comparable))


def _cosines(wanted: _Vector, others: list[_Vector]) -> NDArray[np.float64]:
    """The cosine of ``wanted`` with each of ``others`` (unit vectors: dot products), all
    at once: each other's weights times ``wanted``'s weight of the same trigram, summed
    per other."""
    dense = np.zeros(len(_vocabulary), dtype=np.float64)
    dense[wanted.columns] = wanted.weights
    columns = np.concatenate([o.columns for o in others])
    weights = np.concatenate([o.weights for o in others])
    starts = np.zeros(len(others), dtype=np.int64)
    np.cumsum([len(o.columns) for o in others[:-1]], out=starts[1:])
    # Every profile has at least one trigram, so no segment is empty.
    return np.add.reduceat(dense[columns] * weights, starts)


# session.info key of the case texts held by ``texts_held``.
_HELD = "amends.patterns.neighbour_texts"


@contextmanager
def texts_held(session: Session) -> Iterator[None]:
    """Within the block, each case's text is read from the database once.

    For judging many new cases in a row: each is compared with the same few hundred
    recent cases, whose texts would otherwise be read again for every one. Nothing in
    the block may record an inbound message or retitle a case, because a held text
    would then be stale; the texts are dropped when the block ends.
    """
    session.info[_HELD] = {}
    try:
        yield
    finally:
        session.info.pop(_HELD, None)


def _texts(session: Session, cases: Select[int, str]) -> dict[int, str]:
    """Each selected case's title with its first few inbound messages: what the customer
    said. ``cases`` selects (id, title) and is used as a subquery, so no list of ids
    travels to the database. Each case's first messages are picked from an index, so a
    long thread's later messages are never read."""
    titles = session.execute(cases).all()
    held: dict[int, str] | None = session.info.get(_HELD)
    if held is not None and all(cid in held for cid, _ in titles):
        return {cid: held[cid] for cid, _ in titles}
    parts: dict[int, list[str]] = {cid: [title] for cid, title in titles}
    if not parts:
        return {}
    chosen = cases.subquery()
    first = (
        select(Message.id)
        .where(Message.case_id == chosen.c.id, Message.direction == Direction.INBOUND)
        .order_by(Message.id)
        .limit(MESSAGES_PER_CASE)
        .correlate(chosen)
    )
    for cid, text in session.execute(
        select(chosen.c.id, Message.text)
        .select_from(chosen)
        .join(Message, Message.id.in_(first))
        .order_by(chosen.c.id, Message.id)
    ):
        if cid in parts:
            parts[cid].append(text)
    found = {cid: " ".join(texts) for cid, texts in parts.items()}
    if held is not None:
        held.update(found)
    return found


def similar_to(
    session: Session,
    case: Case,
    *,
    since: datetime,
    until: datetime,
    customer_id: int | None = None,
    limit: int = 100,
) -> list[tuple[int, float]]:
    """Cases opened in [since, until] (of one customer, if given) whose text is most like
    ``case``'s, best first, with a cosine score in [0, 1]."""
    own = _texts(session, select(Case.id, Case.title).where(Case.id == case.id))
    own_text = own.get(case.id, case.title)
    if len(fold_words(own_text)) < MIN_TEXT_CHARS:
        return []
    stmt = select(Case.id, Case.title).where(
        Case.id != case.id, Case.opened_at >= since, Case.opened_at <= until
    )
    if customer_id is not None:
        stmt = stmt.where(Case.customer_id == customer_id)
    texts = _texts(session, stmt.order_by(Case.opened_at.desc()).limit(MAX_CANDIDATES))
    with _LOCK:
        found = _vectors([own_text, *texts.values()])
        if found is None:
            scored = _plain_cosines(own_text, texts)
        else:
            wanted, *others = found
            assert wanted is not None
            comparable = [(cid, v) for cid, v in zip(texts, others, strict=True) if v is not None]
            scores = _cosines(wanted, [v for _, v in comparable]) if comparable else np.zeros(0)
            scored = [
                (cid, float(s)) for (cid, _), s in zip(comparable, scores, strict=True) if s > 0
            ]
    # Best first, ties by the lower id, as textsim.rank orders them.
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]

"""Which cases read like a given text: the one similarity engine (service layer, reads only).

Repeats, patterns and the similar-case search all ask it. It has one candidate source
and one scorer:

- candidates come from the database: each case's text (``case_texts``, kept by
  triggers in the same transaction as the case and its messages) and a trigram index
  over it (FTS5 ``trigram`` on SQLite, ``pg_trgm`` on PostgreSQL). When the cases asked
  about (a window, one customer) are few, all of them are candidates;
- every candidate is scored exactly by ``textsim.cosines`` of ``textsim.profile``,
  which depends on the two texts only (no corpus statistics), so every process on
  every machine gives the same scores for the same database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    column,
    delete,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases.models import Case
from amends.errors import InvalidInput, NotFound
from amends.patterns.models import CaseText
from amends.patterns.textsim import Vector, cosines, profile, trigrams, vector
from amends.people.rules import Action, Actor
from amends.text.fold import fold_words

# A few characters ("case 2", "Help!") say nothing about what failed; such texts are
# left to the category and the promise instead of matching everything short.
MIN_TEXT_CHARS = 12
# Cases the trigram index proposes per query; each is scored exactly. More finds more
# of the exact top 10 at the price of scoring them (see bench/similar.py).
CANDIDATES = 100
# When the cases asked about are this few (one customer's, a quiet window), every one
# of them is scored: nothing is left to the index's ranking.
SCORE_ALL_UP_TO = 1000
# Trigrams of the query the index is asked for. A long message has thousands; past
# this many, those spread evenly over it stand for it (candidates only: the score
# still uses the whole text).
QUERY_TRIGRAMS = 32
# PostgreSQL is given the folded query itself (pg_trgm makes its own trigrams), cut
# to about as many trigrams as SQLite is asked for.
QUERY_CHARS = 200
# Below this pg_trgm similarity a text is no candidate on PostgreSQL. Lower finds more
# distant texts, but every text above it is fetched and ranked: at 0.05 that is most of
# the corpus.
PG_THRESHOLD = 0.12
# Profiles of texts just scored: the same recent cases are compared again for every
# new one. Keyed by the text itself, so an edited case is a new key and nothing stale
# is ever used; every process computes the same value for a key.
PROFILE_CACHE = 4096


@lru_cache(maxsize=PROFILE_CACHE)
def _vector(body: str) -> Vector | None:
    """The text's profile as arrays, or None when it is too short to compare."""
    return vector(profile(body)) if comparable(body) else None


def comparable(body: str) -> bool:
    """Whether a text is long enough to be compared with others at all."""
    return len(fold_words(body)) >= MIN_TEXT_CHARS


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


# The FTS5 table the migration made (not a model: it has no columns of its own to map).
_FTS = table("case_texts_fts", column("rowid", Integer), column("rank"))
# PostgreSQL's generated column of folded text, which its GIN index covers.
_FOLDED = literal_column("case_texts.folded", Text)


def _fts_query(grams: Sequence[str]) -> str:
    # Each trigram is one quoted FTS5 string; quotes inside are doubled.
    return " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)


def _indexed(
    session: Session, query_text: str, where: list[ColumnElement[bool]], limit: int
) -> list[int]:
    """The ``limit`` cases the trigram index ranks first for the text, within ``where``."""
    grams = trigrams(query_text)
    if len(grams) > QUERY_TRIGRAMS:
        step = len(grams) / QUERY_TRIGRAMS
        grams = [grams[int(i * step)] for i in range(QUERY_TRIGRAMS)]
    if not grams:
        return []
    stmt: Select[int]
    if session.get_bind().dialect.name == "sqlite":
        stmt = (
            select(Case.id)
            .select_from(_FTS)
            .join(Case, Case.id == _FTS.c.rowid)
            .where(literal_column("case_texts_fts").op("MATCH")(_fts_query(grams)), *where)
            # bm25: many shared trigrams, the rarer ones weighing more.
            .order_by(_FTS.c.rank)
            .limit(limit)
        )
    else:
        # pg_trgm ranks by shared trigrams over all trigrams of both; ``%`` uses the GIN
        # index on amends_fold(body) with the threshold set for this transaction.
        session.execute(
            select(func.set_config("pg_trgm.similarity_threshold", str(PG_THRESHOLD), True))
        )
        folded = _FOLDED
        wanted = fold_words(query_text)[:QUERY_CHARS]
        stmt = (
            select(Case.id)
            .select_from(CaseText)
            .join(Case, Case.id == CaseText.case_id)
            .where(folded.op("%")(wanted), *where)
            .order_by(func.similarity(folded, wanted).desc(), Case.id)
            .limit(limit)
        )
    return list(session.scalars(stmt))


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
    if exclude:
        where.append(Case.id.not_in(list(exclude)))
    ids: list[int] = []
    if where:
        ids = list(
            session.scalars(
                select(Case.id)
                .where(*where)
                .order_by(Case.opened_at.desc())
                .limit(SCORE_ALL_UP_TO + 1)
            )
        )
    if not where or len(ids) > SCORE_ALL_UP_TO:
        ids = _indexed(session, query_text, where, max(CANDIDATES, k))
    return score(session, query_text, ids)[:k]


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
        return vector(profile(message)) if comparable(message) else None

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

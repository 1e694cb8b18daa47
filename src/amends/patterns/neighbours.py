"""The one place repeat and pattern detection ask which cases read like a given one.

Today it is the exact trigram cosine of ``textsim`` over the cases opened in the window
(title plus the first inbound messages, as ``cases show`` does). A faster index only has
to answer the same question: the cases opened in [since, until] most like this one.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.messages.models import Message
from amends.patterns.textsim import fold, profile

# Exact comparison costs one profile per candidate; beyond this many cases in a window
# only the newest are compared, which keeps case creation quick until an index exists.
MAX_CANDIDATES = 1000
MESSAGES_PER_CASE = 3
# A few characters ("case 2", "Help!") say nothing about what failed; such texts are
# left to the category and the promise instead of matching everything short.
MIN_TEXT_CHARS = 12
# Building a profile is most of the cost and the same recent cases are compared again for
# every new one, so profiles are kept per text (a few MB at this size); a changed text is
# a new key, so nothing stale is ever used.
PROFILE_CACHE = 4096


@lru_cache(maxsize=PROFILE_CACHE)
def _profile(text: str) -> dict[str, float] | None:
    """The text's trigram profile, or None when it is too short to say anything."""
    return profile(text) if len(fold(text)) >= MIN_TEXT_CHARS else None


def _texts(session: Session, cases: Select[int, str]) -> dict[int, str]:
    """Each selected case's title with its first few inbound messages: what the customer
    said. ``cases`` selects (id, title); messages are matched by subquery, so no list of
    ids travels to the database."""
    parts: dict[int, list[str]] = {cid: [title] for cid, title in session.execute(cases)}
    if not parts:
        return {}
    ids = cases.with_only_columns(Case.id).scalar_subquery()
    for cid, text in session.execute(
        select(Message.case_id, Message.text)
        .where(Message.case_id.in_(ids), Message.direction == "inbound")
        .order_by(Message.id)
    ):
        if cid in parts and len(parts[cid]) <= MESSAGES_PER_CASE:
            parts[cid].append(text)
    return {cid: " ".join(texts) for cid, texts in parts.items()}


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    # Complaints about different things share few trigrams; intersecting the key sets in
    # C first is several times faster than probing every trigram of one text.
    return sum(a[g] * b[g] for g in a.keys() & b.keys())


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
    wanted = _profile(own.get(case.id, case.title))
    if wanted is None:
        return []
    stmt = select(Case.id, Case.title).where(
        Case.id != case.id, Case.opened_at >= since, Case.opened_at <= until
    )
    if customer_id is not None:
        stmt = stmt.where(Case.customer_id == customer_id)
    texts = _texts(session, stmt.order_by(Case.opened_at.desc()).limit(MAX_CANDIDATES))
    scored = []
    for cid, text in texts.items():
        other = _profile(text)
        score = _dot(wanted, other) if other is not None else 0.0
        if score > 0:
            scored.append((cid, score))
    # Best first, ties by the lower id, as textsim.rank orders them.
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]

"""The one place repeat and pattern detection ask which cases read like a given one.

Today it is the exact trigram cosine of ``textsim`` over the cases opened in the window
(title plus the first inbound messages, as ``cases show`` does). A faster index only has
to answer the same question: the cases opened in [since, until] most like this one.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.messages.models import Message
from amends.patterns.textsim import cosine, fold, profile

# Exact comparison costs one profile per candidate; beyond this many cases in a window
# only the newest are compared, which keeps case creation quick until an index exists.
MAX_CANDIDATES = 2000
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


def case_texts(session: Session, case_ids: list[int]) -> dict[int, str]:
    """Each case's title with its first few inbound messages: what the customer said."""
    if not case_ids:
        return {}
    parts: dict[int, list[str]] = {
        cid: [title]
        for cid, title in session.execute(select(Case.id, Case.title).where(Case.id.in_(case_ids)))
    }
    for cid, text in session.execute(
        select(Message.case_id, Message.text)
        .where(Message.case_id.in_(case_ids), Message.direction == "inbound")
        .order_by(Message.id)
    ):
        if cid is not None and len(parts[cid]) <= MESSAGES_PER_CASE:
            parts[cid].append(text)
    return {cid: " ".join(texts) for cid, texts in parts.items()}


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
    stmt = select(Case.id).where(
        Case.id != case.id, Case.opened_at >= since, Case.opened_at <= until
    )
    if customer_id is not None:
        stmt = stmt.where(Case.customer_id == customer_id)
    ids = list(session.scalars(stmt.order_by(Case.opened_at.desc()).limit(MAX_CANDIDATES)))
    if not ids:
        return []
    texts = case_texts(session, [case.id, *ids])
    wanted = _profile(texts.pop(case.id, case.title))
    if wanted is None:
        return []
    scored = []
    for cid, text in texts.items():
        other = _profile(text)
        score = cosine(wanted, other) if other is not None else 0.0
        if score > 0:
            scored.append((cid, score))
    # Best first, ties by the lower id, as textsim.rank orders them.
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]

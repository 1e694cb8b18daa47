"""The one place repeat and pattern detection ask which cases read like a given one.

Today it is the exact trigram cosine of ``textsim`` over the cases opened in the window
(title plus the first inbound messages, as ``cases show`` does). A faster index only has
to answer the same question: the cases opened in [since, until] most like this one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.messages.models import Message
from amends.patterns.textsim import fold, rank

# Exact comparison costs one profile per candidate; beyond this many cases in a window
# only the newest are compared, which keeps case creation quick until an index exists.
MAX_CANDIDATES = 2000
MESSAGES_PER_CASE = 3
# A few characters ("case 2", "Help!") say nothing about what failed; such texts are
# left to the category and the promise instead of matching everything short.
MIN_TEXT_CHARS = 12


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
    query = texts.pop(case.id, case.title)
    if len(fold(query)) < MIN_TEXT_CHARS:
        return []
    candidates = {cid: text for cid, text in texts.items() if len(fold(text)) >= MIN_TEXT_CHARS}
    return rank(query, candidates, limit=limit)

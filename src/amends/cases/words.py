"""The search's word index (service layer): which words each case has, in its title or
in any of its messages, as ``text.words.index_words`` cuts them.

Adding is the common path (a case opens, a message arrives): the new text's words are
inserted, those already there kept. Anything that removes or moves text (a new title,
a merge, erasure) refreshes the case: its rows are replaced by the words of what it now
holds, so an erased word can no longer find it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from sqlalchemy import Integer, String, column, delete, select, table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from amends.cases.models import Case, CaseWord
from amends.text.words import index_words

# Messages are a domain above cases: their table is read here by name, not by model.
_MESSAGES = table(
    "messages", column("case_id", Integer), column("subject", String), column("text", String)
)
# Rows per INSERT: well under every engine's limit on parameters in one statement.
CHUNK = 400


def add(session: Session, texts: Mapping[int, Iterable[str]]) -> None:
    """Index the words of ``texts`` (case id -> texts) beside what the cases have."""
    rows = [
        {"word": word, "case_id": case_id}
        for case_id, parts in texts.items()
        for word in sorted(set().union(*(index_words(p) for p in parts if p)))
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(rows), CHUNK):
        stmt = insert(CaseWord).on_conflict_do_nothing(index_elements=["word", "case_id"])
        session.execute(stmt, rows[start : start + CHUNK])


def refresh(session: Session, case_ids: Collection[int]) -> None:
    """Index ``case_ids`` anew from their titles and messages as they are now."""
    session.flush()
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), CHUNK):
        _refresh(session, ids[start : start + CHUNK])


def _refresh(session: Session, ids: list[int]) -> None:
    session.execute(delete(CaseWord).where(CaseWord.case_id.in_(ids)))
    texts: dict[int, list[str]] = {case_id: [] for case_id in ids}
    for case_id, title in session.execute(select(Case.id, Case.title).where(Case.id.in_(ids))):
        texts[case_id].append(title)
    found = select(_MESSAGES.c.case_id, _MESSAGES.c.subject, _MESSAGES.c.text).where(
        _MESSAGES.c.case_id.in_(ids)
    )
    for case_id, subject, body in session.execute(found):
        texts[case_id] += [subject or "", body or ""]
    add(session, texts)

"""Where a merged case now lives: the pointer a stub keeps to its target (reads only).

Merging itself spans messages, compensation and patterns, so it is a flow in
``recovery.merging``; intake and the pages only need to follow the pointer.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases.models import CaseMerge

# A chain (B into A, then A into C) is followed this far; a longer one is not made by hand.
MAX_HOPS = 20


def active_merge(session: Session, source_id: int) -> CaseMerge | None:
    """The merge that made ``source_id`` a stub, unless it was undone."""
    return session.scalar(
        select(CaseMerge)
        .where(CaseMerge.source_id == source_id, CaseMerge.undone_at.is_(None))
        .order_by(CaseMerge.id.desc())
        .limit(1)
    )


def merge_targets(session: Session, case_ids: Iterable[int]) -> dict[int, int]:
    """Each stub among ``case_ids`` -> the case it was finally merged into."""
    wanted = set(case_ids)
    pointers: dict[int, int] = {}
    frontier = wanted
    for _ in range(MAX_HOPS):
        if not frontier:
            break
        found = dict(
            session.execute(
                select(CaseMerge.source_id, CaseMerge.target_id).where(
                    CaseMerge.source_id.in_(frontier), CaseMerge.undone_at.is_(None)
                )
            ).all()
        )
        pointers.update(found)
        frontier = set(found.values()) - pointers.keys()
    final: dict[int, int] = {}
    for case_id in wanted:
        at, hops = case_id, 0
        while at in pointers and hops < MAX_HOPS:
            at, hops = pointers[at], hops + 1
        if at != case_id:
            final[case_id] = at
    return final


def merged_into(session: Session, case_id: int) -> int | None:
    """The case a stub finally points to, or None when ``case_id`` is no stub."""
    return merge_targets(session, [case_id]).get(case_id)

"""Judging cases for repeats and patterns after the transaction that opened them.

Mail intake opens many cases in one short transaction and queues their judging
(``judging_queue``) in that same transaction, so no case is left unjudged: whichever
process drains the queue first (the intake run right after its commit, or the
``judge-cases`` job) judges it with :func:`service.cases_arrived`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.patterns.models import JudgingQueued
from amends.patterns.rules import in_rounds
from amends.patterns.service import cases_arrived
from amends.playbook.policy import Playbook

# Cases judged per transaction when the queue is drained: each takes a few milliseconds,
# so a transaction stays well under a second and never holds the write lock for long.
JUDGE_CHUNK = 100


def queue_judging(session: Session, cases: Sequence[Case], *, now: datetime) -> None:
    """Leave ``cases`` to :func:`judge_queued`, in the transaction that opened them."""
    if cases:
        session.execute(insert(JudgingQueued), [{"case_id": c.id, "queued_at": now} for c in cases])


def waiting(session: Session) -> int:
    """How many cases wait in the queue to be judged."""
    return session.scalar(select(func.count()).select_from(JudgingQueued)) or 0


def judge_queued(
    session: Session, *, now: datetime, playbook: Playbook, limit: int = JUDGE_CHUNK
) -> int:
    """Judge the oldest ``limit`` queued cases for repeats and patterns, as one by one
    would in the order they were opened, and take them off the queue; how many.

    The queue rows are taken by DELETE … RETURNING: of two processes draining at once,
    one gets each row (on PostgreSQL the other waits for the row and then finds it
    gone), so no case is judged twice at the same time.
    """
    oldest = list(
        session.scalars(select(JudgingQueued.case_id).order_by(JudgingQueued.case_id).limit(limit))
    )
    if not oldest:
        return 0
    taken = list(
        session.scalars(
            delete(JudgingQueued)
            .where(JudgingQueued.case_id.in_(oldest))
            .returning(JudgingQueued.case_id)
        )
    )
    if taken:
        due = list(session.scalars(select(Case).where(Case.id.in_(taken)).order_by(Case.id)))
        for round_ in in_rounds(due, lambda c: c.customer_id):
            cases_arrived(session, round_, now=now, playbook=playbook)
    return len(taken)


def drain_judging(
    transaction: Callable[[], AbstractContextManager[Session]],
    *,
    now: Callable[[], datetime],
    playbook: Playbook,
    max_cases: int | None = None,
) -> int:
    """Judge queued cases, :data:`JUDGE_CHUNK` per transaction, until the queue is empty
    (or ``max_cases`` were judged); how many were judged."""
    judged = 0
    while max_cases is None or judged < max_cases:
        chunk = JUDGE_CHUNK if max_cases is None else min(JUDGE_CHUNK, max_cases - judged)
        with transaction() as session:
            done = judge_queued(session, now=now(), playbook=playbook, limit=chunk)
        judged += done
        if done == 0:
            break
    return judged

"""Watch periods after a recovery (service layer: flushes only, the caller commits).

A case closed retained or won back puts the customer's next N promised deliveries on
its owner's watch list; the owner is told a day before each falls due. The first
failure was forgiven; a second one now is a pattern, so a miss during the watch is made
a critical repeat of the recovered case at once, whatever its own size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import clocks
from amends.cases import service as cases
from amends.cases.models import Case, Notification
from amends.cases.rules import EventKind, NotificationKind, Severity, case_ref
from amends.commitments.bulk import Missed
from amends.commitments.models import Breach, Commitment
from amends.commitments.occurrences import due_times
from amends.commitments.rules import CommitmentStatus
from amends.customers.models import Customer
from amends.people.models import User
from amends.people.rules import SYSTEM, Action, Actor, Role
from amends.playbook.policy import Playbook
from amends.web.i18n import english, said
from amends.web.vocabulary import N_
from amends.winback.models import Watch, WatchItem
from amends.winback.rules import WatchStatus

# How far ahead a watch looks for the next deliveries: a yearly promise still counts.
HORIZON = timedelta(days=400)
# A watch ends kept this long after its last deadline, once the sweep has surely judged it.
SETTLE = timedelta(days=1)


def start(session: Session, case: Case, *, now: datetime, playbook: Playbook) -> Watch | None:
    """The watch after ``case``'s recovery; None when the playbook watches nothing or the
    customer has no delivery ahead."""
    wanted = playbook.watch.commitments
    if wanted <= 0:
        return None
    existing = session.scalar(select(Watch).where(Watch.case_id == case.id))
    if existing is not None:
        return existing
    upcoming: list[tuple[datetime, datetime, Commitment]] = []
    for commitment in session.scalars(
        select(Commitment)
        .where(
            Commitment.customer_id == case.customer_id,
            Commitment.status == CommitmentStatus.ACTIVE,
            Commitment.due_at.is_not(None),
        )
        .order_by(Commitment.id)
    ):
        assert commitment.due_at is not None
        grace = timedelta(hours=commitment.grace_hours)
        for due in due_times(commitment.due_at, commitment.rrule, until=now + HORIZON, after=now)[
            :wanted
        ]:
            upcoming.append((due, due + grace, commitment))
    upcoming.sort(key=lambda item: (item[0], item[2].id))
    upcoming = upcoming[:wanted]
    if not upcoming:
        return None
    watch = Watch(
        customer_id=case.customer_id,
        case_id=case.id,
        owner_id=case.owner_id,
        status=WatchStatus.WATCHING,
        started_at=now,
        ends_at=max(deadline for _, deadline, _ in upcoming),
    )
    session.add(watch)
    session.flush()
    session.add_all(
        WatchItem(
            watch_id=watch.id,
            commitment_id=commitment.id,
            due_at=due,
            deadline=deadline,
        )
        for due, deadline, commitment in upcoming
    )
    text = said(
        N_("watch period: the next %(count)s deliveries are watched until %(until)s"),
        count=len(upcoming),
        until=watch.ends_at.isoformat(),
        fmt={"until": "when"},
    )
    cases.add_event(
        session,
        case=case,
        kind=EventKind.WINBACK,
        at=now,
        actor=SYSTEM,
        note=english(text),
        data={"watch_id": watch.id, "what": "watch", **text},
    )
    return watch


def remind(
    session: Session, *, now: datetime, playbook: Playbook, limit: int = 500
) -> dict[str, int]:
    """Tell each owner of a watched delivery falling due within the notice (a day by
    default), once; and end the watches whose every delivery passed without a miss."""
    # The promise's title is read from the promise, never copied: erasing a customer
    # erases it in one place.
    due = session.execute(
        select(WatchItem, Watch, Commitment.title)
        .join(Watch, Watch.id == WatchItem.watch_id)
        .join(Commitment, Commitment.id == WatchItem.commitment_id)
        .where(
            WatchItem.notified_at.is_(None),
            WatchItem.due_at <= now + playbook.watch.notice,
            WatchItem.due_at > now,
            Watch.status == WatchStatus.WATCHING,
        )
        .order_by(WatchItem.due_at, WatchItem.id)
        .limit(limit)
    ).all()
    names = _pairs(
        session.execute(
            select(Customer.id, Customer.name).where(
                Customer.id.in_({watch.customer_id for _, watch, _ in due})
            )
        )
    )
    for item, watch, title in due:
        item.notified_at = now
        told = said(
            N_(
                "%(ref)s: %(title)s for %(customer)s is due %(due)s. It is on your watch "
                "list after the recovery: a miss now would be a critical repeat."
            ),
            ref=case_ref(watch.case_id),
            title=title,
            customer=names.get(watch.customer_id, ""),
            due=item.due_at.isoformat(),
            fmt={"due": "when"},
        )
        session.add(
            Notification(
                user_id=watch.owner_id,
                case_id=watch.case_id,
                kind=NotificationKind.WATCH_DUE,
                text=english(told),
                data=told,
                created_at=now,
            )
        )
    kept = session.scalars(
        select(Watch).where(Watch.status == WatchStatus.WATCHING, Watch.ends_at < now - SETTLE)
    ).all()
    for watch in kept:
        watch.status = WatchStatus.KEPT
    session.flush()
    return {"reminded": len(due), "kept": len(kept)}


def missed(
    session: Session, misses: Sequence[Missed], *, now: datetime, playbook: Playbook
) -> list[int]:
    """Make every case that a miss during a watch opened or joined a critical repeat of
    the recovered case; the ids of the cases raised."""
    if not misses:
        return []
    customer_of = _pairs(
        session.execute(
            select(Commitment.id, Commitment.customer_id).where(
                Commitment.id.in_({m.commitment_id for m in misses})
            )
        )
    )
    watches = session.scalars(
        select(Watch).where(Watch.customer_id.in_(set(customer_of.values()))).order_by(Watch.id)
    ).all()
    if not watches:
        return []
    raised: list[int] = []
    for m in misses:
        customer_id = customer_of.get(m.commitment_id)
        during = [
            w
            for w in watches
            if w.customer_id == customer_id and w.started_at <= m.due_at <= w.ends_at
        ]
        case_id = session.scalar(select(Breach.case_id).where(Breach.id == m.breach_id))
        case = session.get(Case, case_id) if case_id is not None else None
        for watch in during:
            if case is None or case.id == watch.case_id:
                continue
            _critical_repeat(session, case, watch, m, now=now, playbook=playbook)
            raised.append(case.id)
    session.flush()
    return sorted(set(raised))


def _critical_repeat(
    session: Session, case: Case, watch: Watch, miss: Missed, *, now: datetime, playbook: Playbook
) -> None:
    before = case.severity
    case.repeat_of = sorted({*(case.repeat_of or []), watch.case_id})
    case.severity = Severity.CRITICAL
    if before != case.severity:
        clocks.retarget(case, playbook, old_severity=before, old_category=case.category)
    watch.status = WatchStatus.MISSED
    for item in session.scalars(
        select(WatchItem).where(
            WatchItem.watch_id == watch.id,
            WatchItem.commitment_id == miss.commitment_id,
            WatchItem.missed_case_id.is_(None),
        )
    ):
        if abs((item.due_at - miss.due_at).total_seconds()) < 1:
            item.missed_case_id = case.id
    title = session.scalar(select(Commitment.title).where(Commitment.id == miss.commitment_id))
    text = said(
        N_("%(title)s was missed during the watch after %(ref)s: a critical repeat"),
        title=title or "",
        ref=case_ref(watch.case_id),
    )
    cases.add_event(
        session,
        case=case,
        kind=EventKind.WATCH_MISSED,
        at=now,
        actor=SYSTEM,
        note=english(text),
        data={
            "watch_id": watch.id,
            "repeat_of": case.repeat_of,
            "severity_from": before,
            "severity_to": case.severity,
            **text,
        },
    )
    told = said(
        N_("%(ref)s: a delivery watched after %(recovered)s was missed; a critical repeat"),
        ref=case_ref(case.id),
        recovered=case_ref(watch.case_id),
    )
    managers = set(
        session.scalars(
            select(User.id).where(User.active, User.role.in_([Role.MANAGER, Role.OWNER]))
        )
    )
    for user_id in sorted(managers | {watch.owner_id, case.owner_id}):
        session.add(
            Notification(
                user_id=user_id,
                case_id=case.id,
                kind=NotificationKind.REPEAT_FAILURE,
                text=english(told),
                data=told,
                created_at=now,
            )
        )


def watch_list(
    session: Session, *, actor: Actor, everyone: bool = False, limit: int = 200
) -> list[dict[str, Any]]:
    """The watched deliveries of running watches: the actor's own, or (a manager asking)
    everyone's; soonest first."""
    stmt = (
        select(WatchItem, Watch, Customer.name, Commitment.title)
        .join(Watch, Watch.id == WatchItem.watch_id)
        .join(Customer, Customer.id == Watch.customer_id)
        .join(Commitment, Commitment.id == WatchItem.commitment_id)
        .where(Watch.status.in_([WatchStatus.WATCHING, WatchStatus.MISSED]))
        .order_by(WatchItem.due_at, WatchItem.id)
        .limit(limit)
    )
    if not (everyone and actor.allows(Action.MANAGE)) and actor.user_id is not None:
        stmt = stmt.where(Watch.owner_id == actor.user_id)
    if not actor.allows(Action.READ) and actor.user_id is not None:
        stmt = stmt.where(Watch.owner_id == actor.user_id)
    return [
        {
            "watch_id": watch.id,
            "case_id": watch.case_id,
            "customer_id": watch.customer_id,
            "customer": name,
            "owner_id": watch.owner_id,
            "status": watch.status.value,
            "commitment_id": item.commitment_id,
            "title": title,
            "due_at": item.due_at.isoformat(),
            "deadline": item.deadline.isoformat(),
            "notified_at": item.notified_at.isoformat() if item.notified_at else None,
            "missed_case_id": item.missed_case_id,
        }
        for item, watch, name, title in session.execute(stmt).all()
    ]


def _pairs(rows: Any) -> dict[Any, Any]:
    """Two-column rows as a mapping from the first column to the second."""
    return {row[0]: row[1] for row in rows}

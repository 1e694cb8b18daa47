"""Corrective actions: the change that stops a failure from happening again.

An action names its root cause, the change (a quality check, staffing, stock, tooling,
one named contact, how customers are told of problems), an owner and a due date. It is
linked to the cases and patterns it fixes; every link and status change goes on those
cases' timelines. Whether it worked is computed, not claimed: cases like the ones it
fixed that opened after the change was done.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases.models import Case
from amends.cases.rules import Category, EventKind
from amends.errors import N_, Forbidden, InvalidInput, NotFound, said
from amends.paging import Page, paginate
from amends.patterns.models import ActionCase, ActionPattern, CorrectiveAction, Pattern, PatternCase
from amends.patterns.rules import (
    ActionStatus,
    ChangeKind,
    PatternPolicy,
    PatternStatus,
    next_status,
    pattern_transition,
    verdict,
)
from amends.patterns.schemas import ActionOut, ActionOwnerOut, VerificationOut
from amends.people.models import User
from amends.people.rules import Action, Actor, Role
from amends.people.service import require
from amends.text.detect import detect_language
from amends.text.languages import SPOKEN, spoken

MAX_LISTED_REPEATS = 100
OPEN_STATUSES = frozenset({ActionStatus.PLANNED, ActionStatus.IN_PROGRESS})


def action_ref(action_id: int) -> str:
    return f"A-{action_id}"


def _owner(session: Session, owner_id: int) -> User:
    owner = session.get(User, owner_id)
    if owner is None or not owner.active:
        raise InvalidInput(f"owner {owner_id} is not an active user", code="owner-not-found")
    if owner.role is Role.VIEWER:
        raise InvalidInput(
            f"{owner.name} is a viewer and cannot own a corrective action",
            code="owner-not-allowed",
        )
    return owner


def owner_by_email(session: Session, email: str, *, actor: Actor) -> int:
    """The id of the person who will own an action (checked before anything else is
    looked up, so only those who may record actions learn who exists)."""
    require(actor, Action.WRITE)
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise InvalidInput(f"no user with the email {email}", code="owner-not-found")
    return user.id


def _linked_case_ids(session: Session, action_id: int) -> list[int]:
    return list(
        session.scalars(
            select(ActionCase.case_id)
            .where(ActionCase.action_id == action_id)
            .order_by(ActionCase.case_id)
        )
    )


def _linked_pattern_ids(session: Session, action_id: int) -> list[int]:
    return list(
        session.scalars(
            select(ActionPattern.pattern_id)
            .where(ActionPattern.action_id == action_id)
            .order_by(ActionPattern.pattern_id)
        )
    )


def affected_case_ids(session: Session, action_id: int) -> list[int]:
    """The cases an action fixes: linked directly or through a linked pattern."""
    direct = set(_linked_case_ids(session, action_id))
    through = session.scalars(
        select(PatternCase.case_id)
        .join(ActionPattern, ActionPattern.pattern_id == PatternCase.pattern_id)
        .where(ActionPattern.action_id == action_id)
    )
    return sorted(direct | set(through))


def _announce(
    session: Session,
    item: CorrectiveAction,
    case_ids: Iterable[int],
    *,
    kind: EventKind,
    actor: Actor,
    now: datetime,
    note: str,
    said_: dict[str, Any] | None = None,
) -> None:
    data: dict[str, Any] = {
        "action_id": item.id,
        "change_kind": item.change_kind,
        "status": item.status,
        "description": item.description,
        **(said_ or {}),
    }
    for cid in sorted(set(case_ids)):
        case = session.get(Case, cid)
        if case is not None:
            cases.add_event(
                session, case=case, kind=kind, at=now, actor=actor, note=note, data=data
            )


def _check_links(
    session: Session, *, actor: Actor, case_ids: Sequence[int], pattern_ids: Sequence[int]
) -> None:
    for cid in case_ids:
        cases.get_case(session, cid, actor=actor)  # NotFound for cases the actor cannot see
    for pid in pattern_ids:
        if session.get(Pattern, pid) is None:
            raise NotFound(f"pattern {pid} does not exist", code="pattern-not-found")


def _link(
    session: Session,
    item: CorrectiveAction,
    *,
    actor: Actor,
    now: datetime,
    case_ids: Sequence[int],
    pattern_ids: Sequence[int],
) -> None:
    before = set(affected_case_ids(session, item.id))
    have_cases = set(_linked_case_ids(session, item.id))
    have_patterns = set(_linked_pattern_ids(session, item.id))
    for cid in dict.fromkeys(case_ids):
        if cid not in have_cases:
            session.add(ActionCase(action_id=item.id, case_id=cid))
    for pid in dict.fromkeys(pattern_ids):
        if pid not in have_patterns:
            session.add(ActionPattern(action_id=item.id, pattern_id=pid))
            pattern = session.get(Pattern, pid)
            if pattern is not None and pattern.status is PatternStatus.OPEN:
                pattern.status = pattern_transition(pattern.status, PatternStatus.ADDRESSED)
                pattern.updated_at = now
    session.flush()
    added = set(affected_case_ids(session, item.id)) - before
    _announce(
        session,
        item,
        added,
        kind=EventKind.CORRECTIVE_ACTION_LINKED,
        actor=actor,
        now=now,
        note=f"{action_ref(item.id)}: {item.description}",
    )


def add_action(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    root_cause: str,
    change_kind: ChangeKind,
    description: str,
    owner_id: int,
    due_on: date,
    case_ids: Sequence[int] = (),
    pattern_ids: Sequence[int] = (),
    wordings: Mapping[str, str] | None = None,
) -> CorrectiveAction:
    """Record a corrective action and link it to the cases and patterns it fixes.
    ``wordings`` tells the change in other languages (language -> sentence); the
    description counts as the wording of the language it is written in."""
    require(actor, Action.WRITE)
    root_cause, description = root_cause.strip(), description.strip()
    if len(root_cause) < 3:
        raise InvalidInput(
            "say what caused the failure (the root cause)", code="root-cause-missing"
        )
    if len(description) < 3:
        raise InvalidInput(
            "describe the change so customers can be told what is different now",
            code="change-missing",
        )
    if not case_ids and not pattern_ids:
        raise InvalidInput(
            "link the action to at least one case or pattern it fixes", code="action-unlinked"
        )
    _owner(session, owner_id)
    _check_links(session, actor=actor, case_ids=case_ids, pattern_ids=pattern_ids)
    told = _as_written(description)
    for language, text in (wordings or {}).items():
        told = _worded(told, language, text)
    item = CorrectiveAction(
        root_cause=root_cause,
        change_kind=change_kind,
        description=description,
        # Unknown languages (nothing detected, nothing given) stay None: told as written.
        wordings=told or None,
        owner_id=owner_id,
        due_on=due_on,
        status=ActionStatus.PLANNED,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    session.flush()
    _link(session, item, actor=actor, now=now, case_ids=case_ids, pattern_ids=pattern_ids)
    return item


def _as_written(description: str) -> dict[str, str]:
    """The description as the wording of the language it is written in, when that is
    one the coach speaks and can be told."""
    written_in = spoken(detect_language(description, SPOKEN))
    return {written_in: description} if written_in is not None else {}


def _worded(wordings: Mapping[str, str], language: str, text: str) -> dict[str, str]:
    """``wordings`` with ``language``'s sentence set (or removed, when ``text`` is empty)."""
    code = spoken(language)
    if code is None:
        raise InvalidInput.saying(
            N_("customers are told a change in %(languages)s"),
            code="language-unknown",
            languages=", ".join(SPOKEN),
        )
    text = text.strip()
    if text and len(text) < 3:
        raise InvalidInput(
            "describe the change so customers can be told what is different now",
            code="change-missing",
        )
    changed = {k: v for k, v in wordings.items() if k != code}
    return changed | {code: text} if text else changed


def set_wording(
    session: Session, action_id: int, *, actor: Actor, now: datetime, language: str, text: str
) -> CorrectiveAction:
    """Tell the change to customers of ``language`` in these words; empty removes them (the
    drafts of that language then name the kind of change alone)."""
    require(actor, Action.WRITE)
    item = get_action(session, action_id, actor=actor)
    # An action recorded before wordings were kept starts from its description.
    known = item.wordings if item.wordings is not None else _as_written(item.description)
    item.wordings = _worded(known, language, text)
    item.updated_at = now
    session.flush()
    return item


def link(
    session: Session,
    action_id: int,
    *,
    actor: Actor,
    now: datetime,
    case_ids: Sequence[int] = (),
    pattern_ids: Sequence[int] = (),
) -> CorrectiveAction:
    require(actor, Action.WRITE)
    item = get_action(session, action_id, actor=actor)
    _check_links(session, actor=actor, case_ids=case_ids, pattern_ids=pattern_ids)
    _link(session, item, actor=actor, now=now, case_ids=case_ids, pattern_ids=pattern_ids)
    item.updated_at = now
    return item


def repeats_after(session: Session, item: CorrectiveAction, *, limit: int = 0) -> list[int]:
    """Cases like the fixed ones opened after the change was done: new members of its
    patterns; for a change fixing cases in no pattern, new cases in their categories
    (other than "other"). A pattern's category also holds complaints it never had, so
    they would keep a working change from ever being verified."""
    if item.done_at is None:
        return []
    patterns_of = select(ActionPattern.pattern_id).where(ActionPattern.action_id == item.id)
    conditions: list[ColumnElement[bool]] = [
        Case.id.in_(select(PatternCase.case_id).where(PatternCase.pattern_id.in_(patterns_of)))
    ]
    if session.scalar(patterns_of.limit(1)) is None:
        fixed = select(ActionCase.case_id).where(ActionCase.action_id == item.id)
        categories = set(
            session.scalars(select(Case.category).where(Case.id.in_(fixed)).distinct())
        )
        categories.discard(Category.OTHER)
        if categories:
            conditions.append(Case.category.in_(sorted(categories)))
    stmt = select(Case.id).where(Case.opened_at > item.done_at, or_(*conditions)).order_by(Case.id)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def _resolve_patterns(session: Session, item: CorrectiveAction, *, now: datetime) -> None:
    for pid in _linked_pattern_ids(session, item.id):
        pattern = session.get(Pattern, pid)
        if pattern is None:
            continue
        if item.status is ActionStatus.VERIFIED:
            pattern.status = pattern_transition(pattern.status, PatternStatus.RESOLVED)
            pattern.resolved_at = now
        elif pattern.status is PatternStatus.RESOLVED:
            # The change that resolved it was reopened: the pattern is live again.
            verified = session.scalar(
                select(CorrectiveAction.id)
                .join(ActionPattern, ActionPattern.action_id == CorrectiveAction.id)
                .where(
                    ActionPattern.pattern_id == pid,
                    CorrectiveAction.status == ActionStatus.VERIFIED,
                    CorrectiveAction.id != item.id,
                )
                .limit(1)
            )
            if verified is None:
                pattern.status = pattern_transition(pattern.status, PatternStatus.ADDRESSED)
                pattern.resolved_at = None
        pattern.updated_at = now


def set_status(
    session: Session,
    action_id: int,
    *,
    actor: Actor,
    now: datetime,
    status: ActionStatus,
    note: str = "",
) -> CorrectiveAction:
    """Move the action on; its owner may do so even without general write rights (an
    employee fixing the cause of a complaint reports their own progress)."""
    item = get_action(session, action_id, actor=actor)
    if not actor.allows(Action.WRITE) and actor.user_id != item.owner_id:
        raise Forbidden("only the action's owner or someone who handles cases may change it")
    current = item.status
    wanted = next_status(current, status, repeats_after=len(repeats_after(session, item)))
    item.status = wanted
    item.updated_at = now
    if wanted is ActionStatus.DONE:
        item.done_at = now
    elif wanted is ActionStatus.VERIFIED:
        item.verified_at = now
    else:
        item.done_at = None
        item.verified_at = None
    _resolve_patterns(session, item, now=now)
    session.flush()
    _announce(
        session,
        item,
        affected_case_ids(session, item.id),
        kind=EventKind.CORRECTIVE_ACTION_STATUS,
        actor=actor,
        now=now,
        note=note or f"{action_ref(item.id)}: {current.value} → {wanted.value}",
        said_=None
        if note
        else said(
            N_("%(action)s: %(before)s → %(after)s"),
            action=action_ref(item.id),
            before=current.value,
            after=wanted.value,
            fmt={"before": "tr", "after": "tr"},
        ),
    )
    return item


def _visible(actor: Actor) -> list[ColumnElement[bool]]:
    if actor.allows(Action.READ):
        return []
    seen = cases.visible_cases(actor).with_only_columns(Case.id)
    return [
        or_(
            CorrectiveAction.owner_id == actor.user_id,
            CorrectiveAction.id.in_(
                select(ActionCase.action_id).where(ActionCase.case_id.in_(seen))
            ),
            CorrectiveAction.id.in_(
                select(ActionPattern.action_id)
                .join(PatternCase, PatternCase.pattern_id == ActionPattern.pattern_id)
                .where(PatternCase.case_id.in_(seen))
            ),
        )
    ]


def get_action(session: Session, action_id: int, *, actor: Actor) -> CorrectiveAction:
    item = session.scalar(
        select(CorrectiveAction).where(CorrectiveAction.id == action_id, *_visible(actor))
    )
    # An action the actor may not see answers like a missing one.
    if item is None:
        raise NotFound(f"corrective action {action_id} does not exist", code="action-not-found")
    return item


def list_actions(
    session: Session,
    *,
    actor: Actor,
    status: ActionStatus | None = None,
    pattern_id: int | None = None,
    case_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[CorrectiveAction]:
    stmt = select(CorrectiveAction).where(*_visible(actor))
    if status is not None:
        stmt = stmt.where(CorrectiveAction.status == status)
    if pattern_id is not None:
        stmt = stmt.where(
            CorrectiveAction.id.in_(
                select(ActionPattern.action_id).where(ActionPattern.pattern_id == pattern_id)
            )
        )
    if case_id is not None:
        stmt = stmt.where(
            CorrectiveAction.id.in_(
                select(ActionCase.action_id).where(ActionCase.case_id == case_id)
            )
        )
    stmt = stmt.order_by(CorrectiveAction.id.desc())
    return paginate(session, stmt, limit=limit, offset=offset)


def actions_for_case(session: Session, case_id: int) -> list[CorrectiveAction]:
    """Actions that fix this case, directly or through its patterns, newest first."""
    through = (
        select(ActionPattern.action_id)
        .join(PatternCase, PatternCase.pattern_id == ActionPattern.pattern_id)
        .where(PatternCase.case_id == case_id)
    )
    direct = select(ActionCase.action_id).where(ActionCase.case_id == case_id)
    return list(
        session.scalars(
            select(CorrectiveAction)
            .where(or_(CorrectiveAction.id.in_(direct), CorrectiveAction.id.in_(through)))
            .order_by(CorrectiveAction.id.desc())
        )
    )


def present(
    session: Session,
    items: Sequence[CorrectiveAction],
    *,
    actor: Actor,
    now: datetime,
    policy: PatternPolicy,
) -> list[ActionOut]:
    """Actions as the API and CLI show them, with the verification computed now."""
    owners = cases.owner_names(session, {item.owner_id for item in items})
    seen: set[int] | None = None
    if not actor.allows(Action.READ):
        seen = set(session.scalars(cases.visible_cases(actor).with_only_columns(Case.id)))
    shown = []
    for item in items:
        owner = owners[item.owner_id]
        case_ids = _linked_case_ids(session, item.id)
        if seen is not None:
            case_ids = [cid for cid in case_ids if cid in seen]
        repeat_ids = repeats_after(session, item)
        shown.append(
            ActionOut(
                id=item.id,
                ref=action_ref(item.id),
                root_cause=item.root_cause,
                change_kind=item.change_kind,
                description=item.description,
                wordings=item.wordings or {},
                owner=ActionOwnerOut(id=owner.id, name=owner.name, email=owner.email),
                due_on=item.due_on,
                overdue=item.due_on < now.date() and item.status in OPEN_STATUSES,
                status=item.status,
                created_at=item.created_at,
                done_at=item.done_at,
                verified_at=item.verified_at,
                case_ids=case_ids,
                pattern_ids=_linked_pattern_ids(session, item.id),
                verification=VerificationOut(
                    verdict=verdict(
                        done_at=item.done_at,
                        repeats_after=len(repeat_ids),
                        now=now,
                        watch=policy.window,
                    ),
                    repeats_after=len(repeat_ids),
                    repeat_case_ids=repeat_ids[:MAX_LISTED_REPEATS]
                    if seen is None
                    else [cid for cid in repeat_ids if cid in seen][:MAX_LISTED_REPEATS],
                    watch_days=policy.window // timedelta(days=1),
                ),
            )
        )
    return shown

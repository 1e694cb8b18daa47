"""Repeat and pattern detection on cases (service layer: flushes only).

Both run when a case opens and again once the customer's first message is stored
(a complaint's case opens before its text is kept), and both are idempotent, so the
backfill command can run them over history any number of times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.orm import Session

from amends.cases import clocks
from amends.cases import service as cases
from amends.cases.models import Case, Notification
from amends.cases.rules import Category, EventKind, NotificationKind, Origin, case_ref
from amends.customers.models import Customer
from amends.errors import Conflict, InvalidInput, NotFound
from amends.paging import Page, paginate
from amends.patterns import similar
from amends.patterns.models import (
    ActionCase,
    ActionPattern,
    CaseText,
    Pattern,
    PatternCase,
)
from amends.patterns.rules import (
    Clustering,
    Neighbour,
    PastCase,
    PatternPolicy,
    PatternStatus,
    cluster,
    is_similar,
    name_alike,
    named_things,
    raised,
    repeats,
    shared_name,
)
from amends.patterns.schemas import PatternOut
from amends.people.models import User
from amends.people.rules import SYSTEM, Action, Actor, Role
from amends.playbook.policy import Playbook
from amends.web.i18n import english, said
from amends.web.vocabulary import N_


def pattern_ref(pattern_id: int) -> str:
    return f"P-{pattern_id}"


# Ids per IN list: well under every engine's bound on parameters in one statement.
CHUNK = 900


def case_arrived(session: Session, case: Case, *, now: datetime, playbook: Playbook) -> None:
    """Everything that looks across cases when one opens or its first text arrives."""
    flag_repeats(session, case, now=now, playbook=playbook)
    detect_pattern(session, case, now=now, policy=playbook.patterns)


def cases_arrived(
    session: Session, cases: Sequence[Case], *, now: datetime, playbook: Playbook
) -> None:
    """:func:`case_arrived` for each of ``cases`` in turn, with the same outcome, in few
    statements: what a sweep that opens thousands of cases at once needs.

    The outcome is the same only if no case's customer has another case in ``cases``
    (``cases.open_cases`` opens them in such rounds); otherwise they go one by one.
    """
    if len({case.customer_id for case in cases}) < len(cases):
        for case in cases:
            case_arrived(session, case, now=now, playbook=playbook)
        return
    managers = _manager_ids(session)
    policy = playbook.patterns
    histories = _histories(
        session,
        [case.customer_id for case in cases],
        since=min((case.opened_at for case in cases), default=now) - policy.repeat_window,
    )

    def flag(case: Case) -> None:
        # A case's repeats are its own customer's earlier cases, which judging other
        # customers' cases does not change: one query serves them all.
        _flag(session, case, histories.get(case.customer_id, []), now, playbook, managers)

    # Cases that share a category and an opening time share the answer of
    # _category_pattern_at; once it names a pattern, every later one of them that is in no
    # pattern yet joins it alone, and joining does not change that answer. So the rest
    # of such a run joins at once; only the cases before the pattern exists go alone.
    index = 0
    while index < len(cases):
        first = cases[index]
        end = index + 1
        while (
            end < len(cases)
            and _found_kind(cases[end]) == _found_kind(first)
            and cases[end].opened_at == first.opened_at
        ):
            end += 1
        while index < end:
            pattern_id = _category_pattern_at(session, _found_kind(first), first.opened_at, policy)
            if pattern_id is None:
                flag(cases[index])
                detect_pattern(session, cases[index], now=now, policy=policy)
                index += 1
                continue
            run = cases[index:end]
            for case in run:
                flag(case)  # each case's events stay in the order one by one gives
            member_of = _unresolved_pattern_of(session, [c.id for c in run])
            _join_existing(session, pattern_id, [c for c in run if c.id not in member_of], now=now)
            index = end


def _join_existing(
    session: Session, pattern_id: int, cases: Sequence[Case], *, now: datetime
) -> None:
    """:func:`_join` for a pattern known by its id; nothing when ``cases`` is empty."""
    if cases:
        pattern = session.get(Pattern, pattern_id)
        assert pattern is not None
        _join(session, pattern, cases, now=now)


def _manager_ids(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(User.id).where(User.active, User.role.in_([Role.MANAGER, Role.OWNER]))
        )
    )


def _notify_managers(
    session: Session,
    *,
    case_id: int,
    kind: NotificationKind,
    text: dict[str, Any],
    now: datetime,
    managers: Sequence[int] | None = None,
) -> None:
    """``text`` is said (web.i18n.said) in each manager's language when they read it."""
    for user_id in _manager_ids(session) if managers is None else managers:
        session.add(
            Notification(
                user_id=user_id,
                case_id=case_id,
                kind=kind,
                created_at=now,
                text=english(text),
                data=text,
            )
        )


def flag_repeats(session: Session, case: Case, *, now: datetime, playbook: Playbook) -> list[int]:
    """Mark ``case`` as a repeat of earlier ones, raise its severity and tell the managers.

    Severity goes up once, when the case is first found to be a repeat; later matches
    (its text arrived) are added to ``repeat_of`` and the timeline only.
    """
    since = case.opened_at - playbook.patterns.repeat_window
    history = _histories(session, [case.customer_id], since=since).get(case.customer_id, [])
    return _flag(session, case, history, now, playbook, None)


def _histories(
    session: Session, customer_ids: Sequence[int], *, since: datetime
) -> dict[int, list[PastCase]]:
    """Each customer's cases opened since ``since``."""
    found: dict[int, list[PastCase]] = {}
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), CHUNK):
        for row in session.execute(
            select(
                Case.id,
                Case.customer_id,
                Case.category,
                Case.category_confidence,
                Case.opened_at,
                Case.commitment_id,
            ).where(Case.customer_id.in_(ids[start : start + CHUNK]), Case.opened_at >= since)
        ):
            kind = row.category if row.category_confidence is None else Category.OTHER
            found.setdefault(row.customer_id, []).append(
                PastCase(row.id, kind, row.opened_at, row.commitment_id)
            )
    return found


def _flag(
    session: Session,
    case: Case,
    history: list[PastCase],
    now: datetime,
    playbook: Playbook,
    managers: Sequence[int] | None,
) -> list[int]:

    policy = playbook.patterns
    since = case.opened_at - policy.repeat_window
    # Only cases before this one: opened earlier, or at the same moment but recorded
    # first. A batch inserts all its cases before judging them, and must judge each as
    # it would have been judged alone.
    history = [
        past
        for past in history
        if past.opened_at >= since and (past.opened_at, past.id) < (case.opened_at, case.id)
    ]
    if not history:
        return []
    rule = partial(
        repeats,
        category=_kind(case),
        commitment_id=case.commitment_id,
        opened_at=case.opened_at,
        history=history,
        window=policy.repeat_window,
    )
    found = rule()
    # Comparing texts is the costly part; it can only add an earlier case in the window
    # that the promise and the category did not already match.
    if len(found) < len(rule(similar=frozenset(past.id for past in history))):
        similar = frozenset(
            cid
            for cid, score in _similar_to(
                session, case, since=since, until=case.opened_at, customer_id=case.customer_id
            )
            if score >= policy.text_similarity
        )
        found = rule(similar=similar)
    known = list(case.repeat_of or [])
    new = [cid for cid in found if cid not in known]
    if not new:
        return []
    before = case.severity
    case.repeat_of = sorted({*known, *new})
    if not known:
        case.severity = raised(before)
        if case.severity != before:
            clocks.retarget(case, playbook, old_severity=before, old_category=case.category)
    refs = ", ".join(case_ref(i) for i in new)
    repeat_note = said(N_("repeats %(refs)s"), refs=refs)
    cases.add_event(
        session,
        case=case,
        kind=EventKind.REPEAT_DETECTED,
        at=now,
        actor=SYSTEM,
        note=english(repeat_note),
        data={
            "repeat_of": case.repeat_of,
            "severity_from": before,
            "severity_to": case.severity,
            **repeat_note,
        },
        flush=False,
    )
    _notify_managers(
        session,
        case_id=case.id,
        kind=NotificationKind.REPEAT_FAILURE,
        text=said(N_("%(ref)s repeats %(refs)s"), ref=case_ref(case.id), refs=refs),
        now=now,
        managers=managers,
    )
    session.flush()
    return new


# --- systemic patterns -------------------------------------------------------------------


def _unresolved_pattern_of(session: Session, case_ids: list[int]) -> dict[int, int]:
    """Case id -> the oldest unresolved pattern it belongs to."""
    found: dict[int, int] = {}
    for start in range(0, len(case_ids), CHUNK):
        rows = session.execute(
            select(PatternCase.case_id, func.min(PatternCase.pattern_id))
            .join(Pattern, Pattern.id == PatternCase.pattern_id)
            .where(
                PatternCase.case_id.in_(case_ids[start : start + CHUNK]),
                Pattern.status != PatternStatus.RESOLVED,
            )
            .group_by(PatternCase.case_id)
        )
        found.update((int(case_id), int(pattern_id)) for case_id, pattern_id in rows)
    return found


def _similar_to(
    session: Session,
    case: Case,
    *,
    since: datetime,
    until: datetime,
    customer_id: int | None = None,
) -> list[tuple[int, float]]:
    """Other cases opened in [since, until] (of one customer, if given) whose text is like
    ``case``'s, best first: the question repeats and patterns both ask."""
    return similar.nearest(
        session,
        similar.text_of(session, case.id),
        k=100,
        since=since,
        until=until,
        customer_id=customer_id,
        exclude=[case.id],
    )


def _kind(case: Case) -> Category:
    """The category that groups a case with others on its own: one a person or a rule
    set. A category the text model guessed may be wrong, and unrelated complaints would
    form a pattern by it; such cases group by their texts alone, as "other" does."""
    return Category(case.category) if case.category_confidence is None else Category.OTHER


def _found_kind(case: Case) -> Category:
    """The category that makes a pattern on its own: the sweep's, a rule's finding that
    a promise was broken. A complaint's category also needs a shared name (see
    rules.is_similar)."""
    return _kind(case) if case.origin == Origin.BREACH else Category.OTHER


def _neighbours(session: Session, case: Case, policy: PatternPolicy) -> list[Neighbour]:
    since, until = case.opened_at - policy.window, case.opened_at + policy.window
    scores = dict(_similar_to(session, case, since=since, until=until))
    texty = [cid for cid, score in scores.items() if score >= policy.text_similarity]
    stmt = select(
        Case.id, Case.customer_id, Case.category, Case.category_confidence, Case.origin
    ).where(Case.id != case.id)
    rows: dict[int, tuple[int, str, bool]] = {}
    kind = _kind(case)
    if policy.by_category and kind is not Category.OTHER:
        # Bounded like the text search (and kept under every engine's parameter limit).
        for cid, customer_id, category, _, origin in session.execute(
            stmt.where(
                Case.category == kind,
                Case.category_confidence.is_(None),
                Case.opened_at >= since,
                Case.opened_at <= until,
            )
            .order_by(Case.opened_at.desc())
            .limit(similar.SCORE_ALL_UP_TO)
        ):
            rows[cid] = (customer_id, category, origin == Origin.BREACH)
    if texty:
        for cid, customer_id, category, guessed, origin in session.execute(
            stmt.where(Case.id.in_(texty))
        ):
            rows[cid] = (
                customer_id,
                category if guessed is None else Category.OTHER,
                origin == Origin.BREACH,
            )
    breach = case.origin == Origin.BREACH
    unsure = [
        cid
        for cid, (_, category, found) in rows.items()
        if category == kind and not (found and breach) and cid not in texty
    ]
    alike = _named_alike(session, case, unsure)
    member_of = _unresolved_pattern_of(session, list(rows))
    return [
        Neighbour(cid, customer_id, member_of.get(cid))
        for cid, (customer_id, category, found) in sorted(rows.items())
        if is_similar(
            category=kind,
            other_category=category,
            score=scores.get(cid, 0.0),
            policy=policy,
            named_alike=(found and breach) or cid in alike,
        )
    ]


def _named_alike(session: Session, case: Case, others: list[int]) -> set[int]:
    """Those of ``others`` whose texts name a thing the case's text names (rules.
    named_things): the courier written in four languages, the product, the employee."""
    if not others:
        return set()
    found = select(CaseText.case_id, CaseText.body).where(CaseText.case_id.in_([case.id, *others]))
    texts: dict[int, str] = dict(session.execute(found).all())
    names = named_things(texts.get(case.id, case.title))
    if not names:
        return set()
    return {cid for cid in others if name_alike(names, named_things(texts.get(cid, "")))}


def _category_pattern_at(
    session: Session, category: str, opened_at: datetime, policy: PatternPolicy
) -> int | None:
    """The oldest unresolved pattern holding a case of ``category`` within the window
    around ``opened_at``: the answer the full neighbour search would give a case of
    that category and time, without comparing texts.

    A sweep that finds hundreds of missed promises opens hundreds of cases of one
    category; once their pattern exists, each new one joins it with this one query.
    The case being judged is in no unresolved pattern yet (else it would not be
    judged), so it need not be left out of the search.
    """
    if not policy.by_category or category == Category.OTHER:
        return None
    since, until = opened_at - policy.window, opened_at + policy.window
    found = session.scalar(
        select(func.min(PatternCase.pattern_id))
        .join(Pattern, Pattern.id == PatternCase.pattern_id)
        .join(Case, Case.id == PatternCase.case_id)
        .where(
            Pattern.status != PatternStatus.RESOLVED,
            Case.category == category,
            Case.category_confidence.is_(None),
            Case.origin == Origin.BREACH,
            Case.opened_at >= since,
            Case.opened_at <= until,
        )
    )
    return int(found) if found is not None else None


def _decide(session: Session, case: Case, policy: PatternPolicy) -> Clustering | None:
    nearby = _category_pattern_at(session, _found_kind(case), case.opened_at, policy)
    if nearby is not None:
        return Clustering(nearby, (case.id,))
    return cluster(
        case_id=case.id,
        customer_id=case.customer_id,
        neighbours=_neighbours(session, case, policy),
        policy=policy,
    )


# Two complaints completing the same cluster in two server processes must not form two
# patterns. On PostgreSQL a transaction-scoped advisory lock serialises forming new ones
# (joining needs no lock); SQLite already lets only one writer in at a time.
NEW_PATTERN_LOCK = 6_006_001


def _serialise_new_patterns(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return False
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NEW_PATTERN_LOCK})
    return True


def detect_pattern(
    session: Session, case: Case, *, now: datetime, policy: PatternPolicy
) -> Pattern | None:
    """Put ``case`` (and its similar neighbours) into a pattern when the failure is
    systemic; the managers are told when a new pattern forms."""
    existing = _unresolved_pattern_of(session, [case.id]).get(case.id)
    if existing is not None:
        return session.get(Pattern, existing)
    decision = _decide(session, case, policy)
    if decision is not None and decision.pattern_id is None and _serialise_new_patterns(session):
        # Another transaction may have formed the same pattern while this one looked;
        # now that new patterns are serialised, look again and join it instead.
        decision = _decide(session, case, policy)
    if decision is None:
        return None
    if decision.members == (case.id,):
        # Joining alone is what a sweep's hundreds of same-category cases do: the case is
        # at hand, so no query is needed to learn its customer and time.
        members = {case.id: (case.customer_id, case.opened_at)}
    else:
        members = {
            cid: (customer_id, opened_at)
            for cid, customer_id, opened_at in session.execute(
                select(Case.id, Case.customer_id, Case.opened_at).where(
                    Case.id.in_(decision.members)
                )
            )
        }
    if decision.pattern_id is None:
        first = min(opened for _, opened in members.values())
        last = max(opened for _, opened in members.values())
        others = session.scalars(
            select(Case.title).where(Case.id.in_(list(members)), Case.id != case.id)
        ).all()
        pattern = Pattern(
            # Named by what every member names (the courier, the product), else after
            # the case that completed it.
            title=shared_name(case.title, others) or case.title,
            category=case.category,
            status=PatternStatus.OPEN,
            first_opened_at=first,
            last_opened_at=last,
            created_at=now,
            updated_at=now,
        )
        session.add(pattern)
        session.flush()
        customers = len({customer_id for customer_id, _ in members.values()})
        _notify_managers(
            session,
            case_id=case.id,
            kind=NotificationKind.PATTERN_DETECTED,
            text=said(
                N_(
                    "%(pattern)s: %(customers)s customers hit by “%(title)s”; it needs a "
                    "corrective action"
                ),
                pattern=pattern_ref(pattern.id),
                customers=customers,
                title=pattern.title,
            ),
            now=now,
        )
    else:
        found = session.get(Pattern, decision.pattern_id)
        assert found is not None
        pattern = found
    already = set(
        session.scalars(
            select(PatternCase.case_id).where(
                PatternCase.pattern_id == pattern.id,
                PatternCase.case_id.in_(decision.members),
            )
        )
    )
    joining: list[Case] = []
    for cid in decision.members:
        if cid in already or cid not in members:
            continue
        member = case if cid == case.id else session.get(Case, cid)
        assert member is not None
        joining.append(member)
    # Never empty: the judged case is the first member and in no unresolved pattern.
    _join(session, pattern, joining, now=now)
    return pattern


def _joined_event(
    session: Session, case: Case, pattern: Pattern, actions: list[int], now: datetime
) -> None:
    joined = said(
        N_("%(pattern)s (%(category)s)"),
        pattern=pattern_ref(pattern.id),
        category=str(pattern.category),
        fmt={"category": "tr"},
    )
    cases.add_event(
        session,
        case=case,
        kind=EventKind.PATTERN_JOINED,
        at=now,
        actor=SYSTEM,
        # The pattern's name is another customer's words: not for this case's timeline.
        note=english(joined),
        data={"pattern_id": pattern.id, "action_ids": actions, **joined},
        flush=False,  # the caller's flush writes them with the memberships
    )


def _join(session: Session, pattern: Pattern, cases: Sequence[Case], *, now: datetime) -> None:
    """Put ``cases`` (at least one, none of them in it yet) into ``pattern``."""
    actions = list(
        session.scalars(
            select(ActionPattern.action_id).where(ActionPattern.pattern_id == pattern.id)
        )
    )
    for case in cases:
        session.add(
            PatternCase(
                pattern_id=pattern.id, case_id=case.id, customer_id=case.customer_id, added_at=now
            )
        )
        _joined_event(session, case, pattern, actions, now)
    pattern.first_opened_at = min(pattern.first_opened_at, *(c.opened_at for c in cases))
    pattern.last_opened_at = max(pattern.last_opened_at, *(c.opened_at for c in cases))
    pattern.updated_at = now
    session.flush()


@dataclass(frozen=True)
class Backfill:
    cases: int
    patterns_created: int
    cases_added: int


def backfill(
    session: Session, *, now: datetime, policy: PatternPolicy, since: datetime | None = None
) -> Backfill:
    """Run detection over past cases in the order they opened (e.g. after an upgrade or
    a change of the pattern settings); cases already in a pattern stay where they are."""
    before_patterns = session.scalar(select(func.count()).select_from(Pattern)) or 0
    before_members = session.scalar(select(func.count()).select_from(PatternCase)) or 0
    stmt = select(Case.id).order_by(Case.opened_at, Case.id)
    if since is not None:
        stmt = stmt.where(Case.opened_at >= since)
    ids = list(session.scalars(stmt))
    for cid in ids:
        case = session.get(Case, cid)
        assert case is not None
        detect_pattern(session, case, now=now, policy=policy)
    after_patterns = session.scalar(select(func.count()).select_from(Pattern)) or 0
    after_members = session.scalar(select(func.count()).select_from(PatternCase)) or 0
    return Backfill(len(ids), after_patterns - before_patterns, after_members - before_members)


def patterns_of_case(session: Session, case_id: int) -> list[Pattern]:
    return list(
        session.scalars(
            select(Pattern)
            .join(PatternCase, PatternCase.pattern_id == Pattern.id)
            .where(PatternCase.case_id == case_id)
            .order_by(Pattern.id)
        )
    )


def require_corrective_action(session: Session, case: Case) -> None:
    """A case in an unresolved pattern may only explain "what we changed" once a
    corrective action exists for the pattern or for the case itself."""
    if session.scalar(select(ActionCase.action_id).where(ActionCase.case_id == case.id).limit(1)):
        return
    for pattern in patterns_of_case(session, case.id):
        if pattern.status is PatternStatus.RESOLVED:
            continue
        linked = session.scalar(
            select(ActionPattern.action_id).where(ActionPattern.pattern_id == pattern.id).limit(1)
        )
        if linked is None:
            customers = session.scalar(
                select(func.count(func.distinct(PatternCase.customer_id))).where(
                    PatternCase.pattern_id == pattern.id
                )
            )
            raise Conflict(
                f"{case_ref(case.id)} is part of pattern {pattern_ref(pattern.id)} "
                f"“{pattern.title}” "
                f"({customers} customers): there is no change to explain yet. Record the "
                f"corrective action first (amends actions add --pattern {pattern.id} ...)",
                code="corrective-action-missing",
            )


# --- reading -----------------------------------------------------------------------------


def _visible_patterns(actor: Actor) -> list[ColumnElement[bool]]:
    if actor.allows(Action.READ):
        return []

    seen = cases.visible_cases(actor).with_only_columns(Case.id)
    return [Pattern.id.in_(select(PatternCase.pattern_id).where(PatternCase.case_id.in_(seen)))]


def get_pattern(session: Session, pattern_id: int, *, actor: Actor) -> Pattern:
    pattern = session.scalar(
        select(Pattern).where(Pattern.id == pattern_id, *_visible_patterns(actor))
    )
    if pattern is None:
        raise NotFound(f"pattern {pattern_id} does not exist", code="pattern-not-found")
    return pattern


def list_patterns(
    session: Session,
    *,
    actor: Actor,
    status: PatternStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Pattern]:
    """Patterns, the most recently active first."""
    stmt = select(Pattern).where(*_visible_patterns(actor))
    if status is not None:
        stmt = stmt.where(Pattern.status == status)
    stmt = stmt.order_by(Pattern.last_opened_at.desc(), Pattern.id.desc())
    return paginate(session, stmt, limit=limit, offset=offset)


def present(session: Session, items: Sequence[Pattern], *, actor: Actor) -> list[PatternOut]:
    """Patterns as the API and CLI show them; an employee sees only their own cases' ids."""
    seen: set[int] | None = None
    if not actor.allows(Action.READ):
        seen = set(session.scalars(cases.visible_cases(actor).with_only_columns(Case.id)))
    shown = []
    for pattern in items:
        members = session.execute(
            select(PatternCase.case_id, PatternCase.customer_id)
            .where(PatternCase.pattern_id == pattern.id)
            .order_by(PatternCase.case_id)
        ).all()
        action_ids = session.scalars(
            select(ActionPattern.action_id)
            .where(ActionPattern.pattern_id == pattern.id)
            .order_by(ActionPattern.action_id)
        )
        title = pattern.title
        if seen is not None:
            # The pattern is named after another customer's complaint; an employee sees it
            # named after a case of their own instead.
            own = min((cid for cid, _ in members if cid in seen), default=None)
            own_case = session.get(Case, own) if own is not None else None
            title = own_case.title if own_case is not None else pattern.category
        shown.append(
            PatternOut(
                id=pattern.id,
                ref=pattern_ref(pattern.id),
                title=title,
                category=pattern.category,
                status=pattern.status,
                customers=len({customer_id for _, customer_id in members}),
                case_ids=[cid for cid, _ in members if seen is None or cid in seen],
                action_ids=list(action_ids),
                first_opened_at=pattern.first_opened_at,
                last_opened_at=pattern.last_opened_at,
                created_at=pattern.created_at,
                resolved_at=pattern.resolved_at,
            )
        )
    return shown


# -- similar cases --------------------------------------------------------------------


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
        return similar.nearest(
            session, similar.text_of(session, case_id), k=k, exclude=[*exclude, case_id]
        )
    if text is not None and case_id is None:
        return similar.nearest(session, text, k=k, exclude=exclude)
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


def reindex(session: Session) -> dict[str, float | int]:
    """Write every case's text for the similar-case index again from the database."""
    return similar.reindex(session)


def members(session: Session, pattern_id: int, *, actor: Actor) -> list[dict[str, Any]]:
    """A pattern's cases with their customers, oldest first; an employee sees only their own."""
    stmt = (
        select(Case, Customer)
        .join(PatternCase, PatternCase.case_id == Case.id)
        .join(Customer, Customer.id == Case.customer_id)
        .where(PatternCase.pattern_id == pattern_id)
        .order_by(Case.opened_at, Case.id)
    )
    if not actor.allows(Action.READ):
        stmt = stmt.where(Case.id.in_(cases.visible_cases(actor).with_only_columns(Case.id)))
    return [
        {
            "id": case.id,
            "ref": case_ref(case.id),
            "customer_id": customer.id,
            "customer": customer.name,
            "language": customer.language,
            "title": case.title,
            "state": case.state,
            "category": case.category,
            "commitment_id": case.commitment_id,
            "opened_at": case.opened_at,
        }
        for case, customer in session.execute(stmt).all()
    ]

"""Systemic patterns across customers, and what runs when a case arrives: its repeats
(``patterns.repeats``) and its pattern (service layer: flushes only). Reading patterns is
``patterns.reading``; similar cases, ``patterns.similar``.

Both run when a case opens and again once the customer's first message is stored
(a complaint's case opens before its text is kept), and both are idempotent, so the
backfill command can run them over history any number of times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases.models import Case
from amends.cases.rules import Category, EventKind, NotificationKind, Origin, case_ref
from amends.errors import Conflict
from amends.patterns import repeats, similar
from amends.patterns.models import (
    ActionCase,
    ActionPattern,
    CaseText,
    Pattern,
    PatternCase,
)
from amends.patterns.repeats import CHUNK
from amends.patterns.rules import (
    Clustering,
    Neighbour,
    PatternPolicy,
    PatternStatus,
    cluster,
    is_similar,
    name_alike,
    named_things,
    pattern_ref,
    shared_name,
)
from amends.people.rules import SYSTEM
from amends.playbook.policy import Playbook
from amends.web.i18n import english, said
from amends.web.vocabulary import N_


def case_arrived(session: Session, case: Case, *, now: datetime, playbook: Playbook) -> None:
    """Everything that looks across cases when one opens or its first text arrives."""
    repeats.flag_repeats(session, case, now=now, playbook=playbook)
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
    managers = repeats.manager_ids(session)
    policy = playbook.patterns
    histories = repeats.histories(
        session,
        [case.customer_id for case in cases],
        since=min((case.opened_at for case in cases), default=now) - policy.repeat_window,
    )

    def flag(case: Case) -> None:
        # A case's repeats are its own customer's earlier cases, which judging other
        # customers' cases does not change: one query serves them all.
        repeats.flag(session, case, histories.get(case.customer_id, []), now, playbook, managers)

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


def _found_kind(case: Case) -> Category:
    """The category that makes a pattern on its own: the sweep's, a rule's finding that
    a promise was broken. A complaint's category also needs a shared name (see
    rules.is_similar)."""
    return repeats.grouping_kind(case) if case.origin == Origin.BREACH else Category.OTHER


def _neighbours(session: Session, case: Case, policy: PatternPolicy) -> list[Neighbour]:
    since, until = case.opened_at - policy.window, case.opened_at + policy.window
    scores = dict(repeats.similar_to(session, case, since=since, until=until))
    texty = [cid for cid, score in scores.items() if score >= policy.text_similarity]
    stmt = select(
        Case.id, Case.customer_id, Case.category, Case.category_confidence, Case.origin
    ).where(Case.id != case.id)
    rows: dict[int, tuple[int, str, bool]] = {}
    kind = repeats.grouping_kind(case)
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
        repeats.notify_managers(
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

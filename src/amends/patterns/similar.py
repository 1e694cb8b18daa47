"""The similar-case index, kept in step with the database (service layer: reads only).

The database is the truth; the index is a cache of it. Each process keeps one index
per database in memory and, before answering, catches up with what was committed
since: new cases, and cases that received inbound messages (their text grew). It
never writes inside the caller's transaction, so a rolled-back case never haunts it.

With a workspace folder the index is also kept there (``index/similar-cases.npz``),
so a short-lived process (one CLI command) loads it instead of rebuilding, and only
catches up the last few changes. Without one, or when the file is missing, stale
or unreadable, it is rebuilt from the database.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.messages.models import Message
from amends.messages.rules import Direction
from amends.patterns.neighbours import MESSAGES_PER_CASE  # a case's text, as there
from amends.patterns.similarity import SimilarityIndex

log = logging.getLogger(__name__)

INDEX_FILE = Path("index") / "similar-cases.npz"
MESSAGE_CHARS = 2000  # long quoted threads add nothing to what the case is about
# Ids committed out of order (PostgreSQL sequences are handed out before commit) are
# caught by looking back this far below the highest id already seen.
LOOK_BACK = 200
_BUILD_BATCH = 5000


@dataclass
class _Tracked:
    index: SimilarityIndex
    case_mark: int = 0
    message_mark: int = 0
    messages_seen: set[int] = field(default_factory=set)
    unsaved: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


# One index per engine: tests make a fresh engine (and database) each time, and a
# process serving one workspace has one engine for its whole life.
_TRACKED: weakref.WeakKeyDictionary[Engine, _Tracked] = weakref.WeakKeyDictionary()
_TRACKED_LOCK = threading.Lock()


def _source(session: Session) -> str:
    """Which database an index belongs to (its URL without the password, hashed)."""
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def index_path(home: Path) -> Path:
    return home / INDEX_FILE


def case_texts(session: Session, case_ids: Sequence[int]) -> dict[int, str]:
    """Each case's text as the index sees it: title plus first inbound messages."""
    parts: dict[int, list[str]] = {}
    for at in range(0, len(case_ids), 1000):
        chunk = list(case_ids[at : at + 1000])
        for cid, title in session.execute(select(Case.id, Case.title).where(Case.id.in_(chunk))):
            parts[cid] = [title]
        ranked = (
            select(
                Message.case_id,
                Message.text,
                func.row_number()
                .over(partition_by=Message.case_id, order_by=Message.id)
                .label("n"),
            )
            .where(Message.case_id.in_(chunk), Message.direction == Direction.INBOUND)
            .subquery()
        )
        rows = session.execute(
            select(ranked.c.case_id, ranked.c.text)
            .where(ranked.c.n <= MESSAGES_PER_CASE)
            .order_by(ranked.c.case_id, ranked.c.n)
        )
        for cid, text in rows:
            if cid in parts:
                parts[cid].append(text[:MESSAGE_CHARS])
    return {cid: "\n".join(p) for cid, p in parts.items()}


def _all_cases(session: Session) -> Iterator[tuple[int, str]]:
    last = 0
    while True:
        ids = list(
            session.scalars(
                select(Case.id).where(Case.id > last).order_by(Case.id).limit(_BUILD_BATCH)
            )
        )
        if not ids:
            return
        texts = case_texts(session, ids)
        yield from ((cid, texts[cid]) for cid in ids if cid in texts)
        last = ids[-1]


def _marks(session: Session) -> tuple[int, int]:
    cases = session.scalar(select(func.max(Case.id))) or 0
    messages = session.scalar(select(func.max(Message.id))) or 0
    return int(cases), int(messages)


def build(session: Session) -> _Tracked:
    """A fresh index of every case in the database."""
    case_mark, message_mark = _marks(session)
    # Messages just below the mark are already in the texts read now.
    seen = set(session.scalars(select(Message.id).where(Message.id > message_mark - LOOK_BACK)))
    index = SimilarityIndex.build(_all_cases(session))
    return _Tracked(
        index,
        case_mark=case_mark,
        message_mark=message_mark,
        messages_seen=seen,
        unsaved=len(index),
    )


def _load(path: Path, source: str) -> _Tracked | None:
    if not path.exists():
        return None
    try:
        meta = SimilarityIndex.read_meta(path)
        if meta.get("source") != source:
            return None
        index = SimilarityIndex.load(path)
        return _Tracked(
            index,
            case_mark=int(meta["case_mark"]),
            message_mark=int(meta["message_mark"]),
            messages_seen={int(m) for m in meta["messages_seen"]},
        )
    except (ValueError, KeyError, TypeError) as error:
        log.warning("similar-case index %s unusable, rebuilding: %s", path, error)
        return None


def save(tracked: _Tracked, path: Path, source: str) -> None:
    meta = {
        "source": source,
        "case_mark": tracked.case_mark,
        "message_mark": tracked.message_mark,
        "messages_seen": sorted(tracked.messages_seen),
    }
    tracked.index.save(path, meta=meta)
    tracked.unsaved = 0


def _catch_up(session: Session, tracked: _Tracked) -> int:
    """Add new cases and re-read cases with new inbound messages; how many changed."""
    index = tracked.index
    new_cases = [
        cid
        for cid in session.scalars(
            select(Case.id).where(Case.id > tracked.case_mark - LOOK_BACK).order_by(Case.id)
        )
        if cid not in index
    ]
    fresh = [
        (mid, cid)
        for mid, cid in session.execute(
            select(Message.id, Message.case_id).where(
                Message.id > tracked.message_mark - LOOK_BACK,
                Message.direction == Direction.INBOUND,
                Message.case_id.is_not(None),
            )
        )
        if mid not in tracked.messages_seen
    ]
    changed = sorted({*new_cases, *(cid for _, cid in fresh if cid is not None)})
    if changed:
        texts = case_texts(session, changed)
        for cid in changed:
            if cid in texts:
                index.add(cid, texts[cid])
    tracked.case_mark = max([tracked.case_mark, *new_cases])
    tracked.message_mark = max([tracked.message_mark, *(mid for mid, _ in fresh)])
    floor = tracked.message_mark - LOOK_BACK
    tracked.messages_seen = {m for m in tracked.messages_seen if m > floor}
    tracked.messages_seen.update(mid for mid, _ in fresh if mid > floor)
    tracked.unsaved += len(changed)
    return len(changed)


def _verify(session: Session, tracked: _Tracked, found: list[tuple[int, float]]) -> bool:
    """Re-index answered cases whose text changed, drop deleted ones; False if any did."""
    ids = [cid for cid, _ in found]
    texts = case_texts(session, ids)
    stale = False
    for cid in ids:
        text = texts.get(cid)
        if text is None:
            tracked.index.remove(cid)
            stale = True
        elif not tracked.index.holds(cid, text):
            tracked.index.add(cid, text)  # e.g. the title was edited
            tracked.unsaved += 1
            stale = True
    return not stale


def _tracked(session: Session, home: Path | None) -> _Tracked:
    engine = session.get_bind().engine
    with _TRACKED_LOCK:
        tracked = _TRACKED.get(engine)
        if tracked is None:
            path = index_path(home) if home is not None else None
            tracked = (_load(path, _source(session)) if path else None) or build(session)
            _TRACKED[engine] = tracked
    return tracked


def query(
    session: Session,
    text: str,
    *,
    k: int,
    exclude: Sequence[int] = (),
    home: Path | None = None,
) -> list[tuple[int, float]]:
    """The ``k`` cases whose text is most like ``text``, caught up with the database."""
    tracked = _tracked(session, home)
    with tracked.lock:
        _catch_up(session, tracked)
        # The answer is checked against the database (deleted cases, edited titles);
        # what changed is re-indexed and the question asked again.
        for _ in range(3):
            found = tracked.index.query(text, k, exclude=exclude)
            if _verify(session, tracked, found):
                break
        found = [(cid, score) for cid, score in found if cid in tracked.index]
        if home is not None and tracked.unsaved >= max(50, len(tracked.index) // 100):
            save(tracked, index_path(home), _source(session))
    return found


def rebuild(session: Session, *, home: Path | None) -> dict[str, float | int | str | None]:
    """Build the index from scratch, keep it for this process and, with a home, on disk."""
    started = time.perf_counter()
    tracked = build(session)
    path = index_path(home) if home is not None else None
    if path is not None:
        save(tracked, path, _source(session))
    with _TRACKED_LOCK:
        _TRACKED[session.get_bind().engine] = tracked
    return {
        "cases": len(tracked.index),
        "seconds": round(time.perf_counter() - started, 3),
        "path": str(path) if path else None,
    }


def text_of(session: Session, case_id: int) -> str:
    return case_texts(session, [case_id]).get(case_id, "")


def forget_all() -> None:
    """Drop every in-memory index (the next query reloads or rebuilds)."""
    with _TRACKED_LOCK:
        _TRACKED.clear()

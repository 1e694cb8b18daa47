"""Which cases a person's search words find (service layer, reads only).

A case matches when every word of the query is found in it: in its title, in the
subject or text of any of its messages, in its customer's name, or in a contact's name
or address; a query that reads as a case ref (``C-31``, ``#31``, ``31``) also finds
that case. Case, accents and the Greek final sigma are folded, so Greek typed without
accents and Slovak without diacritics are found too.

Titles and messages are looked up in the word index (``case_words``, written by
``cases.words``): a query word finds the cases with a word it begins ("zasiel" finds
"zásielka"); a Thai query is cut into words as the text was (newmm), each of which must
be there, so a Thai word is found in the middle of an unspaced sentence. Only when the
index has no case for a query word is it looked for as a piece of text anywhere
("ivery" in "delivery", a Thai fragment cut mid-word), through the trigram indexes
(migration i011 for messages, customers and contacts; s008's ``case_texts`` for titles):
FTS5 ``trigram`` on SQLite, ``pg_trgm`` with ``ILIKE`` on PostgreSQL. Numbers and refs
are always looked for as pieces of text. Customers' names and contacts are small tables
and are always read through their trigram indexes.

A trigram index cannot look up a word shorter than three characters, so such words are
matched only against case titles, customer names and contact addresses, by a plain
``LIKE`` scan of those tables (lower-cased; on SQLite only ASCII letters change case).
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    and_,
    any_,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import InstrumentedAttribute, Session

from amends.cases.models import Case, CaseWord
from amends.customers.models import Contact, Customer
from amends.customers.search import PG_CONTACTS, PG_CUSTOMERS
from amends.messages.models import Message
from amends.patterns.models import CaseText
from amends.text.words import TRIGRAM, containing, index_words, search_words

# A word found in more cases than this is kept as a condition for the list's query
# rather than a list of ids (see matching()).
LISTED_UP_TO = 2000
# A word of the word index found in more cases than this is tested case by case as the
# list walks its order (one probe of ix_case_words_case each): 50 matches turn up within
# a few thousand cases. Reading fewer is one range of the index.
INDEX_LISTED_UP_TO = 10_000
# Customers a word names that are sent back as a list of ids (20,000: 3 ms to read
# there); more are found again by the list's query.
CUSTOMERS_SENT_UP_TO = 50_000
# Above every character: a word's beginning ``w`` is the key range [w, w + _LAST).
_LAST = "\U0010ffff"
_REF = re.compile(r"(?:c-?|#)?(\d{1,12})")

# The searched text of messages on PostgreSQL: kept folded in a column (x023), which
# the trigram index covers; checking a proposed row reads it instead of folding the
# text again. Customers and contacts keep theirs likewise (customers.search).
_PG_MESSAGES = "messages.folded"


def matching(session: Session, query: str) -> ColumnElement[bool] | None:
    """A condition on ``Case`` true for the cases the query finds; None for a blank one.

    Each word's cases are read once here. When they are few (nearly always), the
    condition is a list of ids: the list, its next page and every count beside the
    filters then look cases up by id instead of asking the indexes again, and the
    planner never walks the cases in list order hoping to meet a rare match.
    """
    found = search_words(query)
    if not found:
        return None
    sqlite = session.get_bind().dialect.name == "sqlite"
    if not sqlite:
        # The driver prepares a statement it has run five times, and PostgreSQL may
        # then plan it once for any ids: a list of eight thousand ids took 80 ms that
        # way against 30 ms planned for its own. For the rest of this transaction, a
        # search's statements are planned for their values.
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    conditions: list[ColumnElement[bool]] = []
    known: set[int] | None = None
    for word in found:
        ids, condition = _indexed(session, word, sqlite=sqlite)
        if not ids and condition is None:
            # Not a word of the index (a ref, a number, a short word), or no case has
            # it as a word: look for it as a piece of text.
            ids, condition = _pieces(session, word, sqlite=sqlite)
        if condition is not None:
            conditions.append(condition)
        else:
            known = ids if known is None else known & ids
    if known is not None:
        conditions.append(_one_of(sorted(known), sqlite=sqlite))
    return conditions[0] if len(conditions) == 1 else and_(*conditions)


def _one_of(
    ids: list[int],
    *,
    sqlite: bool,
    of: InstrumentedAttribute[int] = Case.id,
    estimated: bool = True,
) -> ColumnElement[bool]:
    """``of`` (a case's id unless told) is one of ``ids``, sent as one parameter:
    thousands of ids as as many bound parameters cost more to render and send than the
    query takes to run. ``estimated=False`` hides the ids from PostgreSQL's planner, for
    a column it would otherwise compare every id with its statistics to plan for
    (25 ms for 20,000 customers)."""
    if sqlite:
        each = func.json_each(json.dumps(ids)).table_valued("value")
        return of.in_(select(each.c.value))
    # Written into the statement as one array constant: the planner then knows how many
    # ids it holds (a parameter cast to an array is planned as if of unknown size, and a
    # list of eight thousand took 2 s that way), and the server reads it in C where the
    # driver's list adapter spent 9 ms. Only digits and commas go in: the ids are ints.
    written = f"'{{{','.join(str(int(i)) for i in ids)}}}'::integer[]"
    if not estimated:
        written = f"ARRAY(SELECT unnest({written}))"
    return of == any_(literal_column(written, ARRAY(Integer)))


def _indexed(
    session: Session, word: str, *, sqlite: bool
) -> tuple[set[int], ColumnElement[bool] | None]:
    """The cases the word index and the customers' names find for ``word``: (their ids,
    None), or (empty, a condition) when they are too many to list; nothing for a word
    the index does not hold (a ref, a number, a short word)."""
    words = sorted(index_words(word), key=len, reverse=True)
    if len(word) < TRIGRAM or _REF.fullmatch(word) or not words:
        return set(), None
    listed: set[int] | None = None
    tested: list[ColumnElement[bool]] = []
    db = session.connection()
    for piece in words:
        begins = and_(CaseWord.word >= piece, CaseWord.word < piece + _LAST)
        # Asked first whether there are more than can be listed: one step through the
        # index instead of fetching thousands of ids to count them.
        many = select(CaseWord.case_id).where(begins).offset(INDEX_LISTED_UP_TO).limit(1)
        if db.execute(many).first() is not None:
            # OFFSET 0 keeps it a probe of ix_case_words_case per case (PostgreSQL
            # rewrites an EXISTS without one, LIMIT or not): else the planner may join
            # or hash every case having the word (a quarter of a million) first.
            has = select(CaseWord.case_id).where(CaseWord.case_id == Case.id, begins).offset(0)
            tested.append(has.exists())
            continue
        ids = _case_ids(db, begins, sqlite=sqlite)
        listed = ids if listed is None else listed & ids
    if not tested and not listed:
        return set(), None  # no case has it as a word: the caller looks for pieces
    # The customers the word names, read once: a word of every contact's address (a
    # common domain) has the server read every contact, which the list's condition
    # would otherwise do again.
    customer_ids = sorted(_customer_ids(db, word, sqlite=sqlite))
    named: set[int] = set()
    many_named = len(customer_ids) > LISTED_UP_TO
    if customer_ids and not many_named:
        of_customers = _one_of(customer_ids, sqlite=sqlite, of=Case.customer_id)
        named = set(
            db.execute(select(Case.id).where(of_customers).limit(LISTED_UP_TO + 1)).scalars()
        )
        many_named = len(named) > LISTED_UP_TO
    if not tested and listed is not None and not many_named:
        return listed | named, None
    in_index = [*tested, *([_one_of(sorted(listed), sqlite=sqlite)] if listed is not None else [])]
    found = and_(*in_index)
    if many_named:
        # Named by very many: asked of each case's customer as the list walks its order,
        # from the ids read above while they are a few tens of thousands.
        if len(customer_ids) > CUSTOMERS_SENT_UP_TO:
            named_by = union_all(*_named_customers(word, sqlite=sqlite))
            return set(), or_(found, Case.customer_id.in_(named_by))
        by_customer = _one_of(customer_ids, sqlite=sqlite, of=Case.customer_id, estimated=False)
        return set(), or_(found, by_customer)
    if not named:
        return set(), found
    return set(), or_(found, _one_of(sorted(named), sqlite=sqlite))


def _customer_ids(db: Connection, word: str, *, sqlite: bool) -> set[int]:
    """The customers whose name or contact has ``word``; on PostgreSQL as one array."""
    named = union_all(*_named_customers(word, sqlite=sqlite))
    if sqlite:
        return set(db.execute(named).scalars())
    found = db.execute(select(func.array_agg(named.subquery().c[0]))).scalar()
    return set(found or [])


def _case_ids(db: Connection, begins: ColumnElement[bool], *, sqlite: bool) -> set[int]:
    """The cases of the index entries ``begins`` selects; on PostgreSQL as one array,
    read in C, instead of thousands of rows read one by one."""
    if sqlite:
        return set(db.execute(select(CaseWord.case_id).where(begins)).scalars().all())
    return set(db.execute(select(func.array_agg(CaseWord.case_id)).where(begins)).scalar() or [])


def _pieces(
    session: Session, word: str, *, sqlite: bool
) -> tuple[set[int], ColumnElement[bool] | None]:
    """The cases that have ``word`` as a piece of their text, through the trigram
    indexes: (their ids, None), or (empty, a condition) when they are too many to list."""
    sources = _sources(word, sqlite=sqlite)
    ids: set[int] = set()
    for source in sources:
        # Each source stops at the limit on its own: a UNION of them would fetch
        # every match of a common word (a fifth of a million messages) before
        # its LIMIT applied.
        ids.update(session.scalars(source.limit(LISTED_UP_TO + 1)))
        if len(ids) > LISTED_UP_TO:
            break
    ids.discard(None)  # messages on no case
    if len(ids) <= LISTED_UP_TO:
        return ids, None
    if not sqlite and len(word) >= TRIGRAM:
        return set(), _pg_each_case(word)
    return set(), or_(*(Case.id.in_(source) for source in sources))


def _sources(word: str, *, sqlite: bool) -> list[Select[Any]]:
    """Queries of the ids of the cases that have ``word`` somewhere."""
    ref = _REF.fullmatch(word)
    if len(word) < TRIGRAM:
        found = _short(word)
    elif sqlite:
        found = _sqlite_trigrams(word)
    else:
        found = _pg_trigrams(word)
    if ref is not None:
        found.append(select(Case.id).where(Case.id == int(ref.group(1))))
    return found


def _of_customers(customer_ids: Select[Any]) -> Select[Any]:
    return select(Case.id).where(Case.customer_id.in_(customer_ids))


def _short(word: str) -> list[Select[Any]]:
    pattern = containing(word)
    return [
        select(Case.id).where(func.lower(Case.title).like(pattern, escape="\\")),
        _of_customers(
            select(Customer.id).where(func.lower(Customer.name).like(pattern, escape="\\"))
        ),
        _of_customers(
            select(Contact.customer_id).where(func.lower(Contact.email).like(pattern, escape="\\"))
        ),
    ]


def _fts_ids(name: str, word: str) -> Select[Any]:
    """The rowids of FTS5 table ``{name}_fts`` that hold ``word``; one quoted FTS5
    string, which the trigram tokenizer matches as a substring."""
    fts = f"{name}_fts"
    phrase = '"' + word.replace('"', '""') + '"'
    return select(table(fts, column("rowid", Integer)).c.rowid).where(
        literal_column(fts).op("MATCH")(phrase)
    )


def _sqlite_trigrams(word: str) -> list[Select[Any]]:
    return [
        # case_texts' rowid is its case id; it holds the title (and the first messages).
        _fts_ids("case_texts", word),
        select(Message.case_id).where(Message.id.in_(_fts_ids("search_messages", word))),
        *(_of_customers(ids) for ids in _named_customers(word, sqlite=True)),
    ]


def _named_customers(word: str, *, sqlite: bool) -> list[Select[Any]]:
    """Queries of the ids of the customers whose name (the first) or a contact's name or
    address (the second) has ``word`` in it."""
    if sqlite:
        # search_customers_fts' rowid is the customer's id.
        by_name = _fts_ids("search_customers", word)
        by_contact = select(Contact.customer_id).where(
            Contact.id.in_(_fts_ids("search_contacts", word))
        )
    else:
        pattern = containing(word)
        by_name = select(Customer.id).where(literal_column(PG_CUSTOMERS).like(pattern, escape="\\"))
        by_contact = select(Contact.customer_id).where(
            literal_column(PG_CONTACTS).like(pattern, escape="\\")
        )
    return [by_name, by_contact]


def _pg_each_case(word: str) -> ColumnElement[bool]:
    """``word`` is in the case, asked of each case's own rows (PostgreSQL).

    For a word in many cases: an ``IN`` of every matching message became a hashed
    subplan that read all of them (a fifth of a million at a million cases) before the
    first row of the list. Asked per case, the list walks its own order and stops at
    its page, a few hundred cases in when the word is common.
    """
    pattern = containing(word)

    def like(expression: str) -> ColumnElement[bool]:
        return literal_column(expression).ilike(pattern, escape="\\")

    # OFFSET 0 keeps each EXISTS a per-case test: without it the planner may turn it
    # into a hashed subplan of every match again (an EXISTS with an OFFSET is never
    # rewritten so; a LIMIT it drops first).
    found = [
        select(CaseText.case_id)
        .where(CaseText.case_id == Case.id, like("case_texts.folded"))
        .offset(0)
        .exists(),
        select(Message.id).where(Message.case_id == Case.id, like(_PG_MESSAGES)).offset(0).exists(),
        *(Case.customer_id.in_(ids) for ids in _named_customers(word, sqlite=False)),
    ]
    ref = _REF.fullmatch(word)
    if ref is not None:
        found.append(Case.id == int(ref.group(1)))
    return or_(*found)


def _pg_trigrams(word: str) -> list[Select[Any]]:
    pattern = containing(word)

    def like(expression: str) -> ColumnElement[bool]:
        return literal_column(expression).ilike(pattern, escape="\\")

    return [
        select(CaseText.case_id).where(like("case_texts.folded")),
        select(Message.case_id).where(like(_PG_MESSAGES)),
        *(_of_customers(ids) for ids in _named_customers(word, sqlite=False)),
    ]

"""Which cases a person's search words find (service layer, reads only).

A case matches when every word of the query is found in it: in its title, in the
subject or text of any of its messages, in its customer's name, or in a contact's name
or address; a query that reads as a case ref (``C-31``, ``#31``, ``31``) also finds
that case. Words are matched as folded substrings (case, accents and the Greek final
sigma folded; Thai as written), so a Thai word is found in the middle of an unspaced
sentence, Greek typed without accents and Slovak without diacritics are found too.

Words of three characters or more use trigram indexes (migration i011 for messages,
customers and contacts; s008's ``case_texts`` for titles): FTS5 ``trigram`` on SQLite,
``pg_trgm`` with ``ILIKE`` on PostgreSQL. A trigram index cannot look up a shorter
word, so one- and two-character words are matched only against case titles, customer
names and contact addresses, by a plain ``LIKE`` scan of those tables (lower-cased; on
SQLite only ASCII letters change case there).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.customers.models import Contact, Customer
from amends.messages.models import Message
from amends.patterns.models import CaseText
from amends.text.words import search_words

# A word found in more cases than this is kept as a condition for the list's query
# rather than a list of ids (see matching()).
LISTED_UP_TO = 2000
# Shorter words are below what a trigram index can find (see the module's note).
TRIGRAM = 3
_REF = re.compile(r"(?:c-?|#)?(\d{1,12})")

# The searched text of each table, exactly as migrations i011 and x023 index it on
# PostgreSQL: the planner uses an expression index only for the identical expression.
# Messages keep theirs folded in a column (x023): checking a proposed row then reads it
# instead of folding the text again.
_PG_TEXT = {
    "messages": "messages.folded",
    "customers": "amends_fold(customers.name)",
    "contacts": "amends_fold(contacts.name || ' ' || coalesce(contacts.email, ''))",
}


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
    conditions: list[ColumnElement[bool]] = []
    known: set[int] | None = None
    for word in found:
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
            known = ids if known is None else known & ids
        elif not sqlite and len(word) >= TRIGRAM:
            conditions.append(_pg_each_case(word))
        else:
            conditions.append(or_(*(Case.id.in_(source) for source in sources)))
    if known is not None:
        conditions.append(Case.id.in_(sorted(known)))
    return conditions[0] if len(conditions) == 1 else and_(*conditions)


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


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _of_customers(customer_ids: Select[Any]) -> Select[Any]:
    return select(Case.id).where(Case.customer_id.in_(customer_ids))


def _short(word: str) -> list[Select[Any]]:
    pattern = _like(word)
    return [
        select(Case.id).where(func.lower(Case.title).like(pattern, escape="\\")),
        _of_customers(
            select(Customer.id).where(func.lower(Customer.name).like(pattern, escape="\\"))
        ),
        _of_customers(
            select(Contact.customer_id).where(func.lower(Contact.email).like(pattern, escape="\\"))
        ),
    ]


def _sqlite_trigrams(word: str) -> list[Select[Any]]:
    # One quoted FTS5 string: with the trigram tokenizer it matches as a substring.
    phrase = '"' + word.replace('"', '""') + '"'

    def ids(name: str) -> Select[Any]:
        fts = table(name, column("rowid", Integer))
        return select(fts.c.rowid).where(literal_column(name).op("MATCH")(phrase))

    return [
        # case_texts' rowid is its case id; it holds the title (and the first messages).
        ids("case_texts_fts"),
        select(Message.case_id).where(Message.id.in_(ids("search_messages_fts"))),
        _of_customers(ids("search_customers_fts")),
        _of_customers(
            select(Contact.customer_id).where(Contact.id.in_(ids("search_contacts_fts")))
        ),
    ]


def _pg_each_case(word: str) -> ColumnElement[bool]:
    """``word`` is in the case, asked of each case's own rows (PostgreSQL).

    For a word in many cases: an ``IN`` of every matching message became a hashed
    subplan that read all of them (a fifth of a million at a million cases) before the
    first row of the list. Asked per case, the list walks its own order and stops at
    its page, a few hundred cases in when the word is common.
    """
    pattern = _like(word)

    def like(expression: str) -> ColumnElement[bool]:
        return literal_column(expression).ilike(pattern, escape="\\")

    # OFFSET 0 keeps each EXISTS a per-case test: without it the planner may turn it
    # into a hashed subplan of every match again (an EXISTS with a LIMIT or OFFSET is
    # never rewritten so).
    found = [
        select(CaseText.case_id)
        .where(CaseText.case_id == Case.id, like("case_texts.folded"))
        .offset(0)
        .exists(),
        select(Message.id)
        .where(Message.case_id == Case.id, like(_PG_TEXT["messages"]))
        .offset(0)
        .exists(),
        Case.customer_id.in_(select(Customer.id).where(like(_PG_TEXT["customers"]))),
        Case.customer_id.in_(select(Contact.customer_id).where(like(_PG_TEXT["contacts"]))),
    ]
    ref = _REF.fullmatch(word)
    if ref is not None:
        found.append(Case.id == int(ref.group(1)))
    return or_(*found)


def _pg_trigrams(word: str) -> list[Select[Any]]:
    pattern = _like(word)

    def like(expression: str) -> ColumnElement[bool]:
        return literal_column(expression).ilike(pattern, escape="\\")

    return [
        select(CaseText.case_id).where(like("case_texts.folded")),
        select(Message.case_id).where(like(_PG_TEXT["messages"])),
        _of_customers(select(Customer.id).where(like(_PG_TEXT["customers"]))),
        _of_customers(select(Contact.customer_id).where(like(_PG_TEXT["contacts"]))),
    ]

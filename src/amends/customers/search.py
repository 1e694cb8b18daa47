"""Which customers a person's search words find (reads only).

Each word must be found in the customer's name, a contact's name or address, or the
external id. Words are folded as the inbox's search folds them (``amends.text.fold``):
case, accents and the Greek final sigma folded, Thai as written, so a Thai word inside
an unspaced name, Greek typed without accents and Slovak without diacritics are found.
Words of three characters or more use the same trigram indexes as the inbox (migration
``fold_function``: FTS5 ``trigram`` tables on SQLite; on PostgreSQL ``pg_trgm`` indexes
of the folded text that g032 keeps in a column); shorter words are a plain lower-cased
``LIKE`` scan.
"""

from __future__ import annotations

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

from amends.customers.models import Contact, Customer
from amends.text.words import TRIGRAM, containing, search_words

# The folded text PostgreSQL keeps and indexes (migration g032: a column written by a
# trigger, so checking a row the trigram index proposes reads it instead of folding the
# name again), in lower case: compared with LIKE, as search words are folded already.
# The inbox's search reads the same columns.
PG_CUSTOMERS = "customers.folded"
PG_CONTACTS = "contacts.folded"


def _word(word: str, *, sqlite: bool) -> ColumnElement[bool]:
    pattern = containing(word)
    by_id = func.lower(Customer.external_id).like(pattern, escape="\\")
    if len(word) < TRIGRAM:
        return or_(
            by_id,
            func.lower(Customer.name).like(pattern, escape="\\"),
            Customer.id.in_(
                select(Contact.customer_id).where(
                    func.lower(Contact.email).like(pattern, escape="\\")
                )
            ),
        )
    if sqlite:
        phrase = '"' + word.replace('"', '""') + '"'

        def ids(name: str) -> Select[Any]:
            fts = table(name, column("rowid", Integer))
            return select(fts.c.rowid).where(literal_column(name).op("MATCH")(phrase))

        return or_(
            by_id,
            Customer.id.in_(ids("search_customers_fts")),
            Customer.id.in_(
                select(Contact.customer_id).where(Contact.id.in_(ids("search_contacts_fts")))
            ),
        )
    return or_(
        by_id,
        literal_column(PG_CUSTOMERS).like(pattern, escape="\\"),
        Customer.id.in_(
            select(Contact.customer_id).where(
                literal_column(PG_CONTACTS).like(pattern, escape="\\")
            )
        ),
    )


def matching(session: Session, query: str) -> ColumnElement[bool] | None:
    """A condition on ``Customer`` true for the customers the query finds; None if blank."""
    found = search_words(query)
    if not found:
        return None
    sqlite = session.get_bind().dialect.name == "sqlite"
    return and_(*(_word(w, sqlite=sqlite) for w in found))

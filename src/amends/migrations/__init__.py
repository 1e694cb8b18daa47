"""Alembic migrations. HEAD names the newest revision (a test keeps it true), so commands
can tell the schema is current with one query instead of loading Alembic."""

from collections.abc import Mapping
from typing import Any

HEAD = "k036"

# The trigram index of case texts (FTS5 and its shadow tables on SQLite; a GIN index on
# a generated column of folded text on PostgreSQL) is made by a migration and read with
# plain SQL: no model maps it, so comparing models with the database leaves it out.
# The search indexes (i011) likewise: FTS5 tables on SQLite, expression indexes on PostgreSQL.
UNMAPPED_PREFIXES = ("case_texts_fts", "ix_case_texts_trigrams", "search_", "ix_search_")


def include_name(name: str | None, type_: str, parent_names: Mapping[Any, str | None]) -> bool:
    """Alembic's filter: everything but the trigram index no model maps."""
    # Folded text kept beside case texts, and by messages (x023), customers and contacts
    # (g032) on PostgreSQL, for search.
    folding = {"case_texts", "messages", "customers", "contacts"}
    if type_ == "column" and parent_names.get("table_name") in folding:
        return name != "folded"
    return not (type_ in ("table", "index") and (name or "").startswith(UNMAPPED_PREFIXES))

"""Alembic migrations. HEAD names the newest revision (a test keeps it true), so commands
can tell the schema is current with one query instead of loading Alembic."""

HEAD = "s008"

# The trigram index of case texts (FTS5 and its shadow tables on SQLite, a GIN index on
# an expression on PostgreSQL) is made by a migration and read with plain SQL: no model
# maps it, so comparing models with the database leaves it out.
UNMAPPED_PREFIXES = ("case_texts_fts", "ix_case_texts_trigrams")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's filter: everything but the trigram index no model maps."""
    return not (type_ in ("table", "index") and (name or "").startswith(UNMAPPED_PREFIXES))

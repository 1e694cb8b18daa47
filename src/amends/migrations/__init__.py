"""Alembic migrations. HEAD names the newest revision (a test keeps it true), so commands
can tell the schema is current with one query instead of loading Alembic."""

HEAD = "j011"

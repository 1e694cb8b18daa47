"""The migrations and the models describe the same schema, on every engine."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from amends import migrate
from amends.migrations import include_name
from amends.models import Base


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


def test_upgrade_is_idempotent(engine: Engine) -> None:
    assert not migrate.pending(engine)
    migrate.upgrade(engine)
    assert not migrate.pending(engine)


def test_head_constant_names_the_newest_migration() -> None:
    from alembic.script import ScriptDirectory

    from amends.migrations import HEAD

    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert script.get_heads() == [HEAD], "update amends.migrations.HEAD with a new migration"


def test_is_current(engine: Engine, tmp_path: object) -> None:
    from amends.db import make_engine

    assert migrate.is_current(engine)
    fresh = make_engine("sqlite://")
    assert not migrate.is_current(fresh)

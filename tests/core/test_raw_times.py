"""Raw time columns read for the hot lists serialise exactly like the typed ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from pydantic_core import to_json
from sqlalchemy import Column, Engine, Integer, MetaData, Table, insert, select, type_coerce
from sqlalchemy.types import NullType

from amends.db import UTCDateTime, raw_utc_reader


def test_raw_reader_matches_the_typed_column(engine: Engine) -> None:
    table = Table(
        "raw_time_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime()),
    )
    bangkok = timezone(timedelta(hours=7))
    times = [
        datetime(2026, 5, 4, 9, 0, tzinfo=UTC),
        datetime(2026, 5, 4, 9, 0, 0, 123000, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 5, tzinfo=UTC),
        datetime(2026, 1, 1, 6, 30, 0, 999999, tzinfo=bangkok),
        None,
    ]
    table.create(engine)
    try:
        with engine.begin() as conn:
            conn.execute(insert(table), [{"id": i, "at": t} for i, t in enumerate(times)])
            typed = conn.execute(select(table.c.at).order_by(table.c.id)).scalars().all()
            raw = conn.execute(
                select(type_coerce(table.c.at, NullType())).order_by(table.c.id)
            ).scalars()
            read = raw_utc_reader(engine.dialect.name)
            assert [to_json(read(v)) for v in raw] == [to_json(v) for v in typed]
        assert typed[3] == times[3]  # the same instant, now in UTC
    finally:
        table.drop(engine)

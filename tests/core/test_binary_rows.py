"""Reads of large binary values give the same rows whichever way the engine sends them."""

from __future__ import annotations

import os

from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, insert, select
from sqlalchemy.orm import Session, sessionmaker

from amends.db import binary_rows, transaction


def test_binary_rows_are_the_rows_a_plain_read_gives_in_the_same_transaction(
    sessions: sessionmaker[Session],
) -> None:
    table = Table(
        "binary_probe",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("blob", LargeBinary, nullable=False),
    )
    blobs = {i: os.urandom(i * 997) for i in range(1, 60)}
    blobs[60] = b""
    blobs[61] = bytes(range(256)) * 400  # 100 KB, every byte value
    with transaction(sessions) as s:
        table.create(s.connection())
        try:
            # Not committed yet: the binary read is in the session's own transaction.
            s.execute(insert(table), [{"id": i, "blob": b} for i, b in blobs.items()])
            wanted = select(table.c.id, table.c.blob).where(
                table.c.id.in_([61, 60, *range(1, 50, 3)])
            )
            found = binary_rows(s, wanted.order_by(table.c.id))
            assert found == [tuple(row) for row in s.execute(wanted.order_by(table.c.id))]
            assert [type(b) for _, b in found] == [bytes] * len(found)
            assert dict(found) == {i: blobs[i] for i in [60, 61, *range(1, 50, 3)]}
        finally:
            table.drop(s.connection())

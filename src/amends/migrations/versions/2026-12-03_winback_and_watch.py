"""winbacks, winback_steps, watches, watch_items: persisting with lost customers and
watching the next deliveries after a recovery; customers.winback shows the latest sequence

Revision ID: w020
Revises: s019
Create Date: 2026-12-03 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "w020"
down_revision: str | None = "s019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # A plain ADD COLUMN: never a batch rebuild of customers (its cascades would drop rows).
    op.add_column("customers", sa.Column("winback", sa.JSON(), nullable=True))
    op.create_table(
        "winbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stop_reason", sa.String(length=20), nullable=True),
        _when("started_at"),
        _when("stopped_at", True),
        _when("decided_at", True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(), nullable=False),
        _when("next_due_at", True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_winbacks_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_winbacks_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_winbacks_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_winbacks_decided_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_winbacks")),
        sa.UniqueConstraint("case_id", name=op.f("uq_winbacks_case_id")),
    )
    op.create_index(op.f("ix_winbacks_customer_id"), "winbacks", ["customer_id"])
    op.create_index(op.f("ix_winbacks_owner_id"), "winbacks", ["owner_id"])
    op.create_index(
        "ix_winbacks_due",
        "winbacks",
        ["next_due_at"],
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "winback_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("winback_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        _when("due_at"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        _when("sent_at", True),
        sa.ForeignKeyConstraint(
            ["winback_id"],
            ["winbacks.id"],
            name=op.f("fk_winback_steps_winback_id_winbacks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_winback_steps_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_winback_steps")),
        sa.UniqueConstraint("winback_id", "number", name=op.f("uq_winback_steps_winback_id")),
    )
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        _when("started_at"),
        _when("ends_at"),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_watches_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_watches_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_watches_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watches")),
        sa.UniqueConstraint("case_id", name=op.f("uq_watches_case_id")),
    )
    op.create_index(op.f("ix_watches_customer_id"), "watches", ["customer_id"])
    op.create_index(op.f("ix_watches_owner_id"), "watches", ["owner_id"])
    op.create_table(
        "watch_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        _when("due_at"),
        _when("deadline"),
        _when("notified_at", True),
        sa.Column("missed_case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["watch_id"],
            ["watches.id"],
            name=op.f("fk_watch_items_watch_id_watches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_watch_items_commitment_id_commitments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["missed_case_id"],
            ["cases.id"],
            name=op.f("fk_watch_items_missed_case_id_cases"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_items")),
        sa.UniqueConstraint(
            "watch_id",
            "commitment_id",
            "due_at",
            name=op.f("uq_watch_items_watch_id"),
        ),
    )
    op.create_index(op.f("ix_watch_items_commitment_id"), "watch_items", ["commitment_id"])
    op.create_index(
        "ix_watch_items_unnoticed",
        "watch_items",
        ["due_at"],
        sqlite_where=sa.text("notified_at IS NULL"),
        postgresql_where=sa.text("notified_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("watch_items")
    op.drop_table("watches")
    op.drop_table("winback_steps")
    op.drop_table("winbacks")
    op.drop_column("customers", "winback")

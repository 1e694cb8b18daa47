"""mail_channels: the SMTP and IMAP settings saved in the browser, over the environment's

Revision ID: c026
Revises: d024
Create Date: 2026-12-04 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c026"
down_revision: str | None = "d024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_channels",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=320), nullable=False),
        sa.Column("password_sealed", sa.String(length=2000), nullable=True),
        sa.Column("tls", sa.Boolean(), nullable=False),
        sa.Column("folder", sa.String(length=200), nullable=False),
        sa.Column("timeout", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_mail_channels")),
    )


def downgrade() -> None:
    op.drop_table("mail_channels")

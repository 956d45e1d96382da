"""email_sends: every tracking email Packdesk tried to send; package_group_insurance: a
package group's insurance choice (issue 10).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 17:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("tracking_code", sa.Text(), nullable=True),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_sends")),
    )
    with op.batch_alter_table("email_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_sends_order_id"), ["order_id"], unique=False)
    op.create_table(
        "package_group_insurance",
        sa.Column("group_id", sa.String(length=16), nullable=False),
        sa.Column("insurance", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_package_group_insurance")),
    )


def downgrade() -> None:
    op.drop_table("package_group_insurance")
    with op.batch_alter_table("email_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_sends_order_id"))
    op.drop_table("email_sends")

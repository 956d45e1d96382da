"""Several desks: per-order buy claims (`order_claims`) and the change counter (`change_counter`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 18:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_claims",
        sa.Column("order_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("station", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_claims_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_claims")),
    )
    with op.batch_alter_table("order_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_claims_token"), ["token"], unique=False)
    op.create_table(
        "change_counter",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("station", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_counter")),
    )
    op.execute("INSERT INTO change_counter (id, value, station) VALUES (1, 0, '')")


def downgrade() -> None:
    op.drop_table("change_counter")
    with op.batch_alter_table("order_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_claims_token"))
    op.drop_table("order_claims")

"""labels.to_address and labels.superseded_at: the address a label was bought for, and relabels.

`to_address` is the recipient a label was bought for (JSON of its routing fields); NULL for
labels bought before this revision (never flagged "needs relabel"). `superseded_at` is set when
a relabel asked a label's refund and bought the order a new one: such a label no longer counts
as the order's postage, so the one-live-label index leaves it out.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIVE = "status IN ('live', 'refund_submitted')"


def upgrade() -> None:
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("to_address", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("superseded_at", sa.DateTime(), nullable=True))
        batch_op.drop_index("uq_labels_live_order", sqlite_where=sa.text(_LIVE))
        batch_op.create_index(
            "uq_labels_live_order",
            ["order_id"],
            unique=True,
            sqlite_where=sa.text(f"{_LIVE} AND superseded_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_labels_live_order", sqlite_where=sa.text(f"{_LIVE} AND superseded_at IS NULL")
        )
        batch_op.create_index(
            "uq_labels_live_order", ["order_id"], unique=True, sqlite_where=sa.text(_LIVE)
        )
        batch_op.drop_column("superseded_at")
        batch_op.drop_column("to_address")

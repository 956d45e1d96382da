"""The money core: the buyer lease row, `unrecorded` journal rows, and derived batch spend.

- `buyer_lease`: the one-buyer rule as a row in the database (it replaces a lock file named
  after the `--db` text, which a symlink or another spelling of the path escaped).
- `purchases.tracking_code`, and `unrecorded` joins the open states of the one-open-purchase
  index: a bought label the database would not take stays in the journal, and blocks a rebuy.
- `batches.spent_usd` is dropped: a batch's spend is derived from its labels and journal rows
  (a tally kept beside them drifted after kills).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_OPEN = "state IN ('intent', 'created', 'buying', 'unknown')"
_NEW_OPEN = "state IN ('intent', 'created', 'buying', 'unknown', 'unrecorded')"


def upgrade() -> None:
    op.create_table(
        "buyer_lease",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("station", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_lease")),
    )
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tracking_code", sa.Text(), nullable=True))
        batch_op.drop_index("uq_purchases_open_order", sqlite_where=sa.text(_OLD_OPEN))
        batch_op.create_index(
            "uq_purchases_open_order", ["order_id"], unique=True, sqlite_where=sa.text(_NEW_OPEN)
        )
    # SQLite >= 3.35 drops a plain column in place (no table copy under the foreign keys).
    op.drop_column("batches", "spent_usd")


def downgrade() -> None:
    op.add_column(
        "batches",
        sa.Column("spent_usd", sa.Text(), nullable=False, server_default="0"),
    )
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_index("uq_purchases_open_order", sqlite_where=sa.text(_NEW_OPEN))
        batch_op.create_index(
            "uq_purchases_open_order", ["order_id"], unique=True, sqlite_where=sa.text(_OLD_OPEN)
        )
        batch_op.drop_column("tracking_code")
    op.drop_table("buyer_lease")

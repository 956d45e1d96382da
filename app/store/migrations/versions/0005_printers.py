"""printer_rolls: the label rolls loaded into each printer, to count the labels left.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "printer_rolls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("printer_uri", sa.Text(), nullable=False),
        sa.Column("labels_loaded", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("printed_before", sa.Integer(), nullable=False),
        sa.Column("odometer_start_inches", sa.Float(), nullable=True),
        sa.Column("jobs_at_odometer_start", sa.Integer(), nullable=False),
        sa.Column("odometer_inches", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printer_rolls")),
    )
    with op.batch_alter_table("printer_rolls", schema=None) as batch_op:
        batch_op.create_index("ix_printer_rolls_printer", ["printer_uri", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("printer_rolls", schema=None) as batch_op:
        batch_op.drop_index("ix_printer_rolls_printer")
    op.drop_table("printer_rolls")

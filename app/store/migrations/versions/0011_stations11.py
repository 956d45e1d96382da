"""Stations: the printers each station has (`printers`), and which station a print job is for
and who queued it, and which station bought a purchase.

print_jobs.station is the station whose printer prints the job (only that station's queue
takes it); print_jobs.queued_by the station that sent it; purchases.station the station that
bought. Rows from before this revision get '' (any station's queue for that printer prints
them, as before).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 20:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "printers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printers")),
        sa.UniqueConstraint("station", "name", name="uq_printers_station_name"),
    )
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("station", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("queued_by", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("station", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_column("station")
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.drop_column("queued_by")
        batch_op.drop_column("station")
    op.drop_table("printers")

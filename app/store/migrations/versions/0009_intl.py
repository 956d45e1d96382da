"""EU customs product identifiers per SKU, and the sender's tax identifiers.

items.manufacturer_product_id and items.barcode: the identifiers EU customs documents are
expected to carry per item from November 2026 (the SKU is the third, `code`). Existing SKUs
get empty strings. sender_tax_ids: one row per identifier (ioss, eu_vat, uk_vat, eori,
kickstarter_ioss) of this profile.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 17:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("manufacturer_product_id", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("barcode", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "sender_tax_ids",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sender_tax_ids")),
    )


def downgrade() -> None:
    op.drop_table("sender_tax_ids")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("barcode")
        batch_op.drop_column("manufacturer_product_id")

"""Order lines no longer carry a foreign key to items.sku (the import's cost on PostgreSQL).

Every line's SKU is in `items` anyway: an import inserts the SKUs it has not seen in the same
transaction as the lines, and items are never deleted. The key only cost a trigger per line on
PostgreSQL (~1.5 s of server CPU per 100,000 orders, a third of the import's server work); the
key to orders (ON DELETE CASCADE) stays.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 20:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_order_lines_sku_items"), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_order_lines_sku_items"), "items", ["sku"], ["sku"]
        )

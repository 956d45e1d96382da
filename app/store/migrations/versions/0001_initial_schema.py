"""Initial schema: items, package types, ship-from addresses, orders and order lines.

Decimal columns are TEXT (app.store.base.DecimalText) so money and weights stay exact.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 20:57:48.922850
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("weight_oz", sa.Text(), nullable=False),
        sa.Column("value_usd", sa.Text(), nullable=False),
        sa.Column("hts_code", sa.String(length=10), nullable=False),
        sa.Column("customs_description", sa.Text(), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("media_mail_eligible", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("sku", name=op.f("uq_items_sku")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recipient_name", sa.Text(), nullable=False),
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("street1", sa.Text(), nullable=False),
        sa.Column("street2", sa.Text(), nullable=False),
        sa.Column("city", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("postal_code", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("extra_json", sa.Text(), nullable=False),
        sa.Column("tracking_code", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_orders_source_external_id")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_status_group", ["status", "group_id", "country"], unique=False
        )

    op.create_table(
        "package_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("predefined", sa.Text(), nullable=True),
        sa.Column("length_in", sa.Text(), nullable=True),
        sa.Column("width_in", sa.Text(), nullable=True),
        sa.Column("height_in", sa.Text(), nullable=True),
        sa.Column("empty_weight_oz", sa.Text(), nullable=False),
        sa.Column("machinable", sa.Boolean(), nullable=False),
        sa.Column("irregular", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_types")),
        sa.UniqueConstraint("name", name=op.f("uq_package_types_name")),
    )
    op.create_table(
        "ship_from_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("street1", sa.Text(), nullable=False),
        sa.Column("street2", sa.Text(), nullable=False),
        sa.Column("city", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("postal_code", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ship_from_addresses")),
        sa.UniqueConstraint("label", name=op.f("uq_ship_from_addresses_label")),
    )
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["sku"], ["items.sku"], name=op.f("fk_order_lines_sku_items")),
        sa.PrimaryKeyConstraint("order_id", "position", name=op.f("pk_order_lines")),
    )


def downgrade() -> None:
    op.drop_table("order_lines")
    op.drop_table("ship_from_addresses")
    op.drop_table("package_types")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_status_group")

    op.drop_table("orders")
    op.drop_table("items")

"""Fulfilment: batches, the purchase journal, labels, print jobs, SCAN forms, pickups, the audit
log, cached address verifications, and orders.shipped_at/shipped_station/delivered_at.

Two partial unique indexes make the database refuse a second live label for one order
(labels.status in live/refund_submitted) and a second open purchase for one order
(purchases.state in intent/created/buying/unknown). Money columns are TEXT (DecimalText).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:26:20.195578
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "address_verifications",
        sa.Column("address_hash", sa.String(length=32), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("easypost_id", sa.Text(), nullable=True),
        sa.Column("verified_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("address_hash", name=op.f("pk_address_verifications")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("station", sa.Text(), nullable=False),
        sa.Column("user", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_order_id"), ["order_id"], unique=False)

    op.create_table(
        "pickups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("easypost_id", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("min_datetime", sa.DateTime(), nullable=False),
        sa.Column("max_datetime", sa.DateTime(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("package_count", sa.Integer(), nullable=False),
        sa.Column("confirmation", sa.Text(), nullable=True),
        sa.Column("amount_usd", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pickups")),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("station", sa.Text(), nullable=False),
        sa.Column("user", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("package_type_id", sa.Integer(), nullable=True),
        sa.Column("service_choice", sa.Text(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("easypost_batch_id", sa.Text(), nullable=True),
        sa.Column("spent_usd", sa.Text(), nullable=False),
        sa.Column("selection_json", sa.Text(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["package_type_id"],
            ["package_types.id"],
            name=op.f("fk_batches_package_type_id_package_types"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("reference", name=op.f("uq_batches_reference")),
    )
    op.create_table(
        "purchases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("shipment_id", sa.Text(), nullable=True),
        sa.Column("rate_id", sa.Text(), nullable=True),
        sa.Column("service", sa.Text(), nullable=True),
        sa.Column("amount_usd", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_purchases_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_purchases_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchases")),
        sa.UniqueConstraint("reference", name=op.f("uq_purchases_reference")),
    )
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purchases_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_purchases_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_purchases_shipment_id"), ["shipment_id"], unique=False)
        batch_op.create_index(
            "uq_purchases_open_order",
            ["order_id"],
            unique=True,
            sqlite_where=sa.text("state IN ('intent', 'created', 'buying', 'unknown')"),
        )

    op.create_table(
        "scan_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("easypost_id", sa.Text(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("from_address_key", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("form_path", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("label_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_scan_forms_batch_id_batches"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_forms")),
        sa.UniqueConstraint("easypost_id", name=op.f("uq_scan_forms_easypost_id")),
    )
    op.create_table(
        "labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("purchase_id", sa.Integer(), nullable=True),
        sa.Column("shipment_id", sa.Text(), nullable=False),
        sa.Column("tracking_code", sa.Text(), nullable=False),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("amount_usd", sa.Text(), nullable=False),
        sa.Column("label_format", sa.String(length=10), nullable=False),
        sa.Column("label_path", sa.Text(), nullable=True),
        sa.Column("preview_path", sa.Text(), nullable=True),
        sa.Column("bought_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("refund_status", sa.Text(), nullable=True),
        sa.Column("refund_requested_at", sa.DateTime(), nullable=True),
        sa.Column("refunded_at", sa.DateTime(), nullable=True),
        sa.Column("scan_form_id", sa.Integer(), nullable=True),
        sa.Column("tracker_id", sa.Text(), nullable=True),
        sa.Column("tracking_status", sa.Text(), nullable=True),
        sa.Column("first_scan_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("from_address_key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_labels_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_labels_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["purchase_id"], ["purchases.id"], name=op.f("fk_labels_purchase_id_purchases")
        ),
        sa.ForeignKeyConstraint(
            ["scan_form_id"],
            ["scan_forms.id"],
            name=op.f("fk_labels_scan_form_id_scan_forms"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labels")),
        sa.UniqueConstraint("shipment_id", name=op.f("uq_labels_shipment_id")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_labels_tracking_code")),
    )
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_labels_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_labels_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_labels_scan_form_id"), ["scan_form_id"], unique=False)
        batch_op.create_index(
            "uq_labels_live_order",
            ["order_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('live', 'refund_submitted')"),
        )

    op.create_table(
        "print_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("printer_uri", sa.Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("reprint", sa.Boolean(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("printed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_print_jobs_label_id_labels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_jobs")),
    )
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_print_jobs_label_id"), ["label_id"], unique=False)
        batch_op.create_index(
            "ix_print_jobs_queue", ["printer_uri", "status", "sequence"], unique=False
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shipped_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("shipped_station", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("shipped_station")
        batch_op.drop_column("shipped_at")

    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_print_jobs_queue")
        batch_op.drop_index(batch_op.f("ix_print_jobs_label_id"))

    op.drop_table("print_jobs")
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_labels_live_order", sqlite_where=sa.text("status IN ('live', 'refund_submitted')")
        )
        batch_op.drop_index(batch_op.f("ix_labels_scan_form_id"))
        batch_op.drop_index(batch_op.f("ix_labels_order_id"))
        batch_op.drop_index(batch_op.f("ix_labels_batch_id"))

    op.drop_table("labels")
    op.drop_table("scan_forms")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_purchases_open_order",
            sqlite_where=sa.text("state IN ('intent', 'created', 'buying', 'unknown')"),
        )
        batch_op.drop_index(batch_op.f("ix_purchases_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_purchases_order_id"))
        batch_op.drop_index(batch_op.f("ix_purchases_batch_id"))

    op.drop_table("purchases")
    op.drop_table("batches")
    op.drop_table("pickups")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_order_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    op.drop_table("address_verifications")

"""Fulfilment tables (revision 0003): batches, the purchase journal, labels, print jobs, SCAN
forms, pickups, the audit log and cached address verifications."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.base import Base

#: Journal states in which a purchase may still turn into a label: one per order at most.
OPEN_PURCHASE_STATES = ("intent", "created", "buying", "unknown", "unrecorded")
#: Label statuses that still count as the order's postage: one per order at most.
LIVE_LABEL_STATUSES = ("live", "refund_submitted")


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class BatchRow(Base):
    """One buy run: a selection bought with one package type and service choice."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Human reference B-YYYYMMDD-NNN; the CLI and the GUI name batches by it.
    reference: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime]
    station: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))  # open|buying|done|cancelled
    package_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("package_types.id", ondelete="SET NULL")
    )
    service_choice: Mapped[str] = mapped_column(Text, default="")
    concurrency: Mapped[int] = mapped_column(default=8)
    easypost_batch_id: Mapped[str | None] = mapped_column(Text)
    # No spent tally: a batch's spend is derived from its labels and unrecorded journal rows
    # (BatchRepository.spent), so it can never drift from them (revision 0005 dropped it).
    # What was asked for (groups/orders, package type, services) as JSON, so the same buy run
    # again resumes this batch instead of starting another one.
    selection_json: Mapped[str] = mapped_column(Text, default="{}")
    finished_at: Mapped[datetime | None]


class PurchaseRow(Base):
    """The purchase journal: one row per attempt to buy one order's label."""

    __tablename__ = "purchases"
    __table_args__ = (
        # The database refuses a second purchase in flight for one order.
        Index(
            "uq_purchases_open_order",
            "order_id",
            unique=True,
            sqlite_where=text(_in_list("state", OPEN_PURCHASE_STATES)),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    # Sent to EasyPost as the shipment reference: finds the shipment when its id was lost.
    reference: Mapped[str] = mapped_column(Text, unique=True)
    # intent|created|buying|bought|failed|unknown|abandoned|unrecorded|refunded
    state: Mapped[str] = mapped_column(String(20))
    shipment_id: Mapped[str | None] = mapped_column(Text, index=True)
    rate_id: Mapped[str | None] = mapped_column(Text)
    service: Mapped[str | None] = mapped_column(Text)
    amount_usd: Mapped[Decimal | None]
    # Kept once bought: an `unrecorded` row holds the label's tracking number until it is
    # recorded as a label or refunded.
    tracking_code: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The station that bought (revision 0011; '' before it).
    station: Mapped[str] = mapped_column(Text, default="")


class LabelRow(Base):
    """A bought label and everything that happens to it afterwards."""

    __tablename__ = "labels"
    __table_args__ = (
        # The database itself refuses a second live label for one order.
        Index(
            "uq_labels_live_order",
            "order_id",
            unique=True,
            # A label superseded by a relabel (its refund asked) is no longer the order's
            # postage (revision 0005).
            sqlite_where=text(
                f"{_in_list('status', LIVE_LABEL_STATUSES)} AND superseded_at IS NULL"
            ),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    purchase_id: Mapped[int | None] = mapped_column(ForeignKey("purchases.id"))
    shipment_id: Mapped[str] = mapped_column(Text, unique=True)
    tracking_code: Mapped[str] = mapped_column(Text, unique=True)
    service: Mapped[str] = mapped_column(Text)
    amount_usd: Mapped[Decimal]
    label_format: Mapped[str] = mapped_column(String(10))
    label_path: Mapped[str | None] = mapped_column(Text)
    preview_path: Mapped[str | None] = mapped_column(Text)
    bought_at: Mapped[datetime]
    # live|refund_submitted|refunded (a rejected refund stays live; see domain LabelStatus)
    status: Mapped[str] = mapped_column(String(20), default="live")
    refund_status: Mapped[str | None] = mapped_column(Text)
    refund_requested_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
    scan_form_id: Mapped[int | None] = mapped_column(
        ForeignKey("scan_forms.id", ondelete="SET NULL"), index=True
    )
    tracker_id: Mapped[str | None] = mapped_column(Text)
    tracking_status: Mapped[str | None] = mapped_column(Text)
    first_scan_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    # Which ship-from address the label was bought from (SCAN forms are per from-address).
    from_address_key: Mapped[str] = mapped_column(Text, default="")
    # The recipient the label was bought for, as JSON (revision 0005; NULL before it): a later
    # difference from the order's address means "needs relabel".
    to_address: Mapped[str | None] = mapped_column(Text)
    # Set when a relabel refunded this label and bought the order a new one (revision 0005).
    superseded_at: Mapped[datetime | None]


class PrintJobRow(Base):
    """One label sent (or to be sent) to one printer."""

    __tablename__ = "print_jobs"
    __table_args__ = (Index("ix_print_jobs_queue", "printer_uri", "status", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id"), index=True)
    printer_uri: Mapped[str] = mapped_column(Text)
    sequence: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))  # queued|printing|printed|failed|skipped
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    reprint: Mapped[bool] = mapped_column(default=False)
    queued_at: Mapped[datetime]
    printed_at: Mapped[datetime | None]
    # The station whose printer prints it: only that station's queue takes it ('' before
    # revision 0011: any queue of that printer). `queued_by`: the station that sent it.
    station: Mapped[str] = mapped_column(Text, default="")
    queued_by: Mapped[str] = mapped_column(Text, default="")


class ScanFormRow(Base):
    """A USPS SCAN form (manifest) for labels of one from-address."""

    __tablename__ = "scan_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    easypost_id: Mapped[str] = mapped_column(Text, unique=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id", ondelete="SET NULL"))
    from_address_key: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    form_path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    label_count: Mapped[int] = mapped_column(default=0)


class PickupRow(Base):
    """A scheduled USPS pickup."""

    __tablename__ = "pickups"

    id: Mapped[int] = mapped_column(primary_key=True)
    easypost_id: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    min_datetime: Mapped[datetime]
    max_datetime: Mapped[datetime]
    instructions: Mapped[str] = mapped_column(Text, default="")
    package_count: Mapped[int] = mapped_column(default=0)
    confirmation: Mapped[str | None] = mapped_column(Text)
    amount_usd: Mapped[Decimal | None]
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]


class AuditRow(Base):
    """Who did what, when, where. Plain ids (no foreign keys): the log outlives the rows."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    station: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[int | None] = mapped_column(index=True)
    label_id: Mapped[int | None]
    batch_id: Mapped[int | None]
    details: Mapped[str] = mapped_column(Text, default="{}")


class AddressVerificationRow(Base):
    """A cached address verification, keyed by a hash of the address: re-runs do not re-verify."""

    __tablename__ = "address_verifications"

    address_hash: Mapped[str] = mapped_column(String(32), primary_key=True)
    verified: Mapped[bool]
    message: Mapped[str] = mapped_column(Text, default="")
    easypost_id: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime]

"""The order cache's tables as typed SQLAlchemy models (they never leave app.store)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.store.base import Base


class ItemRow(Base):
    """A SKU with its weight, value and customs data (curated by hand; imports only add)."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text, default="")
    weight_oz: Mapped[Decimal] = mapped_column(default=Decimal(0))
    value_usd: Mapped[Decimal] = mapped_column(default=Decimal(0))
    hts_code: Mapped[str] = mapped_column(String(10), default="")
    customs_description: Mapped[str] = mapped_column(Text, default="")
    origin_country: Mapped[str] = mapped_column(String(2), default="")
    media_mail_eligible: Mapped[bool] = mapped_column(default=False)
    manufacturer_product_id: Mapped[str] = mapped_column(Text, default="")
    barcode: Mapped[str] = mapped_column(Text, default="")


class PackageTypeRow(Base):
    """A package type: USPS predefined package or custom box (inches, ounces)."""

    __tablename__ = "package_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    predefined: Mapped[str | None] = mapped_column(Text)
    length_in: Mapped[Decimal | None]
    width_in: Mapped[Decimal | None]
    height_in: Mapped[Decimal | None]
    empty_weight_oz: Mapped[Decimal] = mapped_column(default=Decimal(0))
    machinable: Mapped[bool] = mapped_column(default=True)
    irregular: Mapped[bool] = mapped_column(default=False)


class ShipFromRow(Base):
    """A ship-from (return) address; one may be the default."""

    __tablename__ = "ship_from_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    company: Mapped[str] = mapped_column(Text, default="")
    street1: Mapped[str] = mapped_column(Text)
    street2: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text, default="")
    postal_code: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    is_default: Mapped[bool] = mapped_column(default=False)


class OrderRow(Base):
    """An order and its recipient. Identity: (source, external_id)."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        # Covers the package-group GROUP BY: an index-only scan over ready orders.
        Index("ix_orders_status_group", "status", "group_id", "country"),
        # No other secondary indexes: each one costs ~0.5 s per 100k imported orders, and a
        # scan of 100k rows (ready --country) takes milliseconds.
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    recipient_name: Mapped[str] = mapped_column(Text)
    company: Mapped[str] = mapped_column(Text, default="")
    street1: Mapped[str] = mapped_column(Text)
    street2: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text, default="")
    postal_code: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2))
    email: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    extra_json: Mapped[str] = mapped_column(Text, default="{}")
    tracking_code: Mapped[str | None] = mapped_column(Text)
    # blake2b of everything the order file says (app.domain.fingerprint): unchanged rows cost
    # one string comparison on re-import.
    content_hash: Mapped[str] = mapped_column(String(32))
    # The package group of the order's item multiset (app.domain.groups.group_id_for).
    group_id: Mapped[str] = mapped_column(String(16))
    # Where a held order returns on release (revision 0002).
    held_from_status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Scan to ship and tracking (revision 0003).
    shipped_at: Mapped[datetime | None]
    shipped_station: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]


class OrderLineRow(Base):
    """One SKU line of an order, in file order."""

    __tablename__ = "order_lines"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key to items (revision 0012): the import inserts unseen SKUs in the same
    # transaction and items are never deleted, while the key cost PostgreSQL a trigger per line.
    sku: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int]


class GroupSettingRow(Base):
    """The package type and services chosen for a package group (revision 0002; 0004 adds
    the international service: `service` is the one for domestic orders)."""

    __tablename__ = "package_group_settings"

    group_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    package_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("package_types.id", ondelete="SET NULL"), index=True
    )
    service: Mapped[str | None] = mapped_column(Text)
    international_service: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]


class SenderTaxIdRow(Base):
    """One of the sender's tax identifiers (ioss, eu_vat, uk_vat, eori, kickstarter_ioss)."""

    __tablename__ = "sender_tax_ids"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")

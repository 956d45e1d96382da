"""Orders, their lines and the recipient address, as plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class OrderStatus(StrEnum):
    """Where an order is in the day's flow."""

    IMPORTED = "imported"
    READY_TO_SHIP = "ready_to_ship"
    ON_HOLD = "on_hold"
    LABEL_PURCHASED = "label_purchased"
    PRINTED = "printed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


#: Statuses in which an order already holds a live label; imports must not rewrite it.
LABELLED_STATUSES = frozenset(
    {
        OrderStatus.LABEL_PURCHASED,
        OrderStatus.PRINTED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    }
)


class SourcePlatform(StrEnum):
    """Where an order came from; part of its identity with the external id."""

    KICKSTARTER = "kickstarter"
    BACKERKIT = "backerkit"
    SHOPIFY = "shopify"
    GENERIC = "generic"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address. Country is ISO-3166 alpha-2; state a USPS code for US addresses."""

    name: str
    street1: str
    city: str
    postal_code: str
    country: str
    company: str = ""
    street2: str = ""
    state: str = ""
    phone: str = ""
    email: str = ""

    @property
    def is_domestic(self) -> bool:
        """True for US addresses (including the territories USPS treats as domestic)."""
        return self.country in DOMESTIC_COUNTRIES


#: USPS delivers these as domestic mail (no customs form for most of them).
DOMESTIC_COUNTRIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM", "FM", "MH", "PW"})


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One SKU and how many of it an order holds."""

    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Order:
    """An order to ship. `id` is the local database id (None before it is stored)."""

    source: SourcePlatform
    external_id: str
    recipient: Address
    lines: tuple[OrderLine, ...]
    status: OrderStatus = OrderStatus.IMPORTED
    notes: str = ""
    id: int | None = None
    tracking_code: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def item_multiset(self) -> tuple[tuple[str, int], ...]:
        """The (SKU, quantity) multiset that decides the package group, in canonical order."""
        totals: dict[str, int] = {}
        for line in self.lines:
            totals[line.sku] = totals.get(line.sku, 0) + line.quantity
        return tuple(sorted((sku, qty) for sku, qty in totals.items() if qty > 0))

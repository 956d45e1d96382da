"""What a buy run hands back: labels bought, orders not bought and why, progress, the gateway."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from app.domain.delivery_target import TransitTimes
from app.domain.orders import Address
from app.domain.tax_ids import TaxIdentifier
from app.postage.models import (
    CustomsSpec,
    ParcelSpec,
    PurchasedLabel,
    RefundStatus,
    ShipmentOptions,
    ShipmentQuote,
    ShipmentRecord,
)
from app.services.order_claims import TakenOrder
from app.services.preflight import BlockedOrder
from app.store.purchases_repo import PurchaseRecord


class PurchaseGateway(Protocol):
    """What buying needs of the EasyPost gateway."""

    def create_shipment(
        self,
        *,
        to_address: Address,
        from_address: Address | str,
        parcel: ParcelSpec,
        options: ShipmentOptions | None = None,
        customs: CustomsSpec | None = None,
        reference: str = "",
        tax_identifiers: tuple[TaxIdentifier, ...] = (),
    ) -> ShipmentQuote: ...

    def smart_rates(self, shipment_id: str) -> tuple[TransitTimes, ...]: ...

    def buy(
        self,
        shipment_id: str,
        rate_id: str,
        *,
        insurance: Decimal | None = None,
        reference: str = "",
        label_format: str | None = None,
    ) -> PurchasedLabel: ...

    def reconcile(self, shipment_id: str) -> ShipmentRecord: ...

    def refund(self, shipment_id: str) -> RefundStatus: ...

    def list_shipments(
        self,
        start: datetime,
        end: datetime,
        *,
        purchased: bool | None = True,
        page_size: int = 100,
    ) -> Iterator[ShipmentRecord]: ...


@dataclass(frozen=True, slots=True)
class LabelInfo:
    """A label just bought, as the print queue and the UI need it."""

    label_id: int
    order_id: int
    external_id: str
    group_id: str
    batch_id: int
    batch_reference: str
    tracking_code: str
    service: str
    amount_usd: Decimal
    label_format: str
    label_path: str | None
    preview_path: str | None
    sequence: int  # position in group order within the selection


@dataclass(frozen=True, slots=True)
class FailedOrder:
    """An order whose label was not bought in this run, and why."""

    order_id: int
    external_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class UnrecordedLabel:
    """A label EasyPost sold that is not the order's recorded label (yet): kept, or refunded."""

    purchase_id: int
    order_id: int
    batch_id: int
    shipment_id: str
    tracking_code: str
    amount_usd: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class BuyProgress:
    """Where a buy run is; `spent` counts labels bought in this run."""

    total: int
    done: int
    failed: int
    remaining: int
    spent: Decimal


@dataclass(frozen=True, slots=True)
class BuyResult:
    """What a buy run did."""

    batch_id: int
    batch_reference: str
    bought: tuple[LabelInfo, ...]
    blocked: tuple[BlockedOrder, ...]
    failed: tuple[FailedOrder, ...]
    unknown: tuple[FailedOrder, ...]  # answer lost and not yet reconcilable: run again
    not_started: tuple[int, ...]  # order ids left when cancelled
    skipped: tuple[int, ...]  # already held a live label before this run
    spent: Decimal  # this run
    batch_spent: Decimal  # the whole batch so far
    reconciled: int  # open journal rows resolved before buying
    cancelled: bool
    delivery_errors: tuple[str, ...] = ()  # labels the on_label_bought receiver refused
    #: Labels bought (money spent) that the database would not take as live labels; they stay
    #: in the journal (`unrecorded`) until recorded or refunded. Never silently dropped.
    unrecorded: tuple[UnrecordedLabel, ...] = ()
    #: Unrecordable labels refunded automatically in this run, with the reason.
    refunded: tuple[UnrecordedLabel, ...] = ()
    #: Several desks: orders of the selection another station was buying (left to it).
    taken: tuple[TakenOrder, ...] = ()

    @property
    def complete(self) -> bool:
        return (
            not self.unknown
            and not self.not_started
            and not self.cancelled
            and not self.unrecorded
            and not self.refunded
        )


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """Open journal rows looked at: what became of them."""

    bought: tuple[LabelInfo, ...]
    resumable: tuple[PurchaseRecord, ...]  # shipment exists unbought: buy it, not another
    abandoned: tuple[PurchaseRecord, ...]  # nothing exists at EasyPost: safe to start over
    unresolved: tuple[PurchaseRecord, ...]  # EasyPost could not be asked: still unknown
    unrecorded: tuple[UnrecordedLabel, ...] = ()  # bought, still not recordable: kept
    refunded: tuple[UnrecordedLabel, ...] = ()  # bought, never recordable: refunded


OnLabelBought = Callable[[LabelInfo], None]
OnProgress = Callable[[BuyProgress], None]

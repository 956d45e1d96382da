"""A small shipping world for purchase tests: SKUs, a box, a sender, ready orders, a sandbox."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from app.domain.groups import group_id_for
from app.domain.items import Item
from app.domain.orders import Address, Order, OrderLine, OrderStatus, SourcePlatform
from app.domain.packages import PackageType
from app.domain.ship_from import ShipFromAddress
from app.domain.tax_ids import SenderTaxIds
from app.postage.gateway import EasyPostGateway, GatewayConfig
from app.postage.ratelimit import RetryPolicy
from app.services.audit import AuditLog
from app.services.clock import Clock, utc_now
from app.services.label_files import LabelFiles
from app.services.preflight import PreflightService
from app.services.purchase import BuyProgress, LabelInfo, PurchaseService
from app.store import OrderWrite, Store
from app.store.groups_repo import GroupSetting

NOW = datetime(2026, 11, 25, 12, 0, 0)
FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05, jitter=0.0)

ITEMS = (
    Item("TEE-M", "T-shirt M", Decimal("5.5"), Decimal(20), "610910", "Cotton T-shirt", "US"),
    Item("BOOK", "Art book", Decimal(16), Decimal(30), "490199", "Printed book", "US", True),
    Item("PIN", "Enamel pin", Decimal("0.5"), Decimal(8)),  # no customs data
    Item("ANVIL", "Anvil", Decimal(1200), Decimal(90), "820559", "Anvil", "US"),
)
SENDER = Address(
    name="Packdesk Studio",
    street1="417 Montgomery St",
    city="San Francisco",
    state="CA",
    postal_code="94104",
    country="US",
    phone="4155550100",
)
US_PLACES = (
    ("Boston", "MA", "02108"),
    ("Austin", "TX", "78701"),
    ("Denver", "CO", "80202"),
    ("Seattle", "WA", "98101"),
)


def make_gateway(api_base: str, **config: object) -> EasyPostGateway:
    settings: dict[str, object] = {"api_base": api_base, "retry": FAST_RETRY, **config}
    return EasyPostGateway("EZTK_test", GatewayConfig(**settings))  # type: ignore[arg-type]


def us_order(n: int, lines: Sequence[tuple[str, int]] = (("TEE-M", 1),)) -> Order:
    city, state, postal = US_PLACES[n % len(US_PLACES)]
    return Order(
        source=SourcePlatform.SHOPIFY,
        external_id=f"#{1000 + n}",
        recipient=Address(
            name=f"Backer {n}",
            street1=f"{n + 1} Main St",
            city=city,
            state=state,
            postal_code=postal,
            country="US",
        ),
        lines=tuple(OrderLine(sku, qty) for sku, qty in lines),
        status=OrderStatus.READY_TO_SHIP,
    )


#: The sender's identifiers every world has (Germany-issued IOSS, a UK VAT number).
SENDER_TAX_IDS = SenderTaxIds(ioss="IM2760000742", uk_vat="GB123456789")


def foreign_order(n: int, lines: Sequence[tuple[str, int]], country: str = "DE") -> Order:
    return Order(
        source=SourcePlatform.SHOPIFY,
        external_id=f"#{1000 + n}",
        recipient=Address(
            name=f"Backer {n}",
            street1="Unter den Linden 1",
            city="Berlin",
            postal_code="10117",
            country=country,
        ),
        lines=tuple(OrderLine(sku, qty) for sku, qty in lines),
        status=OrderStatus.READY_TO_SHIP,
    )


def seed(
    store: Store,
    orders: Sequence[Order],
    *,
    service: str | None = "GroundAdvantage",
    international_service: str | None = None,
) -> list[int]:
    """Items, the box 'Box S', the default sender, the orders (ready) and group settings
    (`service` for the groups' domestic orders, `international_service` for the others)."""
    with store.transaction(write=True) as tx:
        if not tx.items.known_skus():
            tx.items.insert_many(list(ITEMS))
        box = tx.package_types.get("Box S") or tx.package_types.add(
            PackageType(
                "Box S", None, Decimal(8), Decimal(6), Decimal(4), Decimal(3), machinable=True
            )
        )
        if tx.ship_from.default() is None:
            tx.ship_from.add(ShipFromAddress(label="studio", address=SENDER, is_default=True))
        if not tx.tax_ids.get().ioss:  # EU and UK parcels need these (issue 12)
            tx.tax_ids.save(SENDER_TAX_IDS)
        ids = tx.orders.insert_many(
            [OrderWrite(o, f"h{o.external_id}", group_id_for(o.item_multiset)) for o in orders],
            NOW,
        )
        for group in {group_id_for(o.item_multiset) for o in orders}:
            tx.groups.save_setting(GroupSetting(group, box.id, service, international_service), NOW)
    return ids


@dataclass
class Recorder:
    """Collects callbacks from a buy run."""

    labels: list[LabelInfo] = field(default_factory=list)
    progress: list[BuyProgress] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_label(self, label: LabelInfo) -> None:
        with self.lock:
            self.labels.append(label)

    def on_progress(self, progress: BuyProgress) -> None:
        with self.lock:
            self.progress.append(progress)


def purchase_service(
    store: Store,
    gateway: EasyPostGateway,
    labels_root: Path,
    *,
    concurrency: int = 4,
    clock: Clock = utc_now,
) -> PurchaseService:
    audit = AuditLog(store, station="desk-1", user="ann", clock=clock)
    return PurchaseService(
        store,
        gateway,
        PreflightService(store, gateway, clock=clock),
        LabelFiles(labels_root, gateway),
        audit,
        concurrency=concurrency,
        clock=clock,
    )


def ledger_purchases(ledger: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    return [entry for entry in ledger if entry.get("event") == "purchase"]

"""A desk's data for document tests: orders (Japanese, Arabic, long street), batches, labels.

Labels are recorded straight through the repositories (no sandbox): documents only read them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.items import Item
from app.domain.orders import Address, Order, OrderLine, OrderStatus, SourcePlatform
from app.domain.tracking import make_usps_tracking_number
from app.services.importing import ImportService
from app.store import StatusChange, Store, open_store
from app.store.labels_repo import NewLabel
from tests.services.factories import parsed

#: The fixed "now" of every document test (a Tuesday; nothing depends on the real date).
NOW = datetime(2026, 3, 10, 15, 0, 0)

JAPANESE_NAME = "山田 太郎"
ARABIC_NAME = "محمد عبد الله"
HEBREW_NAME = "דוד לוי"
LONG_STREET = "1234 Extraordinarily Long Boulevard Name Apartment 5678 Rear"  # 60 characters
assert len(LONG_STREET) == 60

ITEMS = (
    Item("TEE-M", "T-shirt, medium", Decimal("6.5"), Decimal("20")),
    Item("BOOK", "Art book (hardcover)", Decimal("32"), Decimal("45")),
    Item("PIN", "Enamel pin", Decimal("0.5"), Decimal("8")),
)


def make_order(
    external_id: str,
    lines: Sequence[tuple[str, int]],
    *,
    name: str,
    street1: str = "1 Main St",
    city: str = "Boston",
    state: str = "MA",
    postal_code: str = "02108",
    country: str = "US",
    email: str = "",
    source: SourcePlatform = SourcePlatform.KICKSTARTER,
) -> Order:
    return Order(
        source=source,
        external_id=external_id,
        recipient=Address(
            name=name,
            street1=street1,
            city=city,
            state=state,
            postal_code=postal_code,
            country=country,
            email=email,
        ),
        lines=tuple(OrderLine(sku, qty) for sku, qty in lines),
    )


@dataclass
class DocWorld:
    """Orders, batches and labels in a real database file."""

    store: Store
    tmp: Path
    ids: dict[str, int] = field(default_factory=dict)
    batches: dict[str, int] = field(default_factory=dict)
    _sequence: int = 0

    def add_orders(self, orders: Sequence[Order], status: OrderStatus) -> list[int]:
        ImportService(self.store, lambda path, **_: parsed([]), clock=lambda: NOW).apply(
            parsed(orders, items=ITEMS)
        )
        with self.store.transaction(write=True) as tx:
            found = tx.orders.ids_by_external([(o.source.value, o.external_id) for o in orders])
            ids = [found[(o.source.value, o.external_id)] for o in orders]
            if status is not OrderStatus.IMPORTED:
                tx.orders.apply_status_changes(
                    [StatusChange(order_id, status, None) for order_id in ids], NOW
                )
        for o, order_id in zip(orders, ids, strict=True):
            self.ids[o.external_id] = order_id
        return ids

    def batch(self) -> str:
        with self.store.transaction(write=True) as tx:
            record = tx.batches.create(
                now=NOW,
                station="desk-1",
                user="tester",
                package_type_id=None,
                service_choice="GroundAdvantage",
                concurrency=4,
            )
        self.batches[record.reference] = record.id
        return record.reference

    def label(
        self,
        external_id: str,
        *,
        batch: str | None = None,
        service: str = "GroundAdvantage",
        amount: str = "5.25",
        bought_at: datetime = NOW,
        label_path: Path | None = None,
    ) -> str:
        """Record a live label for the order; returns its tracking number."""
        self._sequence += 1
        tracking = make_usps_tracking_number(self._sequence)
        order_id = self.ids[external_id]
        with self.store.transaction(write=True) as tx:
            tx.labels.add(
                NewLabel(
                    order_id=order_id,
                    shipment_id=f"shp_{self._sequence:06d}",
                    tracking_code=tracking,
                    service=service,
                    amount_usd=Decimal(amount),
                    label_format="PNG",
                    bought_at=bought_at,
                    batch_id=self.batches[batch] if batch else None,
                    label_path=str(label_path) if label_path else None,
                )
            )
            tx.orders.apply_status_changes(
                [StatusChange(order_id, OrderStatus.LABEL_PURCHASED, None)], bought_at
            )
        return tracking

    def refund(self, tracking: str, *, at: datetime = NOW + timedelta(days=1)) -> None:
        with self.store.transaction(write=True) as tx:
            record = tx.labels.by_tracking_code(tracking)
            assert record is not None
            tx.labels.update(
                record.id,
                status="refunded",
                refund_status="refunded",
                refund_requested_at=at,
                refunded_at=at,
            )


def standard_orders() -> list[Order]:
    """Three groups; names in Japanese, Arabic and Hebrew; one 60-character street."""
    return [
        make_order(
            "1001",
            [("TEE-M", 1)],
            name=JAPANESE_NAME,
            country="JP",
            state="",
            city="東京都千代田区",
            postal_code="100-0001",
            street1="丸の内1-1-1",
        ),
        make_order(
            "1002",
            [("TEE-M", 1)],
            name=ARABIC_NAME,
            country="AE",
            state="",
            city="دبي",
            postal_code="00000",
            street1="شارع الملك فهد 12",
        ),
        make_order(
            "1003", [("TEE-M", 1), ("PIN", 2)], name="Zoë Åström-Øster", street1=LONG_STREET
        ),
        make_order(
            "1004",
            [("BOOK", 1)],
            name=HEBREW_NAME,
            country="IL",
            state="",
            city="תל אביב",
            postal_code="6100000",
            street1="רחוב הרצל 5",
        ),
        make_order("1005", [("BOOK", 1)], name="Дмитрий Ἀλέξανδρος"),
    ]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[DocWorld]:
    store = open_store(tmp_path / "packdesk.sqlite3")
    try:
        yield DocWorld(store, tmp_path)
    finally:
        store.close()

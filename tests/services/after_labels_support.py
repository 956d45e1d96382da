"""Shared set-up for the after-the-labels tests: a sandbox, a gateway, orders and bought labels.

Labels are bought for real in the sandbox (create shipment + buy) and recorded through the
label repository, the way the purchase pipeline records them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.orders import Address, OrderStatus
from app.postage.gateway import EasyPostGateway, GatewayConfig
from app.postage.models import ParcelSpec, RateRequest
from app.postage.ratelimit import RetryPolicy
from app.postage.sandbox.clock import SandboxClock
from app.postage.sandbox.server import SandboxServer
from app.services.audit import AuditLog
from app.services.importing import ImportService
from app.store import StatusChange, Store
from app.store.labels_repo import LabelRecord, NewLabel
from tests.dates import RunningClock, aware
from tests.services.factories import order, parsed

STUDIO = Address(
    name="Packdesk Studio",
    street1="388 Townsend St",
    city="San Francisco",
    state="CA",
    postal_code="94107",
    country="US",
    phone="4155550100",
)
WAREHOUSE = Address(
    name="Packdesk Warehouse",
    street1="1 Market St",
    city="New York",
    state="NY",
    postal_code="10001",
    country="US",
    phone="2125550100",
)


#: The desk's clock: a fixed start that runs on, plus an offset tests move forward.
ShiftedClock = RunningClock


@dataclass
class Desk:
    """A store, a sandbox, a gateway and helpers to make orders and labels."""

    store: Store
    sandbox: SandboxServer
    gateway: EasyPostGateway
    audit: AuditLog
    clock: ShiftedClock
    documents: Path
    _next_order: int = 0
    batches: dict[str, int] = field(default_factory=dict)

    def orders(self, count: int) -> list[int]:
        """Import `count` new orders; returns their ids."""
        refs = [str(self._next_order + i + 1) for i in range(count)]
        self._next_order += count
        ImportService(self.store, lambda path, **_: parsed([])).apply(
            parsed([order(ref) for ref in refs])
        )
        with self.store.transaction() as tx:
            ids = tx.orders.ids_by_external([("kickstarter", ref) for ref in refs])
        return [ids[("kickstarter", ref)] for ref in refs]

    def batch(self, name: str = "") -> str:
        """A new batch row; returns its reference."""
        with self.store.transaction(write=True) as tx:
            record = tx.batches.create(
                now=self.clock(),
                station="desk-1",
                user="tester",
                package_type_id=None,
                service_choice="GroundAdvantage",
                concurrency=4,
            )
        self.batches[record.reference] = record.id
        return record.reference

    def buy(
        self,
        order_id: int,
        *,
        batch: str | None = None,
        from_address: Address = STUDIO,
        from_key: str = "studio",
        bought_at: datetime | None = None,
    ) -> LabelRecord:
        """Buy a real sandbox label for the order and record it (order -> label_purchased)."""
        with self.store.transaction() as tx:
            stored = tx.orders.get(order_id)
        assert stored is not None
        quote = self.gateway.quote(
            RateRequest(
                from_address,
                stored.recipient,
                ParcelSpec(
                    weight_oz=Decimal(12),
                    length_in=Decimal(9),
                    width_in=Decimal(6),
                    height_in=Decimal(2),
                ),
            )
        )
        rate = quote.choose("GroundAdvantage")
        label = self.gateway.buy(quote.shipment_id, rate.id)
        now = bought_at or self.clock()
        with self.store.transaction(write=True) as tx:
            record = tx.labels.add(
                NewLabel(
                    order_id=order_id,
                    shipment_id=label.shipment_id,
                    tracking_code=label.tracking_code,
                    service=rate.service,
                    amount_usd=rate.amount,
                    label_format=label.label_format,
                    bought_at=now,
                    batch_id=self.batches[batch] if batch else None,
                    from_address_key=from_key,
                )
            )
            if label.tracker_id:
                tx.labels.update(record.id, tracker_id=label.tracker_id)
            tx.orders.apply_status_changes(
                [StatusChange(order_id, OrderStatus.LABEL_PURCHASED, None)], now
            )
        return record

    def label_ids_of(self, batch: str) -> list[int]:
        with self.store.transaction() as tx:
            return [f.label_id for f in tx.shipping.labels_for_batch(self.batches[batch])]

    def order_status(self, order_id: int) -> str:
        with self.store.transaction() as tx:
            state = tx.shipping.order_by_id(order_id)
        assert state is not None
        return state.status


FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05)


@pytest.fixture
def desk(store: Store, tmp_path: Path, desk_moment: datetime) -> Iterator[Desk]:
    sandbox_clock = SandboxClock(aware(desk_moment))
    with SandboxServer(tmp_path / "sandbox-state.json", clock=sandbox_clock) as sandbox:
        sandbox.set_timings(scan_form_s=0.0, batch_s=0.0)
        gateway = EasyPostGateway(
            "EZTK_test_after_labels",
            GatewayConfig(api_base=sandbox.api_base, retry=FAST_RETRY),
        )
        clock = ShiftedClock(desk_moment)
        audit = AuditLog(store, station="desk-1", user="tester", clock=clock)
        try:
            yield Desk(store, sandbox, gateway, audit, clock, tmp_path / "documents")
        finally:
            gateway.close()

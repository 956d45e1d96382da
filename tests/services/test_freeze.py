"""Orders with a purchase in flight are frozen (issue 8 items 3 and 4): a re-import or a hold
during a buy neither changes what is being bought nor is reported as done."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.groups import group_id_for
from app.domain.order_flow import StatusAction
from app.domain.orders import OrderStatus
from app.postage.gateway import EasyPostGateway
from app.postage.models import PurchasedLabel
from app.services.buy_plan import Selection
from app.services.importing import ImportService
from app.services.orders import OrderSelection, OrderService
from app.services.purchase import BuyResult, PurchaseService
from app.store import Store
from tests.services.factories import parsed
from tests.services.purchase_world import NOW, ledger_purchases, purchase_service, seed, us_order

TEE_GROUP = group_id_for((("TEE-M", 1),))


class GatedGateway:
    """The real gateway, except that every buy waits at a gate the test opens."""

    def __init__(self, inner: EasyPostGateway) -> None:
        self._inner = inner
        self.gate = threading.Event()
        self._entered = threading.Condition()
        self.entered = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def buy(self, shipment_id: str, rate_id: str, **kwargs: Any) -> PurchasedLabel:
        with self._entered:
            self.entered += 1
            self._entered.notify_all()
        assert self.gate.wait(30), "the test never opened the gate"
        return self._inner.buy(shipment_id, rate_id, **kwargs)

    def wait_for_buys(self, count: int) -> None:
        with self._entered:
            assert self._entered.wait_for(lambda: self.entered >= count, timeout=30)


class BuyInBackground:
    """A buy run on its own thread, so the test can act while it is in flight."""

    def __init__(
        self, service: PurchaseService, selection: Selection, *, verify: bool = False
    ) -> None:
        self.result: BuyResult | None = None
        self.error: BaseException | None = None
        self._verify = verify
        self._thread = threading.Thread(target=self._run, args=(service, selection))
        self._thread.start()

    def _run(self, service: PurchaseService, selection: Selection) -> None:
        try:
            self.result = service.buy(selection, verify_addresses=self._verify)
        except BaseException as error:  # surfaced by join()
            self.error = error

    def join(self) -> BuyResult:
        self._thread.join(60)
        assert not self._thread.is_alive()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


@pytest.fixture
def gated(gateway: EasyPostGateway) -> Iterator[GatedGateway]:
    gated = GatedGateway(gateway)
    yield gated
    gated.gate.set()


def _service(store: Store, gated: GatedGateway, tmp_path: Path, **kwargs: Any) -> PurchaseService:
    return purchase_service(store, gated, tmp_path / "labels", **kwargs)  # type: ignore[arg-type]


def _moved(order_ids: list[int], store: Store) -> list[Any]:
    """The stored orders with a new street, as a re-import of an edited file brings them."""
    with store.transaction() as tx:
        stored = tx.orders.find(order_ids=order_ids)
    return [
        replace(o, id=None, recipient=replace(o.recipient, street1=f"9{o.id} New Rd"))
        for o in stored
    ]


def test_reimport_during_a_buy_reports_in_flight_orders_as_conflicts(
    store: Store, gated: GatedGateway, tmp_path: Path
) -> None:
    """Item 3: was `updated 10, conflicts []`, and the labels went to the old addresses."""
    ids = seed(store, [us_order(n) for n in range(10)])
    with store.transaction() as tx:
        before = {o.id: o.recipient for o in tx.orders.find(order_ids=ids)}
    buy = BuyInBackground(
        _service(store, gated, tmp_path, concurrency=10), Selection(groups=(TEE_GROUP,))
    )
    gated.wait_for_buys(10)

    report = ImportService(store, lambda *_a, **_k: parsed([]), clock=lambda: NOW).apply(
        parsed(_moved(ids, store))
    )
    gated.gate.set()
    result = buy.join()

    assert report.orders_updated == 0
    assert sorted(c.order_id for c in report.conflicts) == sorted(ids)
    assert all("purchase is in flight" in c.message for c in report.conflicts)
    assert len(result.bought) == 10
    with store.transaction() as tx:
        after = {o.id: o.recipient for o in tx.orders.find(order_ids=ids)}
        labels = {label.order_id: label for label in tx.labels.list()}
    assert after == before  # the database says where the labels really go
    assert all(labels[i].to_address for i in ids)


def test_hold_during_a_buy_is_refused_with_the_reason(
    store: Store, gated: GatedGateway, tmp_path: Path
) -> None:
    """Item 4: was `hold: 5 changed`, then bought anyway with held_from_status NULL."""
    ids = seed(store, [us_order(n) for n in range(5)])
    buy = BuyInBackground(
        _service(store, gated, tmp_path, concurrency=5), Selection(groups=(TEE_GROUP,))
    )
    gated.wait_for_buys(5)
    orders = OrderService(store, clock=lambda: NOW)

    with pytest.raises(AppError) as refused:
        orders.change_status(StatusAction.HOLD, OrderSelection(refs=tuple(map(str, ids))))
    bulk = orders.change_status(StatusAction.HOLD, OrderSelection(all=True))
    gated.gate.set()
    result = buy.join()

    assert refused.value.kind is ErrorKind.CONFLICT
    assert "purchase is in flight" in refused.value.message
    assert bulk.changed == () and bulk.skipped == bulk.in_flight == 5
    assert len(result.bought) == 5
    statuses = {o.id: o.status for o in orders.list_orders()}
    assert set(statuses.values()) == {OrderStatus.LABEL_PURCHASED}


def test_an_order_held_before_its_turn_is_not_bought(
    store: Store, gated: GatedGateway, tmp_path: Path
) -> None:
    """One buyer at a time: order 2 has no journal row yet, so the hold is taken, and the buy
    (which planned it) re-reads it before its intent and leaves it alone."""
    ids = seed(store, [us_order(n) for n in range(2)])
    service = _service(store, gated, tmp_path, concurrency=1)
    service.lookahead = 1
    buy = BuyInBackground(service, Selection(groups=(TEE_GROUP,)))
    gated.wait_for_buys(1)

    held = OrderService(store, clock=lambda: NOW).change_status(
        StatusAction.HOLD, OrderSelection(refs=(str(ids[1]),))
    )
    gated.gate.set()
    result = buy.join()

    assert held.changed == (ids[1],)
    assert [label.order_id for label in result.bought] == [ids[0]]
    assert [b.order_id for b in result.blocked] == [ids[1]]
    assert "on_hold" in result.blocked[0].reason
    with store.transaction() as tx:
        row = tx.orders.status_rows(order_ids=[ids[1]])[0]
    assert (row.status, row.held_from) == (OrderStatus.ON_HOLD, OrderStatus.READY_TO_SHIP)
    assert result.spent == sum((label.amount_usd for label in result.bought), Decimal(0))


def test_an_address_changed_before_its_turn_is_bought_as_stored(
    store: Store, gated: GatedGateway, tmp_path: Path, sandbox: Any
) -> None:
    ids = seed(store, [us_order(n) for n in range(2)])
    service = _service(store, gated, tmp_path, concurrency=1)
    service.lookahead = 1
    buy = BuyInBackground(service, Selection(groups=(TEE_GROUP,)))
    gated.wait_for_buys(1)

    moved = _moved([ids[1]], store)
    report = ImportService(store, lambda *_a, **_k: parsed([]), clock=lambda: NOW).apply(
        parsed(moved)
    )
    gated.gate.set()
    buy.join()

    assert report.orders_updated == 1 and report.conflicts == ()
    with store.transaction() as tx:
        label = tx.labels.live_for_order(ids[1])
    assert label is not None and f"9{ids[1]} New Rd" in (label.to_address or "")


def test_an_address_re_imported_before_its_turn_is_verified_before_it_is_bought(
    store: Store, gated: GatedGateway, tmp_path: Path, sandbox: Any
) -> None:
    """The plan's address was verified; the one sent is the stored one, so it is checked too."""
    ids = seed(store, [us_order(n) for n in range(2)])
    service = _service(store, gated, tmp_path, concurrency=1)
    service.lookahead = 1
    buy = BuyInBackground(service, Selection(groups=(TEE_GROUP,)), verify=True)
    gated.wait_for_buys(1)
    with store.transaction() as tx:
        stored = tx.orders.get(ids[1])
    assert stored is not None
    nowhere = replace(stored.recipient, city="Nowhere", postal_code="99999")
    ImportService(store, lambda *_a, **_k: parsed([]), clock=lambda: NOW).apply(
        parsed([replace(stored, id=None, recipient=nowhere)])
    )
    gated.gate.set()
    result = buy.join()

    assert [label.order_id for label in result.bought] == [ids[0]]
    assert [b.order_id for b in result.blocked] == [ids[1]]
    assert "address not verified" in result.blocked[0].reason
    with store.transaction() as tx:
        assert tx.purchases.open_purchases() == []
    assert len(ledger_purchases(sandbox.ledger())) == 1

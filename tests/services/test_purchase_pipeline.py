"""The buy pipeline: creates and buys on separate pools, a bounded look-ahead, cancel, resume."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import PurchaseState
from app.domain.groups import group_id_for
from app.postage.gateway import EasyPostGateway
from app.postage.models import PurchasedLabel, ShipmentQuote, ShipmentRecord
from app.postage.sandbox.server import SandboxServer
from app.services import purchase as purchase_module
from app.services.audit import AuditLog
from app.services.buy_plan import Selection
from app.services.label_files import LabelFiles
from app.services.preflight import PreflightService
from app.services.purchase import LOOKAHEAD_FACTOR, LabelInfo, PurchaseService
from app.store import Store, open_store
from tests.services.purchase_world import ledger_purchases, make_gateway, seed, us_order

TEE_GROUP = group_id_for((("TEE-M", 1),))
#: Long enough for creates that ignored the look-ahead to show; a correct run always waits it out.
OVERRUN_WAIT_S = 0.3


class RecordingGateway:
    """Counts creates and buys in flight and shipments created but not bought yet.

    Until `gate_at` shipments wait unbought, every buy is held: stage 1 can then only be stopped
    by the look-ahead bound. Once that many wait, buys are held a moment more to give creates
    the chance to overrun it, then released for good.
    """

    def __init__(
        self, inner: EasyPostGateway, gate_at: int, on_gate_open: Callable[[], None] | None = None
    ) -> None:
        self.inner = inner
        self.gate_at = gate_at
        self.on_gate_open = on_gate_open
        self.cond = threading.Condition()
        self.creates_in_flight = 0
        self.buys_in_flight = 0
        self.waiting = 0  # created, buy not yet returned
        self.created = 0
        self.max_creates = 0
        self.max_buys = 0
        self.max_waiting = 0
        self.gate_open = False
        self.bought_shipments: list[str] = []

    def create_shipment(self, **kwargs: Any) -> ShipmentQuote:
        with self.cond:
            self.creates_in_flight += 1
            self.max_creates = max(self.max_creates, self.creates_in_flight)
        try:
            quote = self.inner.create_shipment(**kwargs)
        finally:
            with self.cond:
                self.creates_in_flight -= 1
        with self.cond:
            self.created += 1
            self.waiting += 1
            self.max_waiting = max(self.max_waiting, self.waiting)
            self.cond.notify_all()
        return quote

    def buy(self, shipment_id: str, rate_id: str, **kwargs: Any) -> PurchasedLabel:
        with self.cond:
            if not self.gate_open:
                assert self.cond.wait_for(lambda: self.waiting >= self.gate_at, timeout=10)
                self.cond.wait_for(lambda: self.waiting > self.gate_at, timeout=OVERRUN_WAIT_S)
                self.gate_open = True
                if self.on_gate_open is not None:
                    self.on_gate_open()
            self.buys_in_flight += 1
            self.max_buys = max(self.max_buys, self.buys_in_flight)
        try:
            label = self.inner.buy(shipment_id, rate_id, **kwargs)
        finally:
            with self.cond:
                self.buys_in_flight -= 1
                self.waiting -= 1
        self.bought_shipments.append(shipment_id)
        return label

    def reconcile(self, shipment_id: str) -> ShipmentRecord:
        return self.inner.reconcile(shipment_id)

    def list_shipments(
        self, start: datetime, end: datetime, *, purchased: bool | None = True, page_size: int = 100
    ) -> Iterator[ShipmentRecord]:
        return self.inner.list_shipments(start, end, purchased=purchased, page_size=page_size)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox.json") as server:
        yield server


@pytest.fixture
def gateway(sandbox: SandboxServer) -> Iterator[EasyPostGateway]:
    gw = make_gateway(sandbox.api_base)
    yield gw
    gw.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "packdesk.sqlite3")
    yield opened
    opened.close()


def _service(
    store: Store, gateway: EasyPostGateway, buyer: object, root: Path, **kwargs: Any
) -> PurchaseService:
    return PurchaseService(
        store,
        buyer,  # type: ignore[arg-type]
        PreflightService(store, gateway),
        LabelFiles(root, gateway),
        AuditLog(store, station="desk-1", user="ann"),
        **kwargs,
    )


def _assert_each_order_bought_once(store: Store, sandbox: SandboxServer) -> None:
    bought = ledger_purchases(sandbox.ledger())
    shipments = [str(entry["shipment_id"]) for entry in bought]
    assert len(shipments) == len(set(shipments))
    with store.transaction() as tx:
        labels = tx.labels.list()
    assert {label.shipment_id for label in labels} == set(shipments)
    orders = [label.order_id for label in labels]
    assert len(orders) == len(set(orders))


def test_creates_run_ahead_of_buys_only_as_far_as_the_look_ahead(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    ids = seed(store, [us_order(n) for n in range(14)])
    lookahead = LOOKAHEAD_FACTOR * 2
    recording = RecordingGateway(gateway, gate_at=lookahead)
    service = _service(store, gateway, recording, tmp_path / "labels", concurrency=2)
    labels: list[LabelInfo] = []
    created_at_first_label: list[int] = []

    def on_label(label: LabelInfo) -> None:
        if not labels:
            with recording.cond:
                created_at_first_label.append(recording.created)
        labels.append(label)

    result = service.buy(
        Selection(groups=(TEE_GROUP,)), create_concurrency=3, on_label_bought=on_label
    )

    assert [label.order_id for label in result.bought] == ids
    assert [label.order_id for label in labels] == ids  # group order, whatever finished first
    assert recording.max_waiting == lookahead  # creates ran ahead, up to the bound, no further
    assert recording.max_buys <= 2  # money calls in flight: the concurrency setting
    assert recording.max_creates <= 3  # stage 1 has its own pool, of create_concurrency
    assert created_at_first_label[0] < len(ids)  # the first label did not wait for all creates
    _assert_each_order_bought_once(store, sandbox)


def test_cancel_leaves_created_rows_that_the_next_run_buys_on_the_same_shipments(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    ids = seed(store, [us_order(n) for n in range(12)])
    lookahead = LOOKAHEAD_FACTOR * 2
    cancel = threading.Event()
    # Cancelled when the look-ahead is full: two buys are past the cancel check, the two other
    # shipments are created and waiting for a buy worker.
    recording = RecordingGateway(gateway, gate_at=lookahead, on_gate_open=cancel.set)
    service = _service(store, gateway, recording, tmp_path / "labels", concurrency=2)
    selection = Selection(groups=(TEE_GROUP,))

    first = service.buy(selection, cancel=cancel)

    assert first.cancelled and len(first.bought) == 2
    assert len(first.bought) + len(first.not_started) == len(ids)
    with store.transaction() as tx:
        rows = tx.purchases.for_batch(first.batch_id)
    left = {row.order_id: row for row in rows if row.state is PurchaseState.CREATED}
    assert {row.state for row in rows} == {PurchaseState.BOUGHT, PurchaseState.CREATED}
    assert len(left) == lookahead - 2  # few unbought shipments, bounded by the look-ahead
    assert set(left) <= set(first.not_started)
    assert len(ledger_purchases(sandbox.ledger())) == len(first.bought)  # nothing more bought
    _assert_each_order_bought_once(store, sandbox)

    second = service.buy(selection)  # a plain re-run (the gate is open by now)

    assert second.batch_id == first.batch_id and not second.cancelled
    assert len(first.bought) + len(second.bought) == len(ids)
    by_order = {label.order_id: label for label in second.bought}
    with store.transaction() as tx:
        for order_id, row in left.items():
            label = tx.labels.live_for_order(order_id)
            assert label is not None and label.shipment_id == row.shipment_id  # same shipment
            assert by_order[order_id].tracking_code == label.tracking_code
    assert len(ledger_purchases(sandbox.ledger())) == len(ids)
    _assert_each_order_bought_once(store, sandbox)


def test_a_look_ahead_of_one_is_a_sequential_loop(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The benchmarks' reference: create + buy one order after the other."""
    ids = seed(store, [us_order(n) for n in range(4)])
    recording = RecordingGateway(gateway, gate_at=1)
    service = _service(store, gateway, recording, tmp_path / "labels", concurrency=1, lookahead=1)
    result = service.buy(Selection(groups=(TEE_GROUP,)), create_concurrency=4)
    assert [label.order_id for label in result.bought] == ids
    assert (recording.max_waiting, recording.max_creates, recording.max_buys) == (1, 1, 1)
    _assert_each_order_bought_once(store, sandbox)


def test_a_cancel_before_anything_starts_creates_no_shipment(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    ids = seed(store, [us_order(n) for n in range(3)])
    recording = RecordingGateway(gateway, gate_at=0)
    service = _service(store, gateway, recording, tmp_path / "labels")
    cancel = threading.Event()
    cancel.set()
    result = service.buy(Selection(groups=(TEE_GROUP,)), cancel=cancel)
    assert result.cancelled and sorted(result.not_started) == ids and result.bought == ()
    assert recording.created == 0 and ledger_purchases(sandbox.ledger()) == []


def test_create_concurrency_out_of_range_is_refused(
    store: Store, gateway: EasyPostGateway, tmp_path: Path
) -> None:
    seed(store, [us_order(0)])
    service = _service(store, gateway, gateway, tmp_path / "labels")
    with pytest.raises(AppError) as caught:
        service.buy(Selection(groups=(TEE_GROUP,)), create_concurrency=65)
    assert caught.value.kind is ErrorKind.INVALID_INPUT
    assert "Create concurrency 65" in caught.value.message


def test_spent_and_progress_add_up_through_the_pipeline(
    store: Store, gateway: EasyPostGateway, tmp_path: Path
) -> None:
    seed(store, [us_order(n) for n in range(9)])
    service = _service(store, gateway, gateway, tmp_path / "labels", concurrency=3)
    seen: list[tuple[int, int, int]] = []
    result = service.buy(
        Selection(groups=(TEE_GROUP,)),
        progress=lambda p: seen.append((p.done, p.failed, p.remaining)),
    )
    assert len(result.bought) == 9 and result.complete
    assert seen[0] == (0, 0, 9) and seen[-1] == (9, 0, 0)
    assert result.spent == sum((label.amount_usd for label in result.bought), Decimal(0))


def test_an_interrupt_while_feeding_acts_as_a_cancel(
    store: Store,
    gateway: EasyPostGateway,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C in the buying thread: what the pools hold is not bought on the way out."""
    ids = seed(store, [us_order(n) for n in range(6)])
    service = _service(store, gateway, gateway, tmp_path / "labels", concurrency=1)
    admit = purchase_module._Run._admit
    calls: list[int] = []

    def interrupted(run: object) -> bool:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return admit(run)  # type: ignore[arg-type]

    monkeypatch.setattr(purchase_module._Run, "_admit", interrupted)
    selection = Selection(groups=(TEE_GROUP,))
    with pytest.raises(KeyboardInterrupt):
        service.buy(selection, create_concurrency=1)
    assert ledger_purchases(sandbox.ledger()) == []
    with store.transaction() as tx:
        states = {row.state for row in tx.purchases.for_orders(ids)}
    assert states <= {PurchaseState.CREATED}

    monkeypatch.undo()
    again = service.buy(selection)
    assert sorted(label.order_id for label in again.bought) == ids
    _assert_each_order_bought_once(store, sandbox)

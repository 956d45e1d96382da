"""Review findings on the buy pipeline: lost answers, receiver and disk errors, open rows."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import BatchStatus, PurchaseState
from app.domain.groups import group_id_for
from app.postage.gateway import EasyPostGateway, GatewayConfig
from app.postage.models import PurchasedLabel, ShipmentQuote, ShipmentRecord
from app.postage.sandbox.server import SandboxServer
from app.services.audit import AuditAction, AuditLog
from app.services.buy_plan import Selection
from app.services.clock import utc_now
from app.services.label_files import LabelFiles
from app.services.preflight import PreflightService
from app.services.purchase import ABANDON_AFTER, BuyProgress, LabelInfo, PurchaseService
from app.store import Store
from app.store.groups_repo import GroupSetting
from tests.services.purchase_world import (
    FAST_RETRY,
    Recorder,
    ledger_purchases,
    purchase_service,
    seed,
    us_order,
)

TEE_GROUP = group_id_for((("TEE-M", 1),))
WAIT_S = 10


class LossyGateway(EasyPostGateway):
    """The answer of the first buy is lost (outcome unknown); `commit` says if it was bought.

    `reconcile_fails` makes every look-up fail too, so the row stays open after the run.
    """

    commit = True
    reconcile_fails = False

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lost = 0
        self.lock = threading.Lock()

    def buy(self, shipment_id: str, rate_id: str, **kw: object) -> PurchasedLabel:
        with self.lock:
            lose = self.lost == 0
            self.lost += 1
        if lose:
            if self.commit:
                super().buy(shipment_id, rate_id, **kw)  # type: ignore[arg-type]
            raise AppError("lost", kind=ErrorKind.NETWORK, details={"outcome": "unknown"})
        return super().buy(shipment_id, rate_id, **kw)  # type: ignore[arg-type]

    def reconcile(self, shipment_id: str) -> ShipmentRecord:
        if self.reconcile_fails:
            raise AppError("EasyPost unreachable", kind=ErrorKind.NETWORK)
        return super().reconcile(shipment_id)


def _gw(sandbox: SandboxServer, cls: type[EasyPostGateway] = EasyPostGateway) -> EasyPostGateway:
    return cls("EZTK_test", GatewayConfig(api_base=sandbox.api_base, retry=FAST_RETRY))


def _service_at(
    store: Store, gateway: EasyPostGateway, root: Path, clock: Callable[[], datetime]
) -> PurchaseService:
    return PurchaseService(
        store,
        gateway,
        PreflightService(store, gateway),
        LabelFiles(root, gateway),
        AuditLog(store, station="desk-1", user="ann"),
        clock,
        concurrency=1,
    )


def _later() -> datetime:
    return utc_now() + ABANDON_AFTER + timedelta(minutes=1)


def _rows(store: Store, order_id: int) -> list[PurchaseState]:
    with store.transaction() as tx:
        return [row.state for row in tx.purchases.for_orders([order_id])]


def _unassign_package(store: Store) -> None:
    """Pre-flight now blocks the group's orders (no package type)."""
    with store.transaction(write=True) as tx:
        tx.groups.save_setting(GroupSetting(TEE_GROUP, None, "GroundAdvantage", None), utc_now())


# -- 1. labels recovered by the last look-up reach the print queue --------------------------


def test_label_recovered_by_retry_unknown_is_handed_to_the_print_queue(
    store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    seed(store, [us_order(n) for n in range(3)])
    service = purchase_service(
        store, _gw(sandbox, LossyGateway), tmp_path / "labels", concurrency=1
    )
    rec = Recorder()
    result = service.buy(Selection(groups=(TEE_GROUP,)), on_label_bought=rec.on_label)
    assert len(result.bought) == 3 and result.unknown == ()
    assert len(ledger_purchases(sandbox.ledger())) == 3
    # Every label bought in the run reaches the print queue (the GUI prints only these).
    assert sorted(label.order_id for label in rec.labels) == sorted(
        label.order_id for label in result.bought
    )
    assert result.delivery_errors == ()


# -- 2. receiver errors and worker exceptions surface --------------------------------------


class FirstBuyLastGateway(EasyPostGateway):
    """The buy of the order whose reference starts with `slow_prefix` waits until the others
    were bought, so the labels behind it wait in the in-order stream."""

    slow_prefix = ""
    others = 0

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.done = threading.Condition()
        self.finished = 0

    def buy(self, shipment_id: str, rate_id: str, **kw: object) -> PurchasedLabel:
        if str(kw.get("reference", "")).startswith(self.slow_prefix):
            with self.done:
                assert self.done.wait_for(lambda: self.finished >= self.others, timeout=WAIT_S)
        label = super().buy(shipment_id, rate_id, **kw)  # type: ignore[arg-type]
        with self.done:
            self.finished += 1
            self.done.notify_all()
        return label


def test_an_unexpected_receiver_error_is_reported_and_strands_no_label(
    store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    ids = seed(store, [us_order(n) for n in range(3)])
    gateway = _gw(sandbox, FirstBuyLastGateway)
    assert isinstance(gateway, FirstBuyLastGateway)
    gateway.slow_prefix = f"PD{ids[0]}-"
    gateway.others = 2
    service = purchase_service(store, gateway, tmp_path / "labels", concurrency=3)
    delivered: list[int] = []

    def on_label(info: LabelInfo) -> None:
        if info.order_id == ids[0]:
            raise RuntimeError("database is locked")  # e.g. sqlite OperationalError in enqueue
        delivered.append(info.order_id)

    result = service.buy(Selection(groups=(TEE_GROUP,)), on_label_bought=on_label)
    assert len(result.bought) == 3 and result.failed == ()
    assert delivered == ids[1:]  # the labels that waited behind it still go, in order
    assert len(result.delivery_errors) == 1
    assert "database is locked" in result.delivery_errors[0]


def test_a_worker_exception_is_logged_not_lost(
    store: Store, sandbox: SandboxServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ids = seed(store, [us_order(n) for n in range(2)])
    service = purchase_service(store, _gw(sandbox), tmp_path / "labels", concurrency=1)
    raised: list[int] = []

    def progress(snapshot: BuyProgress) -> None:
        if threading.current_thread().name.startswith("buy") and not raised:
            raised.append(snapshot.done)
            raise RuntimeError("progress receiver bug")

    with caplog.at_level(logging.ERROR, logger="app.services.purchase"):
        result = service.buy(Selection(groups=(TEE_GROUP,)), progress=progress)
    assert raised
    assert sorted(label.order_id for label in result.bought) == ids
    surfaced = [r for r in caplog.records if "unexpected error" in r.getMessage()]
    assert surfaced and surfaced[0].exc_info is not None
    assert "progress receiver bug" in str(surfaced[0].exc_info[1])


# -- 3. a disk error after the `bought` commit never turns into a failure --------------------


def test_disk_error_saving_files_does_not_turn_a_bought_label_into_a_failure(
    store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    seed(store, [us_order(n) for n in range(2)])
    blocker = tmp_path / "labels"
    blocker.write_text("not a folder")  # any OSError: disk full, permissions, path too long
    service = purchase_service(store, _gw(sandbox), blocker, concurrency=1)
    result = service.buy(Selection(groups=(TEE_GROUP,)))
    with store.transaction() as tx:
        recorded = tx.labels.count()
        missing = tx.audit.list(action=AuditAction.LABEL_FILES_MISSING.value)
    assert recorded == 2 and len(ledger_purchases(sandbox.ledger())) == 2
    assert result.failed == (), [f.reason for f in result.failed]
    assert len(result.bought) == 2 and result.spent > 0
    assert len(missing) == 2 and "disk error" in str(missing[0].details["error"])
    blocker.unlink()  # the disk is fixed: the files are fetched again
    assert service.fetch_missing_files(batch_id=result.batch_id) == 2


def test_disk_error_during_reconciliation_does_not_abort_the_buy(
    store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    ids = seed(store, [us_order(n) for n in range(2)])
    lossy = _gw(sandbox, LossyGateway)
    assert isinstance(lossy, LossyGateway)
    lossy.reconcile_fails = True
    first = purchase_service(store, lossy, tmp_path / "labels", concurrency=1).buy(
        Selection(groups=(TEE_GROUP,))
    )
    assert [f.order_id for f in first.unknown] == [ids[0]]  # bought, answer lost, not looked up
    blocker = tmp_path / "blocked"
    blocker.write_text("not a folder")
    second = purchase_service(store, _gw(sandbox), blocker, concurrency=1).buy(
        Selection(groups=(TEE_GROUP,))
    )
    assert [label.order_id for label in second.bought] == [ids[0]]
    assert second.reconciled == 1 and second.failed == () and second.unknown == ()
    assert len(ledger_purchases(sandbox.ledger())) == 2


# -- 4. a row that reached `buying` is not abandoned on one early look-up -------------------


def test_a_blocked_row_that_reached_buying_stays_open_until_a_safe_look_up(
    store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    [order_id] = seed(store, [us_order(0)])
    lossy = _gw(sandbox, LossyGateway)
    assert isinstance(lossy, LossyGateway)
    lossy.commit = False  # the lost buy did not (yet) happen
    first = purchase_service(store, lossy, tmp_path / "labels", concurrency=1).buy(
        Selection(groups=(TEE_GROUP,))
    )
    assert len(first.unknown) == 1
    _unassign_package(store)  # the packer changes the group after the failure
    selection = Selection(groups=(TEE_GROUP,))
    now = purchase_service(store, _gw(sandbox), tmp_path / "labels").buy(selection)
    assert [b.order_id for b in now.blocked] == [order_id]
    assert _rows(store, order_id) == [PurchaseState.UNKNOWN]  # still open: the order stays taken
    later = _service_at(store, _gw(sandbox), tmp_path / "labels", _later).buy(selection)
    assert [b.order_id for b in later.blocked] == [order_id]
    assert _rows(store, order_id) == [PurchaseState.ABANDONED]
    assert ledger_purchases(sandbox.ledger()) == []


# -- 5. an internal error keeps the batch resumable ----------------------------------------


class BrokenOnceGateway(EasyPostGateway):
    """The first buy raises an unexpected error (a bug) before anything is sent."""

    broken = True

    def buy(self, shipment_id: str, rate_id: str, **kw: object) -> PurchasedLabel:
        if self.broken:
            self.broken = False
            raise RuntimeError("bug in the buy path")
        return super().buy(shipment_id, rate_id, **kw)  # type: ignore[arg-type]


def test_an_internal_error_keeps_the_batch_resumable(
    store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    [order_id] = seed(store, [us_order(0)])
    service = purchase_service(store, _gw(sandbox, BrokenOnceGateway), tmp_path / "labels")
    selection = Selection(groups=(TEE_GROUP,))
    first = service.buy(selection)
    assert [f.order_id for f in first.failed] == [order_id]
    assert "internal error" in first.failed[0].reason
    with store.transaction() as tx:
        batch = tx.batches.get(first.batch_id)
    assert batch is not None and batch.status is BatchStatus.BUYING
    second = service.buy(selection)
    assert second.batch_id == first.batch_id  # resumed, not a new batch
    assert [label.order_id for label in second.bought] == [order_id]
    assert len(ledger_purchases(sandbox.ledger())) == 1


# -- 6. a resumed shipment follows the current selection -----------------------------------


class CancelAfterCreateGateway(EasyPostGateway):
    """Sets `cancel` once a shipment is created: the row is left `created`, no buy sent."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.cancel = threading.Event()

    def create_shipment(self, **kwargs: object) -> ShipmentQuote:
        quote = super().create_shipment(**kwargs)  # type: ignore[arg-type]
        self.cancel.set()
        return quote


def test_a_created_shipment_is_not_bought_when_another_service_is_asked(
    store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    [order_id] = seed(store, [us_order(0)])
    gateway = _gw(sandbox, CancelAfterCreateGateway)
    assert isinstance(gateway, CancelAfterCreateGateway)
    service = purchase_service(store, gateway, tmp_path / "labels", concurrency=1)
    first = service.buy(
        Selection(groups=(TEE_GROUP,), service="GroundAdvantage"), cancel=gateway.cancel
    )
    assert first.cancelled and _rows(store, order_id) == [PurchaseState.CREATED]
    second = service.buy(Selection(groups=(TEE_GROUP,), service="Priority"))
    assert [label.service for label in second.bought] == ["Priority"]
    assert sorted(_rows(store, order_id)) == sorted([PurchaseState.ABANDONED, PurchaseState.BOUGHT])
    assert len(ledger_purchases(sandbox.ledger())) == 1


def test_a_resumed_shipment_whose_buy_was_sent_waits_before_another_service(
    store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    [order_id] = seed(store, [us_order(0)])
    lossy = _gw(sandbox, LossyGateway)
    assert isinstance(lossy, LossyGateway)
    lossy.commit = False  # answer lost, nothing bought (so far)
    service = purchase_service(store, lossy, tmp_path / "labels", concurrency=1)
    first = service.buy(Selection(groups=(TEE_GROUP,), service="GroundAdvantage"))
    assert len(first.unknown) == 1 and first.bought == ()
    # The packer now buys the group as Priority: never on the old GroundAdvantage rate, and
    # not a second label while the first buy may still complete.
    priority = Selection(groups=(TEE_GROUP,), service="Priority")
    second = service.buy(priority)
    assert second.bought == () and [f.order_id for f in second.unknown] == [order_id]
    assert ledger_purchases(sandbox.ledger()) == []
    third = _service_at(store, lossy, tmp_path / "labels", _later).buy(priority)
    assert [label.service for label in third.bought] == ["Priority"]
    assert len(ledger_purchases(sandbox.ledger())) == 1

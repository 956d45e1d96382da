"""Money faults, in process against the real sandbox and real SQLite files (issue 8, items 1, 2
and 6): two aliases of one database, a stale buyer, a sandbox reset that reissues tracking
numbers, a full disk, a read-only database. After each, EasyPost's ledger and the database
agree exactly: every label sold is recorded, or refunded with the reason."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from app.domain.buyer_lease import LEASE_TTL
from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import BatchStatus, PurchaseState
from app.domain.groups import group_id_for
from app.postage.gateway import EasyPostGateway, GatewayConfig
from app.postage.sandbox.faults import FaultConfig
from app.postage.sandbox.server import SandboxServer
from app.services.buy_plan import Selection
from app.services.buyer_lease import BuyerLease
from app.services.label_files import LabelFiles
from app.services.side_journal import SideJournal, side_journal_path
from app.store import Store, open_store
from app.store.engine import BEGIN_MODE_OPTION
from app.store.labels_repo import LabelRepository
from app.store.lease_repo import LeaseRecord
from tests.faults.ledger_check import assert_ledger_agrees
from tests.services.purchase_world import (
    FAST_RETRY,
    make_gateway,
    purchase_service,
    seed,
    us_order,
)

TEE = Selection(groups=(group_id_for((("TEE-M", 1),)),))
NOW = datetime(2026, 11, 28, 9, 0)  # a Saturday


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "db" / "packdesk.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox.json") as server:
        yield server


@pytest.fixture
def gateway(sandbox: SandboxServer) -> Iterator[EasyPostGateway]:
    gw = make_gateway(sandbox.api_base)
    yield gw
    gw.close()


def _until(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# -- item 1: two aliases of one database --------------------------------------------------------


def test_a_symlinked_alias_of_the_database_cannot_start_a_second_buyer(
    store: Store, tmp_path: Path
) -> None:
    """Issue 8 item 1: a second `--db` spelled through a symlink, with buy latency injected."""
    alias_path = tmp_path / "alias.sqlite3"
    alias_path.symlink_to(store.path)
    alias = open_store(alias_path)
    ids = seed(store, [us_order(n) for n in range(12)])
    faults = FaultConfig(op_latency_ms={"shipment.buy": 150})
    with SandboxServer(tmp_path / "slow.json", faults=faults) as sandbox:
        gw_a, gw_b = make_gateway(sandbox.api_base), make_gateway(sandbox.api_base)
        first = purchase_service(store, gw_a, tmp_path / "labels", concurrency=2)
        second = purchase_service(alias, gw_b, tmp_path / "labels", concurrency=2)
        outcome: dict[str, Any] = {}
        buyer = threading.Thread(target=lambda: outcome.update(a=first.buy(TEE)))
        buyer.start()

        def holding() -> bool:
            with alias.transaction() as tx:
                return tx.lease.current() is not None

        _until(holding)
        with pytest.raises(AppError) as refused:
            second.buy(TEE)
        buyer.join()
        ledger = sandbox.ledger()
        gw_a.close()
        gw_b.close()
    alias.close()
    assert refused.value.kind is ErrorKind.CONFLICT
    assert "Another purchase is running" in refused.value.message
    assert f"process {os.getpid()}" in refused.value.message and "since" in refused.value.message
    assert len(outcome["a"].bought) == 12
    counts = assert_ledger_agrees(store, ledger)
    assert counts == {"sold": 12, "recorded": 12, "refunded": 0, "unrecorded": 0}
    with store.transaction() as tx:
        assert sorted(label.order_id for label in tx.labels.list()) == sorted(ids)
        assert tx.lease.current() is None  # given back


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def test_a_stale_lease_is_taken_over_and_a_live_one_refused(store: Store) -> None:
    import socket

    host = socket.gethostname()
    clock_now = [NOW]
    lease = BuyerLease(store, station="desk-1", clock=lambda: clock_now[0])

    def hold(pid: int, on: str, beat: datetime) -> None:
        with store.transaction(write=True) as tx:
            tx.lease.take(LeaseRecord("other", "desk-9", on, pid, beat, beat))

    # Same host, holder process gone (SIGKILL, power cut): taken over at once.
    hold(_dead_pid(), host, NOW)
    lease.acquire()
    lease.release()
    # Same host, holder alive and beating: refused, naming who and since when.
    hold(os.getpid(), host, NOW)
    with pytest.raises(AppError) as refused:
        lease.acquire()
    assert refused.value.kind is ErrorKind.CONFLICT
    assert (
        "station desk-9" in refused.value.message and "2026-11-28 09:00:00" in refused.value.message
    )
    # Another desk (its process cannot be seen from here): only a silent heartbeat is stale.
    hold(4242, "another-desk", NOW)
    clock_now[0] = NOW + LEASE_TTL - timedelta(seconds=1)
    with pytest.raises(AppError):
        lease.acquire()
    clock_now[0] = NOW + LEASE_TTL + timedelta(seconds=1)
    lease.acquire()
    with store.transaction() as tx:
        held = tx.lease.current()
    assert held is not None and held.pid == os.getpid() and held.station == "desk-1"
    lease.release()


# -- item 2: a bought label the database refuses -------------------------------------------------


def test_a_sandbox_reset_reissuing_tracking_numbers_refunds_never_drops(
    store: Store, tmp_path: Path
) -> None:
    """Issue 8 item 2: a reset sandbox reissues stored tracking numbers (UNIQUE refuses them)."""
    first_ids = seed(store, [us_order(n) for n in range(4)])
    with SandboxServer(tmp_path / "before.json") as before:
        gw = make_gateway(before.api_base)
        assert len(purchase_service(store, gw, tmp_path / "labels").buy(TEE).bought) == 4
        gw.close()
        before_reset = before.ledger()
    later = seed(store, [us_order(n) for n in range(10, 13)])
    with SandboxServer(tmp_path / "after-reset.json") as after:  # a fresh account state
        gw = make_gateway(after.api_base)
        service = purchase_service(store, gw, tmp_path / "labels", concurrency=1)
        result = service.buy(TEE)
        # Tracking numbers 1..3 again: every label refused by the database, refunded at once.
        assert result.bought == () and len(result.refunded) == 3
        assert result.spent == sum(r.amount_usd for r in result.refunded) > 0
        assert not result.complete
        assert all("tracking_taken" in r.reason for r in result.refunded)
        counts = assert_ledger_agrees(store, before_reset + after.ledger())
        assert counts["refunded"] == 3 and counts["recorded"] == 4
        # The sandbox's numbering moves on: running again records new labels, no order twice.
        for _ in range(3):
            again = service.buy(TEE)
            if again.complete:
                break
        assert again.complete
        ledger = after.ledger()
        gw.close()
    with store.transaction() as tx:
        labelled = sorted(label.order_id for label in tx.labels.list() if label.is_live)
    assert labelled == sorted(first_ids + later)
    counts = assert_ledger_agrees(store, before_reset + ledger)
    assert counts["recorded"] == 7 and counts["refunded"] >= 3


def test_a_full_disk_at_the_label_commit_keeps_the_label_and_the_next_run_records_it(
    store: Store,
    gateway: EasyPostGateway,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 8 item 2: `buy --order 87` on a full disk bought it three times, recorded once."""
    (order_id,) = seed(store, [us_order(87)])
    service = purchase_service(store, gateway, tmp_path / "labels")
    original_add = LabelRepository.add

    def disk_full(self: LabelRepository, label: Any) -> Any:
        raise OperationalError(
            "INSERT INTO labels", {}, sqlite3.OperationalError("database or disk is full")
        )

    def files_full(*args: object, **kwargs: object) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(LabelRepository, "add", disk_full)
    monkeypatch.setattr(LabelFiles, "save", files_full)
    first = service.buy(Selection(order_ids=(order_id,)))
    assert first.bought == () and len(first.unrecorded) == 1
    assert first.spent == first.unrecorded[0].amount_usd > 0  # never "spent $0"
    assert not first.complete
    # The store names the cause in plain words (app.store.db_errors), never SQL parameters.
    reason = first.unrecorded[0].reason
    assert "storage" in reason and "is full" in reason and "INSERT" not in reason
    assert_ledger_agrees(store, sandbox.ledger(), settled=False)
    # Run again, still full: the order is not bought again while its label is kept.
    again = service.buy(Selection(order_ids=(order_id,)))
    assert again.bought == () and len(again.unrecorded) == 1
    assert len([e for e in sandbox.ledger() if e.get("event") == "purchase"]) == 1
    with store.transaction() as tx:
        (batch,) = tx.batches.list()
        assert batch.status is BatchStatus.BUYING  # resumable, not done
        assert tx.batches.spent(batch.id) == first.spent  # counted, though not a label yet
    # Space is back (the label files still fail: they are fetched later, the label is kept).
    monkeypatch.setattr(LabelRepository, "add", original_add)
    last = service.buy(Selection(order_ids=(order_id,)))
    assert [label.order_id for label in last.bought] == [order_id]
    assert last.batch_id == first.batch_id  # the original batch, continued
    counts = assert_ledger_agrees(store, sandbox.ledger())
    assert counts == {"sold": 1, "recorded": 1, "refunded": 0, "unrecorded": 0}
    with store.transaction() as tx:
        (row,) = tx.purchases.for_orders([order_id])
    assert row.state is PurchaseState.BOUGHT


class _ReadOnlySwitch:
    """While on, every write transaction on `store` is refused at BEGIN, as SQLite refuses
    BEGIN IMMEDIATE on a file that became read-only (reads still work)."""

    def __init__(self, store: Store) -> None:
        self.on = False
        self._engine = store.engine
        event.listen(self._engine, "begin", self._begin, insert=True)

    def _begin(self, connection: Any) -> None:
        writing = connection.get_execution_options().get(BEGIN_MODE_OPTION) == "IMMEDIATE"
        if self.on and writing:
            raise sqlite3.OperationalError("attempt to write a readonly database")

    def close(self) -> None:
        event.remove(self._engine, "begin", self._begin)


def test_a_database_gone_read_only_mid_buy_keeps_the_label_in_the_side_journal(
    store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The database refuses every write right after EasyPost sold the first label."""
    ids = seed(store, [us_order(n) for n in range(3)])
    switch = _ReadOnlySwitch(store)

    class Gateway(EasyPostGateway):
        fired = False

        def buy(self, *args: Any, **kwargs: Any) -> Any:
            label = super().buy(*args, **kwargs)
            if not Gateway.fired:  # the disk went read-only while the first buy was answered
                Gateway.fired = switch.on = True
            return label

    gw = Gateway("EZTK_test", GatewayConfig(api_base=sandbox.api_base, retry=FAST_RETRY))
    service = purchase_service(store, gw, tmp_path / "labels", concurrency=1)
    switch.on = True  # read-only from the start: refused before any money, as a known error
    with pytest.raises(AppError) as refused:
        service.buy(TEE)
    assert refused.value.kind is ErrorKind.DATABASE and "no purchase can start" in (
        refused.value.message
    )
    assert [e for e in sandbox.ledger() if e.get("event") == "purchase"] == []
    switch.on = False
    with pytest.raises(AppError) as stopped:
        service.buy(TEE)
    assert stopped.value.kind is ErrorKind.DATABASE
    assert "1 label" in stopped.value.message
    side = SideJournal(side_journal_path(store.path))
    (entry,) = side.entries()
    (sold,) = [e for e in sandbox.ledger() if e.get("event") == "purchase"]
    assert (entry.shipment_id, entry.tracking_code) == (sold["shipment_id"], sold["tracking_code"])
    switch.on = False
    result = service.buy(TEE)
    assert side.entries() == [] and not side.path.exists()
    assert result.complete
    assert sorted(label.order_id for label in result.bought) == sorted(ids)
    counts = assert_ledger_agrees(store, sandbox.ledger())
    assert counts == {"sold": 3, "recorded": 3, "refunded": 0, "unrecorded": 0}
    switch.close()
    gw.close()

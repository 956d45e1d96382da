"""A station's PostgreSQL connection dropped in the middle of a journal write
(`pg_terminate_backend` on its own backend, at the intent insert, a step update, the label insert
or the COMMIT): nothing is left half-written, the buy waits for a new connection and goes on, and
EasyPost's ledger and the database agree exactly. A connection that stays lost ends in one clear
error and a label kept, never lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import PurchaseState
from app.domain.groups import group_id_for
from app.postage.sandbox.server import SandboxServer
from app.services import db_retry
from app.services.buy_plan import Selection
from app.store import Store, open_store
from tests.faults.ledger_check import assert_ledger_agrees
from tests.pg_cluster import PgServer
from tests.services.purchase_world import (
    ledger_purchases,
    make_gateway,
    purchase_service,
    seed,
    us_order,
)

ORDERS = 12
JOURNAL = "packdesk-test-journal-step"
TEE = Selection(groups=(group_id_for((("TEE-M", 1),)),))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox.json") as server:
        yield server


@pytest.fixture
def store(pg_url: str, tmp_path: Path) -> Iterator[Store]:
    opened = open_store(pg_url, anchor=tmp_path / "home/postgresql.local")
    yield opened
    opened.close()


class Cutter:
    """Terminates the backend of the connection about to run a matching statement (or to COMMIT
    a journal step: a purchase update or a label insert), the first `times` times: the station's
    connection drops in the middle of its transaction."""

    def __init__(self, server: PgServer, store: Store, match: str, times: int) -> None:
        self.server = server
        self.match = match
        self.left = times
        self.cut = 0
        event.listen(store.engine, "before_cursor_execute", self._on_execute)
        event.listen(store.engine, "commit", self._on_commit)
        event.listen(store.engine, "begin", lambda conn: conn.info.pop(JOURNAL, None))

    def _on_execute(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(("UPDATE purchases", "INSERT INTO labels")):
            conn.info[JOURNAL] = True
        if statement.startswith(self.match):
            self._terminate(conn)

    def _on_commit(self, conn: Any) -> None:
        if conn.info.pop(JOURNAL, False) and self.match == "COMMIT":
            self._terminate(conn)

    def _terminate(self, conn: Any) -> None:
        if self.left <= 0:
            return
        self.left -= 1
        self.cut += 1
        pid = conn.connection.dbapi_connection.info.backend_pid
        with self.server.admin() as admin:  # waits until the backend is gone
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


@pytest.mark.parametrize(
    "match", ["INSERT INTO purchases", "UPDATE purchases", "INSERT INTO labels", "COMMIT"]
)
def test_a_connection_dropped_mid_write_is_retried_and_leaves_nothing_half_written(
    match: str, store: Store, sandbox: SandboxServer, pg_server: PgServer, tmp_path: Path
) -> None:
    ids = seed(store, [us_order(n) for n in range(ORDERS)])
    cutter = Cutter(pg_server, store, match, times=3)
    gateway = make_gateway(sandbox.api_base)
    result = purchase_service(store, gateway, tmp_path / "labels", concurrency=3).buy(
        TEE, verify_addresses=False
    )
    gateway.close()
    assert cutter.cut == 3
    # The run waited for a new connection each time: every order bought once, nothing failed.
    assert not result.failed and not result.unrecorded and result.complete, result
    assert sorted(label.order_id for label in result.bought) == sorted(ids)
    counts = assert_ledger_agrees(store, sandbox.ledger())
    assert counts == {"sold": ORDERS, "recorded": ORDERS, "refunded": 0, "unrecorded": 0}
    with store.transaction() as tx:
        rows = tx.purchases.all()
        orders = {o.id: o for o in tx.orders.find(order_ids=ids)}
        labels = {label.order_id: label for label in tx.labels.list()}
    # Nothing half-written: one closed row per order, its label and the order's tracking agree.
    assert sorted(r.order_id for r in rows) == sorted(ids)
    assert {r.state for r in rows} == {PurchaseState.BOUGHT}
    for row in rows:
        assert row.tracking_code == labels[row.order_id].tracking_code
        assert orders[row.order_id].tracking_code == row.tracking_code


def test_a_connection_that_stays_lost_keeps_the_label_and_says_so(
    store: Store,
    sandbox: SandboxServer,
    pg_server: PgServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db_retry, "RECONNECT_PATIENCE_S", 0.5)
    ids = seed(store, [us_order(n) for n in range(2)])
    # Every label insert is cut: the label can never be recorded while this lasts.
    cutter = Cutter(pg_server, store, "INSERT INTO labels", times=1000)
    gateway = make_gateway(sandbox.api_base)
    service = purchase_service(store, gateway, tmp_path / "labels", concurrency=1)
    first = service.buy(TEE, verify_addresses=False)
    assert cutter.cut >= 2
    assert not first.bought and len(first.unrecorded) == 2, first
    assert not first.complete
    for kept in first.unrecorded:  # the reason names the lost connection, in one line
        assert "connection to the database server was lost" in kept.reason, kept.reason
        assert "\n" not in kept.reason
    cutter.left = 0  # the connection is back: the next run records both, buys nothing twice
    second = service.buy(TEE, verify_addresses=False)
    gateway.close()
    assert second.complete and not second.failed, second
    counts = assert_ledger_agrees(store, sandbox.ledger())
    assert counts == {"sold": 2, "recorded": 2, "refunded": 0, "unrecorded": 0}
    with store.transaction() as tx:
        assert sorted(label.order_id for label in tx.labels.list()) == sorted(ids)


def test_a_lost_connection_is_one_clear_database_error(store: Store, pg_server: PgServer) -> None:
    with pytest.raises(AppError) as caught, store.transaction(write=True) as tx:
        tx.orders.find(order_ids=[1])
        pid = tx.session.connection().connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        with pg_server.admin() as admin:
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        tx.orders.find(order_ids=[1])
    error = caught.value
    assert error.kind is ErrorKind.DATABASE
    assert db_retry.is_connection_lost(error)
    assert error.message == "The connection to the database server was lost: nothing was saved."
    assert "server is running" in error.hint
    with store.transaction() as tx:  # the pool's pre-ping replaced the dead connection
        assert tx.orders.find(order_ids=[1]) == []


def test_a_server_gone_for_good_mid_buy_stops_the_run_soon_and_keeps_every_label(
    store: Store,
    sandbox: SandboxServer,
    pg_server: PgServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every statement fails from the first label on: the run starts nothing more (no wait of
    a full patience per order), ends in one clear error, and the labels in flight are kept."""
    monkeypatch.setattr(db_retry, "RECONNECT_PATIENCE_S", 1.0)
    orders = 80
    ids = seed(store, [us_order(n) for n in range(orders)])
    cutter = Cutter(pg_server, store, "", times=0)  # "": every statement, once armed

    def server_gone(_label: object) -> None:
        cutter.left = 10**6

    gateway = make_gateway(sandbox.api_base)
    service = purchase_service(store, gateway, tmp_path / "labels", concurrency=4)
    started = time.monotonic()
    with pytest.raises(AppError) as caught:
        service.buy(TEE, verify_addresses=False, on_label_bought=server_gone)
    stopped_after = time.monotonic() - started
    assert caught.value.kind is ErrorKind.DATABASE
    assert "label(s) bought in this run are kept" in caught.value.message
    assert "database server" in caught.value.hint
    sold = len(ledger_purchases(sandbox.ledger()))
    assert 1 <= sold < orders
    # Not one patience per order left: the run stopped admitting orders.
    assert stopped_after < 12, stopped_after  # (80 orders x 1 s / 4 creators without)
    cutter.left = 0  # the server is back
    done = service.buy(TEE, verify_addresses=False)
    gateway.close()
    assert done.complete and not done.failed, done
    counts = assert_ledger_agrees(store, sandbox.ledger())
    assert counts == {"sold": orders, "recorded": orders, "refunded": 0, "unrecorded": 0}
    with store.transaction() as tx:
        assert sorted(label.order_id for label in tx.labels.list()) == sorted(ids)
    print(f"{sold} labels sold before the run stopped, {stopped_after:.1f} s")


class LostAck:
    """The COMMIT of a matching transaction lands, then its answer is lost (the connection drops
    before the reply): the caller sees a lost connection for work that was done."""

    def __init__(self, store: Store, match: str, times: int) -> None:
        self.match = match
        self.left = times
        self.lost = 0
        self._local = threading.local()
        event.listen(store.engine, "before_cursor_execute", self._on_execute)
        event.listen(store.engine, "commit", self._on_commit)  # the real COMMIT, not a SAVEPOINT
        # Every session factory a journal step may use (one-order steps have their own).
        factories = (store.sessions, store.write_sessions, store.order_sessions)
        for factory in {id(f): f for f in factories}.values():
            event.listen(factory, "after_begin", self._on_begin)
            event.listen(factory, "after_commit", self._after_commit)

    def _on_begin(self, *_args: Any) -> None:
        self._local.hit = self._local.committed = False

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(self.match):
            self._local.hit = True

    def _on_commit(self, _conn: Any) -> None:
        self._local.committed = True

    def _after_commit(self, _session: Any) -> None:
        landed = getattr(self._local, "committed", False)
        if landed and getattr(self._local, "hit", False) and self.left > 0:
            self.left -= 1
            self.lost += 1
            self._local.hit = self._local.committed = False
            closed = psycopg.OperationalError("server closed the connection unexpectedly")
            raise OperationalError("COMMIT", None, closed)


@pytest.mark.parametrize(
    "match", ["INSERT INTO purchases", "UPDATE purchases", "INSERT INTO labels"]
)
def test_a_commit_that_landed_before_the_connection_dropped_is_not_done_twice(
    match: str, store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    ids = seed(store, [us_order(n) for n in range(6)])
    lost = LostAck(store, match, times=3)
    gateway = make_gateway(sandbox.api_base)
    result = purchase_service(store, gateway, tmp_path / "labels", concurrency=3).buy(
        TEE, verify_addresses=False
    )
    gateway.close()
    assert lost.lost == 3
    assert not result.failed and not result.unrecorded and result.complete, result
    counts = assert_ledger_agrees(store, sandbox.ledger())
    assert counts == {"sold": 6, "recorded": 6, "refunded": 0, "unrecorded": 0}
    with store.transaction() as tx:
        rows = tx.purchases.all()
        labels = tx.labels.list()
    # One journal row and one label per order: the retries found their own work done.
    assert sorted(r.order_id for r in rows) == sorted(ids)
    assert {r.state for r in rows} == {PurchaseState.BOUGHT}
    assert sorted(label.order_id for label in labels) == sorted(ids)

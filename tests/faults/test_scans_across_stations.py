"""Three stations (each its own connections) scan the same parcels at the same moments, in
different orders: each order is shipped once, by one station, and every other scan names that
station. A connection dropped in the middle of a scan's write (PostgreSQL) leaves the order
unshipped and nothing half-written; the scan reports one clear error and the next scan ships it.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.errors import AppError
from app.services.audit import AuditAction, AuditLog
from app.services.db_retry import is_connection_lost
from app.services.scan_to_ship import ScanOutcome, ScanStatus, ScanToShipService
from app.store import Store, open_store
from tests.faults.test_dropped_connection import Cutter
from tests.pg_cluster import PgServer
from tests.services.after_labels_support import Desk, desk  # noqa: F401


@pytest.fixture
def store(tmp_path: Path, db_target: Path | str) -> Iterator[Store]:
    """The desk's database, on SQLite and on PostgreSQL (tests/pg_cluster.py)."""
    opened = open_store(db_target, anchor=tmp_path / "desk-1.local")
    yield opened
    opened.close()


LABELS = 20
STATIONS = ("desk-a", "desk-b", "desk-c")
SEED = 20261205


def test_three_stations_scanning_the_same_parcels_ship_each_once(
    desk: Desk,  # noqa: F811
    tmp_path: Path,
) -> None:
    labels = [desk.buy(order_id) for order_id in desk.orders(LABELS)]
    stores: list[Store] = [
        open_store(desk.store.target, anchor=tmp_path / f"{name}.local") for name in STATIONS
    ]
    try:
        scanners = {
            name: ScanToShipService(store, AuditLog(store, station=name, user="bo"))
            for name, store in zip(STATIONS, stores, strict=True)
        }
        rng = random.Random(SEED)
        orders = {name: rng.sample(labels, len(labels)) for name in STATIONS}
        barrier = threading.Barrier(len(STATIONS))
        outcomes: list[tuple[str, ScanOutcome]] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def scan(station: str) -> None:
            try:
                for label in orders[station]:
                    barrier.wait(timeout=30)  # every station scans at the same moment
                    outcome = scanners[station].scan(label.tracking_code)
                    with lock:
                        outcomes.append((station, outcome))
            except BaseException as error:  # surfaced below, never lost in a thread
                errors.append(error)
                barrier.abort()

        threads = [threading.Thread(target=scan, args=(name,)) for name in STATIONS]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not errors, errors
        assert len(outcomes) == LABELS * len(STATIONS)
        shipped_by = {
            o.tracking_code: station for station, o in outcomes if o.status is ScanStatus.SHIPPED
        }
        ships = Counter(o.tracking_code for _, o in outcomes if o.status is ScanStatus.SHIPPED)
        assert set(ships.values()) == {1} and len(ships) == LABELS  # each parcel shipped once
        for _station, outcome in outcomes:
            if outcome.status is not ScanStatus.SHIPPED:
                assert outcome.status is ScanStatus.ALREADY_SHIPPED, outcome.message
                # The first station is named, whichever station scanned later.
                assert outcome.station == shipped_by[outcome.tracking_code], outcome
        shipped = desk.audit.entries(action=AuditAction.ORDER_SHIPPED)
        assert Counter(e.order_id for e in shipped) == Counter(lb.order_id for lb in labels)
        by_order = {lb.order_id: lb.tracking_code for lb in labels}
        assert {e.order_id: e.station for e in shipped} == {
            order_id: shipped_by[tracking] for order_id, tracking in by_order.items()
        }
        for label in labels:
            assert desk.order_status(label.order_id) == "shipped"
        print(f"first scans by station: {Counter(shipped_by.values())}")
    finally:
        for store in stores:
            store.close()


@pytest.mark.parametrize("db_target", ["postgresql"], indirect=True)  # a server connection
def test_a_connection_dropped_mid_scan_ships_nothing_and_says_so(
    desk: Desk,  # noqa: F811
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    server: PgServer = request.getfixturevalue("pg_server")
    (label,) = [desk.buy(order_id) for order_id in desk.orders(1)]
    station = open_store(desk.store.target, anchor=tmp_path / "desk-b.local")
    try:
        scanner = ScanToShipService(station, AuditLog(station, station="desk-b", user="bo"))
        # Cut after the order was marked shipped, before the audit entry and the COMMIT.
        cutter = Cutter(server, station, "INSERT INTO audit_log", times=1)
        with pytest.raises(AppError) as caught:
            scanner.scan(label.tracking_code)
        assert cutter.cut == 1
        assert is_connection_lost(caught.value)
        assert caught.value.message == (
            "The connection to the database server was lost: nothing was saved."
        )
        assert desk.order_status(label.order_id) != "shipped"  # the ship was rolled back
        assert desk.audit.entries(action=AuditAction.ORDER_SHIPPED) == []
        again = scanner.scan(label.tracking_code)  # a new connection: shipped, once
        assert again.status is ScanStatus.SHIPPED and again.station == "desk-b"
        assert desk.order_status(label.order_id) == "shipped"
        assert len(desk.audit.entries(action=AuditAction.ORDER_SHIPPED)) == 1
    finally:
        station.close()

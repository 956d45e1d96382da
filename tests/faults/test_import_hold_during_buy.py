"""A re-import and a hold while a real `packdesk-cli buy` runs in another process (issue 8,
fault suite): no label goes to an address the database no longer shows, no held order is
bought, and EasyPost's ledger and the database agree exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from app.domain.groups import group_id_for
from app.domain.order_flow import StatusAction
from app.domain.order_freeze import needs_relabel
from app.domain.orders import OrderStatus
from app.postage.sandbox.faults import FaultConfig
from app.postage.sandbox.server import SandboxServer
from app.services.importing import ImportService
from app.services.orders import OrderSelection, OrderService
from app.store import Store, open_store
from tests.services.factories import parsed
from tests.services.purchase_world import ledger_purchases, seed, us_order

ORDERS = 60
TEE_GROUP = group_id_for((("TEE-M", 1),))
NOW = datetime(2026, 11, 25, 12, 30)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    faults = FaultConfig(op_latency_ms={"shipment.buy": 120})  # keeps the buy in flight
    with SandboxServer(tmp_path / "sandbox.json", faults=faults) as server:
        yield server


@pytest.fixture
def store(tmp_path: Path, db_target: Path | str) -> Iterator[Store]:
    # SQLite (one desk: a CLI buyer beside the GUI) and PostgreSQL (two stations on one server).
    opened = open_store(db_target, anchor=tmp_path / "desk-b/postgresql.local")
    yield opened
    opened.close()


def _wait_mid_buy(store: Store, buyer: subprocess.Popen[bytes]) -> None:
    """Until the buyer has bought a few labels and has more in flight (bounded: the test fails,
    never hangs), so the import meets labelled, frozen and not yet started orders."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and buyer.poll() is None:
        with store.transaction() as tx:
            if tx.labels.count() >= 8 and tx.purchases.open_purchases():
                return
        time.sleep(0.02)
    raise AssertionError("the buy never had a purchase in flight")


def test_reimport_and_hold_during_a_cli_buy(
    store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    ids = seed(store, [us_order(n) for n in range(ORDERS)])
    command = [sys.executable, "-m", "app", "--home", str(tmp_path / "home")]
    command += ["--db", str(store.target), "--sandbox", "--api-base", sandbox.api_base]
    command += ["buy", "--group", TEE_GROUP, "--concurrency", "4", "--no-verify", "--yes"]
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "PACKDESK_STATION": "desk-a"}
    buyer = subprocess.Popen(
        [*command, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )

    _wait_mid_buy(store, buyer)
    with store.transaction() as tx:
        stored = tx.orders.find(order_ids=ids)
    moved = [
        replace(o, id=None, recipient=replace(o.recipient, street1=f"{o.id} Moved Ave"))
        for o in stored
    ]
    report = ImportService(store, lambda *_a, **_k: parsed([]), clock=lambda: NOW).apply(
        parsed(moved)
    )
    held = OrderService(store, clock=lambda: NOW).change_status(
        StatusAction.HOLD, OrderSelection(all=True)
    )
    out, err = buyer.communicate(timeout=180)
    result = json.loads(out)

    # Every changed order was either updated or reported (frozen or already labelled).
    assert report.orders_updated + len(report.conflicts) == ORDERS
    assert any("in flight" in c.message for c in report.conflicts), "no order was in flight"
    with store.transaction() as tx:
        labels = tx.labels.list()
        orders = {o.id: o for o in tx.orders.find(order_ids=ids)}
    # No label went to an address the database no longer shows.
    assert not [
        lb.order_id for lb in labels if needs_relabel(lb.to_address, orders[lb.order_id].recipient)
    ]
    # No held order was bought; every held one returns to ready on release.
    labelled = {label.order_id for label in labels}
    assert not labelled & set(held.changed)
    for order_id in held.changed:
        assert orders[order_id].status is OrderStatus.ON_HOLD
    with store.transaction() as tx:
        rows = tx.orders.status_rows(order_ids=list(held.changed))
    assert {row.held_from for row in rows} <= {OrderStatus.READY_TO_SHIP}
    assert labelled | set(held.changed) == set(ids)
    # The ledger and the database agree exactly; the exit code says not everything was bought.
    bought = ledger_purchases(sandbox.ledger())
    assert {str(e["shipment_id"]) for e in bought} == {lb.shipment_id for lb in labels}
    assert len(result["bought"]) == len(labels)
    assert buyer.returncode == (0 if not held.changed else 2), err.decode()
    print(
        f"updated {report.orders_updated}, conflicts {len(report.conflicts)}, "
        f"held {len(held.changed)}, bought {len(labels)}"
    )

"""Several desks on PostgreSQL: claims never overlap, another desk's orders are reported as
taken by its station, a stopped desk's claims are taken over and its journal rows reconciled
before anything is bought again; on SQLite the one-buyer lease stays the rule."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.postage.gateway import EasyPostGateway
from app.postage.sandbox.server import SandboxServer
from app.services.buy_plan import Selection
from app.services.claim_gate import ClaimGate
from app.services.clock import utc_now
from app.services.order_claims import OrderClaims
from app.store import Store, open_store
from tests.services.purchase_world import ledger_purchases, purchase_service, seed, us_order


@pytest.fixture
def server_store(pg_url: str, tmp_path: Path) -> Iterator[Store]:
    """Claims are the server database's rule (SQLite keeps one buyer: test_buyer_lease.py)."""
    opened = open_store(pg_url, anchor=tmp_path / "pg.local")
    yield opened
    opened.close()


def test_two_desks_never_hold_one_order_and_name_each_other(server_store: Store) -> None:
    ids = seed(server_store, [us_order(n) for n in range(6)])
    desk_a = OrderClaims(server_store, station="desk-a")
    desk_b = OrderClaims(server_store, station="desk-b")
    try:
        first = desk_a.claim(ids[:4])
        second = desk_b.claim(ids[2:])
        assert first.claimed == frozenset(ids[:4])
        assert second.claimed == frozenset(ids[4:])
        assert {(t.order_id, t.station) for t in second.taken} == {
            (ids[2], "desk-a"),
            (ids[3], "desk-a"),
        }
    finally:
        desk_a.release()
        desk_b.release()
    again = OrderClaims(server_store, station="desk-b")
    try:
        assert again.claim(ids).claimed == frozenset(ids)  # released: free for anyone
    finally:
        again.release()


def test_claims_of_a_stopped_desk_are_taken_over_after_the_ttl(server_store: Store) -> None:
    ids = seed(server_store, [us_order(n) for n in range(2)])
    now = [utc_now()]
    crashed = OrderClaims(server_store, station="desk-a", clock=lambda: now[0])
    crashed.claim(ids)
    crashed._stop.set()  # it stops beating (a crash) without letting go
    later = OrderClaims(
        server_store,
        station="desk-b",
        clock=lambda: now[0] + timedelta(minutes=5),
        ttl=timedelta(seconds=90),
    )
    try:
        outcome = later.claim(ids)
        assert outcome.claimed == frozenset(ids)
        assert outcome.taken_over == frozenset(ids)
        assert outcome.taken == ()
    finally:
        later.release()


def test_two_desks_buying_overlapping_groups_at_once_buy_each_order_once(
    server_store: Store, sandbox: SandboxServer, gateway: EasyPostGateway, tmp_path: Path
) -> None:
    ids = seed(server_store, [us_order(n) for n in range(24)])
    desk_a = purchase_service(server_store, gateway, tmp_path / "a")
    desk_b = purchase_service(server_store, gateway, tmp_path / "b")
    results = {}
    barrier = threading.Barrier(2)

    def run(name: str, service: object, chosen: list[int]) -> None:
        barrier.wait()
        results[name] = service.buy(Selection(order_ids=tuple(chosen)))  # type: ignore[attr-defined]

    threads = [
        threading.Thread(target=run, args=("a", desk_a, ids[:16])),
        threading.Thread(target=run, args=("b", desk_b, ids[8:])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    bought_a = {label.order_id for label in results["a"].bought}
    bought_b = {label.order_id for label in results["b"].bought}
    assert not bought_a & bought_b
    assert bought_a | bought_b == set(ids)
    taken_by_a = {t.order_id for t in results["b"].taken}
    taken_by_b = {t.order_id for t in results["a"].taken}
    assert taken_by_a <= bought_a and taken_by_b <= bought_b
    assert taken_by_a | taken_by_b  # the overlap went to one desk or the other, and was said
    purchases = ledger_purchases(sandbox.ledger())
    with server_store.transaction() as tx:
        labels = tx.labels.list()
        open_rows = tx.purchases.open_purchases()
        claims = tx.claims.holders(ids)
    assert len(purchases) == len(ids) == len(labels)
    assert {str(e["shipment_id"]) for e in purchases} == {label.shipment_id for label in labels}
    assert open_rows == [] and claims == {}


def test_desks_sharing_one_selection_claim_it_a_few_orders_at_a_time(server_store: Store) -> None:
    ids = seed(server_store, [us_order(n) for n in range(24)])
    desk_a = OrderClaims(server_store, station="desk-a")
    desk_b = OrderClaims(server_store, station="desk-b")
    gate_a = ClaimGate(server_store, desk_a, chunk=8)
    gate_b = ClaimGate(server_store, desk_b, chunk=8)
    try:
        assert gate_a.admits(ids, 0)  # desk A claims the first 8 only
        assert not any(gate_b.admits(ids, i) for i in range(8))  # desk B passes them over
        assert gate_b.admits(ids, 8)  # and claims the next 8
        assert not gate_a.admits(ids, 8)
        assert gate_a.admits(ids, 16)
        assert {t.order_id for t in gate_b.taken} == set(ids[:8])
        assert {t.station for t in gate_b.taken} == {"desk-a"}
        assert {t.order_id for t in gate_a.taken} == set(ids[8:16])
    finally:
        desk_a.release()
        desk_b.release()


def test_an_order_with_an_open_journal_row_claimed_late_is_left_to_the_next_run(
    server_store: Store,
) -> None:
    ids = seed(server_store, [us_order(n) for n in range(3)])
    with server_store.transaction(write=True) as tx:  # a desk that stopped after its intent
        batch = tx.batches.create(
            now=utc_now(),
            station="desk-a",
            user="ann",
            package_type_id=None,
            service_choice="",
            concurrency=1,
        )
        tx.purchases.add_intent(order_id=ids[1], batch_id=batch.id, reference="PDx", now=utc_now())
    desk = OrderClaims(server_store, station="desk-b")
    gate = ClaimGate(server_store, desk)
    try:
        assert [gate.admits(ids, i) for i in range(3)] == [True, False, True]
        assert gate.unsettled == [ids[1]]
    finally:
        desk.release()


def test_two_desks_buying_one_selection_at_once_share_it(
    server_store: Store, sandbox: SandboxServer, gateway: EasyPostGateway, tmp_path: Path
) -> None:
    """Claiming the whole selection up front gave it all to the desk that started first."""
    sandbox.set_faults(op_latency_ms={"shipment.create": 40, "shipment.buy": 20})
    ids = seed(server_store, [us_order(n) for n in range(32)])
    desks = [
        purchase_service(server_store, gateway, tmp_path / name, concurrency=2) for name in "ab"
    ]
    results = {}
    barrier = threading.Barrier(2)

    def run(name: str, service: object) -> None:
        barrier.wait()
        results[name] = service.buy(Selection(order_ids=tuple(ids)))  # type: ignore[attr-defined]

    threads = [threading.Thread(target=run, args=(n, d)) for n, d in zip("ab", desks, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    bought = [{label.order_id for label in results[name].bought} for name in "ab"]
    assert not bought[0] & bought[1]
    assert bought[0] | bought[1] == set(ids)
    assert len(bought[0]) >= 8 and len(bought[1]) >= 8  # both desks worked
    assert {t.order_id for t in results["a"].taken} <= bought[1]
    assert {t.order_id for t in results["b"].taken} <= bought[0]

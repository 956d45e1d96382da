"""Buying labels against the sandbox: journal, files, order status, audit, resume, faults."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import BatchStatus, PurchaseState
from app.domain.groups import group_id_for
from app.domain.orders import OrderStatus
from app.postage.gateway import EasyPostGateway
from app.postage.sandbox.server import SandboxServer
from app.services.buy_plan import Selection
from app.services.buyer_lease import BuyerLease
from app.store import Store
from tests.services.purchase_world import (
    NOW,
    Recorder,
    foreign_order,
    ledger_purchases,
    purchase_service,
    seed,
    us_order,
)

TEE_GROUP = group_id_for((("TEE-M", 1),))


def _db_labels(store: Store) -> dict[str, str]:
    """shipment id -> tracking code of every label row."""
    with store.transaction() as tx:
        return {label.shipment_id: label.tracking_code for label in tx.labels.list()}


def _assert_ledger_matches(store: Store, sandbox: SandboxServer) -> None:
    bought = ledger_purchases(sandbox.ledger())
    assert {str(e["shipment_id"]): str(e["tracking_code"]) for e in bought} == _db_labels(store)
    with store.transaction() as tx:
        orders = [label.order_id for label in tx.labels.list()]
    assert len(orders) == len(set(orders))


def test_buys_a_group_records_everything_and_hands_labels_on_in_order(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    ids = seed(store, [us_order(n) for n in range(6)])
    seed(store, [foreign_order(50, [("PIN", 1)])])  # a group of its own, blocked by customs
    service = purchase_service(store, gateway, tmp_path / "labels")
    recorder = Recorder()
    pin_group = group_id_for((("PIN", 1),))

    result = service.buy(
        Selection(groups=(TEE_GROUP, pin_group), service="GroundAdvantage"),
        on_label_bought=recorder.on_label,
        progress=recorder.on_progress,
    )

    assert [label.order_id for label in result.bought] == ids
    assert [label.order_id for label in recorder.labels] == ids  # group order
    assert [label.sequence for label in recorder.labels] == list(range(6))
    assert [b.external_id for b in result.blocked] == ["#1050"]
    assert "customs data missing: PIN" in result.blocked[0].reason
    assert result.failed == () and result.unknown == ()
    assert result.batch_reference.startswith("B-")
    assert result.spent == sum((label.amount_usd for label in result.bought), Decimal(0))
    assert result.spent > 0 and result.batch_spent == result.spent
    final = recorder.progress[-1]
    assert (final.total, final.done, final.failed, final.remaining) == (6, 6, 0, 0)
    assert final.spent == result.spent
    _assert_ledger_matches(store, sandbox)
    assert len(ledger_purchases(sandbox.ledger())) == 6
    for label in result.bought:
        assert label.service == "GroundAdvantage"
        assert (
            label.label_path is not None and Path(label.label_path).read_bytes()[:4] == b"\x89PNG"
        )
        assert label.preview_path == label.label_path
    with store.transaction() as tx:
        for order_id, label in zip(ids, result.bought, strict=True):
            order = tx.orders.get(order_id)
            assert order is not None and order.status is OrderStatus.LABEL_PURCHASED
            assert order.tracking_code == label.tracking_code
        states = {p.state for p in tx.purchases.for_batch(result.batch_id)}
        assert states == {PurchaseState.BOUGHT}
        batch = tx.batches.get(result.batch_id)
        assert batch is not None and batch.status is BatchStatus.DONE
        actions = [entry.action for entry in tx.audit.list(batch_id=result.batch_id)]
    assert actions.count("label.bought") == 6
    assert actions.count("purchase.blocked") == 1
    assert {"batch.created", "batch.done"} <= set(actions)


def test_running_the_same_buy_again_buys_nothing_twice(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    seed(store, [us_order(n) for n in range(3)])
    service = purchase_service(store, gateway, tmp_path / "labels")
    selection = Selection(groups=(TEE_GROUP,), service="cheapest")
    first = service.buy(selection)
    again = service.buy(selection)
    assert len(first.bought) == 3
    assert again.bought == () and again.failed == () and again.spent == 0
    assert len(ledger_purchases(sandbox.ledger())) == 3
    _assert_ledger_matches(store, sandbox)


def test_a_buy_answer_lost_after_commit_is_reconciled_not_bought_again(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    seed(store, [us_order(n) for n in range(4)])
    sandbox.set_faults(drop_after_buy=2)
    service = purchase_service(store, gateway, tmp_path / "labels", concurrency=2)
    result = service.buy(Selection(groups=(TEE_GROUP,)))
    assert len(result.bought) == 4 and result.unknown == ()
    assert len(ledger_purchases(sandbox.ledger())) == 4
    _assert_ledger_matches(store, sandbox)


def test_5xx_and_429_bursts_still_buy_each_order_once(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    seed(store, [us_order(n) for n in range(8)])
    sandbox.set_faults(error_rate=0.2, burst_429=6, seed=3)
    service = purchase_service(store, gateway, tmp_path / "labels")
    selection = Selection(groups=(TEE_GROUP,))
    result = service.buy(selection)
    for _ in range(5):  # what 5xx refused outright is bought by running again
        if not (result.failed or result.unknown):
            break
        result = service.buy(selection)
    sandbox.set_faults(error_rate=0.0)
    with store.transaction() as tx:
        assert tx.labels.count() == 8
    assert len(ledger_purchases(sandbox.ledger())) == 8
    _assert_ledger_matches(store, sandbox)


def test_unknown_and_buying_rows_are_reconciled_before_anything_is_bought(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A crash after the buy call (row still `buying`) and one before `created` (no shipment id)."""
    ids = seed(store, [us_order(n) for n in range(3)])
    service = purchase_service(store, gateway, tmp_path / "labels")
    plan = service.plan(Selection(groups=(TEE_GROUP,)))
    from app.services.buy_plan import rate_request_for

    with store.transaction(write=True) as tx:
        batch = tx.batches.create(
            now=NOW, station="s", user="u", package_type_id=None, service_choice="", concurrency=1
        )
        crashed = tx.purchases.add_intent(
            order_id=ids[0], batch_id=batch.id, reference="R-0", now=NOW
        )
        lost = tx.purchases.add_intent(order_id=ids[1], batch_id=batch.id, reference="R-1", now=NOW)
    # Order 0: bought at EasyPost, but the process died before recording it.
    request = rate_request_for(plan.orders[0], plan, reference="R-0")
    quote = gateway.quote(request)
    gateway.buy(quote.shipment_id, quote.rates[0].id)
    with store.transaction(write=True) as tx:
        tx.purchases.update(
            crashed.id,
            now=NOW,
            state=PurchaseState.CREATED,
            shipment_id=quote.shipment_id,
            rate_id=quote.rates[0].id,
        )
        tx.purchases.update(crashed.id, now=NOW, state=PurchaseState.BUYING)
    # Order 1: the shipment was created (reference R-1) but its id never recorded.
    gateway.quote(rate_request_for(plan.orders[1], plan, reference="R-1"))

    result = service.buy(Selection(groups=(TEE_GROUP,)))

    assert len(ledger_purchases(sandbox.ledger())) == 3  # 1 by the "crashed" run + 2 now
    assert {label.order_id for label in result.bought} == set(ids)
    with store.transaction() as tx:
        first = tx.purchases.get(crashed.id)
        second = tx.purchases.get(lost.id)
    assert first is not None and first.state is PurchaseState.BOUGHT
    assert second is not None and second.state is PurchaseState.ABANDONED
    _assert_ledger_matches(store, sandbox)


def test_cancel_stops_new_buys_and_the_same_buy_finishes_later(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    seed(store, [us_order(n) for n in range(10)])
    service = purchase_service(store, gateway, tmp_path / "labels", concurrency=1)
    cancel = threading.Event()
    selection = Selection(groups=(TEE_GROUP,))

    def stop_after_two(label: object) -> None:
        if len(ledger_purchases(sandbox.ledger())) >= 2:
            cancel.set()

    first = service.buy(selection, cancel=cancel, on_label_bought=stop_after_two)
    assert first.cancelled and first.not_started
    assert len(first.bought) + len(first.not_started) == 10
    with store.transaction() as tx:
        batch = tx.batches.get(first.batch_id)
    assert batch is not None and batch.status is BatchStatus.CANCELLED
    second = service.buy(selection)
    assert second.batch_id == first.batch_id  # resumed, not a new batch
    assert len(first.bought) + len(second.bought) == 10
    assert len(ledger_purchases(sandbox.ledger())) == 10
    _assert_ledger_matches(store, sandbox)


def test_a_second_buyer_on_the_same_database_is_refused(
    store: Store, gateway: EasyPostGateway, tmp_path: Path
) -> None:
    if store.shared:
        pytest.skip("on a server database desks claim orders instead (test_order_claims.py)")
    seed(store, [us_order(0)])
    service = purchase_service(store, gateway, tmp_path / "labels")
    other = BuyerLease(store, station="desk-2")
    other.acquire()
    try:
        with pytest.raises(AppError) as caught:
            service.buy(Selection(groups=(TEE_GROUP,)))
        assert caught.value.kind is ErrorKind.CONFLICT
        assert "station desk-2" in caught.value.message and " since " in caught.value.message
    finally:
        other.release()
    assert len(service.buy(Selection(groups=(TEE_GROUP,))).bought) == 1


def test_an_unoffered_service_fails_the_order_and_buys_nothing(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    seed(store, [us_order(0)])
    service = purchase_service(store, gateway, tmp_path / "labels")
    result = service.buy(Selection(groups=(TEE_GROUP,), service="MediaMail"))
    # Media Mail for a T-shirt: pre-flight blocks it before any call.
    assert result.blocked and "MediaMail only for eligible items" in result.blocked[0].reason
    assert ledger_purchases(sandbox.ledger()) == []


def test_an_unverifiable_address_is_blocked_while_the_others_are_bought(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    from dataclasses import replace

    bad = us_order(1)
    bad = replace(bad, recipient=replace(bad.recipient, street1="Main St"))  # no house number
    ids = seed(store, [us_order(0), bad, us_order(2)])
    service = purchase_service(store, gateway, tmp_path / "labels")
    result = service.buy(Selection(groups=(TEE_GROUP,)))
    assert [label.order_id for label in result.bought] == [ids[0], ids[2]]
    assert [b.order_id for b in result.blocked] == [ids[1]]
    assert "address not verified" in result.blocked[0].reason
    assert len(ledger_purchases(sandbox.ledger())) == 2
    with store.transaction() as tx:
        assert tx.purchases.for_orders([ids[1]]) == []  # no money was ever at stake
    _assert_ledger_matches(store, sandbox)


def test_a_label_the_database_refuses_is_refunded_with_the_reason_never_dropped(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Something outside the journal gave the order a live label mid-run: the DB refuses the
    second one; it is kept in the journal (unrecorded) and refunded at once with the reason,
    and the run says money was spent and is not complete (issue 8, item 2)."""
    from app.store.labels_repo import NewLabel

    ids = seed(store, [us_order(0)])
    service = purchase_service(store, gateway, tmp_path / "labels")

    def sneak_in(progress: object) -> None:
        with store.transaction(write=True) as tx:
            if tx.labels.live_for_order(ids[0]) is None and tx.purchases.open_for_order(ids[0]):
                batch = tx.batches.list()[0]
                tx.labels.add(
                    NewLabel(
                        ids[0],
                        "shp_elsewhere",
                        "9400X",
                        "Priority",
                        Decimal(1),
                        "PNG",
                        NOW,
                        batch.id,
                    )
                )

    seen: list[str] = []
    original = gateway.buy

    def buy(*args: object, **kwargs: object) -> object:
        sneak_in(None)
        seen.append("buy")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    gateway.buy = buy  # type: ignore[method-assign, assignment]
    result = service.buy(Selection(groups=(TEE_GROUP,)))
    assert seen == ["buy"] and result.bought == ()
    assert len(result.refunded) == 1 and result.spent == result.refunded[0].amount_usd > 0
    assert not result.complete
    with store.transaction() as tx:
        (purchase,) = tx.purchases.for_orders(ids)
        refunds = tx.audit.list(action="purchase.refunded")
    assert purchase.state is PurchaseState.REFUNDED
    assert "order_has_label" in (purchase.error or "")
    assert purchase.tracking_code and purchase.shipment_id and purchase.amount_usd
    assert len(refunds) == 1
    (sold,) = ledger_purchases(sandbox.ledger())
    refunded = [e for e in sandbox.ledger() if e.get("event") == "refund_submitted"]
    assert [e["shipment_id"] for e in refunded] == [sold["shipment_id"]]


def test_label_files_lost_in_a_crash_are_fetched_again(
    store: Store, gateway: EasyPostGateway, tmp_path: Path
) -> None:
    seed(store, [us_order(0), us_order(1)])
    service = purchase_service(store, gateway, tmp_path / "labels")
    result = service.buy(Selection(groups=(TEE_GROUP,)))
    lost = result.bought[0]
    assert lost.label_path is not None
    Path(lost.label_path).unlink()
    with store.transaction(write=True) as tx:
        tx.labels.update(lost.label_id, label_path=None, preview_path=None)
    assert service.fetch_missing_files(batch_id=result.batch_id) == 1
    with store.transaction() as tx:
        again = tx.labels.get(lost.label_id)
    assert again is not None and again.label_path == lost.label_path
    assert Path(lost.label_path).read_bytes()[:4] == b"\x89PNG"
    assert service.fetch_missing_files() == 0

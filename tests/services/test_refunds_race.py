"""Refunds re-check each label under the write lock: another window may have refunded it."""

from __future__ import annotations

from app.domain.fulfilment import LabelStatus
from app.services.refunds import RefundService
from tests.services.after_labels_support import Desk, desk  # noqa: F401


def _refunded_elsewhere(desk: Desk, label_id: int, order_id: int) -> None:  # noqa: F811
    """What another window's refresh writes when EasyPost says a refund went through."""
    with desk.store.transaction(write=True) as tx:
        tx.shipping.set_label_refund(
            label_id,
            status=LabelStatus.REFUNDED,
            refund_status="refunded",
            requested_at=desk.clock(),
            refunded_at=desk.clock(),
        )
        tx.shipping.release_order(order_id, desk.clock())


def test_a_label_refunded_meanwhile_is_refused_not_made_live_again(
    desk: Desk,  # noqa: F811
) -> None:
    refunds = RefundService(desk.store, desk.gateway, desk.audit, clock=desk.clock)
    first_order, second_order = desk.orders(2)
    first = desk.buy(first_order)
    second = desk.buy(second_order)
    stale = refunds.labels(label_ids=[first.id, second.id])  # read: both eligible
    _refunded_elsewhere(desk, first.id, first_order)
    report = refunds.refund(stale, refresh_tracking=False)
    lines = {line.label_id: line for line in report.lines}
    assert lines[first.id].status == "refused"
    assert "already refunded" in lines[first.id].reason
    assert "changed meanwhile" in lines[first.id].reason
    assert lines[second.id].status == "submitted"
    asked = [
        e["tracking_code"] for e in desk.sandbox.ledger() if e.get("event") == "refund_submitted"
    ]
    assert asked == [second.tracking_code]
    with desk.store.transaction() as tx:
        stored = tx.shipping.label(first.id)
    assert stored is not None and stored.status == "refunded"


def test_a_refunded_label_whose_order_was_bought_again_does_not_crash(
    desk: Desk,  # noqa: F811
) -> None:
    """Making the old label live again would break the one-live-label-per-order index."""
    refunds = RefundService(desk.store, desk.gateway, desk.audit, clock=desk.clock)
    (order_id,) = desk.orders(1)
    old = desk.buy(order_id)
    stale = refunds.labels(label_ids=[old.id])
    _refunded_elsewhere(desk, old.id, order_id)
    new = desk.buy(order_id)
    (line,) = refunds.refund(stale, refresh_tracking=False).lines
    assert (line.label_id, line.status) == (old.id, "refused")
    with desk.store.transaction() as tx:
        assert tx.shipping.label(old.id).status == "refunded"  # type: ignore[union-attr]
        assert tx.shipping.label(new.id).status == "live"  # type: ignore[union-attr]


def test_a_refund_another_process_is_asking_right_now_is_not_asked_twice(
    desk: Desk,  # noqa: F811
) -> None:
    """Two `refund --batch` at once: both read the label eligible, the first wrote `requested`
    and is asking; the second must not ask again (it did: both reported the refund)."""
    refunds = RefundService(desk.store, desk.gateway, desk.audit, clock=desk.clock)
    (order_id,) = desk.orders(1)
    label = desk.buy(order_id)
    with desk.store.transaction(write=True) as tx:  # what the first process wrote
        tx.shipping.note_refund_requested(
            label.id,
            expected_refund_status=None,
            refund_status="requested",
            requested_at=desk.clock(),
        )
    (line,) = refunds.refund(refunds.labels(label_ids=[label.id]), refresh_tracking=False).lines
    assert line.status == "refused" and "another window or command" in line.reason
    assert not [e for e in desk.sandbox.ledger() if e.get("event") == "refund_submitted"]

"""Refunds: eligibility with reasons, submitted -> refunded / rejected, bulk, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.after_labels import RefundFacts, refund_refusal
from app.domain.errors import AppError, ErrorKind
from app.services.refunds import RefundService
from tests.services.after_labels_support import Desk, desk  # noqa: F401


@pytest.fixture
def refunds(desk: Desk) -> RefundService:  # noqa: F811
    return RefundService(desk.store, desk.gateway, desk.audit, clock=desk.clock)


def _ledger(desk: Desk, event: str) -> list[str]:  # noqa: F811
    return [e["tracking_code"] for e in desk.sandbox.ledger() if e.get("event") == event]


def test_refund_then_refunded_frees_the_order_for_a_new_label(
    desk: Desk,  # noqa: F811
    refunds: RefundService,
) -> None:
    (order_id,) = desk.orders(1)
    label = desk.buy(order_id)
    report = refunds.refund(refunds.labels(order_id=order_id))
    assert [(line.label_id, line.status) for line in report.lines] == [(label.id, "submitted")]
    assert _ledger(desk, "refund_submitted") == [label.tracking_code]
    with pytest.raises(AppError):  # still counts as the order's postage while submitted
        desk.buy(order_id)
    assert [s.refund_status for s in refunds.status()] == ["submitted"]
    desk.sandbox.advance(31)  # the sandbox refunds 30 s after the request
    (state,) = refunds.status()
    assert (state.label_id, state.refund_status) == (label.id, "refunded")
    assert state.refunded_at is not None
    assert desk.order_status(order_id) == "ready_to_ship"
    again = desk.buy(order_id)  # the partial unique index lets the order be bought again
    assert again.id != label.id
    actions = [e.action for e in reversed(desk.audit.entries(order_id=order_id))]
    assert [a for a in actions if a.startswith("refund.")] == [
        "refund.submitted",
        "refund.refunded",
    ]


def test_refund_refused_after_the_first_usps_scan(
    desk: Desk,  # noqa: F811
    refunds: RefundService,
) -> None:
    (order_id,) = desk.orders(1)
    label = desk.buy(order_id)
    desk.sandbox.advance(61)  # the sandbox tracker moves to in_transit after 60 s
    (line,) = refunds.refund(refunds.labels(label_ids=[label.id])).lines
    assert line.status == "refused"
    assert "USPS has already scanned it (tracking: in_transit)" in line.reason
    assert _ledger(desk, "refund_submitted") == []


def test_a_stale_status_ends_rejected_and_the_label_stays_live(
    desk: Desk,  # noqa: F811
    refunds: RefundService,
) -> None:
    (order_id,) = desk.orders(1)
    label = desk.buy(order_id)
    desk.sandbox.advance(61)
    report = refunds.refund(refunds.labels(label_ids=[label.id]), refresh_tracking=False)
    assert [line.status for line in report.lines] == ["rejected"]
    with desk.store.transaction() as tx:
        stored = tx.shipping.label(label.id)
    assert stored is not None and (stored.status, stored.refund_status) == ("live", "rejected")
    with pytest.raises(AppError) as second:
        desk.buy(order_id)  # a rejected label is still the order's postage
    assert second.value.kind is ErrorKind.CONFLICT


def test_refund_refused_after_30_days(desk: Desk, refunds: RefundService) -> None:  # noqa: F811
    (order_id,) = desk.orders(1)
    label = desk.buy(order_id)
    desk.clock.offset = timedelta(days=31)
    (check,) = refunds.check(refunds.labels(label_ids=[label.id]))
    assert not check.eligible
    assert "bought 31 days ago" in check.reason and "within 30 days" in check.reason
    (line,) = refunds.refund(refunds.labels(label_ids=[label.id])).lines
    assert line.status == "refused"
    assert _ledger(desk, "refund_submitted") == []


def test_bulk_refund_of_a_batch(desk: Desk, refunds: RefundService) -> None:  # noqa: F811
    batch = desk.batch()
    labels = [desk.buy(order_id, batch=batch) for order_id in desk.orders(4)]
    with desk.store.transaction(write=True) as tx:
        tx.shipping.set_tracking(
            labels[3].id,
            tracker_id="trk_x",
            tracking_status="delivered",
            first_scan_at=desk.clock(),
            delivered_at=desk.clock(),
        )
    seen: list[str] = []
    report = refunds.refund(
        refunds.labels(batch=batch),
        refresh_tracking=False,
        on_progress=lambda line: seen.append(line.status),
    )
    assert [line.status for line in report.lines] == ["submitted"] * 3 + ["refused"]
    assert sorted(_ledger(desk, "refund_submitted")) == sorted(
        label.tracking_code for label in labels[:3]
    )
    assert report.amount_usd == sum(label.amount_usd for label in labels[:3])
    assert seen == ["submitted"] * 3 + ["refused"]
    with pytest.raises(AppError) as missing:
        refunds.labels(batch="B-19990101-001")
    assert missing.value.kind is ErrorKind.NOT_FOUND


def test_reminders_list_old_labels_that_never_moved(
    desk: Desk,  # noqa: F811
    refunds: RefundService,
) -> None:
    old, moved, fresh = desk.orders(3)
    now = desk.clock()
    old_label = desk.buy(old, bought_at=now - timedelta(days=9))
    moved_label = desk.buy(moved, bought_at=now - timedelta(days=9))
    desk.buy(fresh)
    with desk.store.transaction(write=True) as tx:
        tx.shipping.set_tracking(
            moved_label.id,
            tracker_id="trk_y",
            tracking_status="in_transit",
            first_scan_at=now,
            delivered_at=None,
        )
    (reminder,) = refunds.reminders(7)
    assert (reminder.label_id, reminder.days_old, reminder.days_left) == (old_label.id, 9, 21)
    assert len(refunds.reminders(0)) == 2
    with pytest.raises(AppError):
        refunds.reminders(-1)


def test_refusal_reasons_in_order() -> None:
    from datetime import datetime

    now = datetime(2026, 3, 1)
    fresh = RefundFacts(status="live", bought_at=now)
    assert refund_refusal(fresh, now) is None
    assert "already refunded" in (refund_refusal(RefundFacts("refunded", now), now) or "")
    assert "submitted" in (refund_refusal(RefundFacts("refund_submitted", now), now) or "")
    on_form = RefundFacts("live", now, scan_form_ref="sf_9")
    assert "SCAN form sf_9" in (refund_refusal(on_form, now) or "")
    scanned = RefundFacts("live", now, tracking_status="in_transit")
    assert "already scanned" in (refund_refusal(scanned, now) or "")
    day_30 = RefundFacts("live", now - timedelta(days=30))
    assert refund_refusal(day_30, now) is None
    day_31 = RefundFacts("live", now - timedelta(days=30, seconds=1))
    assert "within 30 days" in (refund_refusal(day_31, now) or "")


def test_a_refund_request_that_never_arrived_is_found_out(
    desk: Desk,  # noqa: F811
    refunds: RefundService,
) -> None:
    batch = desk.batch()
    labels = [desk.buy(order_id, batch=batch) for order_id in desk.orders(2)]
    desk.sandbox.set_faults(error_rate=1.0, error_ops=["refund.create"])
    with pytest.raises(AppError) as lost:
        refunds.refund(refunds.labels(batch=batch), refresh_tracking=False)
    assert "refund status" in lost.value.hint
    assert {s.refund_status for s in refunds.status(refresh=False)} == {"requested"}
    desk.sandbox.set_faults(error_rate=0.0, error_ops=[])
    # the second label's request did reach EasyPost (e.g. from another desk) before the answer
    # was lost: refresh records it; the first one never arrived and is cleared
    desk.gateway.refund(labels[1].shipment_id)
    states = {s.label_id: s.refund_status for s in refunds.status()}
    assert states == {labels[1].id: "submitted"}
    entries = [e.action for e in desk.audit.entries(label_id=labels[0].id)]
    assert "refund.not_received" in entries
    report = refunds.refund(refunds.labels(label_ids=[labels[0].id]), refresh_tracking=False)
    assert [line.status for line in report.lines] == ["submitted"]

"""Tracking: trackers created when missing, refreshed; shipped at the first scan, then delivered."""

from __future__ import annotations

import pytest

from app.services.scan_to_ship import ScanToShipService
from app.services.tracking import CARRIER_STATION, TrackingService
from tests.services.after_labels_support import Desk, desk  # noqa: F401


@pytest.fixture
def tracking(desk: Desk) -> TrackingService:  # noqa: F811
    return TrackingService(desk.store, desk.gateway, desk.audit, clock=desk.clock, concurrency=3)


def _orders(desk: Desk) -> dict[int, tuple[str, str | None]]:  # noqa: F811
    with desk.store.transaction() as tx:
        return {
            o: (s.status, s.shipped_station)
            for o in desk_orders(desk)
            if (s := tx.shipping.order_by_id(o)) is not None
        }


def desk_orders(desk: Desk) -> list[int]:  # noqa: F811
    return list(range(1, desk._next_order + 1))


def test_progression_to_delivered(desk: Desk, tracking: TrackingService) -> None:  # noqa: F811
    at_desk, by_carrier, untracked = desk.orders(3)
    desk.buy(at_desk)
    desk.buy(by_carrier)
    lost = desk.buy(untracked)
    with desk.store.transaction(write=True) as tx:
        tx.labels.update(lost.id, tracker_id=None)  # e.g. bought before trackers were kept

    first = tracking.refresh()
    assert sorted(line.status for line in first.lines) == ["pre_transit"] * 3
    assert (first.shipped, first.delivered) == (0, 0)
    with desk.store.transaction() as tx:
        assert tx.shipping.label(lost.id).tracker_id  # type: ignore[union-attr]

    ScanToShipService(desk.store, desk.audit, clock=desk.clock).scan(
        _code(desk, at_desk), station="desk-3"
    )
    desk.sandbox.advance(61)  # USPS origin scan
    moved = tracking.refresh()
    assert {line.status for line in moved.lines} == {"in_transit"}
    assert moved.shipped == 2  # the desk had already shipped the third
    states = _orders(desk)
    assert states[at_desk] == ("shipped", "desk-3")
    assert states[by_carrier] == ("shipped", CARRIER_STATION)
    with desk.store.transaction() as tx:
        label = tx.shipping.labels_for_order(by_carrier)[0]
    assert label.first_scan_at is not None and label.shipped_at == label.first_scan_at

    desk.sandbox.advance(180)
    done = tracking.refresh()
    assert done.delivered == 3
    assert {status for status, _ in _orders(desk).values()} == {"delivered"}
    with desk.store.transaction() as tx:
        delivered = tx.shipping.labels_for_order(untracked)[0]
    assert delivered.delivered_at is not None and delivered.order_delivered_at is not None
    assert tracking.refresh().lines == ()  # delivered labels are not asked again
    statuses = [e.details["to"] for e in desk.audit.entries(order_id=by_carrier)]
    assert statuses == ["delivered", "in_transit", "pre_transit"]


def _code(desk: Desk, order_id: int) -> str:  # noqa: F811
    with desk.store.transaction() as tx:
        return tx.shipping.labels_for_order(order_id)[0].tracking_code


def test_one_order_only_and_errors_do_not_stop_the_rest(
    desk: Desk,  # noqa: F811
    tracking: TrackingService,
) -> None:
    first, second = desk.orders(2)
    desk.buy(first)
    broken = desk.buy(second)
    with desk.store.transaction(write=True) as tx:
        tx.labels.update(broken.id, tracker_id="trk_does_not_exist")
    report = tracking.refresh()
    assert report.errors == 1
    (failed,) = [line for line in report.lines if line.error]
    assert failed.label_id == broken.id
    only = tracking.refresh(order_id=first)
    assert [line.order_id for line in only.lines] == [first]


def test_cancel_stops_asking(desk: Desk, tracking: TrackingService) -> None:  # noqa: F811
    import threading

    for order_id in desk.orders(3):
        desk.buy(order_id)
    cancel = threading.Event()
    cancel.set()
    assert tracking.refresh(cancel=cancel).lines == ()
    assert len(tracking.refresh().lines) == 3

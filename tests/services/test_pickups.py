"""Pickups: schedule a window (rates shown), confirm (buy), cancel; persisted; clear refusals."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from app.domain.errors import AppError, ErrorKind
from app.services.pickups import PickupRequest, PickupService, local_time
from app.services.ship_from import ShipFromService
from tests.dates import every_moment
from tests.services.after_labels_support import STUDIO, Desk, desk  # noqa: F401


def _next_weekday(today: date) -> date:
    day = today + timedelta(days=1)
    return day + timedelta(days=1) if day.weekday() == 6 else day


@pytest.fixture
def pickups(desk: Desk) -> PickupService:  # noqa: F811
    ShipFromService(desk.store).add("Studio", STUDIO, make_default=True)
    return PickupService(desk.store, desk.gateway, desk.audit, clock=desk.clock)


@pytest.mark.parametrize("desk_moment", **every_moment())
def test_schedule_confirm_cancel(desk: Desk, pickups: PickupService) -> None:  # noqa: F811
    batch = desk.batch()
    for order_id in desk.orders(2):
        desk.buy(order_id, batch=batch)
    day = _next_weekday(desk.clock().date())
    request = PickupRequest(
        day=day,
        packages=2,
        start=time(10, 0),
        end=time(14, 30),
        location="Back door",
        instructions="Ring twice",
        batch=batch,
    )
    scheduled = pickups.schedule(request)
    assert scheduled.pickup.status == "unknown"
    assert [(r.service, r.amount) for r in scheduled.rates] == [("NextDay", Decimal("0.00"))]
    assert scheduled.pickup.instructions == "Packages at: Back door. Ring twice. 2 packages."
    window = (local_time(scheduled.pickup.min_datetime), local_time(scheduled.pickup.max_datetime))
    assert [(t.hour, t.minute) for t in window] == [(10, 0), (14, 30)]

    confirmed = pickups.confirm(scheduled.pickup.id)
    assert confirmed.pickup.status == "scheduled"
    assert confirmed.pickup.confirmation and confirmed.pickup.confirmation.startswith("WTC")
    assert pickups.confirm(scheduled.pickup.id).pickup.status == "scheduled"  # idempotent
    cancelled = pickups.cancel(scheduled.pickup.id)
    assert cancelled.pickup.status == "canceled" and cancelled.pickup.cancelled_at is not None
    with pytest.raises(AppError) as again:
        pickups.confirm(scheduled.pickup.id)
    assert again.value.kind is ErrorKind.CONFLICT
    assert [p.status for p in pickups.list()] == ["canceled"]
    events = [e["event"] for e in desk.sandbox.ledger() if str(e.get("event")).startswith("pickup")]
    assert events[:1] == ["pickup_scheduled"]
    actions = sorted(e.action for e in desk.audit.entries() if e.action.startswith("pickup"))
    assert actions == ["pickup.cancelled", "pickup.confirmed", "pickup.requested"]


@pytest.mark.parametrize("desk_moment", **every_moment())
def test_a_sunday_has_no_rate_and_confirm_says_why(
    desk: Desk,  # noqa: F811
    pickups: PickupService,
) -> None:
    (order_id,) = desk.orders(1)
    desk.buy(order_id)
    today = desk.clock().date()
    sunday = today + timedelta(days=(6 - today.weekday()) % 7 or 7)
    # Noon to one: Sunday in UTC too, whatever the desk's time zone (the sandbox counts in UTC).
    scheduled = pickups.schedule(
        PickupRequest(day=sunday, packages=1, start=time(12, 0), end=time(13, 0))
    )
    assert scheduled.rates == () and scheduled.messages
    with pytest.raises(AppError) as refused:
        pickups.confirm(scheduled.pickup.id)
    assert refused.value.kind is ErrorKind.RATE
    assert "No pickup rate" in refused.value.message


def test_refusals_before_any_request(desk: Desk, pickups: PickupService) -> None:  # noqa: F811
    day = _next_weekday(desk.clock().date())
    with pytest.raises(AppError, match="at least 1"):
        pickups.schedule(PickupRequest(day=day, packages=0))
    with pytest.raises(AppError, match="is empty"):
        pickups.schedule(PickupRequest(day=day, packages=1, start=time(15), end=time(9)))
    with pytest.raises(AppError, match="in the past"):
        pickups.schedule(PickupRequest(day=date(2020, 1, 2), packages=1))
    with pytest.raises(AppError, match="no live label"):
        pickups.schedule(PickupRequest(day=day, packages=1))
    with pytest.raises(AppError, match="No batch"):
        pickups.schedule(PickupRequest(day=day, packages=1, batch="B-20200101-001"))
    with pytest.raises(AppError, match="No pickup 99"):
        pickups.cancel(99)

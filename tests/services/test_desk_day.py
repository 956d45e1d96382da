""" "Today" is the desk's local day: a Portland desk's afternoon labels are today's, not tomorrow's.

The desk clock is pinned at 2026-11-26 01:30 UTC, which is 2026-11-25 17:30 in Portland.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.after_labels import ManifestCandidate, plan_scan_forms
from app.domain.errors import AppError, ErrorKind
from app.services.batches import BatchOverviewService
from app.services.clock import local_date, local_day_bounds, to_stored
from app.services.pickups import PickupRequest, PickupService
from app.services.refunds import RefundService
from app.services.scan_forms import ScanFormService
from tests.services.after_labels_support import Desk, desk  # noqa: F401

PORTLAND = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 26, 1, 30)  # UTC: already the 26th; in Portland the 25th, 17:30
MORNING = datetime(2026, 11, 25, 18, 0)  # 10:00 in Portland on the 25th
AFTERNOON = datetime(2026, 11, 26, 0, 30)  # 16:30 in Portland on the 25th
LAST_NIGHT = datetime(2026, 11, 25, 7, 0)  # 23:00 in Portland on the 24th


def pinned() -> datetime:
    return NOW


def test_the_desk_day_is_local_and_its_bounds_are_stored_utc() -> None:
    assert local_date(NOW, PORTLAND) == date(2026, 11, 25)
    assert local_date(NOW, ZoneInfo("UTC")) == date(2026, 11, 26)
    start, end = local_day_bounds(date(2026, 11, 25), PORTLAND)
    assert (start, end) == (datetime(2026, 11, 25, 8, 0), datetime(2026, 11, 26, 8, 0))
    assert start <= MORNING < AFTERNOON < end and start > LAST_NIGHT
    spring = local_day_bounds(date(2026, 3, 8), PORTLAND)  # clocks go forward: 23 hours
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert to_stored(datetime(2026, 7, 1, 9, 0, tzinfo=PORTLAND)) == datetime(2026, 7, 1, 16, 0)


def test_plan_takes_the_afternoon_labels_and_leaves_last_nights() -> None:
    labels = [
        ManifestCandidate(1, "shp_1", "studio", "live", MORNING),
        ManifestCandidate(2, "shp_2", "studio", "live", AFTERNOON),
        ManifestCandidate(3, "shp_3", "studio", "live", LAST_NIGHT),
    ]
    plan = plan_scan_forms(
        labels, local_date(NOW, PORTLAND), day_of=lambda at: local_date(at, PORTLAND)
    )
    assert [[c.label_id for c in members] for _, members in plan.forms] == [[1, 2]]
    ((left_out, reason),) = plan.excluded
    assert left_out.label_id == 3
    assert "label date 2026-11-24 is not today (2026-11-25)" in reason


def test_scan_form_for_today_holds_the_whole_local_day(desk: Desk) -> None:  # noqa: F811
    forms = ScanFormService(
        desk.store,
        desk.gateway,
        desk.audit,
        desk.documents,
        clock=pinned,
        poll_interval=0.05,
        zone=PORTLAND,
    )
    morning, afternoon, last_night = desk.orders(3)
    labels = [desk.buy(morning, bought_at=MORNING), desk.buy(afternoon, bought_at=AFTERNOON)]
    desk.buy(last_night, bought_at=LAST_NIGHT)
    (form,) = forms.for_today().forms
    assert form.status == "created" and form.label_count == 2
    with desk.store.transaction() as tx:
        on_form = {
            f.label_id
            for f in tx.shipping.labels_bought_between(datetime(2026, 11, 1), NOW)
            if f.scan_form_id == form.id
        }
    assert on_form == {label.id for label in labels}


def test_batch_form_leaves_out_a_label_of_yesterday_evening(desk: Desk) -> None:  # noqa: F811
    forms = ScanFormService(
        desk.store,
        desk.gateway,
        desk.audit,
        desk.documents,
        clock=pinned,
        poll_interval=0.05,
        zone=PORTLAND,
    )
    batch = desk.batch()
    kept = desk.buy(desk.orders(1)[0], batch=batch, bought_at=AFTERNOON)
    old = desk.buy(desk.orders(1)[0], batch=batch, bought_at=LAST_NIGHT)
    run = forms.for_batch(batch)
    assert [f.label_count for f in run.forms] == [1]
    assert [(label, reason.split(":")[0]) for label, _, reason in run.excluded] == [
        (old.id, "its label date 2026-11-24 is not today (2026-11-25)")
    ]
    assert kept.id not in {label for label, _, _ in run.excluded}


def test_batches_of_today_are_those_of_the_local_day(desk: Desk) -> None:  # noqa: F811
    made = {}
    for name, at in (("morning", MORNING), ("last night", LAST_NIGHT)):
        with desk.store.transaction(write=True) as tx:
            made[name] = tx.batches.create(
                now=at,
                station="desk-1",
                user="tester",
                package_type_id=None,
                service_choice="GroundAdvantage",
                concurrency=4,
            ).reference
    overview = BatchOverviewService(desk.store, clock=pinned, zone=PORTLAND)
    assert [b.reference for b in overview.today()] == [made["morning"]]
    assert {b.reference for b in overview.today(days=2)} == set(made.values())


def test_refund_reminders_count_local_days(desk: Desk) -> None:  # noqa: F811
    refunds = RefundService(desk.store, desk.gateway, desk.audit, clock=pinned, zone=PORTLAND)
    # 18:00 in Portland on the 18th: 7 desk days before the 25th, though not 7 x 24 hours ago.
    week_old, six_days = desk.orders(2)
    label = desk.buy(week_old, bought_at=datetime(2026, 11, 19, 2, 0))
    desk.buy(six_days, bought_at=datetime(2026, 11, 19, 9, 0))  # 01:00 on the 19th
    (reminder,) = refunds.reminders(7)
    assert (reminder.label_id, reminder.days_old) == (label.id, 7)
    assert sorted(r.days_old for r in refunds.reminders(0)) == [6, 7]


def test_a_pickup_for_the_local_today_is_not_in_the_past(desk: Desk) -> None:  # noqa: F811
    pickups = PickupService(desk.store, desk.gateway, desk.audit, clock=pinned, zone=PORTLAND)
    with pytest.raises(AppError) as today:
        pickups.schedule(PickupRequest(day=date(2026, 11, 25), packages=1))
    assert "in the past" not in today.value.message  # it goes on to want a label to attach to
    assert today.value.kind is ErrorKind.NOT_FOUND
    with pytest.raises(AppError) as yesterday:
        pickups.schedule(PickupRequest(day=date(2026, 11, 24), packages=1))
    assert "2026-11-24 is in the past" in yesterday.value.message

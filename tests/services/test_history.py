"""HistoryService: the audit log with filters and search, spend three ways, refunds, reminders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.domain.orders import SourcePlatform
from app.services.audit import AuditAction
from app.services.history import AuditFilter, HistoryService, action_title
from app.services.importing import ImportService
from app.services.refunds import RefundService
from tests.services.after_labels_support import Desk, desk  # noqa: F401
from tests.services.factories import order, parsed


def _bought(desk: Desk, order_id: int, batch: str | None = None) -> str:  # noqa: F811
    label = desk.buy(order_id, batch=batch)
    desk.audit.record(
        AuditAction.LABEL_BOUGHT,
        order_id=order_id,
        label_id=label.id,
        details={"amount": str(label.amount_usd), "service": label.service},
    )
    return label.tracking_code


def test_audit_lines_show_order_numbers_labels_and_amounts_with_filters(
    desk: Desk,  # noqa: F811
) -> None:
    first, second = desk.orders(2)
    tracking = _bought(desk, first)
    _bought(desk, second)
    desk.audit.record(AuditAction.ORDER_SHIPPED, order_id=first)
    history = HistoryService(desk.store, clock=desk.clock)

    lines = history.audit()
    assert [line.what for line in lines] == ["Shipped (scanned)", "Label bought", "Label bought"]
    bought = lines[2]
    assert (bought.order, bought.label, bought.station, bought.user) == (
        "1",
        tracking,
        "desk-1",
        "tester",
    )
    assert bought.amount_usd is not None and bought.amount_usd > 0

    assert [line.order for line in history.audit(AuditFilter(kind="Labels bought"))] == ["2", "1"]
    assert [line.order for line in history.audit(AuditFilter(search=tracking[-8:]))] == ["1"]
    assert history.audit(AuditFilter(station="elsewhere")) == []
    today = desk.clock().date()
    assert len(history.audit(AuditFilter(since=today - timedelta(days=1)))) == 3
    assert history.audit(AuditFilter(until=today - timedelta(days=2))) == []


def test_an_order_number_two_sources_share_is_shown_with_its_source(
    desk: Desk,  # noqa: F811
) -> None:
    (first,) = desk.orders(1)
    ImportService(desk.store, lambda path, **_: parsed([])).apply(
        parsed([order("1", source=SourcePlatform.SHOPIFY)])
    )
    desk.audit.record(AuditAction.ORDER_SHIPPED, order_id=first)
    (line,) = HistoryService(desk.store, clock=desk.clock).audit()
    assert line.order == "kickstarter:1"


def test_snapshot_spend_refunds_and_reminders(desk: Desk) -> None:  # noqa: F811
    ids = desk.orders(3)
    batch = desk.batch()
    for order_id in ids:
        _bought(desk, order_id, batch)
    refunds = RefundService(desk.store, desk.gateway, desk.audit, clock=desk.clock)
    refunds.refund(refunds.labels(order_id=ids[0]))
    desk.clock.offset = timedelta(days=8)
    snapshot = HistoryService(desk.store, clock=desk.clock).snapshot(days=30, reminder_days=7)

    assert [b.reference for b in snapshot.batches] == [batch]
    assert snapshot.batches[0].bought == 3
    assert [(r.order, r.refund_status) for r in snapshot.refunds] == [("1", "submitted")]
    assert [r.order for r in snapshot.reminders] == ["2", "3"]
    spend = snapshot.spend
    assert spend.labels == 3 and spend.refunded == 0
    assert [s.title for s in spend.by_service] == ["USPS Ground Advantage"]
    assert spend.by_service[0].amount_usd == spend.total_usd > Decimal(0)
    assert len(spend.by_day) == 1 and spend.by_day[0].labels == 3
    assert sum(s.labels for s in spend.by_group) == 3
    assert all(" x " in s.title for s in spend.by_group)  # the group's items, not its id


def test_old_action_names_read_as_today() -> None:
    assert action_title("print") == "Label printed"
    assert action_title("something.new") == "something.new"

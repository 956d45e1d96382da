"""Labels & batches lists the labels EasyPost sold that the database could not record (kept in
the journal as `unrecorded`): order, tracking number, cost and what will happen to each, as
`packdesk-cli batches show` does; not only a count."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.fulfilment import PurchaseState
from app.domain.orders import OrderStatus
from app.services.buy_plan import Selection
from app.services.purchase import BuyResult
from app.ui.main_window import MainWindow
from app.ui.panels.labels_panel import LabelsPanel
from tests.dates import FIXED_MOMENTS, RunningClock
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_ctx(tmp_path: Path) -> Iterator[AppContext]:
    options = RuntimeOptions(
        profile="demo", home=tmp_path, demo=True, clock=RunningClock(FIXED_MOMENTS["saturday"])
    )
    with build_context(options) as ctx:
        ctx.demo_seeder.seed()
        yield ctx


def _journal_unrecorded(ctx: AppContext, result: BuyResult) -> list[str]:
    """Two bought labels the database refused, as the purchase pipeline journals them: one
    for a storage fault (recorded next run), one whose order has a label (refunded next run)."""
    now = ctx.clock()
    with ctx.store.transaction(write=True) as tx:
        batch = next(b for b in tx.batches.list() if b.reference == result.batch_reference)
        ready = tx.orders.find(status=OrderStatus.READY_TO_SHIP)[:1]
        cases = [
            (ready[0].id, "9400111200000000000001", "storage: database or disk is full"),
            (result.bought[0].order_id, "9400111200000000000002", "order_has_label: label 1"),
        ]
        numbers = []
        for index, (order_id, tracking, reason) in enumerate(cases):
            assert order_id is not None
            row = tx.purchases.add_intent(
                order_id=order_id, batch_id=batch.id, reference=f"pd-x-{index}", now=now
            )
            tx.purchases.update(
                row.id,
                now=now,
                state=PurchaseState.UNRECORDED,
                shipment_id=f"shp_unrec{index}",
                service="GroundAdvantage",
                amount_usd=Decimal("4.75") + index,
                tracking_code=tracking,
                error=reason,
            )
            found = tx.orders.get(order_id)
            assert found is not None
            numbers.append(found.external_id)
    return numbers


def test_unrecorded_labels_are_listed_with_tracking_cost_and_what_happens(
    qtbot: QtBot, demo_ctx: AppContext, guard: ThreadGuard
) -> None:
    with guard.paused():  # the world before the window: a bought batch, two rows refused
        groups = demo_ctx.grouping_service.groups()
        group = min(
            (g for g in groups if g.package_type == "Poly mailer 10x13"), key=lambda g: g.orders
        )
        result = demo_ctx.purchase_service.buy(Selection(groups=(group.group_id,)))
        numbers = _journal_unrecorded(demo_ctx, result)

    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    panel = window.panels["labels"]
    assert isinstance(panel, LabelsPanel)
    with qtbot.waitSignal(panel.batch_loaded, timeout=15_000):
        window.show_panel("labels")
    assert panel.batch_model.rows()[0].unrecorded == 2  # the count the batch row showed before
    model = panel.unrecorded_model
    assert model.rowCount() == 2
    assert panel.tabs.tabText(panel.tabs.indexOf(panel.unrecorded_view)) == "Not recorded (2)"
    shown = [
        [model.data(model.index(row, col)) for col in range(model.columnCount())]
        for row in range(model.rowCount())
    ]
    by_tracking = {row[1]: row for row in shown}
    kept = by_tracking["9400111200000000000001"]
    assert kept[0] == numbers[0]  # the order number shown everywhere, not the row id
    assert kept[3] == "$4.75" and kept[4] == "not recorded"
    assert "the next buy records it" in kept[5]
    refunding = by_tracking["9400111200000000000002"]
    assert refunding[0] == numbers[1] and refunding[3] == "$5.75"
    assert "refunds it" in refunding[5]
    assert window.runner.wait_for_idle(30_000)
    assert guard.on_gui_thread == []

"""Orders panel: "Mark shipped" ships the selection by hand, off the GUI thread, audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.domain.orders import OrderStatus
from app.services.audit import AuditAction, AuditLog
from app.services.manual_ship import ManualShipReport, ManualShipService
from app.services.orders import OrderService
from app.ui.errors import ErrorPresenter
from app.ui.panels.orders_panel import OrdersPanel
from app.ui.tasks import TaskRunner
from tests.documents.world import DocWorld, standard_orders, world  # noqa: F401

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot: QtBot, world: DocWorld) -> Iterator[OrdersPanel]:  # noqa: F811
    world.add_orders(standard_orders(), OrderStatus.READY_TO_SHIP)
    runner = TaskRunner()
    shipper = ManualShipService(world.store, AuditLog(world.store, "desk-3", "ann"))
    orders_panel = OrdersPanel(
        runner,
        ErrorPresenter(),
        orders=OrderService(world.store),
        shipper=shipper,
        ask_note=lambda _parent: "left at the post office",
    )
    qtbot.addWidget(orders_panel)
    orders_panel.show()
    with qtbot.waitSignal(orders_panel.orders_loaded, timeout=10_000):
        orders_panel.refresh()
    yield orders_panel
    assert runner.wait_for_idle(10_000)


def test_mark_shipped_ships_the_selected_orders(
    qtbot: QtBot,
    world: DocWorld,  # noqa: F811
    panel: OrdersPanel,
) -> None:
    panel.view.selectRow(0)
    assert panel.ship_button.isEnabled()
    chosen = panel.selected_orders()
    with qtbot.waitSignal(panel.ship_done, timeout=10_000) as blocker:
        panel.ship_button.click()
    report = blocker.args[0]
    assert isinstance(report, ManualShipReport)
    assert report.shipped == tuple(o.id for o in chosen)
    entries = AuditLog(world.store).entries(action=AuditAction.ORDER_SHIPPED.value)
    assert entries[0].details["note"] == "left at the post office"
    assert "marked shipped" in panel.message_bar.text()

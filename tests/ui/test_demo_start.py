"""`packdesk --demo`: the window is up at once; the seed and the sandbox start on a worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.order_flow import StatusAction
from app.domain.orders import OrderStatus
from app.infra.settings import EasyPostMode
from app.services.demo import DemoSeedReport
from app.ui.demo_start import DemoStarter
from app.ui.errors import CrashDialog
from app.ui.main_window import MainWindow
from app.ui.panels.groups_panel import GroupsPanel
from app.ui.panels.orders_panel import OrdersPanel
from app.ui.widgets.message_bar import Tone
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(profile="demo", home=tmp_path, demo=True)) as ctx:
        yield ctx


def test_demo_start_seeds_on_a_worker_and_fills_the_panels(
    qtbot: QtBot, demo_ctx: AppContext, guard: ThreadGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashes: list[str] = []
    monkeypatch.setattr(
        CrashDialog, "exec", lambda self: crashes.append(self.details.toPlainText()) or 0
    )
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    starter = DemoStarter(window)
    with qtbot.waitSignal(starter.finished, timeout=30_000) as blocker:
        starter.start()
        # The window is usable at once and says what it is doing.
        assert "Preparing the demo" in window.banner.text()
    report = blocker.args[0]
    assert isinstance(report, DemoSeedReport) and report.seeded
    assert window.banner.tone is Tone.SUCCESS
    assert "Demo ready: 500 sample orders" in window.banner.text()
    assert demo_ctx.easypost_mode is EasyPostMode.SANDBOX
    assert demo_ctx.sandbox_server.api_base.startswith("http://127.0.0.1:")

    orders = window.panels["orders"]
    assert isinstance(orders, OrdersPanel)
    qtbot.waitUntil(lambda: orders.model.rowCount() == 500, timeout=10_000)
    groups = window.panels["groups"]
    assert isinstance(groups, GroupsPanel)
    with qtbot.waitSignal(groups.groups_loaded, timeout=10_000):
        window.show_panel("groups")
    assert sum(1 for g in groups.model.rows() if g.package_type) == len(report.groups_assigned)
    assert groups.customs_model.rowCount() == 2  # the two SKUs left incomplete on purpose

    # The banner's counts follow the data: hold one order and they are counted again.
    window.show_panel("orders")
    orders.set_status_filter(OrderStatus.READY_TO_SHIP)
    # The status filter shows the ready orders, once the list read after the seed marked them
    # ready is in (a list read while the seed ran still says "imported").
    qtbot.waitUntil(lambda: orders.model.rowCount() == 500, timeout=10_000)
    orders.view.selectRow(0)
    with qtbot.waitSignal(starter.counts_shown, timeout=10_000) as counted:
        orders.apply_action(StatusAction.HOLD)
    assert "1 on hold" in counted.args[0] and counted.args[0] in window.banner.text()

    # A second start of the same profile changes nothing and says so.
    again = DemoStarter(window)
    with qtbot.waitSignal(again.finished, timeout=30_000) as second:
        again.start()
    assert not second.args[0].seeded
    assert "earlier start" in window.banner.text()
    assert window.runner.wait_for_idle(10_000)
    assert guard.on_gui_thread == []
    assert crashes == []

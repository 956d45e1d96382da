"""Labels left on the roll in the GUI: New roll in the print queue, the status bar, the warning
in Buy & print's confirmation, the queue stopping at the roll's end and going on after New roll."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.printing import PauseCause, PrintJobStatus
from app.infra.settings import ConfiguredPrinter, PrinterSettings
from app.ui.main_window import MainWindow
from app.ui.panels.buy_panel import BuyPanel
from app.ui.panels.print_queue_panel import PrintQueuePanel
from tests.printers.emulators.fixtures import (  # noqa: F401 (pytest fixtures)
    MakeBackend,
    default_emulated_usb_fixture,
    emulated_usb_fixture,
)
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui

ZEBRA = ConfiguredPrinter("Zebra desk", "usb://0a5f:0185", "")
SCREENSHOT_ENV = "PACKDESK_ROLL_SCREENSHOT"  # a folder: save what the packer sees, to look at


@pytest.fixture
def demo_ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(profile="demo", home=tmp_path, demo=True)) as ctx:
        ctx.demo_seeder.seed()
        printers = ctx.settings_store.load().printers
        ctx.settings_store.update_printers(
            PrinterSettings((ZEBRA, *printers.configured), default=ZEBRA.name)
        )
        yield ctx


def _screenshot(window: MainWindow, name: str) -> None:
    import os

    folder = os.environ.get(SCREENSHOT_ENV)
    if folder:
        window.grab().save(str(Path(folder) / name))


def test_new_roll_warning_stop_at_the_end_and_go_on(
    qtbot: QtBot,
    demo_ctx: AppContext,
    default_emulated_usb: MakeBackend,
    guard: ThreadGuard,
) -> None:
    engine = default_emulated_usb("zd421-203").device("zd421-203").engine
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    status_bar_roll = window.statusBar().findChild(type(window._roll), "rollStatus")
    assert status_bar_roll is not None

    queue_panel = window.panels["print"]
    assert isinstance(queue_panel, PrintQueuePanel)
    with qtbot.waitSignal(queue_panel.queue_loaded, timeout=10_000):
        window.show_panel("print")
    qtbot.waitUntil(lambda: "unknown" in queue_panel.roll_label.text(), timeout=10_000)
    queue_panel.ask_roll_size = lambda _parent, _name: 3
    with qtbot.waitSignal(queue_panel.roll_changed, timeout=10_000):
        queue_panel.new_roll_button.click()
    assert queue_panel.roll_label.text() == "3 labels left on the roll"
    assert status_bar_roll.text() == "Zebra desk: 3 labels left"

    buy = window.panels["buy"]
    assert isinstance(buy, BuyPanel)
    with qtbot.waitSignal(buy.groups_loaded, timeout=10_000):
        window.show_panel("buy")
    group = min(
        (
            r.group
            for r in buy.model.rows()
            if r.group.package_type == "Poly mailer 10x13" and r.group.orders > 3
        ),
        key=lambda g: g.orders,
    )
    buy.select_groups([group.group_id])
    with qtbot.waitSignal(buy.estimated, timeout=30_000) as estimated:
        buy.estimate_button.click()
    ready = len(estimated.args[0].preflight.ready)
    assert ready > 3
    asked: list[str] = []
    buy.confirm = lambda _parent, _title, text: asked.append(text) or True
    with qtbot.waitSignal(buy.buy_finished, timeout=60_000) as finished:
        buy.buy_button.click()
    assert f"3 labels left on the roll; this batch needs {ready}." in asked[0]
    assert "printing stops at the end of the roll" in asked[0]
    bought = finished.args[0].bought

    with qtbot.waitSignal(queue_panel.queue_loaded, timeout=10_000):
        window.show_panel("print")
    qtbot.waitUntil(
        lambda: (
            queue_panel._status is not None
            and queue_panel._status.pause is not None
            and queue_panel._status.pause.cause is PauseCause.ROLL
        ),
        timeout=30_000,
    )
    assert "load a new roll" in queue_panel.state_detail.text()
    assert "choose New roll in the Print queue" in queue_panel.state_detail.text()
    assert engine.wait_printed(3, 10) and len(engine.printed) == 3
    qtbot.waitUntil(lambda: status_bar_roll.text() == "Zebra desk: 0 labels left", timeout=10_000)
    _screenshot(window, "roll-end.png")

    queue_panel.ask_roll_size = lambda _parent, _name: 250
    queue_panel.new_roll_button.click()
    qtbot.waitUntil(
        lambda: (
            sum(j.status is PrintJobStatus.PRINTED for j in queue_panel.model.rows()) == len(bought)
        ),
        timeout=60_000,
    )
    assert engine.wait_printed(len(bought), 20)
    left = 250 - (len(bought) - 3)
    qtbot.waitUntil(
        lambda: status_bar_roll.text() == f"Zebra desk: {left} labels left", timeout=10_000
    )
    _screenshot(window, "roll-after-new-roll.png")
    qtbot.waitUntil(lambda: window.runner.active_count == 0, timeout=10_000)
    assert guard.on_gui_thread == []


def test_roll_line_reads_like_the_desk_talks() -> None:
    from app.domain.roll_supply import RollSource
    from app.services.roll_supply import RollStatus
    from app.ui.panels.roll_view import roll_line
    from printers.status import RollLevel

    low = RollStatus("550", "usb://0922:0028", 38, RollSource.PRINTER, None, RollLevel.LOW, 24.0)
    assert roll_line(low) == "38 labels left on the roll (low) · 24 labels/min"
    assert roll_line(low, 212) == (
        "38 labels left on the roll (low) · 212 waiting: about 9 min at 24 labels/min"
    )
    unknown = RollStatus("zebra", "usb://0a5f:0185", None, RollSource.UNKNOWN)
    assert roll_line(unknown).startswith("Labels left on the roll: unknown")

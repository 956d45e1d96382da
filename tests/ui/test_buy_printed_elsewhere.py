"""Buy & print says who prints the labels when another Packdesk process holds the printer (the
use case's `printed_elsewhere`, which the CLI's `buy` prints too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.printing import PrintJobStatus
from app.infra.file_lock import ExclusiveFileLock
from app.services.print_queue import printer_lock_path
from app.ui.main_window import MainWindow
from app.ui.panels.buy_panel import BuyPanel
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui

OTHER = "virtual://packing-2"


@pytest.fixture
def demo_ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(profile="demo", home=tmp_path, demo=True)) as ctx:
        ctx.demo_seeder.seed()
        ctx.printer_setup_service.add("Packing 2", OTHER, "zd421-203")
        yield ctx


@pytest.fixture
def window(qtbot: QtBot, demo_ctx: AppContext, guard: ThreadGuard) -> Iterator[MainWindow]:
    win = MainWindow(demo_ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    assert win.runner.wait_for_idle(30_000)
    assert guard.on_gui_thread == []


def test_labels_for_a_printer_another_process_holds_are_said_to_print_there(
    qtbot: QtBot, window: MainWindow, demo_ctx: AppContext, guard: ThreadGuard
) -> None:
    # Another Packdesk process (a second window) holds Packing 2's queue.
    held = ExclusiveFileLock(printer_lock_path(demo_ctx.store.path, OTHER))
    assert held.try_acquire()
    try:
        panel = window.panels["buy"]
        assert isinstance(panel, BuyPanel)
        with qtbot.waitSignal(panel.groups_loaded, timeout=10_000):
            window.show_panel("buy")
            panel.refresh()
        panel.printer_combo.setCurrentIndex(panel.printer_combo.findData(OTHER))
        assert panel.printer_combo.currentText() == "Packing 2"
        group = min(
            (r.group for r in panel.model.rows() if r.group.package_type),
            key=lambda g: g.orders,
        )
        panel.select_groups([group.group_id])
        with qtbot.waitSignal(panel.estimated, timeout=30_000):
            panel.estimate_button.click()
        panel.confirm = lambda *_args: True
        with qtbot.waitSignal(panel.buy_finished, timeout=60_000) as finished:
            panel.buy_button.click()
        bought = len(finished.args[0].bought)
        assert bought > 0
        text = panel.message_bar.text()
        assert f"{bought} label(s) queued for Packing 2 ({OTHER})" in text
        assert "the Packdesk window that holds this printer prints them" in text
        # Queued in the database for the holder: nothing printed by this window.
        with guard.paused(), demo_ctx.store.transaction() as tx:
            jobs = tx.print_jobs.for_printer(OTHER, statuses=[PrintJobStatus.QUEUED])
        assert len(jobs) == bought
    finally:
        held.release()

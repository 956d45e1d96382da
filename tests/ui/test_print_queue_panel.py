"""The print queue panel with an emulated Zebra on the real pyusb path: paper out pauses the
queue with the fix shown; after Resume every label prints exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.printing import PrintJobStatus, QueueState
from app.infra.settings import ConfiguredPrinter, PrinterSettings
from app.ui.errors import CrashDialog, ErrorPresenter
from app.ui.main_window import MainWindow
from app.ui.panels.buy_panel import BuyPanel
from app.ui.panels.print_queue_panel import PrintQueuePanel
from app.ui.panels.setup_panel import SetupPanel
from app.ui.panels.setup_printers import PrintersPage
from app.ui.tasks import TaskRunner
from printers.discovery import FoundPrinter
from tests.printers.emulators.fixtures import (  # noqa: F401 (pytest fixtures)
    MakeBackend,
    default_emulated_usb_fixture,
    emulated_usb_fixture,
)
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui

ZEBRA = ConfiguredPrinter("Zebra desk", "usb://0a5f:0185", "")


@pytest.fixture
def demo_ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(profile="demo", home=tmp_path, demo=True)) as ctx:
        ctx.demo_seeder.seed()
        printers = ctx.settings_store.load().printers
        ctx.settings_store.update_printers(
            PrinterSettings((ZEBRA, *printers.configured), default=ZEBRA.name)
        )
        yield ctx


def test_paper_out_pauses_with_the_fix_and_resume_prints_each_label_once(
    qtbot: QtBot,
    demo_ctx: AppContext,
    default_emulated_usb: MakeBackend,
    guard: ThreadGuard,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crashes: list[str] = []
    monkeypatch.setattr(
        CrashDialog, "exec", lambda self: crashes.append(self.details.toPlainText()) or 0
    )
    engine = default_emulated_usb("zd421-203").device("zd421-203").engine
    engine.set_faults(paper_out=True)
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    buy = window.panels["buy"]
    assert isinstance(buy, BuyPanel)
    with qtbot.waitSignal(buy.groups_loaded, timeout=10_000):
        window.show_panel("buy")
    assert buy.printer_combo.currentData() == ZEBRA.uri  # the default printer first
    group = min(
        (r.group for r in buy.model.rows() if r.group.package_type == "Poly mailer 10x13"),
        key=lambda g: g.orders,
    )
    buy.select_groups([group.group_id])
    with qtbot.waitSignal(buy.estimated, timeout=30_000):
        buy.estimate_button.click()
    buy.confirm = lambda *_args: True
    with qtbot.waitSignal(buy.buy_finished, timeout=60_000) as finished:
        buy.buy_button.click()
    bought = finished.args[0].bought
    assert bought

    panel = window.panels["print"]
    assert isinstance(panel, PrintQueuePanel)
    with qtbot.waitSignal(panel.queue_loaded, timeout=10_000):
        window.show_panel("print")
    assert panel.printer_uri == ZEBRA.uri
    qtbot.waitUntil(
        lambda: panel._status is not None and panel._status.state is QueueState.PAUSED,
        timeout=15_000,
    )
    assert "paper" in panel.state_detail.text().lower()
    assert panel.resume_button.isEnabled()
    assert engine.printed == []

    engine.set_faults(paper_out=False)
    panel.resume_button.click()
    qtbot.waitUntil(
        lambda: sum(j.status is PrintJobStatus.PRINTED for j in panel.model.rows()) == len(bought),
        timeout=30_000,
    )
    qtbot.waitUntil(lambda: len(engine.printed) == len(bought), timeout=10_000)
    # The printer has the last label before the queue's "ready" reaches the GUI thread.
    qtbot.waitUntil(lambda: panel.state_label.text().startswith("Ready"), timeout=10_000)
    qtbot.waitUntil(lambda: window.runner.active_count == 0, timeout=10_000)
    assert window.runner.wait_for_idle(10_000)
    assert crashes == []
    assert guard.on_gui_thread == []


def test_setup_printers_page_adds_from_discovery_sets_default_and_removes(
    qtbot: QtBot, tmp_path: Path, default_emulated_usb: MakeBackend
) -> None:
    """What the Printers dialog did, now on Setup > Printers over PrinterSetupService."""
    default_emulated_usb("zd421-203")
    from app.infra.settings import SettingsStore
    from app.services.print_queue import open_configured_printer
    from app.services.printer_setup import PrinterSetupService
    from printers.discovery import discover

    store = SettingsStore(tmp_path / "settings.json")
    runner = TaskRunner()
    discovered_on: list[bool] = []

    def discover_off_the_gui_thread() -> list[FoundPrinter]:
        import threading

        discovered_on.append(threading.current_thread() is threading.main_thread())
        return discover()

    service = PrinterSetupService(
        store, open_configured_printer, discover=discover_off_the_gui_thread
    )
    page = PrintersPage(runner, ErrorPresenter(), printers=service)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.discovered, timeout=10_000) as found:
        page.discover_button.click()
    assert discovered_on == [False]
    (zebra,) = found.args[0]
    assert zebra.uri.startswith("usb://0a5f:0185")
    page.found_view.selectRow(0)
    page.found_view.activated.emit(page.found_model.index(0, 0))
    assert page.uri_edit.text() == zebra.uri
    assert page.model_combo.currentData() == "zd421-203"
    with qtbot.waitSignal(page.changed, timeout=10_000) as saved:
        page.add_button.click()
    assert saved.args[0].default == page.name_edit.text()  # the first becomes the default

    page.name_edit.setText("Test virtual")
    page.uri_edit.setText("virtual://test")
    page.model_combo.setCurrentIndex(0)
    with qtbot.waitSignal(page.changed, timeout=10_000):
        page.add_button.click()
    page.view.selectRow(page.model.row_of("Test virtual") or 0)
    with qtbot.waitSignal(page.changed, timeout=10_000) as saved:
        page.default_button.click()
    assert saved.args[0].default == "Test virtual"
    assert store.load().printers.resolve(None).uri == "virtual://test"

    # A duplicate URI is refused with the reason (by the service), and nothing is saved.
    page.name_edit.setText("Again")
    page.uri_edit.setText("virtual://test")
    with qtbot.waitSignal(runner.failed, timeout=10_000):
        page.add_button.click()
    qtbot.waitUntil(lambda: "configured already" in page.message_bar.text())

    page.view.selectRow(page.model.row_of("Test virtual") or 0)
    with qtbot.waitSignal(page.changed, timeout=10_000) as saved:
        page.remove_button.click()
    assert [p.uri for p in saved.args[0].configured] == [zebra.uri]
    assert saved.args[0].default == saved.args[0].configured[0].name  # the first one left
    assert runner.wait_for_idle(10_000)


def test_the_print_queue_printers_button_opens_setup_printers(
    qtbot: QtBot, demo_ctx: AppContext, guard: ThreadGuard
) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    queue = window.show_panel("print")
    assert isinstance(queue, PrintQueuePanel)
    queue.manage_button.click()
    setup = window.current_panel()
    assert isinstance(setup, SetupPanel) and setup.tabs.currentWidget() is setup.printers
    assert window.runner.wait_for_idle(15_000)

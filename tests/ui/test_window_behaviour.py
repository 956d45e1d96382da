"""Main window behaviour: keyboard navigation, services only off the GUI thread, errors inline."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.items import Item
from app.ui.dialogs.sku_dialogs import ApplyHtsDialog, SkuEditDialog
from app.ui.errors import CrashDialog
from app.ui.main_window import MainWindow
from app.ui.panels.base import UnavailablePanel
from app.ui.panels.import_panel import ImportPanel
from app.ui.panels.orders_panel import OrdersPanel
from app.ui.widgets.message_bar import Tone
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui


@pytest.fixture
def crashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(
        CrashDialog, "exec", lambda self: seen.append(self.details.toPlainText()) or 0
    )
    return seen


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(db=str(tmp_path / "x.sqlite3"))) as context:
        yield context


@contextmanager
def shown(qtbot: QtBot, ctx: AppContext) -> Iterator[MainWindow]:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        yield window
    finally:
        assert window.runner.wait_for_idle(10_000)


def press(window: MainWindow, keys: str) -> None:
    """Trigger the window's action bound to `keys` (what the shortcut does, without depending
    on which offscreen window the platform considers active)."""
    (action,) = [a for a in window.actions() if a.shortcut() == QKeySequence(keys)]
    action.trigger()


def test_keyboard_switches_panels_and_refreshes(
    qtbot: QtBot, ctx: AppContext, guard: ThreadGuard, crashes: list[str]
) -> None:
    with shown(qtbot, ctx) as window:
        orders = window.panels["orders"]
        assert isinstance(orders, OrdersPanel)
        qtbot.waitUntil(lambda: "OrderService.list_orders" in guard.calls)
        keys = list(window.panels)
        for number, key in reversed(list(enumerate(keys, start=1))):
            press(window, f"Ctrl+{number}")
            assert window.current_panel() is window.panels[key]
        qtbot.waitUntil(lambda: window.runner.active_count == 0)  # the Ctrl+1 load is done
        with qtbot.waitSignal(orders.orders_loaded, timeout=10_000):
            press(window, "F5")
        assert window.runner.wait_for_idle(10_000)
    assert guard.on_gui_thread == []
    assert crashes == []


def test_ctrl_i_opens_the_import_file_picker(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked: list[str] = []
    chosen = tmp_path / "orders.csv"

    def fake_open(*args: object, **kwargs: object) -> tuple[str, str]:
        asked.append(str(args[1]))
        return str(chosen), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_open))
    with shown(qtbot, ctx) as window:
        press(window, "Ctrl+I")
        panel = window.current_panel()
        assert isinstance(panel, ImportPanel)
        assert asked == ["Import orders"]
        assert panel.file_edit.text() == str(chosen)


def test_every_panel_opens_on_an_empty_database_without_errors(
    qtbot: QtBot,
    ctx: AppContext,
    guard: ThreadGuard,
    crashes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A configured key (no keyring here); nothing in this test talks to EasyPost.
    monkeypatch.setenv("EASYPOST_API_KEY", "EZTKtestkey0000000000")
    shown_errors: list[str] = []
    with shown(qtbot, ctx) as window:
        window.presenter.known_error_shown.connect(shown_errors.append)
        for key in window.panels:
            window.show_panel(key)
            qtbot.waitUntil(lambda: window.runner.active_count == 0, timeout=10_000)
        assert list(window.panels) == [
            "orders",
            "groups",
            "import",
            "skus",
            "buy",
            "print",
            "scan",
            "labels",
            "setup",
        ]
        assert not any(isinstance(p, UnavailablePanel) for p in window.panels.values())
    assert shown_errors == []
    assert crashes == []
    assert guard.on_gui_thread == []


def test_import_of_a_missing_file_is_a_known_error_shown_inline(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, guard: ThreadGuard, crashes: list[str]
) -> None:
    with shown(qtbot, ctx) as window:
        panel = window.show_panel("import")
        assert isinstance(panel, ImportPanel)
        panel.file_edit.setText(str(tmp_path / "nope.csv"))
        with qtbot.waitSignal(panel.import_failed, timeout=10_000):
            panel.start_import()
        assert panel.message_bar.tone is Tone.ERROR
        assert "nope.csv" in panel.message_bar.text()
        assert panel.import_button.isEnabled()
        for box in window.presenter.open_boxes():
            box.close()
    assert crashes == []
    assert guard.on_gui_thread == []


def test_sku_dialog_validates_before_accepting(qtbot: QtBot) -> None:
    dialog = SkuEditDialog(Item(sku="PIN", name="Enamel pin"))
    qtbot.addWidget(dialog)
    dialog.hts.setText("12345")
    dialog.accept()
    assert "6 to 10 digits" in dialog.problem.text()
    assert dialog.result() != SkuEditDialog.DialogCode.Accepted
    dialog.hts.setText("7117.19.9000")
    dialog.origin.setText("cn")
    dialog.weight.setValue(0.6)
    edited = dialog.edited_item()
    assert (edited.hts_code, edited.origin_country, str(edited.weight_oz)) == (
        "7117199000",
        "CN",
        "0.6",
    )


def test_hts_dialog_previews_exactly_the_services_matches(qtbot: QtBot) -> None:
    dialog = ApplyHtsDialog(["TSHIRT-S", "TSHIRT-M", "tshirt-kids", "MUG"])
    qtbot.addWidget(dialog)
    dialog.pattern.setText("TSHIRT-*")
    assert dialog.matching() == ["TSHIRT-S", "TSHIRT-M"]
    assert dialog.matches.text().startswith("2 SKUs match")


def test_panels_reload_when_shown_only_after_a_change(
    qtbot: QtBot, ctx: AppContext, guard: ThreadGuard, tmp_path: Path
) -> None:
    with shown(qtbot, ctx) as window:
        qtbot.waitUntil(lambda: window.runner.active_count == 0)
        loads = guard.calls.count("OrderService.list_orders")
        assert loads == 1
        window.show_panel("skus")
        window.show_panel("orders")
        qtbot.waitUntil(lambda: window.runner.active_count == 0)
        assert guard.calls.count("OrderService.list_orders") == loads  # nothing changed
        panel = window.show_panel("import")
        assert isinstance(panel, ImportPanel)
        report = tmp_path / "orders.csv"
        report.write_text(
            "Name,Email,Financial Status,Fulfillment Status,Lineitem quantity,Lineitem name,"
            "Lineitem sku,Shipping Name,Shipping Address1,Shipping City,Shipping Zip,"
            "Shipping Province,Shipping Country\n"
            "#1001,a@x.com,paid,,1,Mug,MUG,Ann Lee,1 Main St,Boston,02108,MA,US\n",
            encoding="utf-8",
        )
        panel.file_edit.setText(str(report))
        with qtbot.waitSignal(panel.import_finished, timeout=10_000):
            panel.start_import()
        orders = window.panels["orders"]
        assert isinstance(orders, OrdersPanel)
        with qtbot.waitSignal(orders.orders_loaded, timeout=10_000) as blocker:
            window.show_panel("orders")
        assert blocker.args == [1]

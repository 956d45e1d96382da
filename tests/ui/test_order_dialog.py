"""Double-clicking an order opens it: items, address (edit, verify), labels, audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.ui.dialogs.order_dialog import OrderDialog
from app.ui.errors import CrashDialog
from app.ui.main_window import MainWindow
from app.ui.panels.orders_panel import OrdersPanel
from tests.services.after_labels_support import Desk, desk  # noqa: F401
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui


@pytest.fixture
def store(tmp_path: Path) -> Iterator[object]:
    from app.store import open_store

    opened = open_store(tmp_path / "packdesk.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def ctx(desk: Desk, tmp_path: Path) -> Iterator[AppContext]:  # noqa: F811
    options = RuntimeOptions(
        db=str(desk.store.path), home=tmp_path, sandbox=True, api_base=desk.sandbox.api_base
    )
    with build_context(options) as context:
        yield context


def _open(qtbot: QtBot, panel: OrdersPanel, external_id: str) -> OrderDialog:
    row = next(r for r, o in enumerate(panel.model.records()) if o.external_id == external_id)
    panel.view.selectRow(row)
    with qtbot.waitSignal(panel.view.activated, timeout=1000):
        panel.view.activated.emit(panel.model.index(row, 0))
    dialog = panel.order_dialog
    assert dialog is not None
    if dialog.detail is None:
        with qtbot.waitSignal(dialog.loaded, timeout=10_000):
            pass
    return dialog


def test_order_dialog_edits_and_verifies_the_address_and_shows_labels_and_history(
    qtbot: QtBot,
    desk: Desk,  # noqa: F811
    ctx: AppContext,
    guard: ThreadGuard,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crashes: list[str] = []
    monkeypatch.setattr(
        CrashDialog, "exec", lambda self: crashes.append(self.details.toPlainText()) or 0
    )
    with guard.paused():
        desk._next_order = 40
        _plain, labelled = desk.orders(2)  # numbers 41 and 42
        label = desk.buy(labelled)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    panel = window.panels["orders"]
    assert isinstance(panel, OrdersPanel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=10_000)

    dialog = _open(qtbot, panel, "41")
    assert dialog.windowTitle() == "Order 41"
    assert dialog.item_model.rowCount() >= 1
    assert dialog.save_button.isEnabled()
    dialog.fields["street2"].setText("Apt 7")
    with qtbot.waitSignal(dialog.address_saved, timeout=10_000):
        dialog.save_address()
    with guard.paused():
        stored = ctx.order_service.get_order("41")
    assert stored.recipient.street2 == "Apt 7"
    assert [a.what for a in dialog.audit_model.records()] == ["Address changed"]
    assert "Apt 7" not in dialog.audit_model.records()[0].details  # no personal data logged
    with qtbot.waitSignal(dialog.verified, timeout=20_000) as verified:
        dialog.verify_address()
    assert verified.args[0].verified is not None
    dialog.close()

    # An order with a label: its label is listed, and its address is locked.
    dialog = _open(qtbot, panel, "42")
    assert [f.tracking_code for f in dialog.label_model.records()] == [label.tracking_code]
    assert dialog.label_model.index(0, 1).data() == "USPS Ground Advantage"
    assert not dialog.save_button.isEnabled()
    assert dialog.fields["city"].isReadOnly()
    assert "refund it before" in dialog.address_note.text()
    dialog.close()
    assert window.runner.wait_for_idle(10_000)
    assert crashes == []

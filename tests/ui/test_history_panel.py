"""The History panel over real labels bought in the sandbox and a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.services.audit import AuditAction
from app.services.history import HistorySnapshot
from app.store import Store, open_store
from app.ui.main_window import MainWindow
from app.ui.panels.history_panel import HistoryPanel
from tests.services.after_labels_support import Desk, desk  # noqa: F401
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "packdesk.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def ctx(desk: Desk) -> Iterator[AppContext]:  # noqa: F811
    with build_context(RuntimeOptions(db=str(desk.store.path), clock=desk.clock)) as context:
        yield context


def _buy(desk: Desk, order_id: int, **kw: object) -> str:  # noqa: F811
    label = desk.buy(order_id, **kw)  # type: ignore[arg-type]
    desk.audit.record(
        AuditAction.LABEL_BOUGHT,
        order_id=order_id,
        label_id=label.id,
        details={"amount": str(label.amount_usd), "service": label.service},
    )
    return label.tracking_code


def test_history_shows_the_audit_log_filters_spend_and_unmoved_labels(
    qtbot: QtBot,
    desk: Desk,  # noqa: F811
    ctx: AppContext,
    guard: ThreadGuard,
) -> None:
    with guard.paused():
        first, second, third = desk.orders(3)
        batch = desk.batch()
        old = _buy(desk, first, batch=batch, bought_at=desk.clock() - timedelta(days=9))
        _buy(desk, second, batch=batch)
        _buy(desk, third, batch=batch)
        desk.audit.record(AuditAction.ORDER_SHIPPED, order_id=second)

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    panel = window.panels["history"]
    assert isinstance(panel, HistoryPanel)
    with (
        qtbot.waitSignal(panel.history_loaded, timeout=15_000) as loaded,
        qtbot.waitSignal(panel.audit_loaded, timeout=15_000),
    ):
        window.show_panel("history")
    snapshot = loaded.args[0]
    assert isinstance(snapshot, HistorySnapshot)

    # The audit log: newest first, the order number people know, the label and the amount.
    assert panel.audit_model.rowCount() == 4
    columns = range(panel.audit_model.columnCount())
    header = [panel.audit_model.headerData(c, Qt.Orientation.Horizontal) for c in columns]
    assert header[:7] == ["Time", "Station", "User", "Action", "Order", "Label", "Amount"]
    top = [panel.audit_model.index(0, c).data() for c in range(7)]
    assert top[1:5] == ["desk-1", "tester", "Shipped (scanned)", "2"]
    bought = panel.audit_model.records()[-1]
    assert (bought.order, bought.label) == ("1", old)
    assert panel.audit_model.index(3, 6).data().startswith("$")

    # Filters and search go to the database, and come back by signal.
    with qtbot.waitSignal(panel.audit_loaded, timeout=10_000):
        panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("Orders"))
    assert [a.order for a in panel.audit_model.records()] == ["2"]
    with qtbot.waitSignal(panel.audit_loaded, timeout=10_000):
        panel.kind_combo.setCurrentIndex(0)
    with qtbot.waitSignal(panel.audit_loaded, timeout=10_000):
        panel.search.setText(old[-10:])
    assert [a.order for a in panel.audit_model.records()] == ["1"]
    assert panel.station_combo.findData("desk-1") > 0

    # Batches with their spend, the labels that never moved, and the spend chart.
    assert panel.batch_model.rowCount() == 1
    assert panel.batch_model.records()[0].bought == 3
    assert [r.order for r in panel.reminder_model.records()] == ["1"]
    assert "never moved: 1 labels" in panel.reminder_heading.text()
    (service_bar,) = panel.service_chart.bars()
    assert service_bar.name == "USPS Ground Advantage"
    assert service_bar.text.endswith("· 3")
    assert len(panel.day_chart.bars()) == 2
    assert "on 3 labels" in panel.spend_total.text()
    assert window.runner.wait_for_idle(10_000)

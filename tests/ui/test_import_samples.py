"""Every shipped sample file through the Import panel: the counts the sample manifest promises."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bootstrap import RuntimeOptions, build_context
from app.ui.errors import CrashDialog
from app.ui.main_window import MainWindow
from app.ui.panels.import_panel import ImportPanel
from app.ui.panels.orders_panel import OrdersPanel
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
MANIFEST = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, guard: ThreadGuard
) -> Iterator[MainWindow]:
    crashes: list[str] = []
    monkeypatch.setattr(
        CrashDialog, "exec", lambda self: crashes.append(self.details.toPlainText()) or 0
    )
    with build_context(RuntimeOptions(db=str(tmp_path / "x.sqlite3"))) as ctx:
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        win.show()
        yield win
        assert win.runner.wait_for_idle(10_000)
    assert crashes == []


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_sample_imports_through_the_panel(qtbot: QtBot, window: MainWindow, name: str) -> None:
    expected = MANIFEST[name]
    panel = window.show_panel("import")
    assert isinstance(panel, ImportPanel)
    panel.file_edit.setText(str(SAMPLES / name))
    if "mapping" in expected:
        panel.set_mapping(SAMPLES / expected["mapping"])
    steps: list[str] = []
    window.runner.progressed.connect(lambda _task, event: steps.append(event.message))
    with qtbot.waitSignal(panel.import_finished, timeout=30_000) as blocker:
        qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    assert steps[0] == "Reading the file…"
    assert "Saving orders…" in steps and steps[-1] == "Done"
    assert panel.progress.isHidden()
    report = blocker.args[0].report  # type: ignore[index]
    assert report.preset == expected["preset"]
    assert report.orders_created == expected["orders"]
    assert panel.stats["created"].number.text() == f"{expected['orders']:,}"
    rejected = sorted({row.row for row in panel.error_model.rows()})
    assert rejected == expected["rejected_rows"]
    assert panel.save_errors_button.isEnabled() == bool(expected["rejected_rows"])

    orders = window.panels["orders"]
    assert isinstance(orders, OrdersPanel)
    with qtbot.waitSignal(orders.orders_loaded, timeout=10_000):
        window.show_panel("orders")
    assert orders.model.rowCount() == expected["orders"]

"""A re-import through the Import panel says which orders the source cancelled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bootstrap import RuntimeOptions, build_context
from app.ui.errors import CrashDialog
from app.ui.main_window import MainWindow
from app.ui.panels.import_panel import ImportPanel
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui

HEADER = (
    "Backer Number,Backer Name,Email,Shipping Country,Pledged Status,Reward Title,"
    "Shipping Name,Shipping Address 1,Shipping City,Shipping State,Shipping Postal Code,"
    "Shipping Country Code"
)


def _report(path: Path, status_of_1: str) -> Path:
    rows = [
        f"1,Ann,a@x,US,{status_of_1},Core,Ann,1 Main St,Boston,MA,02108,US",
        "2,Bob,b@x,US,collected,Core,Bob,2 Main St,Boston,MA,02108,US",
    ]
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


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


def _import(qtbot: QtBot, panel: ImportPanel, path: Path) -> None:
    panel.file_edit.setText(str(path))
    with qtbot.waitSignal(panel.import_finished, timeout=15_000):
        qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)


def test_reimport_shows_the_orders_cancelled_at_the_source(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    panel = window.show_panel("import")
    assert isinstance(panel, ImportPanel)
    _import(qtbot, panel, _report(tmp_path / "first.csv", "collected"))
    assert panel.stats["cancelled"].number.text() == "0"
    _import(qtbot, panel, _report(tmp_path / "later.csv", "dropped"))
    assert panel.stats["cancelled"].number.text() == "1"
    assert "1 cancelled at the source" in panel.message_bar.text()
    assert "no longer ships them: 1." in panel.message_bar.text()

"""The Help menu, the remembered window geometry, and a window that fits 1366 x 768."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app import __version__
from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.ui.help_menu import ShortcutsDialog, fit_to_screen
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def _window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_window_and_status_bar_fit_a_1366_by_768_laptop(qtbot: QtBot, tmp_path: Path) -> None:
    with build_context(RuntimeOptions(db=str(tmp_path / "x.sqlite3"), home=tmp_path)) as ctx:
        window = _window(qtbot, ctx)
        # A 1366 x 768 screen less a 48-pixel task bar.
        fit_to_screen(window, free=QRect(0, 0, 1366, 720))
        qtbot.waitUntil(lambda: window.height() <= 720 - 32)
        assert window.width() <= 1366
        minimum = window.minimumSizeHint()
        assert minimum.width() <= 1366 and minimum.height() <= 688
        bar = window.statusBar()
        assert bar.isVisible()
        assert bar.geometry().bottom() < window.height()  # the status bar is on screen
        assert window.menuBar().isVisible()
        assert window.runner.wait_for_idle(10_000)


def test_help_menu_shortcuts_about_and_logs(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()))
    )
    with build_context(RuntimeOptions(db=str(tmp_path / "x.sqlite3"), home=tmp_path)) as ctx:
        window = _window(qtbot, ctx)
        titles = [a.text() for a in window.menuBar().actions()]
        assert titles == ["&Help"]
        window.help_actions["shortcuts"].trigger()
        dialog = window.findChild(ShortcutsDialog)
        assert dialog is not None and dialog.isVisible()
        keys = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
        assert "Ctrl+1" in keys and "F5" in keys
        assert dialog.table.item(0, 1).text() == "Show Orders"
        dialog.close()
        window.help_actions["about"].trigger()
        about = window.findChild(QMessageBox, "aboutBox")
        assert about is not None and __version__ in about.text()
        about.close()
        window.help_actions["logs"].trigger()
        assert opened == [str(ctx.paths.logs)]
        assert ctx.paths.logs.is_dir()
        assert window.runner.wait_for_idle(10_000)


def test_geometry_is_remembered_across_starts(qtbot: QtBot, tmp_path: Path) -> None:
    options = RuntimeOptions(db=str(tmp_path / "x.sqlite3"), home=tmp_path)
    with build_context(options) as ctx:
        window = _window(qtbot, ctx)
        window.resize(1300, 650)
        qtbot.waitUntil(lambda: window.height() == 650)
        window.close()
    with build_context(options) as ctx:
        again = _window(qtbot, ctx)
        # The offscreen screen is 800 pixels wide: Qt keeps the height, clamps the width.
        assert again.height() == 650
        assert again.runner.wait_for_idle(10_000)

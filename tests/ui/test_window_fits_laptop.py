"""The main window fits a 1366-pixel-wide laptop screen with every panel built."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import RuntimeOptions, build_context
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

LAPTOP_WIDTH = 1366


def test_minimum_width_fits_a_laptop(qtbot: QtBot, tmp_path: Path) -> None:
    with build_context(RuntimeOptions(db=str(tmp_path / "x.sqlite3"))) as ctx:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert window.minimumSizeHint().width() <= LAPTOP_WIDTH
        assert window.runner.wait_for_idle(10_000)

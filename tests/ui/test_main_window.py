"""The main window builds offscreen over a real context."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import RuntimeOptions, build_context
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_main_window_shows_profile(qtbot: QtBot) -> None:
    with build_context(RuntimeOptions(profile="desk-1")) as ctx:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert "desk-1" in window.windowTitle()

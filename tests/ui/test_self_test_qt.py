"""The self-test's Qt child: imports every UI module, shows a window, names the plugin."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from app.ui.self_test_qt import qt_finding

pytestmark = pytest.mark.gui


def test_names_the_platform_plugin_and_counts_the_ui_modules(qapp: QApplication) -> None:
    finding = qt_finding()

    assert finding.startswith(f"platform plugin '{qapp.platformName()}' (Qt ")
    assert "UI modules" in finding
    assert "offscreen" in finding.split("platform plugins here: ")[1]

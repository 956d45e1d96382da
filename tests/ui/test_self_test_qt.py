"""The self-test's Qt child: imports every UI module, shows a window, names the plugin."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.ui.self_test_qt import qt_finding

pytestmark = pytest.mark.gui


def test_names_the_platform_plugin_and_counts_the_ui_modules(qapp: QApplication) -> None:
    finding = qt_finding()

    assert finding.startswith(f"platform plugin '{qapp.platformName()}' (Qt ")
    assert "UI modules, icon drawn (PNG, SVG)" in finding
    assert "offscreen" in finding.split("platform plugins here: ")[1]


def test_says_so_when_the_icon_does_not_draw(
    qapp: QApplication,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import importlib.resources

    from app.ui import self_test_qt

    monkeypatch.setattr(importlib.resources, "files", lambda _package: tmp_path)  # no icons

    assert self_test_qt.main() == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "error: Packdesk's icon packdesk.png did not draw" in captured.err

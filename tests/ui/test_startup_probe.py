"""The start-up probe bench/bench_bundle.py times the bundle with: first paint, then quit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.ui import startup_probe

pytestmark = pytest.mark.gui


class FakeApp:
    def __init__(self) -> None:
        self.quits = 0

    def quit(self) -> None:
        self.quits += 1


def test_reports_the_first_paint_and_quits(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(startup_probe.ENV, "1")
    app = FakeApp()
    window = QLabel("Packdesk")
    qtbot.addWidget(window)

    startup_probe.watch(window, app)  # type: ignore[arg-type]
    window.show()
    window.repaint()  # a second paint must not report twice

    qtbot.waitUntil(lambda: app.quits == 1)
    assert re.fullmatch(r"shown \d+\.\d{6} cpu \d+\.\d{3}\n", capsys.readouterr().out)


def test_saves_the_window_as_shown_when_asked(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "shown.png"
    monkeypatch.setenv(startup_probe.ENV, str(target))
    app = FakeApp()
    window = QLabel("Packdesk")
    qtbot.addWidget(window)

    startup_probe.watch(window, app)  # type: ignore[arg-type]
    window.show()

    qtbot.waitUntil(lambda: app.quits == 1)
    assert target.read_bytes().startswith(b"\x89PNG")


def test_does_nothing_unless_asked(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(startup_probe.ENV, raising=False)
    window = QLabel("Packdesk")
    qtbot.addWidget(window)

    startup_probe.watch(window, FakeApp())  # type: ignore[arg-type]

    assert window.findChildren(startup_probe._FirstPaint) == []

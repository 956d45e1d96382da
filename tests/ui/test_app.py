"""The GUI entry point wires the window, its runner and presenter, and the excepthook."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import RuntimeOptions, build_context
from app.ui.app import build_window, parse_args
from app.ui.errors import CrashDialog

pytestmark = pytest.mark.gui


def test_build_window_installs_and_restores_the_excepthook(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashes: list[str] = []
    monkeypatch.setattr(
        CrashDialog, "exec", lambda self: crashes.append(self.details.toPlainText()) or 0
    )
    before = sys.excepthook
    with build_context(RuntimeOptions(db=str(tmp_path / "x.sqlite3"))) as ctx:
        window, restore = build_window(ctx)
        qtbot.addWidget(window)
        assert sys.excepthook is not before
        try:
            raise RuntimeError("a slot blew up")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        restore()
        assert window.runner.wait_for_idle(10_000)
    assert sys.excepthook is before
    assert len(crashes) == 1 and "a slot blew up" in crashes[0]


def test_parse_args_knows_demo_and_db() -> None:
    args = parse_args(["--demo", "--db", "/tmp/x.sqlite3"])
    assert args.demo and args.db == "/tmp/x.sqlite3"


def test_sigterm_quits_the_event_loop_the_normal_way(qtbot: QtBot) -> None:
    import os
    import signal

    from PySide6.QtCore import QObject

    from app.ui.app import quit_on_signals

    class FakeApp(QObject):
        quits = 0

        def quit(self) -> None:
            self.quits += 1

    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    fake = FakeApp()
    try:
        timer = quit_on_signals(fake)  # type: ignore[arg-type]
        assert timer.isActive()
        os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: fake.quits == 1, timeout=5_000)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)

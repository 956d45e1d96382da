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

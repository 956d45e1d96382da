"""`packdesk` dispatches --self-test and --cli before Qt loads (the bundle has one executable)."""

from __future__ import annotations

import sys

import pytest

import app.__main__ as entry
from app import __version__


def test_cli_flag_runs_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["packdesk", "--cli", "--version"])
    with pytest.raises(SystemExit) as done:
        entry.gui_main()
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"packdesk {__version__}"


def test_self_test_flag_runs_the_self_test_and_exits_with_its_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.cli import self_test_cmd

    monkeypatch.setattr(sys, "argv", ["packdesk", "--self-test"])
    monkeypatch.setattr(self_test_cmd, "run", lambda: 1)
    with pytest.raises(SystemExit) as done:
        entry.gui_main()
    assert done.value.code == 1


def test_qt_child_flag_runs_only_the_qt_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.ui import self_test_qt

    monkeypatch.setattr(sys, "argv", ["packdesk", "--self-test-qt"])
    monkeypatch.setattr(self_test_qt, "main", lambda: 0)
    with pytest.raises(SystemExit) as done:
        entry.gui_main()
    assert done.value.code == 0

"""The window keeps bulk loads out of the cyclic GC while it is open, and gives it all back."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import RuntimeOptions, build_context
from app.services.bulk import cyclic_gc_paused
from app.ui.main_window import MainWindow
from app.ui.memory import GIL_SWITCH_INTERVAL_S

pytestmark = pytest.mark.gui


def test_bulk_loads_are_frozen_while_the_window_is_open(qtbot: QtBot, tmp_path: Path) -> None:
    default = sys.getswitchinterval()
    with build_context(RuntimeOptions(db=str(tmp_path / "x.sqlite3"), home=tmp_path)) as ctx:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_INTERVAL_S)
        with cyclic_gc_paused():
            rows = [[n] for n in range(10_000)]  # lists are tracked by the collector
        assert gc.get_freeze_count() >= len(rows)  # out of the collector's reach
        assert window.runner.wait_for_idle(10_000)
        window.close()
    assert gc.get_freeze_count() == 0
    assert sys.getswitchinterval() == pytest.approx(default)
    with cyclic_gc_paused():
        more = [[n] for n in range(100)]
    assert gc.get_freeze_count() == 0 and more

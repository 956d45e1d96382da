"""Issue 8 item 8 in the window: the Buy & print estimate runs under a deadline, and Cancel
stops it (the Cancel button was for buys only; a silent server held the estimate for minutes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.ui.main_window import MainWindow
from app.ui.panels.buy_panel import BuyPanel

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(profile="demo", home=tmp_path, demo=True)) as ctx:
        ctx.demo_seeder.seed()
        ctx.gateway  # noqa: B018 (the demo's sandbox, as DemoStarter starts it)
        yield ctx


def test_cancel_stops_a_slow_estimate(qtbot: QtBot, demo_ctx: AppContext) -> None:
    demo_ctx.sandbox_server.set_faults(latency_ms=400)  # every EasyPost call is slow
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    panel = window.panels["buy"]
    assert isinstance(panel, BuyPanel)
    with qtbot.waitSignal(panel.groups_loaded, timeout=10_000):
        window.show_panel("buy")
        panel.refresh()
    biggest = max(panel.model.rows(), key=lambda r: r.group.orders).group
    panel.select_groups([biggest.group_id])

    with qtbot.waitSignal(panel._presenter.known_error_shown, timeout=30_000) as shown:
        panel.estimate_button.click()
        assert panel.cancel_button.isEnabled()  # Cancel now also stops an estimate
        panel.cancel_button.click()
    assert "cancelled" in shown.args[0]
    assert panel.summary.text() == "The estimate failed."
    assert panel.estimate_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert window.runner.wait_for_idle(30_000)
    window.close()

"""Issue 9, "CLI and GUI buying together": with the demo window open and holding the demo
printer, a `packdesk-cli buy --printer virtual://demo` in a terminal works, and the window's
Print queue prints the labels the CLI bought (it picks up the jobs the CLI left queued)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.printing import PrintJobStatus
from app.services.demo import DEMO_PRINTER_URI
from app.ui.main_window import MainWindow
from app.ui.panels.print_queue_panel import PrintQueuePanel

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(profile="demo", home=tmp_path, demo=True)) as ctx:
        ctx.demo_seeder.seed()
        ctx.gateway  # noqa: B018 (the window's sandbox runs, as DemoStarter starts it)
        yield ctx


def test_a_cli_buy_beside_the_demo_window_is_printed_by_the_window(
    qtbot: QtBot, demo_ctx: AppContext, tmp_path: Path
) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    panel = window.panels["print"]
    assert isinstance(panel, PrintQueuePanel)
    with qtbot.waitSignal(panel.queue_loaded, timeout=15_000):
        window.show_panel("print")
        panel.open_queue(DEMO_PRINTER_URI)  # the window holds the demo printer now
    group = min(
        (g for g in demo_ctx.grouping_service.groups() if g.package_type == "Poly mailer 10x13"),
        key=lambda g: g.orders,
    )
    command = [sys.executable, "-m", "app", "--home", str(tmp_path), "--profile", "demo"]
    command += ["--sandbox", "buy", "--group", group.group_id, "--printer", DEMO_PRINTER_URI]
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    cli = subprocess.run(
        [*command, "--yes", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    bought = {label["tracking_code"] for label in json.loads(cli.stdout)["bought"]}
    assert bought and "the Packdesk window that holds this printer prints them" in cli.stderr

    def printed_in_the_window() -> set[str]:
        return {
            job.tracking_code for job in panel.model.rows() if job.status is PrintJobStatus.PRINTED
        }

    qtbot.waitUntil(lambda: printed_in_the_window() == bought, timeout=30_000)
    assert window.runner.wait_for_idle(30_000)
    window.close()

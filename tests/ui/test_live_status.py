"""The main window's follower on PostgreSQL: another desk's change arrives as a signal, and a
dropped connection shows in the status label until it is back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.store import Store, open_store
from app.ui.live_status import LiveStatus
from tests.services.purchase_world import seed, us_order


@pytest.fixture
def server(pg_url: str, tmp_path: Path) -> Iterator[Store]:
    opened = open_store(pg_url, anchor=tmp_path / "pg.local")
    yield opened
    opened.close()


def test_changes_and_outages_reach_the_window(qtbot: QtBot, server: Store, pg_url: str) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    live = LiveStatus(server, window)
    live.start()
    try:
        with qtbot.waitSignal(live.changed, timeout=5000):
            seed(server, [us_order(1)])
        with (
            qtbot.waitSignal(live.connection, timeout=10000) as lost,
            psycopg.connect(pg_url, autocommit=True) as admin,
        ):
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%%' AND datname = current_database()"
            )
        assert lost.args is not None and lost.args[0] is False
        assert "lost" in live.label.text()
        qtbot.waitUntil(lambda: live.label.text() == "", timeout=10000)
        assert live.connected
    finally:
        live.stop()


def test_a_window_on_a_server_database_follows_other_desks(
    qtbot: QtBot, server: Store, pg_url: str, tmp_path: Path
) -> None:
    from app.bootstrap import AppContext, RuntimeOptions
    from app.ui.main_window import MainWindow

    ctx = AppContext(RuntimeOptions(home=tmp_path / "home", db=pg_url))
    window = MainWindow(ctx, panel_specs=[])
    qtbot.addWidget(window)
    try:
        assert window.live is not None
        with qtbot.waitSignal(window.live.changed, timeout=5000):
            seed(server, [us_order(7)])  # another desk's write
    finally:
        window.close()
        ctx.close()

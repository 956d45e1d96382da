"""A window on PostgreSQL that loses its database: the status bar says so, what is shown stays,
buying and scanning are blocked with the reason, and all comes back by itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.ui.panels.buy_panel import BuyPanel
from app.ui.panels.scan_panel import ScanStationPanel
from tests.pg_cluster import PgServer


def _block(server: PgServer, database: str, *, allow: bool) -> None:
    """Refuse (or allow again) new connections to `database`, ending the ones it has."""
    with server.admin() as admin:
        admin.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS {str(allow).lower()}')
        if not allow:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (database,),
            )


@pytest.mark.usefixtures("_isolated_home")
def test_buying_and_scanning_wait_for_a_lost_connection(
    qtbot: QtBot, pg_server: PgServer, pg_url: str, tmp_path: Path
) -> None:
    from app.bootstrap import AppContext, RuntimeOptions
    from app.ui.main_window import MainWindow
    from app.ui.panels.fulfilment_factory import fulfilment_panel_specs
    from app.ui.services import ContextServices

    database = pg_url.rsplit("/", 1)[-1]
    ctx = AppContext(RuntimeOptions(home=tmp_path / "home", db=pg_url))
    specs = [s for s in fulfilment_panel_specs(ContextServices(ctx)) if s.key in ("buy", "scan")]
    window = MainWindow(ctx, panel_specs=specs)
    qtbot.addWidget(window)
    buy = window.panels["buy"]
    scan = window.panels["scan"]
    assert isinstance(buy, BuyPanel) and isinstance(scan, ScanStationPanel)
    assert window.live is not None
    try:
        assert buy.buying_blocked == "" and window.live.label.text() == ""
        assert buy.buy_button.toolTip().startswith("Confirm the total")
        with qtbot.waitSignal(window.live.connection, timeout=15000) as lost:
            _block(pg_server, database, allow=False)
        assert lost.args == [False, lost.args[1]]
        assert "lost" in window.live.label.text()
        assert not buy.buy_button.isEnabled()
        assert "connection is lost" in buy.buy_button.toolTip()
        buy.start_buy()  # e.g. a shortcut: refused with the reason
        assert "connection is lost" in buy.message_bar.text()
        assert scan.input.isEnabled()  # a scanner's keystrokes must not land elsewhere
        scan.input.setText("9400100000000000000006")
        scan.input.returnPressed.emit()
        assert scan.headline_text().startswith("NOT SCANNED")
        assert "connection is lost" in scan.message_bar.text()
        assert scan.history.rowCount() == 0

        _block(pg_server, database, allow=True)
        qtbot.waitUntil(
            lambda: window.live is not None and window.live.label.text() == "", timeout=15000
        )
        assert buy.buying_blocked == "" and "connection" not in buy.buy_button.toolTip()
        assert scan.input.toolTip() == "" and scan.headline_text() == "READY TO SCAN"
        with qtbot.waitSignal(scan.scanned, timeout=15000) as scanned:
            scan.submit("9400100000000000000006")  # reaches the database again
        assert scanned.args is not None and scanned.args[0].status.value == "unknown"
    finally:
        _block(pg_server, database, allow=True)
        window.close()
        ctx.close()

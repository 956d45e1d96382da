"""The Buy & print panel's printer picker lists other stations' printers, labelled with their
station; the Print queue panel shows which station sent a label and which one prints it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions
from app.store.station_printers_repo import StationPrinter
from app.ui.main_window import MainWindow
from app.ui.panels.buy_panel import BuyPanel
from app.ui.panels.fulfilment_factory import fulfilment_panel_specs
from app.ui.panels.print_queue_panel import JOB_COLUMNS, PrintQueuePanel
from app.ui.services import ContextServices
from tests.services.print_queue_helpers import NOW, seed_labels


@pytest.mark.usefixtures("_isolated_home")
def test_other_stations_printers_in_the_picker_and_stations_in_the_queue(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PACKDESK_STATION", "desk-1")
    ctx = AppContext(RuntimeOptions(home=tmp_path / "home"))
    with ctx.store.transaction(write=True) as tx:
        tx.printers.replace_station(
            "desk-2", [StationPrinter("desk-2", "Zebra", "usb://0a5f:0185", "zd421-203")], NOW
        )
    seeded = seed_labels(ctx.store, ctx.paths.labels, 1)
    with ctx.store.transaction(write=True) as tx:  # desk-2 sent a label to this desk's printer
        tx.print_jobs.add(
            seeded.label_ids[0],
            "virtual://demo",
            reprint=False,
            at=NOW,
            station="desk-1",
            queued_by="desk-2",
        )
    specs = [s for s in fulfilment_panel_specs(ContextServices(ctx)) if s.key in ("buy", "print")]
    window = MainWindow(ctx, panel_specs=specs)
    qtbot.addWidget(window)
    buy, queue_panel = window.panels["buy"], window.panels["print"]
    assert isinstance(buy, BuyPanel) and isinstance(queue_panel, PrintQueuePanel)
    try:
        with qtbot.waitSignal(buy.groups_loaded, timeout=15_000):
            buy.refresh()
        combo = buy.printer_combo
        items = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
        assert items == [
            ("virtual://demo", "virtual://demo"),
            ("Zebra (at desk-2)", "Zebra@desk-2"),
        ]
        with qtbot.waitSignal(queue_panel.queue_loaded, timeout=15_000):
            queue_panel.refresh()
        qtbot.waitUntil(lambda: queue_panel.model.rowCount() == 1, timeout=15_000)
        headers = [c.title for c in JOB_COLUMNS]
        row = queue_panel.model.rows()[0]
        assert (row.queued_by, row.station) == ("desk-2", "desk-1")
        sent, printed_at = headers.index("Sent from"), headers.index("Printed at")
        model = queue_panel.model
        assert model.data(model.index(0, sent)) == "desk-2"
        assert model.data(model.index(0, printed_at)) == "desk-1"
    finally:
        assert window.runner.wait_for_idle(30_000)
        window.close()
        ctx.close()

"""Screenshots of every panel at 1366 x 768 after the demo seed (and a bought, printed,
scanned batch, and one refund), plus the order dialog and the history's spend chart.

    QT_QPA_PLATFORM=xcb xvfb-run -a -s '-screen 0 1366x768x24' \
        .venv/bin/python docs/screenshots/take_screenshots.py OUT_DIR

(the real fonts of a desk, as docs/screenshots holds them; QT_QPA_PLATFORM=offscreen works
without Xvfb, with narrower fallback fonts.)

Builds a throw-away demo profile under OUT_DIR/home, so the real profile is never touched.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


def main(out: Path) -> int:
    home = out / "home"
    os.environ["PACKDESK_HOME"] = str(home)
    from PySide6.QtWidgets import QApplication

    from app.bootstrap import RuntimeOptions, build_context
    from app.domain.tracking import impb_barcode_data
    from app.services.buy_plan import Selection
    from app.ui.demo_start import DemoStarter
    from app.ui.main_window import MainWindow
    from app.ui.panels.buy_panel import BuyPanel
    from app.ui.panels.groups_panel import GroupsPanel
    from app.ui.panels.history_panel import HistoryPanel
    from app.ui.panels.labels_panel import LabelsPanel
    from app.ui.panels.orders_panel import OrdersPanel
    from app.ui.panels.package_types_panel import PackageTypesPanel
    from app.ui.panels.print_queue_panel import PrintQueuePanel
    from app.ui.panels.scan_panel import ScanStationPanel

    app = QApplication.instance() or QApplication(sys.argv[:1])

    def wait(condition: Callable[[], bool], seconds: float = 300) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                state = getattr(window.panels.get("print"), "state_label", None)
                raise TimeoutError(
                    f"screenshot step timed out (print queue: {state.text() if state else '?'})"
                )
            app.processEvents()
            time.sleep(0.01)  # a script, not a test: poll the event loop gently

    def idle() -> None:
        wait(lambda: window.runner.active_count == 0)
        for _ in range(5):
            app.processEvents()

    def shoot(name: str) -> None:
        idle()
        path = out / f"{name}.png"
        window.grab().save(str(path))
        print(path)  # noqa: T201 (a script that says what it wrote)

    with build_context(RuntimeOptions(profile="demo", demo=True)) as ctx:
        window = MainWindow(ctx)
        window.resize(1366, 768)  # a laptop screen, status bar included
        window.show()
        starter = DemoStarter(window)
        done: list[object] = []
        starter.finished.connect(done.append)
        starter.start()
        for _ in range(3):
            app.processEvents()
        window.grab().save(str(out / "00-preparing.png"))
        wait(lambda: bool(done))
        shoot("01-orders")
        window.show_panel("groups")
        groups = window.panels["groups"]
        assert isinstance(groups, GroupsPanel)
        shoot("02-groups")
        types = window.panels["package-types"]
        assert isinstance(types, PackageTypesPanel)
        window.show_panel("package-types")
        idle()
        types.view.selectRow(types.model.row_of("Box 12x9x4") or 0)
        shoot("02b-package-types")
        window.show_panel("import")
        shoot("02c-import")

        buy = window.panels["buy"]
        assert isinstance(buy, BuyPanel)
        window.show_panel("buy")
        idle()
        mailers = sorted(
            (r.group for r in buy.model.rows() if r.group.package_type == "Poly mailer 10x13"),
            key=lambda g: g.orders,
        )
        boxes = [r.group for r in buy.model.rows() if r.group.package_type == "Box 12x9x4"]
        buy.select_groups([g.group_id for g in (*mailers, *boxes)])
        estimated: list[object] = []
        buy.estimated.connect(estimated.append)
        buy.start_estimate()
        wait(lambda: bool(estimated))
        shoot("03-buy-estimate")

        # Buy the mailers through the panel (the labels print on the virtual printer).
        buy.select_groups([g.group_id for g in mailers])
        estimated.clear()
        buy.start_estimate()
        wait(lambda: bool(estimated))
        buy.confirm = lambda *_args: True
        finished: list[object] = []
        buy.buy_finished.connect(finished.append)
        buy.start_buy()
        wait(lambda: bool(finished))
        shoot("04-buy-done")

        queue = window.panels["print"]
        assert isinstance(queue, PrintQueuePanel)
        window.show_panel("print")
        wait(lambda: queue.model.rowCount() > 0)
        wait(lambda: "Ready" in queue.state_label.text())
        shoot("05-print-queue")

        scan = window.panels["scan"]
        assert isinstance(scan, ScanStationPanel)
        window.show_panel("scan")
        result = finished[0]
        orders = {o.id: o for o in ctx.order_service.list_orders()}
        # Domestic labels: their barcodes carry the ZIP (IMpb); international ones do not.
        labels = [
            info
            for info in result.bought  # type: ignore[attr-defined]
            if orders[info.order_id].recipient.is_domestic
        ]
        scanned: list[object] = []
        scan.scanned.connect(scanned.append)
        for info in labels[:3]:
            zip_code = orders[info.order_id].recipient.postal_code
            scan.submit("]C1" + impb_barcode_data(zip_code, info.tracking_code))
        scan.submit(labels[0].tracking_code)
        scan.submit("9400111899223456789012")
        wait(lambda: len(scanned) == 5)
        scan.submit(labels[3].tracking_code)
        wait(lambda: len(scanned) == 6)
        shoot("06-scan-station")

        # A second batch through the service (one of its labels refunded), then a SCAN form for
        # the first one.
        second = ctx.purchase_service.buy(Selection(groups=(boxes[0].group_id,)))
        refunds = ctx.refund_service
        refunds.refund(refunds.labels(label_ids=[second.bought[-1].label_id]))
        labels_panel = window.panels["labels"]
        assert isinstance(labels_panel, LabelsPanel)
        window.show_panel("labels")
        idle()
        ref = result.batch_reference  # type: ignore[attr-defined]
        labels_panel.batch_view.selectRow(labels_panel.batch_model.row_of(ref) or 0)
        idle()
        formed: list[object] = []
        labels_panel.scan_form_done.connect(formed.append)
        labels_panel.create_scan_form_for_batch()
        wait(lambda: bool(formed))
        labels_panel.tabs.setCurrentIndex(0)
        labels_panel.batch_view.selectRow(labels_panel.batch_model.row_of(ref) or 0)
        shoot("07-labels-batches")
        labels_panel.tabs.setCurrentIndex(1)
        shoot("08-scan-forms")
        window.show_panel("skus")
        shoot("09-skus")

        history = window.panels["history"]
        assert isinstance(history, HistoryPanel)
        window.show_panel("history")
        history.refresh()
        shoot("10-history-audit")
        history.tabs.setCurrentIndex(1)
        shoot("11-history-spend")
        history.tabs.setCurrentIndex(3)
        shoot("12-history-refunds")

        orders_panel = window.panels["orders"]
        assert isinstance(orders_panel, OrdersPanel)
        window.show_panel("orders")
        idle()
        bought_id = labels[0].order_id
        dialog = orders_panel.open_order(bought_id)
        assert dialog is not None
        wait(lambda: dialog.detail is not None)
        idle()
        dialog.tabs.setCurrentIndex(1)
        dialog.grab().save(str(out / "13-order-dialog-address.png"))
        dialog.tabs.setCurrentIndex(3)
        dialog.grab().save(str(out / "14-order-dialog-history.png"))
        dialog.close()
        window.help_actions["shortcuts"].trigger()
        idle()
        from app.ui.help_menu import ShortcutsDialog

        shortcuts = window.findChild(ShortcutsDialog)
        if shortcuts is not None:
            shortcuts.grab().save(str(out / "15-keyboard-shortcuts.png"))
            shortcuts.close()
        window.runner.wait_for_idle(10_000)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve()))  # a relative home breaks label paths

"""The fulfilment panels (Buy & print, Print queue, Scan station, Labels & batches), each built
with only the services it uses, resolved on first use in a worker (app.ui.services)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.ui.errors import ErrorPresenter
from app.ui.panels.base import Panel
from app.ui.panels.buy_panel import BuyPanel
from app.ui.panels.labels_panel import LabelsPanel
from app.ui.panels.print_queue_panel import PrintQueuePanel
from app.ui.panels.scan_panel import ScanStationPanel
from app.ui.panels.setup_panel import open_setup_printers
from app.ui.printer_settings import SettingsPrinters
from app.ui.services import ContextServices
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.ui.main_window import PanelSpec


def fulfilment_panel_specs(services: ContextServices) -> list[PanelSpec]:
    from app.ui.main_window import PanelSpec

    printers = SettingsPrinters(services.ctx.settings_store)  # reads the file only when asked
    queues = services.deferred("print_queue_service")
    rolls = services.deferred("roll_supply_service")
    built: dict[str, Panel] = {}

    def build_buy(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        panel = BuyPanel(
            runner,
            presenter,
            groups=services.deferred("grouping_service"),
            purchase=services.deferred("purchase_service"),
            estimate=services.deferred("estimate_service"),
            queues=queues,
            printers=printers,
            rolls=rolls,
            buy_and_print=services.deferred("buy_and_print_service"),
        )
        built["buy"] = panel

        def show_printing(info: object) -> None:
            queue_panel = built.get("print")
            if isinstance(queue_panel, PrintQueuePanel):
                queue_panel.mark_stale()

        panel.label_bought.connect(show_printing)
        return panel

    def build_print(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        def manage() -> None:
            # Printers are set up in one place: Setup > Printers (it marks this panel stale).
            open_setup_printers(built["print"])

        panel = PrintQueuePanel(
            runner,
            presenter,
            queues=queues,
            printers=printers,
            manage_printers=manage,
            rolls=rolls,
        )
        built["print"] = panel
        return panel

    def build_scan(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        built["scan"] = ScanStationPanel(
            runner, presenter, scans=services.deferred("scan_to_ship_service")
        )
        return built["scan"]

    def build_labels(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        built["labels"] = LabelsPanel(
            runner,
            presenter,
            batches=services.deferred("batch_overview_service"),
            scan_forms=services.deferred("scan_form_service"),
            refunds=services.deferred("refund_service"),
            pickups=services.deferred("pickup_service"),
            tracking=services.deferred("tracking_service"),
            queues=queues,
            printers=printers,
            relabel=services.deferred("relabel_service"),
        )
        return built["labels"]

    return [
        PanelSpec("buy", "Buy & print", build_buy),
        PanelSpec("print", "Print queue", build_print),
        PanelSpec("scan", "Scan station", build_scan),
        PanelSpec("labels", "Labels & batches", build_labels),
    ]

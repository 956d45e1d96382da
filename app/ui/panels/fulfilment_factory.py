"""The fulfilment panels (Buy & print, Print queue, Scan station, Labels & batches), each built
with only the services it uses, resolved on first use in a worker (app.ui.services)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services.scan_to_ship import ScanStatus
from app.services.tracking_email import tracking_email_service
from app.ui.errors import ErrorPresenter
from app.ui.panels.base import Panel
from app.ui.panels.buy_panel import BuyPanel
from app.ui.panels.documents_factory import attach_batch_documents, document_desk
from app.ui.panels.history_panel import HistoryPanel
from app.ui.panels.labels_panel import LabelsPanel
from app.ui.panels.print_queue_panel import PrintQueuePanel
from app.ui.panels.scan_panel import ScanStationPanel
from app.ui.panels.setup_panel import open_setup_printers
from app.ui.printer_settings import SettingsPrinters
from app.ui.services import ContextServices, deferred
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
            # read on the panel's worker: every station's printers from the database
            other_printers=lambda: services.get("print_queue_service").directory.everywhere(),
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
        panel = ScanStationPanel(runner, presenter, scans=services.deferred("scan_to_ship_service"))
        mail = deferred(
            lambda: services.call(
                lambda ctx: tracking_email_service(
                    ctx.store, ctx.settings_store, ctx.options.profile
                )
            )
        )

        def email_if_shipped(outcome: object) -> None:
            # The desk's "email on ship" setting decides; a failure never blocks scanning
            # (the report lands in the email records, and `email send` retries).
            if getattr(outcome, "status", None) is ScanStatus.SHIPPED:
                order_id = getattr(outcome, "order_id", None)
                if order_id:
                    runner.run(
                        lambda: mail.notify_shipped([order_id]), lambda _r: None, lane="email"
                    )

        panel.scanned.connect(email_if_shipped)
        built["scan"] = panel
        return panel

    def build_labels(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        panel = LabelsPanel(
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
        desk = document_desk(services)
        attach_batch_documents(panel, runner, desk)

        def email_first_scans(_report: object) -> None:
            # After a tracking refresh: the desk's "email at the first scan" setting decides.
            runner.run(lambda: desk.emails().notify_first_scans(), lambda _r: None, lane="email")

        panel.tracking_done.connect(email_first_scans)
        built["labels"] = panel
        return panel

    def build_history(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        built["history"] = HistoryPanel(
            runner, presenter, history=services.deferred("history_service")
        )
        return built["history"]

    return [
        PanelSpec("buy", "Buy & print", build_buy),
        PanelSpec("print", "Print queue", build_print),
        PanelSpec("scan", "Scan station", build_scan),
        PanelSpec("labels", "Labels & batches", build_labels),
        PanelSpec("history", "History", build_history),
    ]

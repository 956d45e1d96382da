"""The `--demo` start: seed the demo profile on a worker while the window is already up."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.domain.orders import OrderStatus
from app.services.demo import DemoSeedReport
from app.ui.main_window import MainWindow
from app.ui.tasks import Progress, ProgressEvent, TaskHandle
from app.ui.widgets.message_bar import Tone


class DemoStarter(QObject):
    """Runs the DemoSeeder and starts the offline sandbox (ctx.gateway) off the GUI thread.

    The window shows a "preparing" banner with the current step meanwhile; when done, every
    panel reloads and the banner says what the demo holds.

    Once ready, the banner's counts follow the data: any panel that changes orders (a buy, a
    hold, an import) has them counted again, on a worker.

    Signals:
        finished(object): the DemoSeedReport.
        failed(object): the exception (also shown by the window's error presenter).
        counts_shown(str): the banner text after the counts were read again.
    """

    finished = Signal(object)
    failed = Signal(object)
    counts_shown = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.report: DemoSeedReport | None = None

    def start(self) -> TaskHandle:
        window = self._window
        services = window.services
        window.banner.show_message(
            "Preparing the demo… importing the sample orders and starting the offline "
            "EasyPost sandbox. The panels fill in when it is ready.",
            Tone.INFO,
        )

        def work(progress: Progress) -> DemoSeedReport:
            seeder = services.get("demo_seeder")
            report: DemoSeedReport = seeder.seed(
                lambda step, steps, text: progress(step, steps, text)
            )
            progress(seeder.STEPS, seeder.STEPS, "Starting the offline EasyPost sandbox")
            services.get("gateway")  # the demo's sandbox, so the first estimate is quick
            return report

        return window.runner.run_with_progress(
            work, self._on_done, self._on_failed, self._on_progress
        )

    def _on_progress(self, event: ProgressEvent) -> None:
        total = f" ({event.done}/{event.total})" if event.total else ""
        self._window.banner.show_message(f"Preparing the demo{total}: {event.message}…")

    def _on_done(self, report: DemoSeedReport) -> None:
        self.report = report
        banner = self._window.banner
        if report.seeded:
            banner.show_message(
                f"Demo ready: {report.orders_created:,} sample orders imported and marked ready "
                f"({report.import_errors} bad rows rejected on purpose), "
                f"{len(report.groups_assigned)} package groups have a package and services "
                "(domestic and international), "
                "and labels print to a virtual printer. Nothing here costs money.",
                Tone.SUCCESS,
                "Try Package groups, then Buy & print. Scan station marks labels shipped.",
            )
        else:
            banner.show_message(
                "Demo profile: the sample data from an earlier start is kept "
                "(offline sandbox, virtual printer; nothing costs money).",
                Tone.INFO,
            )
        self._window.data_replaced()
        for panel in self._window.panels.values():
            panel.data_changed.connect(self.refresh_counts)
        self.finished.emit(report)

    def refresh_counts(self) -> None:
        """Count the demo's orders again (on a worker) and say so in the banner."""
        services = self._window.services

        def work() -> dict[OrderStatus, int]:
            counts: dict[OrderStatus, int] = services.get("order_service").status_counts()
            return counts

        self._window.runner.run(work, self._on_counts, self._window.presenter.present)

    def _on_counts(self, counts: dict[OrderStatus, int]) -> None:
        text = demo_counts_text(counts)
        self._window.banner.show_message(
            text,
            Tone.SUCCESS,
            "Try Package groups, then Buy & print. Scan station marks labels shipped.",
        )
        self.counts_shown.emit(text)

    def _on_failed(self, exc: BaseException) -> None:
        self._window.banner.show_message(
            "The demo could not be prepared.", Tone.ERROR, "See the message for the reason."
        )
        self._window.presenter.present(exc, action="Prepare the demo")
        self.failed.emit(exc)


def demo_counts_text(counts: dict[OrderStatus, int]) -> str:
    """What the demo holds now, in one line (the banner after a change)."""
    labelled = sum(
        counts.get(s, 0)
        for s in (OrderStatus.LABEL_PURCHASED, OrderStatus.PRINTED, OrderStatus.SHIPPED)
    )
    return (
        f"Demo: {sum(counts.values()):,} sample orders, "
        f"{counts.get(OrderStatus.READY_TO_SHIP, 0):,} ready to ship, {labelled:,} with a label "
        f"({counts.get(OrderStatus.SHIPPED, 0):,} shipped), "
        f"{counts.get(OrderStatus.ON_HOLD, 0):,} on hold. Labels print to a virtual printer; "
        "nothing here costs money."
    )

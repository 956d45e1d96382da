"""The `--demo` start: seed the demo profile on a worker while the window is already up."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.services.demo import DemoSeedReport
from app.ui.main_window import MainWindow
from app.ui.tasks import Progress, ProgressEvent, TaskHandle
from app.ui.widgets.message_bar import Tone


class DemoStarter(QObject):
    """Runs the DemoSeeder and starts the offline sandbox (ctx.gateway) off the GUI thread.

    The window shows a "preparing" banner with the current step meanwhile; when done, every
    panel reloads and the banner says what the demo holds.

    Signals:
        finished(object): the DemoSeedReport.
        failed(object): the exception (also shown by the window's error presenter).
    """

    finished = Signal(object)
    failed = Signal(object)

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
        self.finished.emit(report)

    def _on_failed(self, exc: BaseException) -> None:
        self._window.banner.show_message(
            "The demo could not be prepared.", Tone.ERROR, "See the message for the reason."
        )
        self._window.presenter.present(exc, action="Prepare the demo")
        self.failed.emit(exc)

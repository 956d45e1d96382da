"""The main window: a navigation list of panels, a status bar, and keyboard shortcuts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import AppContext
from app.infra.settings import EasyPostMode
from app.services.setup_checklist import SetupState
from app.ui.dialogs.tax_ids_dialog import TaxIdsEditor
from app.ui.errors import ErrorPresenter
from app.ui.help_menu import WindowState, fit_to_screen, install_help_menu
from app.ui.memory import keep_gc_off_the_gui_thread, restore_runtime
from app.ui.panels.base import Panel
from app.ui.panels.setup_panel import SetupPanel
from app.ui.services import ContextServices
from app.ui.style import STYLE_SHEET
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import MessageBar
from app.ui.widgets.mode_indicator import ModeIndicator

if TYPE_CHECKING:
    from app.ui.live_status import LiveStatus

PanelFactory = Callable[[TaskRunner, ErrorPresenter], Panel]


@dataclass(frozen=True, slots=True)
class PanelSpec:
    """One navigation entry: its key (for tests and shortcuts), label and how to build it."""

    key: str
    label: str
    build: PanelFactory


class MainWindow(QMainWindow):
    """Top-level window. Panels get their services from `panel_specs` (built from the context).

    Args:
        ctx: the wired application; only used to pick each panel's services.
        runner: the task runner (the app passes its own; a default one is made otherwise).
        presenter: the error presenter (likewise).
        panel_specs: the panels to show; `default_panel_specs(ctx)` when omitted.
        open_setup_first: show Setup when the desk lacks a key, a sender or a printer (the
            app's start asks for it; windows built for other purposes stay where they are).
    """

    def __init__(
        self,
        ctx: AppContext,
        runner: TaskRunner | None = None,
        presenter: ErrorPresenter | None = None,
        panel_specs: list[PanelSpec] | None = None,
        *,
        open_setup_first: bool = False,
    ) -> None:
        super().__init__()
        self._ctx = ctx
        self.setWindowTitle(f"Packdesk - {ctx.options.profile}")
        fit_to_screen(self)  # 1280 x 720 at most: a 1366 x 768 laptop shows the status bar
        self.setStyleSheet(STYLE_SHEET)
        self.presenter = presenter or ErrorPresenter(self)
        self.presenter.set_status_bar(self.statusBar())
        self.runner = runner or TaskRunner(self, default_on_error=self.presenter.present)

        self._nav = QListWidget(self)
        self._nav.setObjectName("navigation")
        self._nav.setIconSize(QSize(20, 20))
        self._nav.setUniformItemSizes(True)
        self._nav.setMinimumWidth(160)
        self._nav.setMaximumWidth(220)
        self._stack = QStackedWidget(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._nav)
        splitter.addWidget(self._stack)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([175, 1105])
        # A window-wide line above the panels (the demo's "preparing" state, app-level news).
        self.banner = MessageBar(self)
        central = QWidget(self)
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.banner)
        central_layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

        self._busy = QLabel("", self)
        self._busy.setObjectName("busyIndicator")
        self._summary = QLabel("", self)
        self._summary.setObjectName("panelSummary")
        where = ctx.database_url and ctx.database_shown.rsplit("/", 1)[-1]  # the server's db
        shown = f"PostgreSQL {where}" if where else ctx.database_file.name
        self._database = QLabel(f"Profile {ctx.options.profile} · {shown}", self)
        self._database.setToolTip(ctx.database_shown)
        self._roll = QLabel("", self)  # labels left on the printer's roll (print queue panel)
        self._roll.setObjectName("rollStatus")
        self.statusBar().addWidget(self._summary, 1)
        self.statusBar().addPermanentWidget(self._roll)
        self.statusBar().addPermanentWidget(self._busy)
        self.mode_indicator = ModeIndicator(self)  # the real mode arrives with the checklist
        if ctx.options.sandbox or ctx.options.demo:
            self.mode_indicator.show_mode(EasyPostMode.SANDBOX)
        self.statusBar().addPermanentWidget(self.mode_indicator)
        self.statusBar().addPermanentWidget(self._database)
        self.runner.busy_changed.connect(self._on_runner_busy_changed)

        self.services = ContextServices(ctx)
        self.live: LiveStatus | None = None
        if ctx.database_url is not None:
            self._follow_other_desks()
        self.panels: dict[str, Panel] = {}
        specs = panel_specs if panel_specs is not None else default_panel_specs(self.services)
        for number, spec in enumerate(specs, start=1):
            panel = spec.build(self.runner, self.presenter)
            self.panels[spec.key] = panel
            self._stack.addWidget(panel)
            item = QListWidgetItem(spec.label, self._nav)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setToolTip(f"{spec.label} (Ctrl+{number})" if number <= 9 else spec.label)
            panel.status_changed.connect(self._on_panel_status_changed)
            panel.data_changed.connect(self._on_panel_data_changed)
            roll_changed = getattr(panel, "roll_changed", None)
            if roll_changed is not None:
                roll_changed.connect(self._roll.setText)
        # Wide enough for the longest panel name ("Labels & batches" was cut off at 160 px).
        needed = self._nav.sizeHintForColumn(0) + 2 * self._nav.frameWidth() + 28
        self._nav.setMinimumWidth(min(max(160, needed), self._nav.maximumWidth()))
        self._navigated = False  # the user moved before the checklist came: do not yank them
        self._nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self._install_actions(specs)
        self.help_actions = install_help_menu(
            self, logs_dir=ctx.paths.logs, panel_labels=[s.label for s in specs]
        )
        self.window_state = WindowState(ctx.paths.root / "window.ini")
        self.window_state.restore(self)
        keep_gc_off_the_gui_thread()
        if specs:
            self._nav.setCurrentRow(0)
        self._setup_checked = not open_setup_first  # nothing to open first when not asked
        setup = self.panels.get("setup")
        if isinstance(setup, SetupPanel):
            setup.checklist_loaded.connect(self._on_setup_checked)
            setup.check()

    @Slot(object)
    def _on_setup_checked(self, state: SetupState) -> None:
        self.mode_indicator.show_mode(state.running_mode, state.saved_mode)
        first, self._setup_checked = not self._setup_checked, True  # only the first checklist
        # A desk that lacks a key, a sender or a printer opens on Setup (the demo sets itself up).
        if first and not state.complete and not self._ctx.options.demo and not self._navigated:
            panel = self.show_panel("setup")
            if isinstance(panel, SetupPanel):
                panel.show_first_missing()

    def _install_actions(self, specs: list[PanelSpec]) -> None:
        for number, spec in enumerate(specs[:9], start=1):
            action = QAction(f"Show {spec.label}", self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, key=spec.key: self.show_panel(key))
            self.addAction(action)
        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence(Qt.Key.Key_F5))
        refresh.triggered.connect(self.refresh_current)
        self.addAction(refresh)
        import_action = QAction("Import orders…", self)
        import_action.setShortcut(QKeySequence("Ctrl+I"))
        import_action.triggered.connect(self._on_import_action_triggered)
        self.addAction(import_action)
        self.tax_ids_editor = TaxIdsEditor(
            self, self.runner, lambda: self.services.get("tax_ids_service"), self.presenter.present
        )
        tax_ids = QAction("Tax identifiers (IOSS, VAT, EORI)…", self)
        tax_ids.setShortcut(QKeySequence("Ctrl+Shift+T"))
        tax_ids.triggered.connect(self.tax_ids_editor.open)
        self.addAction(tax_ids)

    def show_panel(self, key: str) -> Panel:
        self._navigated = True  # chosen on purpose: the opens-first rule leaves it alone
        panel = self.panels[key]
        self._nav.setCurrentRow(self._stack.indexOf(panel))
        return panel

    def current_panel(self) -> Panel | None:
        widget = self._stack.currentWidget()
        return widget if isinstance(widget, Panel) else None

    @Slot()
    def refresh_current(self) -> None:
        panel = self.current_panel()
        if panel is not None:
            panel.refresh()

    @Slot()
    def _on_import_action_triggered(self) -> None:
        if "import" not in self.panels:
            return
        panel = self.show_panel("import")
        start = getattr(panel, "choose_file", None)
        if callable(start):
            start()

    @Slot(int)
    def _on_nav_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        self._stack.setCurrentIndex(row)
        self._navigated = self._navigated or row > 0
        panel = self.current_panel()
        if panel is not None:
            self._summary.setText("")
            panel.activated()

    @Slot(str)
    def _on_panel_status_changed(self, text: str) -> None:
        if self.sender() is self.current_panel():
            self._summary.setText(text)

    @Slot()
    def _on_panel_data_changed(self) -> None:
        # Orders, groups and SKUs depend on each other: the others reload when next shown.
        source = self.sender()
        for panel in self.panels.values():
            if panel is not source:
                panel.mark_stale()

    def data_replaced(self) -> None:
        """Something outside the panels changed the data (the demo seed): reload everything."""
        for panel in self.panels.values():
            panel.mark_stale()
        current = self.current_panel()
        if current is not None:
            current.refresh()

    @Slot(bool)
    def _on_runner_busy_changed(self, busy: bool) -> None:
        self._busy.setText("Working…" if busy else "")

    def _follow_other_desks(self) -> None:
        """On a shared (PostgreSQL) database: refresh on other desks' changes, show outages."""
        from app.ui.live_status import LiveStatus

        self.live = LiveStatus(self._ctx.store, self)
        self.statusBar().addPermanentWidget(self.live.label)
        self.live.changed.connect(self._on_database_changed)
        self.live.connection.connect(self._on_connection)
        self.live.start()
        # This station prints what other desks send its printers, whatever panel is open.
        services = self.services
        self.runner.run(
            lambda: services.get("print_queue_service").serve_station(),
            lambda _served: None,
            self.presenter.handler(action="Open this station's print queues"),
            lane="station-printers",
        )

    @Slot(bool, str)
    def _on_connection(self, connected: bool, _message: str) -> None:
        """Block buying and scanning while the database is away (what is shown stays)."""
        from app.ui.live_status import CONNECTION_LOST

        for panel in self.panels.values():
            told = getattr(panel, "set_database_available", None)
            if callable(told):
                told(connected, "" if connected else CONNECTION_LOST)
        if connected:
            self.statusBar().showMessage("Database connection back.", 5000)

    @Slot(int)
    def _on_database_changed(self, _value: int) -> None:
        current = self._stack.currentWidget()
        for panel in self.panels.values():
            panel.mark_stale()
        if isinstance(current, Panel):
            current.reload_if_stale()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.live is not None:
            self.live.stop()
        # Let running work finish its short transaction rather than cut it off mid-write.
        self.runner.wait_for_idle(10_000)
        self.window_state.save(self)
        restore_runtime()
        super().closeEvent(event)


def default_panel_specs(services: ContextServices) -> list[PanelSpec]:
    """The day's panels, each handed only the services it uses."""
    from app.ui.panels.factory import foundation_panel_specs
    from app.ui.panels.fulfilment_factory import fulfilment_panel_specs
    from app.ui.panels.setup_factory import setup_panel_specs

    return [
        *foundation_panel_specs(services),
        *fulfilment_panel_specs(services),
        *setup_panel_specs(services),
    ]

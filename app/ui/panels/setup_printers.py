"""Setup > Printers: configured printers with live status, add (by hand or from discovery), remove,
default, label format and media per printer, test label. Rules live in PrinterSetupService."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.infra.settings import DEMO_PRINTER_URI, ConfiguredPrinter, PrinterSettings
from app.services.printer_setup import MEDIA_CHOICES, PRINTER_LABEL_FORMATS, PrinterCheck
from app.ui.errors import ErrorPresenter
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.common import record_table, selected_records
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import MessageBar, Tone
from app.ui.widgets.toolbar import action_button, tool_row
from printers.discovery import FoundPrinter
from printers.models import MODELS

STATUS_INTERVAL_MS = 15_000


class PrinterSetup(Protocol):
    """app.services.printer_setup.PrinterSetupService."""

    def printers(self) -> PrinterSettings: ...

    def add(
        self,
        name: str,
        uri: str,
        model: str = "",
        *,
        make_default: bool = False,
        label_format: str = "",
        media: str = "",
    ) -> PrinterSettings: ...

    def remove(self, name: str) -> PrinterSettings: ...

    def set_default(self, name_or_uri: str) -> PrinterSettings: ...

    def set_options(
        self, name: str, *, model: str = "", label_format: str = "", media: str = ""
    ) -> PrinterSettings: ...

    def discover(self) -> list[FoundPrinter]: ...

    def status(self, name_or_uri: str | None = None) -> PrinterCheck: ...

    def print_test_label(self, name_or_uri: str | None = None) -> str: ...


@dataclasses.dataclass(frozen=True, slots=True)
class PrinterRow:
    """One configured printer with what its last status check said."""

    printer: ConfiguredPrinter
    is_default: bool
    status: str = "…"


COLUMNS = (
    Column[PrinterRow]("Default", lambda r: "✓" if r.is_default else "", width=55),
    Column[PrinterRow]("Name", lambda r: r.printer.name, width=100),
    Column[PrinterRow]("URI", lambda r: r.printer.uri, width=150, tooltip=lambda r: r.printer.uri),
    Column[PrinterRow]("Model", lambda r: r.printer.model or "(detect)", width=80),
    Column[PrinterRow]("Format", lambda r: r.printer.label_format or "(profile)", width=65),
    Column[PrinterRow]("Media", lambda r: r.printer.media or "4x6 roll", width=75),
    Column[PrinterRow]("Status", lambda r: r.status, tooltip=lambda r: r.status),
)
FOUND_COLUMNS = (
    Column[FoundPrinter]("URI", lambda f: f.uri, width=200),
    Column[FoundPrinter]("Device", lambda f: f.product or f.manufacturer, width=180),
    Column[FoundPrinter]("Model", lambda f: f.model.display_name if f.model else "unknown"),
)


class PrintersPage(QWidget):
    """Signals: loaded(PrinterSettings), changed(PrinterSettings), status_checked(PrinterCheck),
    discovered(list), test_printed(str)."""

    loaded = Signal(object)
    changed = Signal(object)
    status_checked = Signal(object)
    discovered = Signal(object)
    test_printed = Signal(str)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        printers: PrinterSetup,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._presenter = presenter
        self._printers = printers
        self._status: dict[str, str] = {}
        self.message_bar = MessageBar(self)
        # Live status: each printer is asked again every few seconds while the page is shown.
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_INTERVAL_MS)
        self.status_timer.timeout.connect(self.check_all)

        self.model = RecordTableModel(COLUMNS, key=lambda r: r.printer.name)
        self.view = record_table(self, self.model, COLUMNS, multi_select=False)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.default_button = action_button(self, "Make default", None, "Print here by default")
        self.remove_button = action_button(self, "Remove", None, "Forget the selected printer")
        self.status_button = action_button(self, "Check status", None, "Ask every printer")
        self.test_button = action_button(self, "Print test label", None, "On the selected one")
        self.default_button.clicked.connect(self.make_selected_default)
        self.remove_button.clicked.connect(self.remove_selected)
        self.status_button.clicked.connect(self.check_all)
        self.test_button.clicked.connect(self.print_test_label)

        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("Zebra desk 1")
        self.uri_edit = QLineEdit(self)
        self.uri_edit.setPlaceholderText("usb://0a5f:0185, tcp://192.168.1.50:9100, virtual://test")
        self.model_combo = QComboBox(self)
        self.model_combo.addItem("(detect from the printer)", "")
        for name, model in sorted(MODELS.items(), key=lambda kv: kv[1].display_name):
            self.model_combo.addItem(f"{model.display_name} [{name}]", name)
        self.format_combo = QComboBox(self)
        for fmt in PRINTER_LABEL_FORMATS:
            self.format_combo.addItem(fmt or "(the profile's label format)", fmt)
        self.media_combo = QComboBox(self)
        for media in MEDIA_CHOICES:
            self.media_combo.addItem(media, media)
        self.add_button = action_button(self, "Add printer", None, "Add the printer above")
        self.options_button = action_button(self, "Save options", None, "Model, format, media")
        self.add_button.clicked.connect(self.add_from_form)
        self.options_button.clicked.connect(self.save_selected_options)
        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("&URI", self.uri_edit)
        form.addRow("&Model", self.model_combo)
        form.addRow("Label &format", self.format_combo)
        form.addRow("M&edia", self.media_combo)

        self.found_model = RecordTableModel(FOUND_COLUMNS, key=lambda f: f.uri)
        self.found_view = record_table(self, self.found_model, FOUND_COLUMNS, multi_select=False)
        self.found_view.activated.connect(lambda _i: self._use_found())
        self.discover_button = action_button(self, "Discover USB printers", None, "")
        self.discover_button.clicked.connect(self.start_discovery)
        self.found_label = QLabel("Discovery finds label printers on USB.", self)

        left = QVBoxLayout()
        left.addLayout(
            tool_row(self.default_button, self.remove_button, self.status_button, self.test_button)
        )
        left.addWidget(self.view, 2)
        left.addLayout(tool_row(self.found_label, self.discover_button, stretch_after=0))
        left.addWidget(self.found_view, 1)
        right = QVBoxLayout()
        heading = QLabel("Add a printer, or change the selected one", self)
        heading.setObjectName("sectionHeading")
        right.addWidget(heading)
        right.addLayout(form)
        right.addLayout(tool_row(self.add_button, self.options_button))
        right.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message_bar)
        layout.addLayout(body, 1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.status_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.status_timer.stop()
        super().hideEvent(event)

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        printers = self._printers  # resolved in the worker, like every deferred service
        self._runner.run(lambda: printers.printers(), self._show, self._failed("Load printers"))

    def _show(self, settings: PrinterSettings) -> None:
        default = settings.find(settings.default) if settings.default else None
        rows = [
            PrinterRow(p, p == default, self._status.get(p.name, "…")) for p in settings.configured
        ]
        self.model.set_rows(rows)
        if not rows:
            self.message_bar.show_message(
                f"No printer configured: labels go to {DEMO_PRINTER_URI} (previews only). "
                "Add one below, or discover USB printers.",
                Tone.INFO,
            )
        self.loaded.emit(settings)
        if rows and self.isVisible():
            self.check_all()  # what the table shows is asked for at once, not in 15 s

    def _saved(self, action: str) -> Callable[[PrinterSettings], None]:
        def done(settings: PrinterSettings) -> None:
            self._show(settings)
            self.message_bar.show_message(f"{action}: saved.", Tone.SUCCESS)
            self.changed.emit(settings)

        return done

    # -- actions ------------------------------------------------------------------------------

    def selected(self) -> ConfiguredPrinter | None:
        rows = selected_records(self.view, self.model)
        return rows[0].printer if rows else None

    def _show_selected(self) -> None:
        printer = self.selected()
        if printer is None:
            return
        self.name_edit.setText(printer.name)
        self.uri_edit.setText(printer.uri)
        self.model_combo.setCurrentIndex(max(self.model_combo.findData(printer.model), 0))
        self.format_combo.setCurrentIndex(max(self.format_combo.findData(printer.label_format), 0))
        self.media_combo.setCurrentIndex(max(self.media_combo.findData(printer.media), 0))

    @Slot()
    def add_from_form(self) -> None:
        name, uri, service = self.name_edit.text(), self.uri_edit.text(), self._printers
        model = str(self.model_combo.currentData() or "")
        fmt, media = str(self.format_combo.currentData()), str(self.media_combo.currentData())

        def work() -> PrinterSettings:
            return service.add(name, uri, model, label_format=fmt, media=media)

        action = f"Add {name.strip() or 'printer'}"
        self._runner.run(work, self._saved(action), self._failed(action), lane="settings")

    @Slot()
    def save_selected_options(self) -> None:
        printer, service = self.selected(), self._printers
        if printer is None:
            self.message_bar.show_message("Select a printer first.", Tone.INFO)
            return
        model = str(self.model_combo.currentData() or "")
        fmt, media = str(self.format_combo.currentData()), str(self.media_combo.currentData())

        def work() -> PrinterSettings:
            return service.set_options(printer.name, model=model, label_format=fmt, media=media)

        action = f"Options of {printer.name}"
        self._runner.run(work, self._saved(action), self._failed(action), lane="settings")

    @Slot()
    def remove_selected(self) -> None:
        printer, service = self.selected(), self._printers
        if printer is not None:
            action = f"Remove {printer.name}"
            self._runner.run(
                lambda: service.remove(printer.name),
                self._saved(action),
                self._failed(action),
                lane="settings",
            )

    @Slot()
    def make_selected_default(self) -> None:
        printer, service = self.selected(), self._printers
        if printer is not None:
            action = f"Make {printer.name} the default"
            self._runner.run(
                lambda: service.set_default(printer.name),
                self._saved(action),
                self._failed(action),
                lane="settings",
            )

    @Slot()
    def check_all(self) -> None:
        """Ask each configured printer for its status, each on its own lane."""
        if self._runner.closing:
            return
        for row in self.model.rows():
            self._check_one(row.printer.name, row.printer.uri)

    def _check_one(self, name: str, uri: str) -> None:
        service = self._printers

        def done(check: PrinterCheck) -> None:
            self._status[check.name] = ("✔ " if check.ok else "✘ ") + check.message
            self._refresh_status(check.name)
            self.status_checked.emit(check)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, AppError):
                self._presenter.present(exc, action=f"Status of {name}")
                return
            self._status[name] = f"✘ {exc.message}"
            self._refresh_status(name)

        # One lane per printer: a slow printer never holds up the others' answers.
        self._runner.run(lambda: service.status(name), done, failed, lane=f"printer:{uri}")

    def _refresh_status(self, name: str) -> None:
        row = self.model.row_of(name)
        if row is not None:
            record = self.model.record(row)
            self.model.replace_row(dataclasses.replace(record, status=self._status[name].strip()))

    @Slot()
    def print_test_label(self) -> None:
        printer, service = self.selected(), self._printers
        if printer is None:
            self.message_bar.show_message("Select a printer first.", Tone.INFO)
            return

        def done(name: str) -> None:
            self.message_bar.show_message(f"Test label sent to {name}.", Tone.SUCCESS)
            self.test_printed.emit(name)

        self._runner.run(
            lambda: service.print_test_label(printer.name),
            done,
            self._failed(f"Test label on {printer.name}"),
            lane=f"printer:{printer.uri}",
        )

    @Slot()
    def start_discovery(self) -> None:
        service = self._printers
        self.discover_button.setEnabled(False)
        self.found_label.setText("Looking for USB label printers…")

        def done(found: list[FoundPrinter]) -> None:
            self.discover_button.setEnabled(True)
            self.found_model.set_rows(found)
            self.found_label.setText(
                f"Found {len(found)} USB printer(s); double-click one to fill in the form."
                if found
                else "No USB label printer found. Is it plugged in and switched on?"
            )
            self.discovered.emit(found)

        def failed(exc: BaseException) -> None:
            self.discover_button.setEnabled(True)
            self.found_label.setText("Discovery failed.")
            self._presenter.present(exc, inline=self.message_bar, action="Discover printers")

        self._runner.run(lambda: service.discover(), done, failed, lane="usb-discovery")

    def use_found(self, found: FoundPrinter) -> None:
        """Fill the form from a discovered printer."""
        self.uri_edit.setText(found.uri)
        self.name_edit.setText(found.model.display_name if found.model else found.product)
        index = self.model_combo.findData(found.model.name if found.model else "")
        self.model_combo.setCurrentIndex(max(index, 0))

    def _use_found(self) -> None:
        rows = selected_records(self.found_view, self.found_model)
        if rows:
            self.use_found(rows[0])

    def _failed(self, action: str) -> Callable[[BaseException], None]:
        return self._presenter.handler(self.message_bar, action=action)

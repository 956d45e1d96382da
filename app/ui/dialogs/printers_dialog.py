"""Printers dialog: list, add and remove label printers (URI + model), choose the default, and
discover USB printers (on a worker: USB enumeration can take seconds)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.infra.settings import DEMO_PRINTER_URI, ConfiguredPrinter, PrinterSettings
from app.services.printer_setup import with_default, with_printer, without_printer
from app.ui.errors import ErrorPresenter
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.common import record_table, selected_records
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import MessageBar, Tone
from app.ui.widgets.toolbar import action_button, tool_row
from printers.discovery import FoundPrinter
from printers.models import MODELS


class PrinterSettingsStore(Protocol):
    """Reads and saves the printers section (SettingsPrinters below, over SettingsStore)."""

    def load(self) -> PrinterSettings: ...

    def save(self, printers: PrinterSettings) -> PrinterSettings: ...


class _SettingsStoreLike(Protocol):
    def load(self) -> object: ...

    def update_printers(self, printers: PrinterSettings) -> object: ...


class SettingsPrinters:
    """The printers section of a profile's settings file (app.infra.settings.SettingsStore)."""

    def __init__(self, store: _SettingsStoreLike) -> None:
        self._store = store

    def load(self) -> PrinterSettings:
        printers = getattr(self._store.load(), "printers", None)
        return printers if isinstance(printers, PrinterSettings) else PrinterSettings()

    def save(self, printers: PrinterSettings) -> PrinterSettings:
        saved = getattr(self._store.update_printers(printers), "printers", printers)
        return saved if isinstance(saved, PrinterSettings) else printers


Discover = Callable[[], Sequence[FoundPrinter]]


@dataclasses.dataclass(frozen=True, slots=True)
class PrinterRow:
    """One line of the dialog's list."""

    printer: ConfiguredPrinter
    is_default: bool


PRINTER_COLUMNS = (
    Column[PrinterRow]("Default", lambda r: "✓" if r.is_default else "", width=60),
    Column[PrinterRow]("Name", lambda r: r.printer.name, width=180),
    Column[PrinterRow]("URI", lambda r: r.printer.uri, width=240),
    Column[PrinterRow]("Model", lambda r: r.printer.model or "(detect)"),
)

FOUND_COLUMNS = (
    Column[FoundPrinter]("URI", lambda f: f.uri, width=200),
    Column[FoundPrinter]("Device", lambda f: f.product or f.manufacturer, width=180),
    Column[FoundPrinter](
        "Model", lambda f: f.model.display_name if f.model else "unknown", tooltip=lambda f: f.note
    ),
)


class PrintersDialog(QDialog):
    """Configured printers: add (by hand or from discovery), remove, make default.

    Every read and save runs on the TaskRunner (a settings file write is I/O too).

    Signals:
        printers_changed(object): the PrinterSettings after a save.
        discovered(object): the list of FoundPrinter of a discovery run.
    """

    printers_changed = Signal(object)
    discovered = Signal(object)
    loaded = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        settings: PrinterSettingsStore,
        discover: Discover | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Label printers")
        self.resize(760, 560)
        self._runner = runner
        self._presenter = presenter
        self._settings_store = settings
        self._discover = discover
        self._settings = PrinterSettings()

        self.message_bar = MessageBar(self)
        self.model = RecordTableModel(PRINTER_COLUMNS, key=lambda r: r.printer.name)
        self.view = record_table(self, self.model, PRINTER_COLUMNS, multi_select=False)
        self.remove_button = action_button(self, "Remove", None, "Forget the selected printer")
        self.default_button = action_button(self, "Make default", None, "Print here by default")
        self.remove_button.clicked.connect(self.remove_selected)
        self.default_button.clicked.connect(self.make_selected_default)

        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("Zebra desk 1")
        self.uri_edit = QLineEdit(self)
        self.uri_edit.setPlaceholderText("usb://0a5f:0185, tcp://192.168.1.50:9100, virtual://test")
        self.model_combo = QComboBox(self)
        self.model_combo.addItem("(detect from the printer)", "")
        for name, model in sorted(MODELS.items(), key=lambda kv: kv[1].display_name):
            self.model_combo.addItem(f"{model.display_name} [{name}]", name)
        self.add_button = action_button(self, "Add printer", None, "Add the printer above")
        self.add_button.clicked.connect(self.add_from_form)
        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("&URI", self.uri_edit)
        form.addRow("&Model", self.model_combo)

        self.found_model = RecordTableModel(FOUND_COLUMNS, key=lambda f: f.uri)
        self.found_view = record_table(self, self.found_model, FOUND_COLUMNS, multi_select=False)
        self.found_view.activated.connect(self._use_found)
        self.discover_button = action_button(self, "Discover USB printers", None, "")
        self.discover_button.setEnabled(discover is not None)
        self.discover_button.clicked.connect(self.start_discovery)
        self.found_label = QLabel("Discovery finds label printers on USB.", self)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        heading = QLabel("Configured printers", self)
        heading.setObjectName("sectionHeading")
        add_heading = QLabel("Add a printer", self)
        add_heading.setObjectName("sectionHeading")
        layout = QVBoxLayout(self)
        layout.addWidget(self.message_bar)
        layout.addLayout(
            tool_row(heading, self.default_button, self.remove_button, stretch_after=0)
        )
        layout.addWidget(self.view, 2)
        layout.addWidget(add_heading)
        layout.addLayout(form)
        layout.addLayout(tool_row(self.add_button))
        layout.addLayout(tool_row(self.found_label, self.discover_button, stretch_after=0))
        layout.addWidget(self.found_view, 1)
        layout.addWidget(buttons)
        self.reload()

    # -- loading and saving -------------------------------------------------------------------

    def reload(self) -> None:
        store = self._settings_store
        self._runner.run(store.load, self._show, self._failed("Load printers"))

    def _show(self, settings: PrinterSettings) -> None:
        self._settings = settings
        default = settings.find(settings.default) if settings.default else None
        rows = [PrinterRow(p, p == default) for p in settings.configured]
        self.model.set_rows(rows)
        if not rows:
            self.message_bar.show_message(
                f"No printer configured: labels go to {DEMO_PRINTER_URI} (PNG previews only).",
                Tone.INFO,
            )
        self.loaded.emit(settings)

    def _save(self, change: Callable[[PrinterSettings], PrinterSettings], action: str) -> None:
        try:
            changed = change(self._settings)
        except AppError as exc:
            self._presenter.present(exc, inline=self.message_bar, action=action)
            return
        store = self._settings_store

        def work() -> PrinterSettings:
            return store.save(changed)

        def done(saved: PrinterSettings) -> None:
            self._show(saved)
            self.message_bar.show_message(f"{action}: saved.", Tone.SUCCESS)
            self.printers_changed.emit(saved)

        self._runner.run(work, done, self._failed(action), lane="settings")

    def _failed(self, action: str) -> Callable[[BaseException], None]:
        return self._presenter.handler(self.message_bar, action=action)

    # -- actions ------------------------------------------------------------------------------

    def selected(self) -> PrinterRow | None:
        rows = selected_records(self.view, self.model)
        return rows[0] if rows else None

    @Slot()
    def add_from_form(self) -> None:
        printer = ConfiguredPrinter(
            self.name_edit.text(), self.uri_edit.text(), str(self.model_combo.currentData() or "")
        )
        self._save(lambda s: with_printer(s, printer), f"Add {printer.name.strip() or 'printer'}")

    @Slot()
    def remove_selected(self) -> None:
        row = self.selected()
        if row is not None:
            name = row.printer.name
            self._save(lambda s: without_printer(s, name), f"Remove {name}")

    @Slot()
    def make_selected_default(self) -> None:
        row = self.selected()
        if row is not None:
            name = row.printer.name
            self._save(lambda s: with_default(s, name), f"Make {name} the default")

    @Slot()
    def start_discovery(self) -> None:
        discover = self._discover
        if discover is None:
            return
        self.discover_button.setEnabled(False)
        self.found_label.setText("Looking for USB label printers…")

        def work() -> list[FoundPrinter]:
            return list(discover())

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

        self._runner.run(work, done, failed, lane="usb-discovery")

    def use_found(self, found: FoundPrinter) -> None:
        """Fill the form from a discovered printer."""
        self.uri_edit.setText(found.uri)
        self.name_edit.setText(found.model.display_name if found.model else found.product)
        index = self.model_combo.findData(found.model.name if found.model else "")
        self.model_combo.setCurrentIndex(max(index, 0))

    @Slot()
    def _use_found(self) -> None:
        rows = selected_records(self.found_view, self.found_model)
        if rows:
            self.use_found(rows[0])

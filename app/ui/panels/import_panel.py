"""Import panel: pick an order file and a preset, import it off the GUI thread, review problems."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QWidget,
)

from app.imports.model import ParsedOrders, RowError
from app.services.importing import ImportConflict, ImportReport
from app.ui.errors import ErrorPresenter
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.base import Panel
from app.ui.panels.common import record_table
from app.ui.tasks import Progress, ProgressEvent, TaskRunner
from app.ui.widgets.message_bar import Tone
from app.ui.widgets.toolbar import action_button, tool_row

_PHASES = {
    "read": "Reading the file…",
    "compare": "Comparing with the orders already here…",
    "write": "Saving orders…",
    "done": "Done",
}
PRESETS = ("auto", "kickstarter", "backerkit", "shopify", "generic")
ORDER_FILES = "Order files (*.csv *.tsv *.txt *.xlsx);;All files (*)"


class OrderFileReader(Protocol):
    def __call__(
        self, path: Path, *, preset: str = "auto", mapping_path: Path | None = None
    ) -> ParsedOrders: ...


class ImportApplier(Protocol):
    def apply(
        self, parsed: ParsedOrders, *, progress: Callable[[str, int, int], None] = ...
    ) -> ImportReport: ...


ErrorCsvWriter = Callable[[ParsedOrders, Path], None]


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What one import run produced: the report, and the parsed file for its error CSV."""

    report: ImportReport
    parsed: ParsedOrders


ERROR_COLUMNS = (
    Column[RowError]("Row", lambda e: e.row, numeric=True, width=70),
    # The text line, when quoted line breaks make it differ from the spreadsheet row.
    Column[RowError]("Line", lambda e: e.line or "", numeric=True, width=60),
    Column[RowError]("Column", lambda e: e.column, width=200),
    Column[RowError]("Problem", lambda e: e.message, tooltip=lambda e: e.message),
)
CONFLICT_COLUMNS = (
    Column[ImportConflict]("Row", lambda c: c.row, numeric=True, width=70),
    Column[ImportConflict]("Order", lambda c: c.external_id, width=140),
    Column[ImportConflict]("Status", lambda c: c.status.replace("_", " "), width=140),
    Column[ImportConflict]("Not applied because", lambda c: c.message),
)


class _Stat(QFrame):
    """A number with a caption, for the import summary."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stat")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.number = QLabel("–", self)
        self.number.setObjectName("statNumber")
        font = self.number.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.number.setFont(font)
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label = QLabel(caption, self)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.addWidget(self.number, 0, 0)
        grid.addWidget(label, 1, 0)

    def set_value(self, value: int | None) -> None:
        self.number.setText("–" if value is None else f"{value:,}")


class ImportPanel(Panel):
    """Import an order file.

    Signals:
        import_finished(object): the ImportOutcome of a successful run.
        import_failed(object): the exception of a failed run (also shown in the message bar).
    """

    title = "Import orders"
    import_finished = Signal(object)
    import_failed = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        read_file: OrderFileReader,
        importer: ImportApplier,
        write_error_csv: ErrorCsvWriter,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, presenter, parent)
        self._read_file = read_file
        self._importer = importer
        self._write_error_csv = write_error_csv
        self._outcome: ImportOutcome | None = None
        self._mapping: Path | None = None

        self.file_edit = QLineEdit(self)
        self.file_edit.setPlaceholderText("Choose a Kickstarter, BackerKit, Shopify or CSV file…")
        self.choose_button = action_button(self, "Choose file…", "Ctrl+O", "Pick an order file")
        self.choose_button.clicked.connect(self.choose_file)
        self.preset_combo = QComboBox(self)
        self.preset_combo.addItems(PRESETS)
        self.preset_combo.setToolTip("auto recognises the preset from the file's header")
        self.preset_combo.currentTextChanged.connect(self._on_preset_combo_changed)
        self.mapping_button = QPushButton("Column mapping…", self)
        self.mapping_button.setToolTip("A saved column mapping (JSON) for generic CSV files")
        self.mapping_button.clicked.connect(self._choose_mapping)
        self._on_preset_combo_changed(self.preset_combo.currentText())
        self.import_button = action_button(self, "Import", "Ctrl+Return", "Import the file")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.progress_label = QLabel("", self)
        self.progress_label.hide()
        preset_label = QLabel("&Preset", self)
        preset_label.setBuddy(self.preset_combo)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)
        self._layout.addLayout(file_row)
        self._layout.addLayout(
            tool_row(
                preset_label,
                self.preset_combo,
                self.mapping_button,
                self.import_button,
                self.progress,
                self.progress_label,
            )
        )

        self.stats = {
            key: _Stat(caption, self)
            for key, caption in (
                ("created", "new orders"),
                ("updated", "updated"),
                ("unchanged", "unchanged"),
                ("cancelled", "cancelled at source"),
                ("conflicts", "conflicts"),
                ("errors", "rejected rows"),
                ("items", "new SKUs"),
            )
        }
        self._layout.addLayout(tool_row(*self.stats.values()))

        self.error_model = RecordTableModel(ERROR_COLUMNS)
        self.error_view = record_table(self, self.error_model, ERROR_COLUMNS, stretch_column=2)
        self.conflict_model = RecordTableModel(CONFLICT_COLUMNS)
        self.conflict_view = record_table(
            self, self.conflict_model, CONFLICT_COLUMNS, stretch_column=3
        )
        self.warning_model = RecordTableModel(ERROR_COLUMNS)
        self.warning_view = record_table(self, self.warning_model, ERROR_COLUMNS, stretch_column=2)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.error_view, "Rejected rows")
        self.tabs.addTab(self.conflict_view, "Conflicts")
        self.tabs.addTab(self.warning_view, "Warnings")
        self.save_errors_button = action_button(
            self, "Save error CSV…", "Ctrl+Shift+S", "The rejected rows as they were in the file"
        )
        self.save_errors_button.setEnabled(False)
        self.save_errors_button.clicked.connect(self.save_error_csv)
        self._layout.addWidget(self.tabs, 1)
        self._layout.addLayout(tool_row(self.save_errors_button))
        self._update_tab_titles(None)

    # -- choosing -----------------------------------------------------------------------------

    @Slot()
    def choose_file(self) -> None:
        start = str(Path(self.file_edit.text()).parent) if self.file_edit.text() else ""
        path, _filter = QFileDialog.getOpenFileName(self, "Import orders", start, ORDER_FILES)
        if path:
            self.file_edit.setText(path)
            self.import_button.setFocus()

    @Slot()
    def _choose_mapping(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Column mapping", "", "Column mapping (*.json);;All files (*)"
        )
        if path:
            self.set_mapping(Path(path))

    def set_mapping(self, path: Path | None) -> None:
        """Use a saved column mapping (generic CSV) for the next imports; None forgets it."""
        self._mapping = path
        self.mapping_button.setText(f"Mapping: {path.name}" if path else "Column mapping…")

    @Slot(str)
    def _on_preset_combo_changed(self, preset: str) -> None:
        self.mapping_button.setEnabled(preset in {"generic", "auto"})

    def activated(self) -> None:
        if not self.file_edit.text():
            self.choose_button.setFocus()

    # -- importing ----------------------------------------------------------------------------

    @Slot()
    def start_import(self) -> None:
        text = self.file_edit.text().strip()
        if not text:
            self.message_bar.show_message(
                "Choose an order file first.", Tone.WARNING, "Ctrl+O opens the file picker."
            )
            return
        path = Path(text)
        preset = self.preset_combo.currentText()
        mapping = self._mapping if preset in {"generic", "auto"} else None
        self.message_bar.show_message(f"Importing {path.name}…", Tone.INFO)
        self._set_running(True)
        read_file, importer = self._read_file, self._importer

        def work(report_progress: Progress) -> ImportOutcome:
            report_progress(0, None, "Reading the file…")
            parsed = read_file(path, preset=preset, mapping_path=mapping)

            def step(phase: str, done: int, total: int) -> None:
                report_progress(done, total, _PHASES.get(phase, phase))

            return ImportOutcome(importer.apply(parsed, progress=step), parsed)

        self._runner.run_with_progress(
            work,
            self._on_import_done,
            self._on_import_error,
            on_progress=self._on_import_progress,
            lane="db-write",
        )

    def _on_import_progress(self, event: ProgressEvent) -> None:
        if event.total and event.total > 1:
            self.progress.setRange(0, event.total)
            self.progress.setValue(event.done)
        else:
            self.progress.setRange(0, 0)  # busy, size unknown
        self.progress_label.setText(event.message)

    def _on_import_done(self, outcome: ImportOutcome) -> None:
        self._set_running(False)
        self._outcome = outcome
        self.show_report(outcome.report)
        self.import_finished.emit(outcome)
        if outcome.report.wrote_anything:
            self._changed()

    def _on_import_error(self, exc: BaseException) -> None:
        self._set_running(False)
        self._presenter.present(
            exc, inline=self.message_bar, user_action=True, action="Import orders"
        )
        self.import_failed.emit(exc)

    def _set_running(self, running: bool) -> None:
        self.progress.setRange(0, 0)
        self.progress.setVisible(running)
        self.progress_label.setVisible(running)
        self.progress_label.clear()
        for widget in (self.import_button, self.choose_button, self.preset_combo):
            widget.setEnabled(not running)

    def show_report(self, report: ImportReport) -> None:
        values = {
            "created": report.orders_created,
            "updated": report.orders_updated,
            "unchanged": report.orders_unchanged,
            "cancelled": report.orders_cancelled,
            "conflicts": len(report.conflicts),
            "errors": len({e.row for e in report.errors}),
            "items": report.items_created,
        }
        for key, value in values.items():
            self.stats[key].set_value(value)
        self.error_model.set_rows(report.errors)
        self.conflict_model.set_rows(report.conflicts)
        self.warning_model.set_rows(report.warnings)
        self._update_tab_titles(report)
        self.save_errors_button.setEnabled(bool(report.errors))
        summary = (
            f"{report.file.name} ({report.preset}): {report.orders_created:,} new, "
            f"{report.orders_updated:,} updated, {report.orders_unchanged:,} unchanged"
        )
        if report.cancelled:
            # Orders the source cancelled, refunded or dropped left their package groups.
            summary += f", {report.orders_cancelled:,} cancelled at the source"
        if report.groups_defaulted:
            summary += f"; {report.groups_defaulted:,} new group(s) got the Setup defaults"
        if report.errors or report.conflicts or report.cancelled or report.defaults_problem:
            hint = []
            if report.defaults_problem:
                hint.append(f"New groups got no defaults: {report.defaults_problem}")
            if report.cancelled:
                names = ", ".join(c.external_id for c in report.cancelled[:5])
                more = (
                    "" if len(report.cancelled) <= 5 else f" and {len(report.cancelled) - 5} more"
                )
                hint.append(f"Cancelled because the source no longer ships them: {names}{more}.")
            if report.errors:
                hint.append(
                    f"{values['errors']} rows were rejected: fix them in the file, "
                    "or save the error CSV, fix it and import that."
                )
            if report.conflicts:
                hint.append(
                    f"{len(report.conflicts)} changed orders already have a label and "
                    "were left as they are."
                )
            self.message_bar.show_message(summary, Tone.WARNING, " ".join(hint))
            self.tabs.setCurrentWidget(self.error_view if report.errors else self.conflict_view)
        else:
            self.message_bar.show_message(summary, Tone.SUCCESS)
        self._announce(summary)

    def _update_tab_titles(self, report: ImportReport | None) -> None:
        counts = (
            (0, 0, 0)
            if report is None
            else (len(report.errors), len(report.conflicts), len(report.warnings))
        )
        for index, (name, count) in enumerate(
            zip(("Rejected rows", "Conflicts", "Warnings"), counts, strict=True)
        ):
            self.tabs.setTabText(index, f"{name} ({count})" if count else name)

    # -- error CSV ----------------------------------------------------------------------------

    @Slot()
    def save_error_csv(self) -> None:
        if self._outcome is None or not self._outcome.report.errors:
            return
        source = self._outcome.report.file
        suggested = source.with_name(f"{source.stem}.errors.csv")
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save rejected rows", str(suggested), "CSV (*.csv)"
        )
        if path:
            self.write_error_csv_to(Path(path))

    def write_error_csv_to(self, target: Path) -> None:
        """Write the rejected rows to `target` on a worker; reports in the message bar."""
        if self._outcome is None:
            return
        parsed, writer = self._outcome.parsed, self._write_error_csv

        def work() -> Path:
            writer(parsed, target)
            return target

        self._runner.run(work, self._on_error_csv_written, self._on_error("Save error CSV"))

    def _on_error_csv_written(self, target: Path) -> None:
        self.message_bar.show_message(
            f"Rejected rows saved to {target}.",
            Tone.SUCCESS,
            "Fix them there and import that file: the rows already imported are not repeated.",
        )

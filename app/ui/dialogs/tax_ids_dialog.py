"""Tax identifiers dialog: the sender's IOSS, EU VAT, UK VAT, EORI and Kickstarter IOSS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from app.domain.tax_ids import FIELDS, SenderTaxIds, label
from app.ui.tasks import TaskRunner

_HELP = (
    "EU parcels up to EUR 150 carry an IOSS number (Kickstarter orders: the campaign's); UK "
    "parcels up to GBP 135 carry your UK VAT number. Pre-flight stops a parcel that needs one."
)


class TaxIdsSource(Protocol):
    """TaxIdsService, as the dialog uses it."""

    def get(self) -> SenderTaxIds: ...

    def set(self, **changes: str | None) -> SenderTaxIds: ...


class TaxIdsDialog(QDialog):
    """Edits the five identifiers; an empty field clears one."""

    def __init__(self, current: SenderTaxIds, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tax identifiers")
        form = QFormLayout(self)
        intro = QLabel(_HELP, self)
        intro.setWordWrap(True)
        form.addRow(intro)
        self.edits: dict[str, QLineEdit] = {}
        for field in FIELDS:
            edit = QLineEdit(current.get(field), self)
            edit.setObjectName(field)
            edit.setClearButtonEnabled(True)
            self.edits[field] = edit
            form.addRow(label(field), edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, str | None]:
        return {field: edit.text().strip() for field, edit in self.edits.items()}


class TaxIdsEditor(QObject):
    """Loads, shows and saves the identifiers off the GUI thread.

    Signals:
        saved(object): the SenderTaxIds now stored.
        dialog_shown(object): the TaxIdsDialog on screen (tests fill it in).
    """

    saved = Signal(object)
    dialog_shown = Signal(object)

    def __init__(
        self,
        parent: QWidget,
        runner: TaskRunner,
        source: Callable[[], TaxIdsSource],
        on_error: Callable[[BaseException], None],
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._runner = runner
        self._source = source
        self._on_error = on_error

    def open(self) -> None:
        self._runner.run(lambda: self._source().get(), self._show, self._on_error)

    def _show(self, current: SenderTaxIds) -> None:
        dialog = TaxIdsDialog(current, self._parent)
        dialog.accepted.connect(lambda: self._save(dialog.values()))
        dialog.open()
        self.dialog_shown.emit(dialog)

    def _save(self, values: dict[str, str | None]) -> None:
        self._runner.run(lambda: self._source().set(**values), self.saved.emit, self._on_error)

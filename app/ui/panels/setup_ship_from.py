"""Setup > Ship-from: list, add, edit, make default; saving verifies with EasyPost first and shows
its corrections beside what was typed ("Use suggestion" or "Use as entered", which is recorded)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.orders import Address
from app.domain.ship_from import ShipFromAddress
from app.services.ship_from import ADDRESS_FIELDS, AddressCheck
from app.ui.errors import ErrorPresenter
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.common import record_table, selected_records
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import MessageBar, Tone
from app.ui.widgets.toolbar import action_button, tool_row

_FIELD_TITLES = {
    "name": "Name",
    "company": "Company",
    "street1": "Street",
    "street2": "Street 2",
    "city": "City",
    "state": "State",
    "postal_code": "ZIP",
    "country": "Country",
    "phone": "Phone",
    "email": "Email",
}

COLUMNS = (
    Column[ShipFromAddress]("Default", lambda e: "✓" if e.is_default else "", width=55),
    Column[ShipFromAddress]("Label", lambda e: e.label, width=80),
    Column[ShipFromAddress]("Name", lambda e: e.address.name, width=100),
    Column[ShipFromAddress]("Street", lambda e: e.address.street1, width=130),
    Column[ShipFromAddress]("City", lambda e: e.address.city, width=90),
    Column[ShipFromAddress]("State", lambda e: e.address.state, width=45),
    Column[ShipFromAddress]("ZIP", lambda e: e.address.postal_code, width=80),
)


class ShipFromSetup(Protocol):
    """app.services.ship_from.ShipFromService."""

    def list_addresses(self) -> list[ShipFromAddress]: ...

    def verify(self, address: Address) -> AddressCheck: ...

    def add(
        self,
        label: str,
        address: Address,
        *,
        make_default: bool = False,
        as_entered: AddressCheck | None = None,
    ) -> ShipFromAddress: ...

    def update(
        self,
        label: str,
        address: Address,
        *,
        new_label: str | None = None,
        as_entered: AddressCheck | None = None,
    ) -> ShipFromAddress: ...

    def set_default(self, label: str) -> None: ...


class ShipFromPage(QWidget):
    """Sender addresses. Signals: loaded(list), verified(AddressCheck), saved(ShipFromAddress)."""

    loaded = Signal(object)
    verified = Signal(object)
    saved = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        ship_from: ShipFromSetup,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._presenter = presenter
        self._ship_from = ship_from
        self._editing: str | None = None  # the label being edited; None = a new address
        self._check: AddressCheck | None = None
        self.message_bar = MessageBar(self)

        self.model = RecordTableModel(COLUMNS, key=lambda e: e.label)
        self.view = record_table(self, self.model, COLUMNS, multi_select=False)
        self.view.activated.connect(lambda _i: self.edit_selected())
        self.new_button = action_button(self, "New address", None, "Clear the form")
        self.edit_button = action_button(self, "Edit", None, "Load the selected address")
        self.default_button = action_button(self, "Make default", None, "Labels use it")
        self.new_button.clicked.connect(self.new_address)
        self.edit_button.clicked.connect(self.edit_selected)
        self.default_button.clicked.connect(self.make_selected_default)

        self.label_edit = QLineEdit(self)
        self.label_edit.setPlaceholderText("Studio")
        self.fields: dict[str, QLineEdit] = {}
        form = QGridLayout()
        label_title = QLabel("&Label", self)
        label_title.setBuddy(self.label_edit)
        form.addWidget(label_title, 0, 0)
        form.addWidget(self.label_edit, 0, 1)
        names = [*ADDRESS_FIELDS, "phone", "email"]
        for n, name in enumerate(names):
            edit = QLineEdit(self)
            self.fields[name] = edit
            row, col = n // 2 + 1, (n % 2) * 2
            label = QLabel(_FIELD_TITLES[name], self)
            label.setBuddy(edit)
            form.addWidget(label, row, col)
            form.addWidget(edit, row, col + 1)
        self.fields["country"].setText("US")
        self.save_button = action_button(self, "Verify and save", None, "Checks it with EasyPost")
        self.save_button.clicked.connect(self.verify_and_save)
        self.form_title = QLabel("New address", self)
        self.form_title.setObjectName("sectionHeading")

        # What EasyPost suggests, beside what was typed.
        self.compare_box = QGroupBox("EasyPost suggests a correction", self)
        self.compare_grid = QFormLayout()
        self.compare_note = QLabel("", self.compare_box)
        self.compare_note.setWordWrap(True)
        self.use_suggestion_button = action_button(self.compare_box, "Use suggestion")
        self.use_as_entered_button = action_button(
            self.compare_box, "Use as entered", None, "Saved with a warning in the audit log"
        )
        self.use_suggestion_button.clicked.connect(self.use_suggestion)
        self.use_as_entered_button.clicked.connect(self.use_as_entered)
        compare_layout = QVBoxLayout(self.compare_box)
        compare_layout.addWidget(self.compare_note)
        compare_layout.addLayout(self.compare_grid)
        compare_layout.addLayout(tool_row(self.use_suggestion_button, self.use_as_entered_button))
        self.compare_box.hide()

        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addLayout(tool_row(self.new_button, self.edit_button, self.default_button))
        left.addWidget(self.view, 1)
        right = QVBoxLayout()
        right.addWidget(self.form_title)
        right.addLayout(form)
        right.addLayout(tool_row(self.save_button))
        right.addWidget(self.compare_box)
        right.addStretch(1)
        top.addLayout(left, 5)
        top.addLayout(right, 6)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message_bar)
        layout.addLayout(top, 1)

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        ship_from = self._ship_from  # resolved in the worker, as every deferred service is
        self._runner.run(
            lambda: ship_from.list_addresses(),
            self._show,
            self._failed("Load ship-from addresses"),
        )

    def _show(self, entries: list[ShipFromAddress]) -> None:
        self.model.set_rows(entries)
        self.loaded.emit(entries)

    # -- the form -----------------------------------------------------------------------------

    def typed_address(self) -> Address:
        values = {name: edit.text().strip() for name, edit in self.fields.items()}
        values["state"] = values["state"].upper()
        values["country"] = values["country"].upper() or "US"
        return Address(**values)

    def fill(self, label: str, address: Address) -> None:
        self.label_edit.setText(label)
        for name, edit in self.fields.items():
            edit.setText(getattr(address, name))

    @Slot()
    def new_address(self) -> None:
        self._editing = None
        self.form_title.setText("New address")
        self.fill("", Address("", "", "", "", "US"))
        self._hide_compare()

    @Slot()
    def edit_selected(self) -> None:
        rows = selected_records(self.view, self.model)
        if rows:
            self._editing = rows[0].label
            self.form_title.setText(f"Edit {rows[0].label}")
            self.fill(rows[0].label, rows[0].address)
            self._hide_compare()

    @Slot()
    def make_selected_default(self) -> None:
        rows = selected_records(self.view, self.model)
        if not rows:
            return
        label, service = rows[0].label, self._ship_from

        def done(_none: object) -> None:
            self.message_bar.show_message(f"{label} is the default sender now.", Tone.SUCCESS)
            self.saved.emit(rows[0])
            self.reload()

        self._runner.run(lambda: service.set_default(label), done, self._failed("Make default"))

    # -- verify, then save --------------------------------------------------------------------

    @Slot()
    def verify_and_save(self) -> None:
        typed, service = self.typed_address(), self._ship_from
        self.save_button.setEnabled(False)
        self._hide_compare()

        def done(check: AddressCheck) -> None:
            self.save_button.setEnabled(True)
            self._check = check
            self.verified.emit(check)
            if check.agrees:
                self._save(typed, None)
            else:
                self._show_compare(check)

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            if not isinstance(exc, AppError):
                self._presenter.present(exc, inline=self.message_bar, action="Verify address")
                return
            # EasyPost could not be asked (no key, network): the user may still save as typed.
            self._check = AddressCheck(typed, None, False, (), (exc.message,))
            self._presenter.present(exc, inline=self.message_bar, action="Verify address")
            self._show_compare(self._check)

        self._runner.run(lambda: service.verify(typed), done, failed)

    def _show_compare(self, check: AddressCheck) -> None:
        while self.compare_grid.rowCount() > 0:
            self.compare_grid.removeRow(0)
        if check.suggested is None:
            self.compare_box.setTitle("EasyPost could not verify this address")
            self.compare_note.setText(
                "\n".join(check.problems) + "\nCheck it, or use it as entered (recorded)."
            )
        else:
            self.compare_box.setTitle("EasyPost suggests a correction")
            self.compare_note.setText("You typed → EasyPost suggests:")
            for field, before, after in check.differences:
                self.compare_grid.addRow(
                    _FIELD_TITLES[field], QLabel(f"{before or '(empty)'}  →  {after}", self)
                )
        self.use_suggestion_button.setEnabled(check.suggested is not None)
        self.compare_box.show()
        self.message_bar.show_message(
            "EasyPost disagrees with this address: choose below.", Tone.WARNING
        )

    def _hide_compare(self) -> None:
        self.compare_box.hide()
        self._check = None

    @Slot()
    def use_suggestion(self) -> None:
        check = self._check
        if check is not None and check.suggested is not None:
            self.fill(self.label_edit.text(), check.suggested)
            self._save(check.suggested, None)

    @Slot()
    def use_as_entered(self) -> None:
        check = self._check
        if check is not None:
            self._save(check.typed, check)

    def _save(self, address: Address, as_entered: AddressCheck | None) -> None:
        label, editing, service = self.label_edit.text().strip(), self._editing, self._ship_from

        def work() -> ShipFromAddress:
            if editing is None:
                return service.add(label, address, as_entered=as_entered)
            return service.update(editing, address, new_label=label, as_entered=as_entered)

        def done(entry: ShipFromAddress) -> None:
            self._hide_compare()
            self._editing = entry.label
            self.form_title.setText(f"Edit {entry.label}")
            if as_entered is not None:
                self.message_bar.show_message(
                    f"{entry.label} saved as entered. The warning is recorded in the audit log.",
                    Tone.WARNING,
                )
            else:
                self.message_bar.show_message(f"{entry.label} saved.", Tone.SUCCESS)
            self.saved.emit(entry)
            self.reload()

        self._runner.run(work, done, self._failed("Save ship-from address"))

    def _failed(self, action: str) -> Callable[[BaseException], None]:
        return self._presenter.handler(self.message_bar, action=action)

"""The order dialog: items, the address (edit and verify), its labels and its audit trail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.orders import Address, OrderLine
from app.domain.usps_services import service_title
from app.services.clock import to_local
from app.services.order_detail import OrderDetail
from app.store.address_checks_repo import AddressCheck
from app.store.shipping_repo import LabelFacts
from app.ui.errors import ErrorPresenter
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.common import record_table
from app.ui.panels.history_panel import AUDIT_COLUMNS
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import MessageBar, Tone


class OrderDetailSource(Protocol):
    """What the dialog needs of app.services.order_detail.OrderDetailService."""

    def detail(self, order_id: int) -> OrderDetail: ...

    def update_address(self, order_id: int, address: Address) -> OrderDetail: ...

    def verify_address(self, order_id: int) -> AddressCheck: ...


ITEM_COLUMNS = (
    Column[OrderLine]("SKU", lambda line: line.sku, width=220),
    Column[OrderLine]("Quantity", lambda line: line.quantity, numeric=True),
)

LABEL_COLUMNS = (
    Column[LabelFacts]("Tracking", lambda f: f.tracking_code, width=180),
    # Wide enough for the longest parcel service, "Priority Mail Express International".
    Column[LabelFacts]("Service", lambda f: service_title(f.service), width=212),
    Column[LabelFacts]("Cost", lambda f: f"${f.amount_usd:,.2f}", numeric=True, width=70),
    Column[LabelFacts]("Bought", lambda f: f"{to_local(f.bought_at):%Y-%m-%d %H:%M}", width=120),
    Column[LabelFacts]("Label", lambda f: f.status.replace("_", " "), width=110),
    Column[LabelFacts]("Refund", lambda f: f.refund_status or "", width=80),
    Column[LabelFacts]("Tracking status", lambda f: f.tracking_status or "no scan yet"),
)

#: The audit columns less "Order" (every line is this order's), oldest first: a trail.
TRAIL_COLUMNS = tuple(c for c in AUDIT_COLUMNS if c.title != "Order")

_FIELDS = (
    ("name", "&Name"),
    ("company", "Compan&y"),
    ("street1", "&Street"),
    ("street2", "Street &2"),
    ("city", "&City"),
    ("state", "S&tate"),
    ("postal_code", "&Postal code"),
    ("country", "Co&untry"),
    ("phone", "P&hone"),
    ("email", "&Email"),
)


class OrderDialog(QDialog):
    """One order. Loads on a worker; saving and verifying run on workers too.

    Signals:
        loaded(object): the OrderDetail shown.
        address_saved(object): the OrderDetail after a saved address change.
        verified(object): the AddressCheck of a verification.
    """

    loaded = Signal(object)
    address_saved = Signal(object)
    verified = Signal(object)

    def __init__(
        self,
        order_id: int,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        details: OrderDetailSource,
        *,
        on_changed: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("orderDialog")
        self.setWindowTitle("Order")
        self._order_id = order_id
        self._runner = runner
        self._presenter = presenter
        self._details = details
        self._on_changed = on_changed
        self.detail: OrderDetail | None = None

        self.message_bar = MessageBar(self)
        self.heading = QLabel("Loading…", self)
        self.heading.setObjectName("sectionHeading")
        self.heading.setWordWrap(True)
        self.item_model = RecordTableModel(ITEM_COLUMNS, key=lambda line: line.sku)
        self.item_view = record_table(self, self.item_model, ITEM_COLUMNS)
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for name, title in _FIELDS:
            edit = QLineEdit(self)
            edit.setObjectName(f"address_{name}")
            self.fields[name] = edit
            form.addRow(title, edit)
        self.fields["country"].setMaxLength(2)
        self.save_button = QPushButton("Save address", self)
        self.save_button.clicked.connect(self.save_address)
        self.verify_button = QPushButton("Verify with EasyPost", self)
        self.verify_button.clicked.connect(self.verify_address)
        self.verify_button.setToolTip("Checks the saved address (save a change first)")
        self.address_note = QLabel("", self)
        self.address_note.setWordWrap(True)
        address_page = QWidget(self)
        address_layout = QVBoxLayout(address_page)
        address_layout.addLayout(form)
        address_layout.addWidget(self.address_note)
        buttons_row = QDialogButtonBox(self)
        buttons_row.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons_row.addButton(self.verify_button, QDialogButtonBox.ButtonRole.ActionRole)
        address_layout.addWidget(buttons_row)
        address_layout.addStretch(1)
        self.label_model = RecordTableModel(LABEL_COLUMNS, key=lambda f: f.label_id)
        self.label_view = record_table(self, self.label_model, LABEL_COLUMNS)
        self.audit_model = RecordTableModel(TRAIL_COLUMNS, key=lambda a: a.id)
        self.audit_view = record_table(self, self.audit_model, TRAIL_COLUMNS)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.item_view, "Items")
        self.tabs.addTab(address_page, "Address")
        self.tabs.addTab(self.label_view, "Labels")
        self.tabs.addTab(self.audit_view, "History")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)
        self.resize(940, 540)
        self._set_busy(True)
        self.reload()

    def reload(self) -> None:
        details, order_id = self._details, self._order_id
        self._runner.run(
            lambda: details.detail(order_id), self._show, self._failed("Open the order")
        )

    def _failed(self, action: str) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            self._presenter.present(exc, inline=self.message_bar, action=action)

        return failed

    def _set_busy(self, busy: bool) -> None:
        editable = self.detail is not None and self.detail.address_editable
        for edit in self.fields.values():
            edit.setReadOnly(busy or not editable)
        self.save_button.setEnabled(not busy and editable)
        self.verify_button.setEnabled(not busy and self.detail is not None)

    def _show(self, detail: OrderDetail) -> None:
        self.detail = detail
        order = detail.order
        self.setWindowTitle(f"Order {detail.number}")
        r = order.recipient
        self.heading.setText(
            f"Order {detail.number} · {order.source.value} · "
            f"{order.status.value.replace('_', ' ')} · {r.name}, {r.city} {r.country}"
            + (f" · tracking {order.tracking_code}" if order.tracking_code else "")
        )
        self.item_model.set_rows(list(order.lines))
        for name, edit in self.fields.items():
            edit.setText(getattr(r, name))
        self.address_note.setText(
            ""
            if detail.address_editable
            else "A label was bought for this address: refund it before changing the address."
        )
        self.label_model.set_rows(list(detail.labels))
        self.audit_model.set_rows(list(detail.audit))
        self.tabs.setTabText(2, f"Labels ({len(detail.labels)})")
        self.tabs.setTabText(3, f"History ({len(detail.audit)})")
        self._set_busy(False)
        self.loaded.emit(detail)

    def address(self) -> Address:
        """The address the form holds."""
        assert self.detail is not None
        values = {name: edit.text() for name, edit in self.fields.items()}
        return replace(self.detail.order.recipient, **values)

    @Slot()
    def save_address(self) -> None:
        if self.detail is None:
            return
        details, order_id, address = self._details, self._order_id, self.address()
        self._set_busy(True)

        def saved(detail: OrderDetail) -> None:
            self._show(detail)
            self.message_bar.show_message("Address saved.", Tone.SUCCESS)
            if self._on_changed is not None:
                self._on_changed()
            self.address_saved.emit(detail)

        self._runner.run(
            lambda: details.update_address(order_id, address),
            saved,
            self._failed("Save the address"),
            lane="db-write",
        )

    @Slot()
    def verify_address(self) -> None:
        details, order_id = self._details, self._order_id
        self._set_busy(True)

        def done(check: AddressCheck) -> None:
            self._set_busy(False)
            if check.verified:
                self.message_bar.show_message("EasyPost verified the address.", Tone.SUCCESS)
            else:
                self.message_bar.show_message(
                    f"EasyPost could not verify the address: {check.message}",
                    Tone.WARNING,
                    "Check it with the recipient, fix it here and verify again.",
                )
            self.verified.emit(check)

        self._runner.run(
            lambda: details.verify_address(order_id), done, self._failed("Verify the address")
        )

"""Orders panel: every order with a status filter and search; mark ready, hold, release."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from app.domain.order_flow import StatusAction
from app.domain.orders import Order, OrderStatus
from app.services.orders import OrderSelection, StatusChangeReport
from app.ui.errors import ErrorPresenter
from app.ui.models.table import Column, PreparedRows, RecordTableModel
from app.ui.panels.base import Panel
from app.ui.panels.common import record_table, reselect, selected_records
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import Tone
from app.ui.widgets.toolbar import action_button, search_box, tool_row


class RelabelSource(Protocol):
    """What the panel needs of app.services.relabel.RelabelService."""

    def needing_relabel(self, order_ids: list[int] | None = None) -> Mapping[int, object]: ...


def _relabel_note(order_ids: list[int]) -> str:
    """The summary's warning: labels bought for an address the order no longer has."""
    if not order_ids:
        return ""
    shown = ", ".join(str(i) for i in order_ids[:8]) + (" …" if len(order_ids) > 8 else "")
    return (
        f" · ⚠ {len(order_ids):,} need relabel (address changed after the label was bought: "
        f"orders {shown}; packdesk-cli relabel --order N --yes)"
    )


class OrdersSource(Protocol):
    """What the panel needs of app.services.orders.OrderService."""

    def list_orders(self, status: OrderStatus | None = None) -> list[Order]: ...

    def change_status(
        self, action: StatusAction, selection: OrderSelection
    ) -> StatusChangeReport: ...


_STATUS_COLOURS = {
    OrderStatus.READY_TO_SHIP: "#1b6e35",
    OrderStatus.ON_HOLD: "#9a5b00",
    OrderStatus.CANCELLED: "#8a8a8a",
}


def _items_text(order: Order) -> str:
    return " + ".join(f"{qty} x {sku}" for sku, qty in order.item_multiset) or "(no items)"


def _search_text(order: Order) -> str:
    """What the search box looks in (one string per order, built once per load)."""
    r = order.recipient
    skus = " ".join(line.sku for line in order.lines)
    return (
        f"{order.id}\t{order.source.value}:{order.external_id}\t{r.name}\t{r.company}\t"
        f"{r.city}\t{r.state}\t{r.postal_code}\t{r.country}\t{r.email}\t{skus}\t"
        f"{order.tracking_code or ''}"
    )


ORDER_COLUMNS = (
    Column[Order]("ID", lambda o: o.id, numeric=True, width=64),
    Column[Order]("Source", lambda o: o.source, width=90),
    Column[Order]("External ID", lambda o: o.external_id, width=90),
    Column[Order](
        "Recipient",
        lambda o: o.recipient.name,
        tooltip=lambda o: ", ".join(
            part
            for part in (
                o.recipient.company,
                o.recipient.street1,
                o.recipient.street2,
                o.recipient.city,
                o.recipient.state,
                o.recipient.postal_code,
                o.recipient.country,
            )
            if part
        ),
        width=160,
    ),
    Column[Order]("Country", lambda o: o.recipient.country, width=64),
    Column[Order]("Postal code", lambda o: o.recipient.postal_code, width=90),
    Column[Order](
        "Status",
        lambda o: o.status,
        foreground=lambda o: _STATUS_COLOURS.get(o.status),
        sort=lambda o: list(OrderStatus).index(o.status),
        width=110,
    ),
    Column[Order]("Items", _items_text, tooltip=_items_text, width=260),
    Column[Order]("Tracking", lambda o: o.tracking_code, width=150),
)

_ACTION_WORDS = {
    StatusAction.READY: ("marked ready to ship", "already ready"),
    StatusAction.HOLD: ("put on hold", "already on hold"),
    StatusAction.RELEASE: ("released", "not on hold"),
}


@dataclass(frozen=True, slots=True)
class _OrdersLoad:
    rows: PreparedRows[Order]
    counts: Counter[OrderStatus]
    summary: str
    needs_relabel: frozenset[int] = frozenset()


class OrdersPanel(Panel):
    """All orders; the selection is what Ready / Hold / Release act on.

    Signals:
        orders_loaded(int): the number of orders loaded by a refresh.
        status_changed_done(object): the StatusChangeReport of a finished action.
    """

    title = "Orders"
    orders_loaded = Signal(int)
    status_change_done = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        orders: OrdersSource,
        relabel: RelabelSource | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, presenter, parent)
        self._orders = orders
        self._relabel = relabel
        #: Orders whose label was bought for another address (set on the GUI thread per load).
        self.needs_relabel: frozenset[int] = frozenset()
        columns = tuple(
            self._tracking_column() if column.title == "Tracking" else column
            for column in ORDER_COLUMNS
        )
        self.model = RecordTableModel(columns, key=lambda o: o.id, search_text=_search_text)
        self.view = record_table(self, self.model, columns, stretch_column=7)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)

        self.status_filter = QComboBox(self)
        self.status_filter.setMinimumWidth(190)
        self.status_filter.currentIndexChanged.connect(self._on_status_filter_changed)
        self.search = search_box(self, "Search orders… (Ctrl+F)")
        self.search.textChanged.connect(self._on_search_text_changed)
        self.ready_button = action_button(self, "Ready", "Ctrl+R", "Mark selected ready to ship")
        self.hold_button = action_button(self, "Hold", "Ctrl+H", "Put selected on hold")
        self.release_button = action_button(self, "Release", "Ctrl+L", "Release selected holds")
        self.ready_button.clicked.connect(lambda: self.apply_action(StatusAction.READY))
        self.hold_button.clicked.connect(lambda: self.apply_action(StatusAction.HOLD))
        self.release_button.clicked.connect(lambda: self.apply_action(StatusAction.RELEASE))
        self.refresh_button = action_button(self, "Refresh", None, "Reload orders (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        self.selection_label = QLabel("", self)
        self.selection_label.setMinimumWidth(
            self.selection_label.fontMetrics().horizontalAdvance("99,999 selected") + 8
        )
        status_label = QLabel("&Status", self)
        status_label.setBuddy(self.status_filter)
        self._layout.addLayout(
            tool_row(
                status_label,
                self.status_filter,
                self.search,
                self.selection_label,
                self.ready_button,
                self.hold_button,
                self.release_button,
                self.refresh_button,
                stretch_after=3,
            )
        )
        self._layout.addWidget(self.view, 1)
        self._fill_status_filter(Counter())
        self._update_buttons()

    def _tracking_column(self) -> Column[Order]:
        """The tracking number, marked when the order needs a relabel."""

        def flagged(order: Order) -> bool:
            return order.id in self.needs_relabel

        return Column[Order](
            "Tracking",
            lambda o: f"{o.tracking_code} (needs relabel)" if flagged(o) else o.tracking_code,
            tooltip=lambda o: (
                "The address changed after this label was bought: "
                "packdesk-cli relabel --order N --yes refunds it and buys a new one"
                if flagged(o)
                else ""
            ),
            foreground=lambda o: "#9b2c2c" if flagged(o) else None,
            width=150,
        )

    # -- loading ------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        source, model, sort, relabel = self._orders, self.model, self.model.sort_spec, self._relabel

        def fetch() -> _OrdersLoad:
            # Everything proportional to the number of orders happens here, on the worker.
            orders = source.list_orders()
            needs = sorted(relabel.needing_relabel()) if relabel is not None else []
            return _OrdersLoad(
                model.prepare(orders, sort),
                Counter(o.status for o in orders),
                self._summary(orders) + _relabel_note(needs),
                frozenset(needs),
            )

        self._load(fetch, self._on_orders_loaded, "Load orders")

    def _on_orders_loaded(self, load: _OrdersLoad) -> None:
        selected_ids = {o.id for o in selected_records(self.view, self.model)}
        self.needs_relabel = load.needs_relabel
        self.model.set_rows(load.rows)
        self._fill_status_filter(load.counts)
        reselect(self.view, self.model, selected_ids, lambda o: o.id)
        self._announce(load.summary)
        self.orders_loaded.emit(len(load.rows.rows))

    def activated(self) -> None:
        self.reload_if_stale()
        self.view.setFocus()

    @staticmethod
    def _summary(orders: list[Order]) -> str:
        counts = Counter(o.status for o in orders)
        international = sum(1 for o in orders if not o.recipient.is_domestic)
        return (
            f"{len(orders):,} orders · {counts[OrderStatus.READY_TO_SHIP]:,} ready · "
            f"{counts[OrderStatus.ON_HOLD]:,} on hold · {counts[OrderStatus.IMPORTED]:,} "
            f"imported · {international:,} international"
        )

    def _fill_status_filter(self, counts: Counter[OrderStatus]) -> None:
        current = self.status_filter.currentData()
        self.status_filter.blockSignals(True)
        self.status_filter.clear()
        self.status_filter.addItem(f"All statuses ({sum(counts.values()):,})", None)
        for status in OrderStatus:
            label = status.value.replace("_", " ").capitalize()
            self.status_filter.addItem(f"{label} ({counts[status]:,})", status)
        index = self.status_filter.findData(current)
        self.status_filter.setCurrentIndex(max(index, 0))
        self.status_filter.blockSignals(False)

    # -- filtering ----------------------------------------------------------------------------

    def set_status_filter(self, status: OrderStatus | None) -> None:
        self.status_filter.setCurrentIndex(max(self.status_filter.findData(status), 0))

    @Slot(int)
    def _on_status_filter_changed(self, _index: int) -> None:
        status = self.status_filter.currentData()
        # Qt hands the enum back as a plain str: compare by value, not identity.
        self.model.set_predicate(None if status is None else (lambda o: o.status == status))

    @Slot(str)
    def _on_search_text_changed(self, text: str) -> None:
        self.model.set_search(text)

    # -- actions ------------------------------------------------------------------------------

    def selected_orders(self) -> list[Order]:
        return selected_records(self.view, self.model)

    @Slot()
    def _on_selection_changed(self) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.selected_orders()
        count = len(chosen)
        self.selection_label.setText(f"{count:,} selected" if count else "")
        statuses = {o.status for o in chosen}
        self.ready_button.setEnabled(OrderStatus.IMPORTED in statuses)
        self.hold_button.setEnabled(
            bool(statuses & {OrderStatus.IMPORTED, OrderStatus.READY_TO_SHIP})
        )
        self.release_button.setEnabled(OrderStatus.ON_HOLD in statuses)

    def apply_action(self, action: StatusAction) -> None:
        """Apply `action` to the selected orders in the db-write lane, then reload."""
        chosen = [o for o in self.selected_orders() if o.id is not None]
        if not chosen:
            self.message_bar.show_message(
                "Select orders first.", Tone.WARNING, "Ctrl+A selects every order shown."
            )
            return
        selection = OrderSelection(refs=tuple(str(o.id) for o in chosen))
        source = self._orders

        def work() -> StatusChangeReport:
            return source.change_status(action, selection)

        for button in (self.ready_button, self.hold_button, self.release_button):
            button.setEnabled(False)
        self._runner.run(
            work, self._on_action_done, self._on_action_failed(action), lane="db-write"
        )

    def _on_action_done(self, report: StatusChangeReport) -> None:
        done_words, already_words = _ACTION_WORDS[report.action]
        text = f"{len(report.changed):,} orders {done_words}."
        if report.already:
            text += f" {report.already:,} were {already_words}."
        self.message_bar.show_message(text, Tone.SUCCESS)
        self.status_change_done.emit(report)
        self._changed()
        self.refresh()

    def _on_action_failed(self, action: StatusAction) -> Callable[[BaseException], None]:
        handler = self._on_error(f"{action.value.capitalize()} orders")

        def failed(exc: BaseException) -> None:
            self._update_buttons()
            handler(exc)

        return failed

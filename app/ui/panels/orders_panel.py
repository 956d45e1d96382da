"""Orders panel: every order with a status filter and search; mark ready, hold, release, and
mark shipped by hand."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QInputDialog, QLabel, QWidget

from app.domain.order_flow import StatusAction
from app.domain.order_numbers import natural_key
from app.domain.orders import DOMESTIC_COUNTRIES, OrderStatus
from app.services.bulk import cyclic_gc_paused
from app.services.manual_ship import ManualShipReport
from app.services.orders import OrderSelection, StatusChangeReport
from app.store.order_list_repo import OrderSummary
from app.ui.dialogs.order_dialog import OrderDetailSource, OrderDialog
from app.ui.errors import ErrorPresenter
from app.ui.memory import settle_bulk_load
from app.ui.models.table import Column, PreparedRows, RecordTableModel
from app.ui.panels.base import Panel
from app.ui.panels.common import record_table, reselect, selected_records
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import Tone
from app.ui.widgets.toolbar import action_button, search_box, tool_row

log = logging.getLogger(__name__)


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

    def list_summaries(self) -> list[OrderSummary]: ...

    def first_summaries(self, limit: int) -> list[OrderSummary]: ...

    def change_status(
        self, action: StatusAction, selection: OrderSelection
    ) -> StatusChangeReport: ...


class ManualShipper(Protocol):
    """What the panel needs of app.services.manual_ship.ManualShipService."""

    def ship(self, refs: Sequence[str], *, note: str = "") -> ManualShipReport: ...


#: Orders "Mark shipped" applies to: not shipped yet, not cancelled.
_SHIPPABLE = frozenset(OrderStatus) - {
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.CANCELLED,
}


def _ask_note(parent: QWidget) -> str | None:
    note, ok = QInputDialog.getText(
        parent, "Mark shipped", "Note for the audit log (optional, e.g. 'no tracking'):"
    )
    return note if ok else None


_STATUS_COLOURS = {
    OrderStatus.READY_TO_SHIP: "#1b6e35",
    OrderStatus.ON_HOLD: "#9a5b00",
    OrderStatus.CANCELLED: "#8a8a8a",
}


def _search_text(order: OrderSummary) -> str:
    """What the search box looks in (one string per order, built once per load, on a worker);
    the items are searched once per package group (the model's shared text)."""
    return (
        f"{order.external_id}\t{order.source.value}:{order.external_id}\t{order.name}\t"
        f"{order.company}\t{order.city}\t{order.state}\t{order.postal_code}\t{order.country}\t"
        f"{order.email}\t{order.tracking_code or ''}"
    )


def _place(order: OrderSummary) -> str:
    return ", ".join(
        part
        for part in (order.company, order.city, order.state, order.postal_code, order.country)
        if part
    )


ORDER_COLUMNS = (
    # The order number is the source's own (the backer number): the one --order takes.
    Column[OrderSummary](
        "Order", lambda o: o.external_id, sort=lambda o: natural_key(o.external_id), width=80
    ),
    Column[OrderSummary]("Source", lambda o: o.source, width=90),
    Column[OrderSummary]("Recipient", lambda o: o.name, tooltip=_place, width=160),
    Column[OrderSummary]("Country", lambda o: o.country, width=64),
    Column[OrderSummary]("Postal code", lambda o: o.postal_code, width=90),
    Column[OrderSummary](
        "Status",
        lambda o: o.status,
        foreground=lambda o: _STATUS_COLOURS.get(o.status),
        sort=lambda o: list(OrderStatus).index(o.status),
        width=110,
    ),
    Column[OrderSummary]("Items", lambda o: o.items, tooltip=lambda o: o.items, width=260),
    Column[OrderSummary]("Tracking", lambda o: o.tracking_code, width=150),
)

_ACTION_WORDS = {
    StatusAction.READY: ("marked ready to ship", "already ready"),
    StatusAction.HOLD: ("put on hold", "already on hold"),
    StatusAction.RELEASE: ("released", "not on hold"),
}


@dataclass(frozen=True, slots=True)
class _OrdersLoad:
    rows: PreparedRows[OrderSummary]
    counts: Counter[OrderStatus]
    summary: str
    needs_relabel: frozenset[int] = frozenset()


#: The first screen and the whole list are read one after the other, in this lane.
_LIST_LANE = "orders-list"


class OrdersPanel(Panel):
    """All orders; the selection is what Ready / Hold / Release act on.

    The first load shows a first screen of orders (`FIRST_SCREEN`, by order number) as soon
    as it is read, then inserts the rest below it when the whole list is read, sorted and
    searchable: the window is usable before 100,000 orders are in.

    Signals:
        first_screen_shown(int): the first load's first screen is in the table (its rows).
        orders_loaded(int): every order is in the table (filter and sort work on all of them):
            the number of orders loaded by a refresh.
        status_changed_done(object): the StatusChangeReport of a finished action.
    """

    title = "Orders"
    #: Orders read first, before the whole list: more than a tall window shows.
    FIRST_SCREEN = 200
    first_screen_shown = Signal(int)
    orders_loaded = Signal(int)
    status_change_done = Signal(object)
    ship_done = Signal(object)  # the ManualShipReport of "Mark shipped"

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        orders: OrdersSource,
        relabel: RelabelSource | None = None,
        details: OrderDetailSource | None = None,
        shipper: ManualShipper | None = None,
        ask_note: Callable[[QWidget], str | None] = _ask_note,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, presenter, parent)
        self._orders = orders
        self._relabel = relabel
        #: The table holds only the first screen; the whole list completes it.
        self._first_screen_only = False
        self._loaded_once = False
        self._details = details
        self.order_dialog: OrderDialog | None = None
        #: Orders whose label was bought for another address (set on the GUI thread per load).
        self.needs_relabel: frozenset[int] = frozenset()
        columns = tuple(
            self._tracking_column() if column.title == "Tracking" else column
            for column in ORDER_COLUMNS
        )
        self.model = RecordTableModel(
            columns, key=lambda o: o.id, search_text=_search_text, shared_text=attrgetter("items")
        )
        self.view = record_table(self, self.model, columns, stretch_column=6)
        self._shipper = shipper
        self._ask_note = ask_note
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        # activated: double-click or Enter opens the order
        self.view.activated.connect(self._on_view_activated)

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
        self.ship_button = action_button(
            self, "Mark shipped", None, "Mark selected shipped by hand (no tracking, or no label)"
        )
        self.ship_button.clicked.connect(self.mark_shipped)
        self.ship_button.setVisible(shipper is not None)
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
                self.ship_button,
                self.refresh_button,
                stretch_after=3,
            )
        )
        self._layout.addWidget(self.view, 1)
        self._fill_status_filter(Counter())
        self._update_buttons()

    def _tracking_column(self) -> Column[OrderSummary]:
        """The tracking number, marked when the order needs a relabel."""

        def flagged(order: OrderSummary) -> bool:
            return order.id in self.needs_relabel

        return Column[OrderSummary](
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
        if not self._loaded_once and not self._load_in_flight and self.model.sort_spec[0] == 0:
            self._show_first_screen()  # then the whole list
        else:
            self._load_all()  # during a load: read again after it

    def _load_all(self) -> None:
        source, model, sort, relabel = self._orders, self.model, self.model.sort_spec, self._relabel

        def fetch() -> _OrdersLoad:
            # Everything proportional to the number of orders happens here, on the worker, with
            # the cyclic collector paused: sorting and the search texts allocate ~300,000
            # objects, whose collections doubled the load's time (0.14 s without, 0.3-0.46 s).
            with cyclic_gc_paused():
                orders = source.list_summaries()
                needs = sorted(relabel.needing_relabel()) if relabel is not None else []
                return _OrdersLoad(
                    model.prepare(orders, sort),
                    Counter(o.status for o in orders),
                    self._summary(orders) + _relabel_note(needs),
                    frozenset(needs),
                )

        self._load(fetch, self._on_orders_loaded, "Load orders", _LIST_LANE)

    def _show_first_screen(self) -> None:
        """Read the first orders by number on a worker and show them; the whole list is read
        right after them in the same lane (after, not beside: the two would share the GIL and
        the first screen would wait; not from `show`: that waited for the GUI thread, which
        is still building the window at start)."""
        source, model, limit = self._orders, self.model, self.FIRST_SCREEN

        def fetch() -> list[OrderSummary]:
            return source.first_summaries(limit)

        def show(first: list[OrderSummary]) -> None:
            if not model.row_total():  # into an empty table only
                model.set_rows(model.prepare(first, model.sort_spec))
                self._first_screen_only = True
                self.first_screen_shown.emit(len(first))

        def failed(exc: BaseException) -> None:
            # The whole list, queued behind, says what is wrong if anything is.
            log.warning("the first screen of orders was not read: %s", type(exc).__name__)

        self._runner.run(fetch, show, failed, lane=_LIST_LANE)
        self._load_all()

    def _on_orders_loaded(self, load: _OrdersLoad) -> None:
        selected_ids = {o.id for o in selected_records(self.view, self.model)}
        self.needs_relabel = load.needs_relabel
        if self._first_screen_only:  # the rest goes in below the first screen, no reset
            self.model.complete_rows(load.rows)
        else:
            self.model.set_rows(load.rows)
        self._first_screen_only = False
        self._loaded_once = True
        settle_bulk_load()
        self._fill_status_filter(load.counts)
        reselect(self.view, self.model, selected_ids, lambda o: o.id)
        self._announce(load.summary)
        self.orders_loaded.emit(len(load.rows.rows))

    def activated(self) -> None:
        self.reload_if_stale()
        self.view.setFocus()

    @staticmethod
    def _summary(orders: list[OrderSummary]) -> str:
        counts = Counter(o.status for o in orders)
        international = sum(1 for o in orders if o.country not in DOMESTIC_COUNTRIES)
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
        data = self.status_filter.currentData()
        # Qt hands the enum back as its plain string value: compare by value.
        status = None if data is None else OrderStatus(data)
        self.model.set_predicate(None if status is None else (lambda o: o.status == status))

    @Slot(str)
    def _on_search_text_changed(self, text: str) -> None:
        self.model.set_search(text)

    # -- the order dialog ---------------------------------------------------------------------

    @Slot()
    def _on_view_activated(self) -> None:
        chosen = self.selected_orders()
        if chosen and chosen[0].id is not None:
            self.open_order(chosen[0].id)

    def open_order(self, order_id: int) -> OrderDialog | None:
        """Open the order dialog (items, address, labels, audit trail) for one order."""
        if self._details is None:
            return None

        def changed() -> None:
            self._changed()
            self.refresh()

        dialog = OrderDialog(
            order_id, self._runner, self._presenter, self._details, on_changed=changed, parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.order_dialog = dialog
        dialog.open()
        return dialog

    # -- actions ------------------------------------------------------------------------------

    def selected_orders(self) -> list[OrderSummary]:
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
        self.ship_button.setEnabled(bool(statuses & _SHIPPABLE))

    def apply_action(self, action: StatusAction) -> None:
        """Apply `action` to the selected orders in the db-write lane, then reload."""
        chosen = [o for o in self.selected_orders() if o.id is not None]
        if not chosen:
            self.message_bar.show_message(
                "Select orders first.", Tone.WARNING, "Ctrl+A selects every order shown."
            )
            return
        selection = OrderSelection(refs=tuple(f"id:{o.id}" for o in chosen))
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

    def mark_shipped(self) -> None:
        """Mark the selected orders shipped by hand (asks for a note), in the db-write lane."""
        shipper = self._shipper
        chosen = [o for o in self.selected_orders() if o.id is not None and o.status in _SHIPPABLE]
        if shipper is None or not chosen:
            self.message_bar.show_message("Select orders that are not shipped yet.", Tone.WARNING)
            return
        note = self._ask_note(self)
        if note is None:
            return
        refs = tuple(f"id:{o.id}" for o in chosen)  # local ids, never ambiguous

        def work() -> ManualShipReport:
            return shipper.ship(refs, note=note)

        self.ship_button.setEnabled(False)
        self._runner.run(work, self._on_shipped, self._on_ship_failed, lane="db-write")

    def _on_shipped(self, report: ManualShipReport) -> None:
        text = f"{len(report.shipped):,} orders marked shipped."
        if report.already:
            text += f" {len(report.already):,} were already shipped."
        self.message_bar.show_message(text, Tone.SUCCESS)
        self.ship_done.emit(report)
        self._changed()
        self.refresh()

    def _on_ship_failed(self, exc: BaseException) -> None:
        self._update_buttons()
        self._on_error("Mark shipped")(exc)

"""Buy & print: pick package groups, estimate, see what pre-flight blocks, confirm the total,
buy with live progress (and Cancel), while each label goes to the chosen printer's queue as
soon as it is bought."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from threading import Event
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QProgressBar,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.deadline import Deadline
from app.domain.errors import AppError
from app.domain.groups import PackageGroup
from app.domain.order_numbers import natural_key
from app.domain.usps_services import SERVICES, service_title
from app.infra.settings import ConfiguredPrinter, PrinterSettings
from app.services.buy_and_print import BuyAndPrintResult
from app.services.buy_plan import CHEAPEST, Plan, PlannedOrder, Selection
from app.services.estimate import EstimateReport, OrderEstimate
from app.services.preflight import BlockedOrder, PreflightReport
from app.services.print_queue import PrintQueue, canonical_uri
from app.services.purchase import BuyProgress, BuyResult, FailedOrder, LabelInfo
from app.services.roll_supply import BatchCheck
from app.services.station_printers import PrinterChoice
from app.ui.coalesce import Coalescer
from app.ui.dialogs.confirm import Confirm, confirm_with_box
from app.ui.errors import ErrorPresenter
from app.ui.models.item_table import ItemTableModel
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.base import Panel
from app.ui.panels.common import record_table, reselect, selected_records
from app.ui.panels.print_queue_panel import printer_choices
from app.ui.panels.roll_view import RollSource
from app.ui.tasks import TaskHandle, TaskRunner
from app.ui.widgets.message_bar import Tone
from app.ui.widgets.toolbar import action_button, tool_row
from printers.errors import PrinterError

# -- what the panel needs of the services ----------------------------------------------------


class GroupsSource(Protocol):
    def groups(self) -> list[PackageGroup]: ...


class PurchaseSource(Protocol):
    """app.services.purchase.PurchaseService."""

    concurrency: int

    def plan(self, selection: Selection) -> Plan: ...

    def preflight(
        self, selection: Selection, *, verify_addresses: bool = True
    ) -> PreflightReport: ...

    def buy(
        self,
        selection: Selection,
        *,
        concurrency: int | None = None,
        progress: Callable[[BuyProgress], None] | None = None,
        cancel: threading.Event | None = None,
        on_label_bought: Callable[[LabelInfo], None] | None = None,
        verify_addresses: bool = True,
    ) -> BuyResult: ...


class EstimateSource(Protocol):
    def estimate(
        self,
        plan: Plan,
        *,
        orders: Sequence[PlannedOrder] | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancel: Event | None = None,
    ) -> EstimateReport: ...


class BuyAndPrintSource(Protocol):
    """app.services.buy_and_print.BuyAndPrintService: the use case the CLI's `buy` calls too."""

    def run(
        self,
        selection: Selection,
        *,
        printer: str | None = None,
        printing: bool = True,
        wait_for_printing: bool = False,
        concurrency: int | None = None,
        create_concurrency: int | None = None,
        progress: Callable[[BuyProgress], None] | None = None,
        cancel: threading.Event | None = None,
        on_label_bought: Callable[[LabelInfo], None] | None = None,
        on_print_problem: Callable[[AppError], None] | None = None,
        verify_addresses: bool = True,
    ) -> BuyAndPrintResult: ...


class QueueSource(Protocol):
    def queue_for(self, uri_or_name: str | None = None) -> PrintQueue: ...


class PrinterSettingsSource(Protocol):
    def load(self) -> PrinterSettings: ...


#: Buying runs in a lane of its own: one buy at a time from this window (the service also
#: holds a lock per database), never blocking the short writes of the "db-write" lane.
BUY_LANE = "buy"
#: Pre-flight and estimates ask EasyPost (address checks, rates): a lane of their own too.
ESTIMATE_LANE = "estimate"
#: Seconds pre-flight and rates may take overall (app.domain.deadline; the CLI's --deadline).
ESTIMATE_DEADLINE_S = 120.0

_OWN_SERVICE = ""  # the service combo's "each group's own" choice (domestic and international)


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _days(values: Sequence[int]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    return f"{low}" if low == high else f"{low}–{high}"


@dataclass(frozen=True, slots=True)
class GroupRow:
    """A package group with what the last estimate said about it."""

    group: PackageGroup
    ready: int | None = None
    blocked: int | None = None
    priced: int | None = None
    total: Decimal | None = None
    days: str = ""
    problem: str = ""


def _service_text(row: GroupRow) -> str:
    service = row.group.service
    return service_title(service) if service else "—"


def _intl_service_text(row: GroupRow) -> str:
    service = row.group.international_service
    return service_title(service) if service else "—"


def _lacks_intl_service(group: PackageGroup) -> bool:
    """International orders and no service chosen for them: they are blocked (own services)."""
    return group.international > 0 and not group.international_service


def _ready_to_buy(group: PackageGroup) -> bool:
    """A package type and a service for each kind of order the group has."""
    return bool(
        group.package_type
        and (group.service or group.domestic == 0)
        and (group.international_service or group.international == 0)
    )


GROUP_COLUMNS = (
    Column[GroupRow]("Group", lambda r: r.group.group_id, width=118),
    Column[GroupRow]("Items", lambda r: r.group.description, tooltip=lambda r: r.group.description),
    Column[GroupRow]("Orders", lambda r: r.group.orders, numeric=True, width=60),
    Column[GroupRow]("Intl.", lambda r: r.group.international, numeric=True, width=45),
    Column[GroupRow]("Package", lambda r: r.group.package_type or "—", width=140),
    Column[GroupRow](
        "Service", _service_text, tooltip=lambda _r: "For the group's domestic orders", width=185
    ),
    Column[GroupRow](
        "Intl service",
        _intl_service_text,
        tooltip=lambda r: (
            "No Intl service: its international orders are blocked with the group's own "
            "services (choose one in Package groups, or buy with 'Cheapest for each order')"
            if _lacks_intl_service(r.group)
            else "For the group's international orders"
        ),
        foreground=lambda r: "#9a5b00" if _lacks_intl_service(r.group) else None,
        width=250,  # "First-Class Package International" whole
    ),
    Column[GroupRow]("Ready", lambda r: r.ready, numeric=True, width=55),
    Column[GroupRow](
        "Blocked",
        lambda r: r.blocked,
        numeric=True,
        foreground=lambda r: "#9b2c2c" if r.blocked else None,
        width=60,
    ),
    Column[GroupRow](
        "Estimate",
        lambda r: "" if r.total is None else _money(r.total),
        sort=lambda r: r.total or Decimal(0),
        tooltip=lambda r: r.problem,
        foreground=lambda r: "#9a5b00" if r.problem else None,
        numeric=True,
        width=90,
    ),
    Column[GroupRow]("Days", lambda r: r.days, width=50),
)

BLOCKED_COLUMNS = (
    Column[BlockedOrder](
        "Order", lambda b: b.external_id, sort=lambda b: natural_key(b.external_id), width=80
    ),
    Column[BlockedOrder]("Group", lambda b: b.group_id, width=120),
    Column[BlockedOrder]("Why it cannot be bought", lambda b: b.reason, tooltip=lambda b: b.reason),
)

BOUGHT_COLUMNS = (
    Column[LabelInfo]("#", lambda i: i.sequence + 1, numeric=True, width=50),
    Column[LabelInfo](
        "Order", lambda i: i.external_id, sort=lambda i: natural_key(i.external_id), width=80
    ),
    Column[LabelInfo]("Group", lambda i: i.group_id, width=120),
    Column[LabelInfo]("Tracking", lambda i: i.tracking_code, width=220),
    Column[LabelInfo]("Service", lambda i: service_title(i.service), width=250),
    Column[LabelInfo](
        "Cost", lambda i: _money(i.amount_usd), sort=lambda i: i.amount_usd, numeric=True
    ),
)

FAILED_COLUMNS = (
    Column[FailedOrder](
        "Order", lambda f: f.external_id, sort=lambda f: natural_key(f.external_id), width=80
    ),
    Column[FailedOrder]("What went wrong", lambda f: f.reason, tooltip=lambda f: f.reason),
)


@dataclass(frozen=True, slots=True)
class EstimateOutcome:
    """Pre-flight and rates for one selection, as the panel shows them."""

    selection: Selection
    preflight: PreflightReport
    estimate: EstimateReport
    rows: list[GroupRow]
    roll: BatchCheck | None = None  # labels left on the chosen printer's roll for this batch

    @property
    def total(self) -> Decimal:
        return self.estimate.total

    @property
    def priced(self) -> int:
        return self.estimate.priced


def group_rows(
    groups: Sequence[PackageGroup], preflight: PreflightReport, estimate: EstimateReport
) -> list[GroupRow]:
    """Per group: ready and blocked orders, the estimated total, the chosen rates' days."""
    ready: dict[str, int] = {}
    for planned in preflight.ready:
        ready[planned.group_id] = ready.get(planned.group_id, 0) + 1
    blocked: dict[str, int] = {}
    for item in preflight.blocked:
        blocked[item.group_id] = blocked.get(item.group_id, 0) + 1
    by_group: dict[str, list[OrderEstimate]] = {}
    for order in estimate.orders:
        by_group.setdefault(order.group_id, []).append(order)
    totals = {g.group_id: g for g in estimate.groups}
    rows = []
    for group in groups:
        orders = by_group.get(group.group_id, [])
        days = [o.chosen.delivery_days for o in orders if o.chosen and o.chosen.delivery_days]
        problems = sorted({o.error for o in orders if o.error})
        total = totals.get(group.group_id)
        rows.append(
            GroupRow(
                group,
                ready=ready.get(group.group_id, 0),
                blocked=blocked.get(group.group_id, 0),
                priced=total.chosen_count if total else 0,
                total=total.chosen_total if total else Decimal(0),
                days=_days(days),
                problem="; ".join(problems)[:400],
            )
        )
    return rows


class _BuyBridge(QObject):
    """Lives in the GUI thread; purchase and print threads emit on it (queued to the GUI)."""

    print_problem = Signal(object)  # AppError from enqueue


class BuyPanel(Panel):
    """Buy postage for package groups and print as it is bought.

    Signals:
        groups_loaded(int): groups shown after a refresh.
        estimated(object): the EstimateOutcome of an estimate.
        buy_progressed(object): each BuyProgress.
        label_bought(object): each LabelInfo, in group order, as it is bought (and queued).
        buy_finished(object): the BuyResult.
    """

    title = "Buy & print"
    groups_loaded = Signal(int)
    estimated = Signal(object)
    buy_progressed = Signal(object)
    label_bought = Signal(object)
    buy_finished = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        groups: GroupsSource,
        purchase: PurchaseSource,
        estimate: EstimateSource,
        queues: QueueSource,
        printers: PrinterSettingsSource,
        buy_and_print: BuyAndPrintSource,
        confirm: Confirm = confirm_with_box,
        rolls: RollSource | None = None,
        other_printers: Callable[[], list[PrinterChoice]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, presenter, parent)
        # Every station's printers (app.services.station_printers): others print for us.
        self._other_printers = other_printers
        self._rolls = rolls  # the labels left on the printer's roll, said before spending
        self._groups = groups
        self._purchase = purchase
        self._buy_and_print = buy_and_print
        self._estimate = estimate
        self._queues = queues
        self._printers = printers
        self.confirm = confirm
        self._outcome: EstimateOutcome | None = None
        self._buying: TaskHandle | None = None
        self._cancel: threading.Event | None = None
        self._estimating = False
        self._database_down = ""  # why buying waits (the connection is lost), "" = it may
        self._estimate_cancel = threading.Event()  # Cancel during an estimate (its deadline)
        self._bridge = _BuyBridge(self)
        self._bridge.print_problem.connect(self._on_print_problem)
        # Labels and progress reach the GUI in batches (at most ~10 a second), not one by one.
        self._bought_batches = Coalescer[LabelInfo](self._on_labels_bought, parent=self)
        self._progress_batches = Coalescer[BuyProgress](
            lambda batch: self._on_buy_progressed(batch[-1]), parent=self
        )

        self.service_combo = QComboBox(self)
        self.service_combo.addItem("Each group's own services", _OWN_SERVICE)
        self.service_combo.setItemData(
            0,
            "Domestic orders take their group's Service, international orders its Intl service "
            "(set both in Package groups)",
            Qt.ItemDataRole.ToolTipRole,
        )
        self.service_combo.addItem("Cheapest for each order", CHEAPEST)
        for service in SERVICES.values():
            suffix = " (international)" if service.international else ""
            self.service_combo.addItem(service.title + suffix, service.code)
        self.service_combo.currentIndexChanged.connect(self._invalidate)
        service_label = QLabel("Ser&vice", self)
        service_label.setBuddy(self.service_combo)
        self.printer_combo = QComboBox(self)
        self.printer_combo.setMinimumWidth(200)
        printer_label = QLabel("&Print to", self)
        printer_label.setBuddy(self.printer_combo)
        self.concurrency = QSpinBox(self)
        self.concurrency.setRange(1, 32)
        self.concurrency.setValue(8)
        self.concurrency.setToolTip("Labels bought at the same time")
        self.estimate_button = action_button(
            self, "Estimate", "Ctrl+E", "Pre-flight and rates for the selected groups"
        )
        self.buy_button = action_button(
            self, "Buy && print…", "Ctrl+B", "Confirm the total, then buy and print"
        )
        self.cancel_button = action_button(
            self, "Cancel", None, "Stop buying (labels being bought now finish)"
        )
        self.estimate_button.clicked.connect(self.start_estimate)
        self.buy_button.clicked.connect(self.start_buy)
        self._buy_tip = self.buy_button.toolTip()
        self.cancel_button.clicked.connect(self.cancel_buy)
        self._layout.addLayout(
            tool_row(
                service_label,
                self.service_combo,
                printer_label,
                self.printer_combo,
                QLabel("At once", self),
                self.concurrency,
                self.estimate_button,
                self.buy_button,
                self.cancel_button,
                stretch_after=5,
            )
        )

        self.model = RecordTableModel(GROUP_COLUMNS, key=lambda r: r.group.group_id)
        self.view = record_table(self, self.model, GROUP_COLUMNS, stretch_column=1)
        self.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.view.selectionModel().selectionChanged.connect(self._invalidate)

        self.summary = QLabel("Select package groups, then Estimate (Ctrl+E).", self)
        self.summary.setObjectName("sectionHeading")
        self.summary.setWordWrap(True)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        self.progress_text = QLabel("", self)

        self.blocked_model = RecordTableModel(BLOCKED_COLUMNS, key=lambda b: b.order_id)
        self.blocked_view = record_table(self, self.blocked_model, BLOCKED_COLUMNS)
        # Painted without Python: it grows while a buy's threads hold the GIL (item_table).
        self.bought_model = ItemTableModel(BOUGHT_COLUMNS, parent=self)
        self.bought_view = record_table(self, self.bought_model, BOUGHT_COLUMNS)
        self.failed_model = RecordTableModel(FAILED_COLUMNS, key=lambda f: f.order_id)
        self.failed_view = record_table(self, self.failed_model, FAILED_COLUMNS)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.blocked_view, "Blocked by pre-flight")
        self.tabs.addTab(self.bought_view, "Bought")
        self.tabs.addTab(self.failed_view, "Failed")

        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 4, 0, 0)
        lower_layout.addWidget(self.summary)
        lower_layout.addWidget(self.progress_bar)
        lower_layout.addWidget(self.progress_text)
        lower_layout.addWidget(self.tabs, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.view)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self._layout.addWidget(splitter, 1)
        self._update_buttons()

    # -- loading ------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        groups, printers, others = self._groups, self._printers, self._other_printers

        def fetch() -> tuple[list[PackageGroup], PrinterSettings, list[PrinterChoice]]:
            elsewhere = [c for c in others() if not c.here] if others is not None else []
            return groups.groups(), printers.load(), elsewhere

        self._load(fetch, self._on_loaded, "Load package groups")

    def _on_loaded(
        self, loaded: tuple[list[PackageGroup], PrinterSettings, list[PrinterChoice]]
    ) -> None:
        groups, printers, elsewhere = loaded
        selected = {r.group.group_id for r in self.selected_rows()}
        previous = {r.group.group_id: r for r in self.model.rows()}
        self.model.set_rows([_carry(previous.get(g.group_id), g) for g in groups])
        reselect(self.view, self.model, selected, lambda r: r.group.group_id)
        self._fill_printers(printer_choices(printers), elsewhere)
        orders = sum(g.orders for g in groups)
        assigned = sum(1 for g in groups if _ready_to_buy(g))
        self._announce(
            f"{len(groups):,} package groups · {orders:,} orders ready · "
            f"{assigned:,} groups with a package and their services"
        )
        self._update_buttons()
        self.groups_loaded.emit(len(groups))

    def _fill_printers(
        self, printers: list[ConfiguredPrinter], elsewhere: Sequence[PrinterChoice] = ()
    ) -> None:
        current = self.printer_combo.currentData()
        self.printer_combo.clear()
        for printer in printers:
            self.printer_combo.addItem(printer.name, printer.uri)
            last = self.printer_combo.count() - 1
            self.printer_combo.setItemData(last, printer.uri, Qt.ItemDataRole.ToolTipRole)
        for choice in elsewhere:  # data NAME@STATION: queued for that station, which prints
            self.printer_combo.addItem(choice.text, choice.spec)
            last = self.printer_combo.count() - 1
            tip = f"{choice.printer.uri}: printed by station {choice.printer.station}"
            self.printer_combo.setItemData(last, tip, Qt.ItemDataRole.ToolTipRole)
        index = self.printer_combo.findData(current) if current else 0
        self.printer_combo.setCurrentIndex(max(index, 0))

    # -- selection ----------------------------------------------------------------------------

    def selected_rows(self) -> list[GroupRow]:
        return selected_records(self.view, self.model)

    def select_groups(self, group_ids: Sequence[str]) -> None:
        reselect(self.view, self.model, set(group_ids), lambda r: r.group.group_id)

    def selection(self) -> Selection:
        service = self.service_combo.currentData() or None
        return Selection(
            groups=tuple(r.group.group_id for r in self.selected_rows()), service=service
        )

    @Slot()
    def _invalidate(self) -> None:
        """The selection or the service changed: the last estimate no longer applies."""
        if self._outcome is not None and self._outcome.selection != self.selection():
            self._outcome = None
            self.summary.setText("The selection changed: Estimate again before buying.")
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self._buying is not None
        chosen = bool(self.selected_rows())
        self.estimate_button.setEnabled(chosen and not busy and not self._estimating)
        self.buy_button.setEnabled(
            not busy
            and not self._estimating
            and not self._database_down
            and self._outcome is not None
            and self._outcome.preflight.ready != ()
        )
        self.buy_button.setToolTip(self._database_down or self._buy_tip)
        self.cancel_button.setEnabled(
            (busy and not (self._cancel and self._cancel.is_set()))
            or (self._estimating and not self._estimate_cancel.is_set())
        )
        for widget in (self.service_combo, self.printer_combo, self.concurrency, self.view):
            widget.setEnabled(not busy)

    # -- estimate -----------------------------------------------------------------------------

    @Slot()
    def start_estimate(self) -> None:
        selection = self.selection()
        if not selection.groups:
            self.message_bar.show_message("Select package groups first.", Tone.WARNING)
            return
        purchase, estimate = self._purchase, self._estimate
        groups = [r.group for r in self.selected_rows()]
        rolls, printer = self._rolls, self._roll_uri()

        stop = self._estimate_cancel = threading.Event()

        def work() -> EstimateOutcome:
            plan = purchase.plan(selection)
            # A server that never answers ends the estimate at its deadline, not minutes later;
            # Cancel ends it at once (requests on their way end at the deadline).
            deadline = Deadline(ESTIMATE_DEADLINE_S, cancel=stop, what="the estimate")
            with deadline.scope():
                report = purchase.preflight(selection)
                rates = estimate.estimate(plan, orders=report.ready)
            if stop.is_set():
                deadline.check()  # raises "Stopped: the estimate was cancelled."
            roll = _roll_check(rolls, printer, len(report.ready))
            rows = group_rows(groups, report, rates)
            return EstimateOutcome(selection, report, rates, rows, roll)

        def failed(exc: BaseException) -> None:
            self._estimating = False
            self.summary.setText("The estimate failed.")
            self._update_buttons()
            self._on_error("Estimate")(exc)

        self._estimating = True
        self._outcome = None
        self.summary.setText(
            f"Checking {sum(g.orders for g in groups):,} orders and asking for rates…"
        )
        self._update_buttons()
        self._runner.run(work, self._on_estimated, failed, lane=ESTIMATE_LANE)

    def _on_estimated(self, outcome: EstimateOutcome) -> None:
        self._estimating = False
        for row in outcome.rows:
            self.model.replace_row(row)
        self.blocked_model.set_rows(list(outcome.preflight.blocked))
        if outcome.selection == self.selection():
            self._outcome = outcome
        report, preflight = outcome.estimate, outcome.preflight
        days = [
            o.chosen.delivery_days for o in report.orders if o.chosen and o.chosen.delivery_days
        ]
        text = (
            f"Estimate: {report.priced:,} of {len(preflight.ready) + len(preflight.blocked):,} "
            f"orders priced, {_money(report.total)} in total"
        )
        if days:
            text += f", {_days(days)} days to deliver"
        text += f". {len(preflight.blocked):,} blocked by pre-flight"
        if report.failed:
            text += f", {len(report.failed):,} could not be priced"
        text += "."
        waiting = sum(r.group.international for r in outcome.rows if _lacks_intl_service(r.group))
        if outcome.selection.service is None and waiting:
            text += (
                f" {waiting:,} international orders wait for an Intl service in their group "
                "(Package groups), or buy with 'Cheapest for each order'."
            )
        self.summary.setText(text)
        if preflight.blocked:
            self.tabs.setCurrentWidget(self.blocked_view)
        self._update_buttons()
        self.estimated.emit(outcome)

    def _roll_uri(self) -> str:
        """The chosen printer as the roll service names it (its canonical URI)."""
        uri = str(self.printer_combo.currentData() or "")
        try:
            return canonical_uri(uri) if uri else ""
        except PrinterError:
            return ""

    # -- buying -------------------------------------------------------------------------------

    def set_database_available(self, available: bool, reason: str = "") -> None:
        """The main window's word on the database connection: no buying while it is lost."""
        self._database_down = "" if available else reason or "The database is not reachable."
        self._update_buttons()

    @property
    def buying_blocked(self) -> str:
        """Why buying waits now ("" when it may go on)."""
        return self._database_down

    @Slot()
    def start_buy(self) -> None:
        if self._database_down:
            self.message_bar.show_message(self._database_down, Tone.WARNING)
            return
        outcome = self._outcome
        if outcome is None or self._buying is not None:
            return
        ready = len(outcome.preflight.ready)
        blocked = len(outcome.preflight.blocked)
        printer = self.printer_combo.currentText() or "the default printer"
        text = (
            f"Buy {ready:,} label(s) for about {_money(outcome.total)}?\n\n"
            f"Labels print on {printer} as they are bought."
        )
        if blocked:
            text += f"\n{blocked:,} blocked order(s) are left out (see the list)."
        if outcome.estimate.failed:
            unpriced = len(outcome.estimate.failed)
            text += f"\n{unpriced:,} order(s) could not be priced; they are tried anyway."
        check = outcome.roll
        if check is not None and check.roll.printer_uri == self._roll_uri() and check.lines:
            text += "\n\n" + "\n".join(check.lines)  # the roll, said before spending
        if not self.confirm(self, "Buy postage", text):
            return
        self._run_buy(outcome.selection, str(self.printer_combo.currentData() or ""))

    def _run_buy(self, selection: Selection, printer_uri: str) -> None:
        use_case, bridge = self._buy_and_print, self._bridge
        labels, steps = self._bought_batches, self._progress_batches
        cancel = threading.Event()
        workers = self.concurrency.value()

        def work() -> BuyAndPrintResult:
            # The same use case as the CLI's `buy`: labels of this batch left by an interrupted
            # run are queued again too. A print problem never fails a bought label.
            return use_case.run(
                selection,
                printer=printer_uri or None,
                concurrency=workers,
                progress=steps.push,
                cancel=cancel,
                on_label_bought=labels.push,
                on_print_problem=bridge.print_problem.emit,
            )

        self._cancel = cancel
        self.bought_model.set_rows([])
        self.failed_model.set_rows([])
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self.progress_text.setText("Starting: checking the journal and pre-flight…")
        self.tabs.setCurrentWidget(self.bought_view)
        self.message_bar.clear()
        self._buying = self._runner.run(work, self._on_buy_done, self._on_buy_failed, lane=BUY_LANE)
        self._update_buttons()

    @Slot()
    def cancel_buy(self) -> None:
        if self._estimating:
            self._estimate_cancel.set()
        if self._cancel is not None:
            self._cancel.set()
            self.progress_text.setText(
                self.progress_text.text() + "  Cancelling: the labels being bought now finish…"
            )
        self._update_buttons()

    @Slot(object)
    def _on_buy_progressed(self, progress: BuyProgress) -> None:
        # In whole percent: QProgressBar repaints synchronously on every visible change (py-spy:
        # the GUI thread's largest share during a 1,000-label buy); at most 100 repaints a run.
        percent = 100 * (progress.done + progress.failed) // max(progress.total, 1)
        if self.progress_bar.maximum() != 100:
            self.progress_bar.setRange(0, 100)
        if percent != self.progress_bar.value():
            self.progress_bar.setValue(percent)
        self.progress_text.setText(
            f"Bought {progress.done:,} · failed {progress.failed:,} · "
            f"remaining {progress.remaining:,} · spent {_money(progress.spent)}"
        )
        self.buy_progressed.emit(progress)

    def _on_labels_bought(self, batch: list[LabelInfo]) -> None:
        self.bought_model.append_rows(batch)  # the batch's cost, not a rebuild of the table
        for info in batch:
            self.label_bought.emit(info)

    def _deliver_batches(self) -> None:
        """What the workers reported and the GUI has not shown yet, before the result."""
        self._bought_batches.flush()
        self._progress_batches.flush()

    @Slot(object)
    def _on_print_problem(self, exc: AppError) -> None:
        self._presenter.present(exc, inline=self.message_bar, action="Queue a label for printing")

    def _on_buy_done(self, done: BuyAndPrintResult) -> None:
        self._deliver_batches()
        result = done.buy
        self._buying = None
        self._cancel = None
        self.progress_bar.hide()
        self.failed_model.set_rows([*result.failed, *result.unknown])
        text = (
            f"Batch {result.batch_reference}: {len(result.bought):,} label(s) bought for "
            f"{_money(result.spent)}"
        )
        if result.failed:
            text += f", {len(result.failed):,} failed"
        if result.blocked:
            text += f", {len(result.blocked):,} blocked"
        if result.cancelled:
            text += f"; cancelled with {len(result.not_started):,} not started"
        if result.unrecorded or result.refunded:
            # Money was spent on these: never hidden behind "0 bought".
            text += (
                f"; {len(result.unrecorded):,} bought but not recorded yet (kept, see Batches), "
                f"{len(result.refunded):,} refunded because they could not be recorded"
            )
        if done.printed_elsewhere:  # another Packdesk process holds the printer
            text += f"; {done.printed_elsewhere}"
        hint = ""
        if result.unknown or result.not_started or result.unrecorded:
            hint = "Buy the same groups again to finish: nothing is bought twice."
        tone = Tone.SUCCESS if result.complete and not result.failed else Tone.WARNING
        self.message_bar.show_message(text + ".", tone, hint)
        self.progress_text.setText(text + ".")
        if result.failed or result.unknown:
            self.tabs.setCurrentWidget(self.failed_view)
        self._outcome = None
        self._update_buttons()
        self.buy_finished.emit(result)
        self._changed()
        self.refresh()

    def _on_buy_failed(self, exc: BaseException) -> None:
        self._deliver_batches()
        self._buying = None
        self._cancel = None
        self.progress_bar.hide()
        self.progress_text.setText("The buy stopped. Labels bought so far are kept.")
        self._update_buttons()
        self._on_error("Buy postage")(exc)
        self._changed()
        self.refresh()


def _roll_check(rolls: RollSource | None, printer: str, needed: int) -> BatchCheck | None:
    """The roll's word on a batch, or None: it is advice and never stops an estimate."""
    if rolls is None or not printer:
        return None
    try:
        return rolls.check_batch(printer, needed)
    except (AppError, PrinterError, OSError):
        return None


def _carry(previous: GroupRow | None, group: PackageGroup) -> GroupRow:
    """A reloaded group keeps its estimate only when it did not change."""
    if previous is not None and previous.group == group:
        return previous
    return GroupRow(group)

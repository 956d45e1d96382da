"""History panel: the audit log (filters, search), batches and spend, refunds and labels that
never moved, pickups, SCAN forms, and a chart of spend by service, group and day."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.order_numbers import natural_key
from app.services.batches import BatchSummary
from app.services.clock import to_local
from app.services.history import (
    ACTION_KINDS,
    AuditFilter,
    AuditLine,
    HistorySnapshot,
    SpendSlice,
)
from app.services.refunds import RefundReminder, RefundState
from app.store.pickups_repo import StoredPickup
from app.store.scan_forms_repo import StoredScanForm
from app.ui.errors import ErrorPresenter
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.base import Panel
from app.ui.panels.common import batch_service_text, record_table
from app.ui.tasks import TaskRunner
from app.ui.widgets.bar_chart import Bar, BarChart
from app.ui.widgets.toolbar import action_button, search_box, tool_row


class HistorySource(Protocol):
    """What the panel needs of app.services.history.HistoryService."""

    def audit(self, wanted: AuditFilter = ...) -> list[AuditLine]: ...

    def snapshot(self, *, days: int = 30, reminder_days: int = 7) -> HistorySnapshot: ...


def _when(moment: datetime | None) -> str:
    return "" if moment is None else f"{to_local(moment):%Y-%m-%d %H:%M}"


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else f"${amount:,.2f}"


AUDIT_COLUMNS = (
    Column[AuditLine]("Time", lambda a: _when(a.at), sort=lambda a: a.id, width=130),
    Column[AuditLine]("Station", lambda a: a.station, width=110),
    Column[AuditLine]("User", lambda a: a.user, width=90),
    Column[AuditLine]("Action", lambda a: a.what, tooltip=lambda a: a.action, width=150),
    Column[AuditLine]("Order", lambda a: a.order, sort=lambda a: natural_key(a.order), width=90),
    Column[AuditLine]("Label", lambda a: a.label, width=200),
    Column[AuditLine](
        "Amount",
        lambda a: _money(a.amount_usd),
        sort=lambda a: a.amount_usd or 0,
        numeric=True,
        width=80,
    ),
    Column[AuditLine]("Details", lambda a: a.details, tooltip=lambda a: a.details),
)

BATCH_COLUMNS = (
    Column[BatchSummary]("Batch", lambda b: b.reference, width=120),
    Column[BatchSummary](
        "Started", lambda b: _when(b.created_at), sort=lambda b: b.created_at, width=118
    ),
    Column[BatchSummary]("Station", lambda b: b.station, width=90),
    Column[BatchSummary]("Service", lambda b: batch_service_text(b.service_choice), width=212),
    Column[BatchSummary]("Status", lambda b: b.status, width=65),
    Column[BatchSummary]("Bought", lambda b: b.bought, numeric=True, width=65),
    Column[BatchSummary]("Printed", lambda b: b.printed, numeric=True, width=65),
    Column[BatchSummary]("Shipped", lambda b: b.shipped, numeric=True, width=65),
    Column[BatchSummary]("Refunded", lambda b: b.refunded, numeric=True, width=70),
    Column[BatchSummary](
        "Spent", lambda b: _money(b.spent_usd), sort=lambda b: b.spent_usd, numeric=True, width=90
    ),
    # The stretched last column never shrinks below its starting width: keep all on screen.
    Column[BatchSummary]("SCAN form", lambda b: b.scan_form_state, width=80),
)

REFUND_COLUMNS = (
    Column[RefundState]("Order", lambda r: r.order, sort=lambda r: natural_key(r.order), width=90),
    Column[RefundState]("Label", lambda r: r.tracking_code, width=210),
    Column[RefundState](
        "Amount",
        lambda r: _money(r.amount_usd),
        sort=lambda r: r.amount_usd,
        numeric=True,
        width=80,
    ),
    Column[RefundState]("Refund", lambda r: r.refund_status, width=90),
    Column[RefundState](
        "Asked", lambda r: _when(r.requested_at), sort=lambda r: r.requested_at, width=130
    ),
    Column[RefundState]("Refunded", lambda r: _when(r.refunded_at), sort=lambda r: r.refunded_at),
)

REMINDER_COLUMNS = (
    Column[RefundReminder](
        "Order", lambda r: r.order, sort=lambda r: natural_key(r.order), width=90
    ),
    Column[RefundReminder]("Label", lambda r: r.tracking_code, width=210),
    Column[RefundReminder](
        "Amount",
        lambda r: _money(r.amount_usd),
        sort=lambda r: r.amount_usd,
        numeric=True,
        width=80,
    ),
    Column[RefundReminder](
        "Bought", lambda r: _when(r.bought_at), sort=lambda r: r.bought_at, width=130
    ),
    Column[RefundReminder]("Days old", lambda r: r.days_old, numeric=True, width=70),
    Column[RefundReminder](
        "Days left to refund",
        lambda r: r.days_left,
        numeric=True,
        foreground=lambda r: "#a4161a" if r.days_left <= 5 else None,
        width=130,
    ),
    Column[RefundReminder]("Tracking", lambda r: r.tracking_status or "no scan yet"),
)

PICKUP_COLUMNS = (
    Column[StoredPickup]("Pickup", lambda p: p.id, numeric=True, width=60),
    Column[StoredPickup]("Status", lambda p: p.status, width=90),
    Column[StoredPickup](
        "Window",
        lambda p: f"{_when(p.min_datetime)} – {to_local(p.max_datetime):%H:%M}",
        sort=lambda p: p.min_datetime,
        width=190,
    ),
    Column[StoredPickup]("Parcels", lambda p: p.package_count, numeric=True, width=65),
    Column[StoredPickup]("Confirmation", lambda p: p.confirmation or "", width=120),
    Column[StoredPickup](
        "Cost",
        lambda p: _money(p.amount_usd),
        sort=lambda p: p.amount_usd or 0,
        numeric=True,
        width=70,
    ),
    Column[StoredPickup]("Where", lambda p: p.instructions, tooltip=lambda p: p.instructions),
)

SCAN_FORM_COLUMNS = (
    Column[StoredScanForm]("Form", lambda f: f.id, numeric=True, width=60),
    Column[StoredScanForm](
        "Made", lambda f: _when(f.created_at), sort=lambda f: f.created_at, width=130
    ),
    Column[StoredScanForm]("Batch", lambda f: f.batch_reference or "today's labels", width=150),
    Column[StoredScanForm]("From", lambda f: f.from_address_key, width=110),
    Column[StoredScanForm]("Labels", lambda f: f.label_count, numeric=True, width=65),
    Column[StoredScanForm]("Status", lambda f: f.status, width=90),
    Column[StoredScanForm]("EasyPost id", lambda f: f.easypost_id),
)

_ALL = ""


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class HistoryPanel(Panel):
    """Read-only history; every number comes from HistoryService.

    Signals:
        audit_loaded(int): the number of audit lines a load showed.
        history_loaded(object): the HistorySnapshot a load showed.
    """

    title = "History"
    audit_loaded = Signal(int)
    history_loaded = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        history: HistorySource,
        days: int = 30,
        reminder_days: int = 7,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, presenter, parent)
        self._history = history
        self._days = days
        self._reminder_days = reminder_days
        self._audit_in_flight = False
        self._audit_again = False

        # -- audit log ------------------------------------------------------------------------
        self.search = search_box(self, "Search order, label, station, user… (Ctrl+F)")
        self.kind_combo = QComboBox(self)
        self.kind_combo.addItem("All actions", _ALL)
        for title in ACTION_KINDS:
            self.kind_combo.addItem(title, title)
        self.station_combo = QComboBox(self)
        self.station_combo.addItem("All stations", _ALL)
        self.station_combo.setMinimumWidth(130)
        self.dates_box = QCheckBox("From", self)
        self.since_edit = QDateEdit(self)
        self.until_edit = QDateEdit(self)
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
            edit.setEnabled(False)
        self.refresh_button = action_button(self, "Refresh", None, "Reload the history (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        self.audit_model = RecordTableModel(AUDIT_COLUMNS, key=lambda a: a.id)
        self.audit_view = record_table(self, self.audit_model, AUDIT_COLUMNS)
        self.audit_view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.audit_count = QLabel("", self)
        audit_page = QWidget(self)
        audit_layout = QVBoxLayout(audit_page)
        audit_layout.setContentsMargins(0, 4, 0, 0)
        audit_layout.addLayout(
            tool_row(
                self.search,
                self.kind_combo,
                self.station_combo,
                self.dates_box,
                self.since_edit,
                QLabel("to", self),
                self.until_edit,
                self.audit_count,
                stretch_after=7,
            )
        )
        audit_layout.addWidget(self.audit_view, 1)
        # Typing searches the database after a pause, not on every key.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.load_audit)
        self.search.textChanged.connect(self._search_timer.start)
        self.kind_combo.currentIndexChanged.connect(self.load_audit)
        self.station_combo.currentIndexChanged.connect(self.load_audit)
        self.dates_box.toggled.connect(self._on_dates_box_toggled)
        self.since_edit.dateChanged.connect(self.load_audit)
        self.until_edit.dateChanged.connect(self.load_audit)

        # -- the other tabs -------------------------------------------------------------------
        self.batch_model = RecordTableModel(BATCH_COLUMNS, key=lambda b: b.reference)
        self.batch_view = record_table(self, self.batch_model, BATCH_COLUMNS)
        self.batch_view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.refund_model = RecordTableModel(REFUND_COLUMNS, key=lambda r: r.label_id)
        self.refund_view = record_table(self, self.refund_model, REFUND_COLUMNS)
        self.reminder_model = RecordTableModel(REMINDER_COLUMNS, key=lambda r: r.label_id)
        self.reminder_view = record_table(self, self.reminder_model, REMINDER_COLUMNS)
        self.reminder_heading = QLabel("", self)
        self.reminder_heading.setObjectName("sectionHeading")
        self.reminder_heading.setWordWrap(True)
        refunds_page = QWidget(self)
        refunds_layout = QVBoxLayout(refunds_page)
        refunds_layout.setContentsMargins(0, 4, 0, 0)
        refunds_layout.addWidget(QLabel("Refunds asked for", self))
        refunds_layout.addWidget(self.refund_view, 1)
        refunds_layout.addWidget(self.reminder_heading)
        refunds_layout.addWidget(self.reminder_view, 1)
        self.pickup_model = RecordTableModel(PICKUP_COLUMNS, key=lambda p: p.id)
        self.pickup_view = record_table(self, self.pickup_model, PICKUP_COLUMNS)
        self.pickup_view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.form_model = RecordTableModel(SCAN_FORM_COLUMNS, key=lambda f: f.id)
        self.form_view = record_table(self, self.form_model, SCAN_FORM_COLUMNS)
        self.form_view.sortByColumn(1, Qt.SortOrder.DescendingOrder)

        self.spend_total = QLabel("", self)
        self.spend_total.setObjectName("sectionHeading")
        self.spend_total.setWordWrap(True)
        self.service_chart = BarChart("By service", self)
        self.group_chart = BarChart("By package group (largest 8)", self)
        self.day_chart = BarChart("By day", self)
        spend_page = QWidget(self)
        spend_layout = QGridLayout(spend_page)
        spend_layout.setContentsMargins(0, 4, 0, 0)
        spend_layout.addWidget(self.spend_total, 0, 0, 1, 2)
        spend_layout.addWidget(self.service_chart, 1, 0)
        spend_layout.addWidget(self.group_chart, 2, 0)
        spend_layout.addWidget(self.day_chart, 1, 1, 2, 1)
        spend_layout.setRowStretch(2, 1)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(audit_page, "Audit log")
        self.tabs.addTab(spend_page, "Spend")
        self.tabs.addTab(self.batch_view, "Batches")
        self.tabs.addTab(refunds_page, "Refunds")
        self.tabs.addTab(self.pickup_view, "Pickups")
        self.tabs.addTab(self.form_view, "SCAN forms")
        self.tabs.setCornerWidget(self.refresh_button)
        self._layout.addWidget(self.tabs, 1)

    # -- loading ------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        history, days, reminder_days = self._history, self._days, self._reminder_days

        def work() -> HistorySnapshot:
            return history.snapshot(days=days, reminder_days=reminder_days)

        self._load(work, self._on_snapshot_loaded, "Load history")
        self.load_audit()

    def audit_filter(self) -> AuditFilter:
        """The filter the audit tab's controls describe."""
        since = until = None
        if self.dates_box.isChecked():
            since = self.since_edit.date().toPython()
            until = self.until_edit.date().toPython()
        return AuditFilter(
            search=self.search.text(),
            kind=self.kind_combo.currentData() or "",
            station=self.station_combo.currentData() or "",
            since=since if isinstance(since, date) else None,
            until=until if isinstance(until, date) else None,
        )

    @Slot()
    def load_audit(self) -> None:
        """Read the audit lines the filters ask for, on a worker (one read at a time)."""
        if self._runner.closing:
            return
        if self._audit_in_flight:
            self._audit_again = True
            return
        self._audit_in_flight = True
        self._audit_again = False
        wanted, history = self.audit_filter(), self._history

        def done(lines: list[AuditLine]) -> None:
            self._audit_in_flight = False
            if self._audit_again:
                self.load_audit()
                return
            self._on_audit_loaded(wanted, lines)

        def failed(exc: BaseException) -> None:
            self._audit_in_flight = False
            self._presenter.present(exc, inline=self.message_bar, action="Load the audit log")

        self._runner.run(lambda: history.audit(wanted), done, failed)

    def _on_audit_loaded(self, wanted: AuditFilter, lines: list[AuditLine]) -> None:
        self.audit_model.set_rows(lines)
        full = len(lines) >= wanted.limit
        more = " (the newest; narrow the filters for older ones)" if full else ""
        self.audit_count.setText(f"{len(lines):,} entries{more}")
        self.audit_loaded.emit(len(lines))

    def _on_snapshot_loaded(self, snapshot: HistorySnapshot) -> None:
        self.batch_model.set_rows(list(snapshot.batches))
        self.refund_model.set_rows(list(snapshot.refunds))
        self.reminder_model.set_rows(list(snapshot.reminders))
        waiting = sum((r.amount_usd for r in snapshot.reminders), Decimal(0))
        self.reminder_heading.setText(
            f"Bought {self._reminder_days}+ days ago and never moved: "
            f"{len(snapshot.reminders):,} labels, {_money(waiting)}. Refund them in Labels & "
            "batches before the 30-day window closes."
            if snapshot.reminders
            else f"No label bought {self._reminder_days}+ days ago is waiting unmoved."
        )
        self.pickup_model.set_rows(list(snapshot.pickups))
        self.form_model.set_rows(list(snapshot.scan_forms))
        self._set_stations(snapshot.stations)
        self._show_spend(snapshot)
        spend = snapshot.spend
        self._announce(
            f"Last {self._days} days: {spend.labels:,} labels, {_money(spend.total_usd)} · "
            f"{len(snapshot.batches):,} batches · {len(snapshot.reminders):,} unmoved labels"
        )
        self.history_loaded.emit(snapshot)

    def _set_stations(self, stations: tuple[str, ...]) -> None:
        current = self.station_combo.currentData()
        known = [self.station_combo.itemData(i) for i in range(1, self.station_combo.count())]
        if list(stations) == known:
            return
        self.station_combo.blockSignals(True)
        self.station_combo.clear()
        self.station_combo.addItem("All stations", _ALL)
        for station in stations:
            self.station_combo.addItem(station, station)
        self.station_combo.setCurrentIndex(max(self.station_combo.findData(current), 0))
        self.station_combo.blockSignals(False)

    def _show_spend(self, snapshot: HistorySnapshot) -> None:
        spend = snapshot.spend
        refunded = (
            f" · {spend.refunded:,} refunded labels ({_money(spend.refunded_usd)}) not counted"
            if spend.refunded
            else ""
        )
        self.spend_total.setText(
            f"Spent in the last {self._days} days: {_money(spend.total_usd)} on "
            f"{spend.labels:,} labels{refunded}"
        )

        def bars(slices: tuple[SpendSlice, ...], limit: int | None = None) -> list[Bar]:
            shown = slices[:limit] if limit else slices
            return [
                Bar(s.title, float(s.amount_usd), f"{_money(s.amount_usd)} · {s.labels:,}")
                for s in shown
            ]

        self.service_chart.set_bars(bars(spend.by_service), "No labels bought yet")
        self.group_chart.set_bars(bars(spend.by_group, 8), "No labels bought yet")
        self.day_chart.set_bars(bars(spend.by_day[-14:]), "No labels bought yet")

    @Slot(bool)
    def _on_dates_box_toggled(self, checked: bool) -> None:
        self.since_edit.setEnabled(checked)
        self.until_edit.setEnabled(checked)
        self.load_audit()

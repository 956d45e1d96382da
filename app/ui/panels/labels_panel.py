"""Labels & batches: each buy run with its counts, its labels (refund eligibility shown), SCAN
forms (create, open the PDF), USPS pickups (schedule, confirm, cancel) and tracking refresh."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.deadline import Deadline
from app.domain.fulfilment import PurchaseState
from app.domain.order_numbers import natural_key
from app.domain.purchase_journal import unrecorded_outlook
from app.domain.usps_services import service_title
from app.infra.settings import PrinterSettings
from app.services.batches import BatchDetail, BatchSummary
from app.services.pickups import PickupRequest, PickupResult
from app.services.print_queue import PrintQueue
from app.services.refunds import RefundCheck, RefundLine, RefundReport
from app.services.scan_forms import PrintedForm, ScanFormResult, ScanFormRun
from app.services.tracking import TrackingLine, TrackingReport
from app.store.pickups_repo import StoredPickup
from app.store.purchases_repo import PurchaseRecord
from app.store.scan_forms_repo import StoredScanForm
from app.store.shipping_repo import LabelFacts
from app.ui.dialogs.confirm import Confirm, confirm_with_box
from app.ui.dialogs.pickup_dialog import PickupDialog
from app.ui.errors import ErrorPresenter, is_known, known_text
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.base import Panel
from app.ui.panels.common import batch_service_text, record_table, reselect, selected_records
from app.ui.tasks import Progress, ProgressEvent, TaskRunner
from app.ui.widgets.message_bar import Tone
from app.ui.widgets.toolbar import action_button, tool_row

# -- what the panel needs of the services ----------------------------------------------------


class BatchesSource(Protocol):
    def today(self, *, days: int = 1) -> list[BatchSummary]: ...

    def show(self, reference: str) -> BatchDetail: ...


class ScanFormsSource(Protocol):
    def for_batch(
        self, batch: str, *, on_progress: Callable[[ScanFormResult], None] | None = None
    ) -> ScanFormRun: ...

    def for_today(
        self,
        *,
        from_address_key: str | None = None,
        on_progress: Callable[[ScanFormResult], None] | None = None,
    ) -> ScanFormRun: ...

    def list(self) -> list[StoredScanForm]: ...

    def print_form(self, form_id: int, printer: str | None = None) -> PrintedForm: ...


class RefundsSource(Protocol):
    def check(self, labels: Sequence[LabelFacts]) -> list[RefundCheck]: ...

    def refund(
        self,
        labels: Sequence[LabelFacts],
        *,
        refresh_tracking: bool = True,
        on_progress: Callable[[RefundLine], None] | None = None,
    ) -> RefundReport: ...


class PickupsSource(Protocol):
    def schedule(self, request: PickupRequest) -> PickupResult: ...

    def confirm(self, pickup_id: int, *, service: str | None = None) -> PickupResult: ...

    def cancel(self, pickup_id: int) -> PickupResult: ...

    def list(self) -> list[StoredPickup]: ...


class TrackingSource(Protocol):
    def refresh(
        self,
        *,
        order_id: int | None = None,
        on_progress: Callable[[TrackingLine], None] | None = None,
    ) -> TrackingReport: ...


#: Seconds a tracking refresh may take overall (app.domain.deadline; the CLI's --deadline).
TRACKING_DEADLINE_S = 120.0


class RelabelSource(Protocol):
    """What the panel needs of app.services.relabel.RelabelService."""

    def needing_relabel(self, order_ids: list[int] | None = None) -> Mapping[int, object]: ...


class PrintQueuesSource(Protocol):
    """app.services.print_queue.PrintQueueService."""

    def labels_to_print(self, batch_id: int, *, reprint: bool = False) -> list[int]: ...

    def queue_for(self, uri_or_name: str | None = None) -> PrintQueue: ...


class PrinterSettingsSource(Protocol):
    def load(self) -> PrinterSettings: ...


AskPickup = Callable[[QWidget, int], PickupRequest | None]


# -- rows -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelRow:
    """A label with its refund eligibility now."""

    facts: LabelFacts
    refund: RefundCheck | None
    #: The order's address changed after this label was bought (app.services.relabel).
    needs_relabel: bool = False


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"${value:,.2f}"


def _when(value: object) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


_SCAN_FORM_WORDS = {"none": "not yet", "partial": "partly", "complete": "done", "n/a": "—"}

BATCH_COLUMNS = (
    Column[BatchSummary]("Batch", lambda b: b.reference, width=120),
    Column[BatchSummary]("Created", lambda b: _when(b.created_at), width=118),
    Column[BatchSummary]("Status", lambda b: b.status, width=65),
    Column[BatchSummary]("Service", lambda b: batch_service_text(b.service_choice), width=212),
    Column[BatchSummary]("Bought", lambda b: b.bought, numeric=True, width=60),
    Column[BatchSummary]("Printed", lambda b: b.printed, numeric=True, width=60),
    Column[BatchSummary]("Shipped", lambda b: b.shipped, numeric=True, width=60),
    Column[BatchSummary](
        "Refunded",
        lambda b: f"{b.refunded}" + (f" (+{b.refund_pending} pending)" if b.refund_pending else ""),
        sort=lambda b: b.refunded + b.refund_pending,
        width=115,  # "0 (+1 pending)" whole
    ),
    Column[BatchSummary](
        "Spent", lambda b: _money(b.spent_usd), sort=lambda b: b.spent_usd, numeric=True, width=90
    ),
    # Labels bought but not recorded yet (kept in the journal until recorded or refunded).
    Column[BatchSummary](
        "Not recorded",
        lambda b: b.unrecorded or "",
        sort=lambda b: b.unrecorded,
        numeric=True,
        width=90,
        foreground=lambda b: "#b00020" if b.unrecorded else None,
    ),
    Column[BatchSummary](
        "SCAN form",
        lambda b: (
            f"{_SCAN_FORM_WORDS.get(b.scan_form_state, b.scan_form_state)}"
            + (f" ({b.on_scan_form} on a form)" if b.on_scan_form else "")
        ),
        foreground=lambda b: "#9a5b00" if b.scan_form_state in ("none", "partial") else None,
    ),
)


def _unrecorded_columns(
    detail: Callable[[], BatchDetail | None],
) -> tuple[Column[PurchaseRecord], ...]:
    """Labels EasyPost sold that the database could not record (kept in the journal)."""

    def order(p: PurchaseRecord) -> str:
        shown = detail()
        return shown.order_numbers.get(p.order_id, str(p.order_id)) if shown else str(p.order_id)

    return (
        Column[PurchaseRecord]("Order", order, width=90),
        Column[PurchaseRecord]("Tracking", lambda p: p.tracking_code or "", width=200),
        Column[PurchaseRecord](
            "Service", lambda p: service_title(p.service) if p.service else "", width=160
        ),
        Column[PurchaseRecord](
            "Cost",
            lambda p: _money(p.amount_usd) if p.amount_usd is not None else "?",
            sort=lambda p: p.amount_usd or Decimal(0),
            numeric=True,
            width=70,
        ),
        Column[PurchaseRecord](
            "State",
            lambda p: "not recorded" if p.state is PurchaseState.UNRECORDED else "refunded",
            foreground=lambda p: "#b00020" if p.state is PurchaseState.UNRECORDED else None,
            width=95,
        ),
        Column[PurchaseRecord]("What happens", lambda p: unrecorded_outlook(p.state, p.error)),
    )


def _refund_text(row: LabelRow) -> str:
    if row.facts.status != "live":
        return row.facts.refund_status or row.facts.status.replace("_", " ")
    if row.refund is None:
        return ""
    return "eligible" if row.refund.eligible else f"no: {row.refund.reason}"


LABEL_COLUMNS = (
    Column[LabelRow](
        "Order",
        lambda r: r.facts.order_external_id,
        sort=lambda r: natural_key(r.facts.order_external_id),
        width=60,
    ),
    Column[LabelRow](
        "Tracking",
        lambda r: (
            f"{r.facts.tracking_code} (needs relabel)" if r.needs_relabel else r.facts.tracking_code
        ),
        tooltip=lambda r: (
            "The order's address changed after this label was bought: "
            "packdesk-cli relabel --order N --yes refunds it and buys a new one"
            if r.needs_relabel
            else ""
        ),
        foreground=lambda r: "#9b2c2c" if r.needs_relabel else None,
        width=178,  # a 22-digit IMpb whole; "(needs relabel)" is in the colour and tooltip
    ),
    # Wide enough for the longest parcel service, "Priority Mail Express International".
    Column[LabelRow]("Service", lambda r: service_title(r.facts.service), width=212),
    Column[LabelRow](
        "Cost",
        lambda r: _money(r.facts.amount_usd),
        sort=lambda r: r.facts.amount_usd,
        numeric=True,
        width=62,
    ),
    Column[LabelRow](
        "Label",
        lambda r: r.facts.status.replace("_", " "),
        tooltip=lambda r: r.facts.status.replace("_", " "),
        foreground=lambda r: None if r.facts.status == "live" else "#9b2c2c",
        width=80,
    ),
    Column[LabelRow]("Shipped", lambda r: _when(r.facts.shipped_at), width=116),
    # Several desks: the station that bought the label, and the one that scanned it. The widths
    # keep every column, Refund included, inside the 1366 px window (test_tables_fit_laptop).
    Column[LabelRow]("Bought at", lambda r: r.facts.bought_station or "", width=72),
    Column[LabelRow]("Shipped at", lambda r: r.facts.shipped_station or "", width=78),
    Column[LabelRow](
        "USPS",
        lambda r: (r.facts.tracking_status or "").replace("_", " "),
        tooltip=lambda r: (r.facts.tracking_status or "").replace("_", " "),
        width=65,
    ),
    Column[LabelRow](
        "SCAN form",
        lambda r: r.facts.scan_form_easypost_id or "",
        tooltip=lambda r: r.facts.scan_form_easypost_id or "",
        width=80,
    ),
    Column[LabelRow](
        "Refund",
        _refund_text,
        tooltip=_refund_text,
        foreground=lambda r: "#1e7b3a" if r.refund and r.refund.eligible else "#718096",
        width=80,  # the stretched last column never shrinks below its starting width
    ),
)

SCAN_FORM_COLUMNS = (
    Column[StoredScanForm]("SCAN form", lambda f: f.easypost_id, width=170),
    Column[StoredScanForm]("Batch", lambda f: f.batch_reference or "today", width=130),
    Column[StoredScanForm]("Status", lambda f: f.status, width=90),
    Column[StoredScanForm]("Labels", lambda f: f.label_count, numeric=True, width=60),
    Column[StoredScanForm]("Created", lambda f: _when(f.created_at), width=125),
    Column[StoredScanForm]("PDF", lambda f: f.form_path or "", tooltip=lambda f: f.form_path or ""),
)

PICKUP_COLUMNS = (
    Column[StoredPickup]("Pickup", lambda p: p.easypost_id or p.id, width=170),
    Column[StoredPickup]("Status", lambda p: p.status, width=90),
    Column[StoredPickup](
        "Window",
        lambda p: f"{p.min_datetime:%a %Y-%m-%d %H:%M}–{p.max_datetime:%H:%M}",
        width=210,
    ),
    Column[StoredPickup]("Packages", lambda p: p.package_count, numeric=True, width=70),
    Column[StoredPickup]("Confirmation", lambda p: p.confirmation or "", width=120),
    Column[StoredPickup]("Cost", lambda p: _money(p.amount_usd), width=70),
    Column[StoredPickup](
        "Instructions", lambda p: p.instructions, tooltip=lambda p: p.instructions
    ),
)

#: Long EasyPost round trips (forms, refunds, pickups, tracking) run one at a time in their own
#: lane, so they never hold up the short writes of the "db-write" lane (the scan station's).
EASYPOST_LANE = "easypost"

_DAYS = (("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30))


@dataclass(frozen=True, slots=True)
class _Overview:
    batches: list[BatchSummary]
    forms: list[StoredScanForm]
    pickups: list[StoredPickup]


@dataclass(frozen=True, slots=True)
class _DetailLoad:
    detail: BatchDetail
    rows: list[LabelRow]


class LabelsPanel(Panel):
    """Batches, labels, SCAN forms, refunds, pickups, tracking.

    Signals:
        overview_loaded(int): the number of batches shown after a refresh.
        batch_loaded(object): the BatchDetail of the selected batch.
        scan_form_done(object): a ScanFormRun.
        refund_done(object): a RefundReport.
        pickup_done(object): a PickupResult (scheduled, confirmed or cancelled).
        tracking_done(object): a TrackingReport.
        batch_printing(int): how many labels of a batch were queued by Print batch.
    """

    title = "Labels & batches"
    overview_loaded = Signal(int)
    batch_loaded = Signal(object)
    scan_form_done = Signal(object)
    refund_done = Signal(object)
    pickup_done = Signal(object)
    tracking_done = Signal(object)
    batch_printing = Signal(int)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        batches: BatchesSource,
        scan_forms: ScanFormsSource,
        refunds: RefundsSource,
        pickups: PickupsSource,
        tracking: TrackingSource,
        queues: PrintQueuesSource | None = None,
        printers: PrinterSettingsSource | None = None,
        relabel: RelabelSource | None = None,
        confirm: Confirm = confirm_with_box,
        ask_pickup: AskPickup = PickupDialog.ask,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, presenter, parent)
        self._batches = batches
        self._scan_forms = scan_forms
        self._refunds = refunds
        self._pickups = pickups
        self._tracking = tracking
        self._queues = queues
        self._printers = printers
        self._relabel = relabel
        self.confirm = confirm
        self.ask_pickup = ask_pickup
        self._detail: BatchDetail | None = None
        self._detail_generation = 0

        self.days_combo = QComboBox(self)
        for text, days in _DAYS:
            self.days_combo.addItem(text, days)
        self.days_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh_button = action_button(self, "Refresh", None, "Reload (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        self.tracking_button = action_button(
            self, "Refresh tracking", "Ctrl+T", "Ask USPS (through EasyPost) where parcels are"
        )
        self.tracking_button.clicked.connect(self.refresh_tracking)
        self.today_form_button = action_button(
            self, "SCAN form for today", None, "One form per ship-from for today's labels"
        )
        self.today_form_button.clicked.connect(self.create_scan_form_for_today)
        self._layout.addLayout(
            tool_row(
                self.days_combo,
                self.refresh_button,
                self.tracking_button,
                self.today_form_button,
                stretch_after=1,
            )
        )

        self.batch_model = RecordTableModel(BATCH_COLUMNS, key=lambda b: b.reference)
        self.batch_view = record_table(self, self.batch_model, BATCH_COLUMNS, multi_select=False)
        self.batch_view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.batch_view.selectionModel().selectionChanged.connect(self._on_batch_selected)

        # Labels of the selected batch.
        self.label_model = RecordTableModel(LABEL_COLUMNS, key=lambda r: r.facts.label_id)
        self.label_view = record_table(self, self.label_model, LABEL_COLUMNS)
        self.label_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.batch_heading = QLabel("Select a batch to see its labels.", self)
        self.batch_heading.setObjectName("sectionHeading")
        self.refund_button = action_button(
            self, "Refund selected…", None, "Ask for refunds of the selected unused labels"
        )
        self.refund_batch_button = action_button(
            self, "Refund batch…", None, "Ask for refunds of every eligible label of the batch"
        )
        self.batch_form_button = action_button(
            self, "Create SCAN form", None, "A SCAN form for the batch's labels"
        )
        self.refund_button.clicked.connect(self.refund_selected)
        self.refund_batch_button.clicked.connect(self.refund_batch)
        self.batch_form_button.clicked.connect(self.create_scan_form_for_batch)
        self.print_batch_button = action_button(
            self, "Print batch", None, "Queue the batch's labels that never printed"
        )
        self.print_batch_button.clicked.connect(self.print_batch)
        labels_tab = QWidget(self)
        labels_layout = QVBoxLayout(labels_tab)
        labels_layout.setContentsMargins(0, 6, 0, 0)
        labels_layout.addLayout(
            tool_row(
                self.batch_heading,
                self.print_batch_button,
                self.batch_form_button,
                self.refund_button,
                self.refund_batch_button,
                stretch_after=0,
            )
        )
        labels_layout.addWidget(self.label_view, 1)

        # SCAN forms.
        self.form_model = RecordTableModel(SCAN_FORM_COLUMNS, key=lambda f: f.id)
        self.form_view = record_table(self, self.form_model, SCAN_FORM_COLUMNS, multi_select=False)
        self.form_view.sortByColumn(4, Qt.SortOrder.DescendingOrder)
        self.form_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.form_view.activated.connect(lambda _index: self.open_selected_form())
        self.open_form_button = action_button(self, "Open PDF", None, "Open the SCAN form PDF")
        self.open_form_button.clicked.connect(self.open_selected_form)
        forms_tab = QWidget(self)
        forms_layout = QVBoxLayout(forms_tab)
        forms_layout.setContentsMargins(0, 6, 0, 0)
        forms_layout.addLayout(tool_row(self.open_form_button))
        forms_layout.addWidget(self.form_view, 1)

        # Pickups.
        self.pickup_model = RecordTableModel(PICKUP_COLUMNS, key=lambda p: p.id)
        self.pickup_view = record_table(self, self.pickup_model, PICKUP_COLUMNS, multi_select=False)
        self.pickup_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.schedule_button = action_button(self, "Schedule pickup…", None, "Ask USPS to come")
        self.confirm_pickup_button = action_button(self, "Confirm", None, "Book the pickup")
        self.cancel_pickup_button = action_button(self, "Cancel pickup", None, "")
        self.schedule_button.clicked.connect(self.schedule_pickup)
        self.confirm_pickup_button.clicked.connect(self.confirm_selected_pickup)
        self.cancel_pickup_button.clicked.connect(self.cancel_selected_pickup)
        pickups_tab = QWidget(self)
        pickups_layout = QVBoxLayout(pickups_tab)
        pickups_layout.setContentsMargins(0, 6, 0, 0)
        pickups_layout.addLayout(
            tool_row(self.schedule_button, self.confirm_pickup_button, self.cancel_pickup_button)
        )
        pickups_layout.addWidget(self.pickup_view, 1)

        # Bought but not recorded (money spent that the database does not hold yet).
        columns = _unrecorded_columns(lambda: self._detail)
        self.unrecorded_model = RecordTableModel(columns, key=lambda p: p.id)
        self.unrecorded_view = record_table(self, self.unrecorded_model, columns)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(labels_tab, "Labels")
        self.tabs.addTab(forms_tab, "SCAN forms")
        self.tabs.addTab(pickups_tab, "Pickups")
        self._unrecorded_tab = self.tabs.addTab(self.unrecorded_view, "Not recorded")

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.batch_view)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        self._layout.addWidget(splitter, 1)
        self._update_buttons()

    # -- loading ------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        batches = self._batches
        days = int(self.days_combo.currentData() or 1)

        def fetch() -> list[BatchSummary]:
            return batches.today(days=days)

        self._load(fetch, self._on_batches_loaded, "Load batches")

    def _on_batches_loaded(self, loaded: list[BatchSummary]) -> None:
        selected = {b.reference for b in selected_records(self.batch_view, self.batch_model)}
        self.batch_model.set_rows(loaded)
        if selected:
            reselect(self.batch_view, self.batch_model, selected, lambda b: b.reference)
        elif loaded:
            self.batch_view.selectRow(0)
        self._update_buttons()
        self._load_forms_and_pickups(loaded)

    def _load_forms_and_pickups(self, batches: list[BatchSummary]) -> None:
        # Separate from the batches: these services talk to EasyPost, so building them needs
        # the API key; a desk without one still sees its batches and labels.
        forms, pickups = self._scan_forms, self._pickups
        if self._runner.closing:
            return

        def fetch() -> _Overview:
            return _Overview(batches, forms.list(), pickups.list())

        def failed(exc: BaseException) -> None:
            if not is_known(exc):
                self._presenter.present(exc, action="List SCAN forms and pickups")
                return
            message, hint = known_text(exc)
            self.message_bar.show_message(
                f"SCAN forms and pickups cannot be listed: {message}", Tone.WARNING, hint
            )
            self._on_overview_loaded(_Overview(batches, [], []))

        self._runner.run(fetch, self._on_overview_loaded, failed)

    def _on_overview_loaded(self, overview: _Overview) -> None:
        forms = {f.id for f in selected_records(self.form_view, self.form_model)}
        pickups = {p.id for p in selected_records(self.pickup_view, self.pickup_model)}
        self.form_model.set_rows(overview.forms)
        self.pickup_model.set_rows(overview.pickups)
        reselect(self.form_view, self.form_model, forms, lambda f: f.id)
        reselect(self.pickup_view, self.pickup_model, pickups, lambda p: p.id)
        bought = sum(b.bought for b in overview.batches)
        spent = sum((b.spent_usd for b in overview.batches), Decimal(0))
        self._announce(
            f"{len(overview.batches):,} batches · {bought:,} labels · {_money(spent)} · "
            f"{len(overview.forms):,} SCAN forms · {len(overview.pickups):,} pickups"
        )
        self.overview_loaded.emit(len(overview.batches))
        self._update_buttons()

    def selected_batch(self) -> BatchSummary | None:
        rows = selected_records(self.batch_view, self.batch_model)
        return rows[0] if rows else None

    @Slot()
    def _on_batch_selected(self) -> None:
        batch = self.selected_batch()
        if batch is not None:
            self.load_batch(batch.reference)
        self._update_buttons()

    def load_batch(self, reference: str) -> None:
        if self._runner.closing:
            return
        batches, refunds, relabel = self._batches, self._refunds, self._relabel
        self._detail_generation += 1
        generation = self._detail_generation

        def fetch() -> _DetailLoad:
            detail = batches.show(reference)
            checks = {c.label_id: c for c in refunds.check(detail.labels)}
            needs = relabel.needing_relabel([f.order_id for f in detail.labels]) if relabel else {}
            rows = [LabelRow(f, checks.get(f.label_id), f.order_id in needs) for f in detail.labels]
            return _DetailLoad(detail, rows)

        def done(load: _DetailLoad) -> None:
            if generation == self._detail_generation:
                self._show_detail(load)

        self._runner.run(fetch, done, self._on_error("Load the batch", user_action=False))

    def _show_detail(self, load: _DetailLoad) -> None:
        self._detail = load.detail
        self.label_model.set_rows(load.rows)
        kept = list(load.detail.unrecorded)
        self.unrecorded_model.set_rows(kept)
        self.tabs.setTabText(
            self._unrecorded_tab, f"Not recorded ({len(kept)})" if kept else "Not recorded"
        )
        s = load.detail.summary
        eligible = sum(1 for r in load.rows if r.refund and r.refund.eligible)
        self.batch_heading.setText(
            f"{s.reference}: {s.bought} labels, {_money(s.spent_usd)}; {s.shipped} shipped; "
            f"{eligible} could be refunded"
            + (
                f"; {s.unrecorded} bought but not recorded yet (the next buy records or "
                "refunds them)"
                if s.unrecorded
                else ""
            )
        )
        self.batch_model.replace_row(s)
        self._update_buttons()
        self.batch_loaded.emit(load.detail)

    def _update_buttons(self) -> None:
        has_batch = self._detail is not None and self.selected_batch() is not None
        rows = selected_records(self.label_view, self.label_model)
        self.refund_button.setEnabled(any(r.refund and r.refund.eligible for r in rows))
        self.refund_batch_button.setEnabled(
            has_batch and any(r.refund and r.refund.eligible for r in self.label_model.rows())
        )
        batch = self.selected_batch()
        self.batch_form_button.setEnabled(batch is not None and batch.manifestable > 0)
        self.print_batch_button.setEnabled(
            self._queues is not None and has_batch and bool(self.label_model.rows())
        )
        forms = selected_records(self.form_view, self.form_model)
        self.open_form_button.setEnabled(bool(forms) and bool(forms[0].form_path))
        pickups = selected_records(self.pickup_view, self.pickup_model)
        status = pickups[0].status if pickups else ""
        self.confirm_pickup_button.setEnabled(status not in ("", "scheduled", "canceled"))
        self.cancel_pickup_button.setEnabled(status not in ("", "canceled"))

    def _after_change(self) -> None:
        self._changed()
        self.refresh()
        batch = self.selected_batch()
        if batch is not None:
            self.load_batch(batch.reference)

    # -- SCAN forms ---------------------------------------------------------------------------

    @Slot()
    def create_scan_form_for_batch(self) -> None:
        batch = self.selected_batch()
        if batch is None:
            return
        forms, reference = self._scan_forms, batch.reference
        self._run_scan_form(lambda: forms.for_batch(reference), f"SCAN form for {reference}")

    @Slot()
    def create_scan_form_for_today(self) -> None:
        forms = self._scan_forms
        self._run_scan_form(forms.for_today, "SCAN form for today")

    def _run_scan_form(self, work: Callable[[], ScanFormRun], action: str) -> None:
        self.message_bar.show_message(f"{action}: asking EasyPost…", Tone.INFO)

        def done(run: ScanFormRun) -> None:
            made = [f for f in run.forms if f.status != "failed"]
            text = f"{action}: {len(made)} form(s) with {sum(f.label_count for f in made)} labels."
            if run.excluded:
                text += f" {len(run.excluded)} label(s) left off (see the Labels tab)."
            tone = Tone.WARNING if run.failed or run.excluded else Tone.SUCCESS
            hint = "; ".join(f.message for f in run.failed if f.message)
            self.message_bar.show_message(text, tone, hint)
            self.tabs.setCurrentIndex(1)
            self.scan_form_done.emit(run)
            self._after_change()

        self._runner.run(work, done, self._on_error(action), lane=EASYPOST_LANE)

    @Slot()
    def open_selected_form(self) -> None:
        forms = selected_records(self.form_view, self.form_model)
        if not forms:
            return
        service, form_id = self._scan_forms, forms[0].id

        def work() -> PrintedForm:
            return service.print_form(form_id)

        def done(printed: PrintedForm) -> None:
            self.message_bar.show_message(f"Opened {printed.path.name}.", Tone.INFO)

        self._runner.run(work, done, self._on_error("Open the SCAN form"))

    # -- printing -----------------------------------------------------------------------------

    @Slot()
    def print_batch(self) -> None:
        """Queue the selected batch's live labels that were never printed (default printer)."""
        queues, printers, detail = self._queues, self._printers, self._detail
        if queues is None or detail is None or not detail.labels:
            return
        batch_id = detail.labels[0].batch_id
        if batch_id is None:
            return
        reference = detail.summary.reference

        def work() -> tuple[str, int]:
            uri = printers.load().resolve(None).uri if printers is not None else None
            queue = queues.queue_for(uri)
            labels = queues.labels_to_print(batch_id)
            for label_id in labels:
                queue.enqueue(label_id)
            return queue.name, len(labels)

        def done(result: tuple[str, int]) -> None:
            printer, count = result
            self.message_bar.show_message(
                f"{reference}: {count} label(s) queued on {printer}."
                if count
                else f"{reference}: every label was printed (or queued) already.",
                Tone.SUCCESS if count else Tone.INFO,
                "Reprint single labels from the Print queue." if not count else "",
            )
            self.batch_printing.emit(count)
            self._changed()

        self._runner.run(work, done, self._on_error("Print the batch"), lane="print-batch")

    # -- refunds ------------------------------------------------------------------------------

    @Slot()
    def refund_selected(self) -> None:
        rows = selected_records(self.label_view, self.label_model)
        self._refund(rows, "Refund selected labels")

    @Slot()
    def refund_batch(self) -> None:
        self._refund(self.label_model.rows(), "Refund the batch")

    def _refund(self, rows: list[LabelRow], action: str) -> None:
        eligible = [r for r in rows if r.refund is not None and r.refund.eligible]
        refused = [r for r in rows if r.refund is not None and not r.refund.eligible]
        if not eligible:
            self.message_bar.show_message(
                "None of these labels can be refunded.",
                Tone.WARNING,
                "; ".join(sorted({r.refund.reason for r in refused if r.refund}))[:300],
            )
            return
        amount = sum((r.facts.amount_usd for r in eligible), Decimal(0))
        text = f"Ask USPS to refund {len(eligible)} unused label(s), {_money(amount)}?"
        if refused:
            text += f"\n\n{len(refused)} other label(s) cannot be refunded and are left alone."
        text += "\n\nA refunded label must not be used: throw the printed label away."
        if not self.confirm(self, action, text):
            return
        service = self._refunds
        labels = [r.facts for r in eligible]

        def work(progress: Progress) -> RefundReport:
            return service.refund(
                labels,
                on_progress=lambda line: progress(0, len(labels), f"{line.order}: {line.status}"),
            )

        def on_progress(event: ProgressEvent) -> None:
            self.message_bar.show_message(f"{action}: {event.message}", Tone.INFO)

        def done(report: RefundReport) -> None:
            submitted = len(report.submitted)
            text = f"{action}: {submitted} submitted ({_money(report.amount_usd)})."
            if report.refused:
                text += f" {len(report.refused)} refused."
            reasons = "; ".join(sorted({line.reason for line in report.refused if line.reason}))
            tone = Tone.WARNING if report.refused else Tone.SUCCESS
            self.message_bar.show_message(text, tone, reasons[:300])
            self.refund_done.emit(report)
            self._after_change()

        self._runner.run_with_progress(
            work, done, self._on_error(action), on_progress, lane=EASYPOST_LANE
        )

    # -- pickups ------------------------------------------------------------------------------

    @Slot()
    def schedule_pickup(self) -> None:
        batch = self.selected_batch()
        suggested = batch.bought - batch.refunded - batch.refund_pending if batch is not None else 1
        request = self.ask_pickup(self, max(suggested, 1))
        if request is None:
            return
        service = self._pickups
        self._pickup_call(lambda: service.schedule(request), "Schedule a pickup")

    @Slot()
    def confirm_selected_pickup(self) -> None:
        pickups = selected_records(self.pickup_view, self.pickup_model)
        if pickups:
            service, pickup_id = self._pickups, pickups[0].id
            self._pickup_call(lambda: service.confirm(pickup_id), "Confirm the pickup")

    @Slot()
    def cancel_selected_pickup(self) -> None:
        pickups = selected_records(self.pickup_view, self.pickup_model)
        if pickups and self.confirm(self, "Cancel pickup", "Cancel this USPS pickup?"):
            service, pickup_id = self._pickups, pickups[0].id
            self._pickup_call(lambda: service.cancel(pickup_id), "Cancel the pickup")

    def _pickup_call(self, work: Callable[[], PickupResult], action: str) -> None:
        def done(result: PickupResult) -> None:
            pickup = result.pickup
            rates = ", ".join(f"{r.service} {_money(r.amount)}" for r in result.rates)
            text = f"{action}: pickup {pickup.easypost_id or pickup.id} is {pickup.status}."
            if pickup.confirmation:
                text += f" Confirmation {pickup.confirmation}."
            hint = f"Rates: {rates}. Press Confirm to book it." if rates else ""
            self.message_bar.show_message(text, Tone.SUCCESS, hint)
            self.tabs.setCurrentIndex(2)
            self.pickup_done.emit(result)
            self.refresh()
            self._select_pickup(pickup.id)

        self._runner.run(work, done, self._on_error(action), lane=EASYPOST_LANE)

    def _select_pickup(self, pickup_id: int) -> None:
        def select(_count: int) -> None:
            self.overview_loaded.disconnect(select)
            reselect(self.pickup_view, self.pickup_model, {pickup_id}, lambda p: p.id)
            self._update_buttons()

        self.overview_loaded.connect(select)

    # -- tracking -----------------------------------------------------------------------------

    @Slot()
    def refresh_tracking(self) -> None:
        service = self._tracking
        self.tracking_button.setEnabled(False)

        def work(progress: Progress) -> TrackingReport:
            seen = 0

            def step(line: TrackingLine) -> None:
                nonlocal seen
                seen += 1
                progress(seen, None, f"{line.order}: {line.status}")

            with Deadline(TRACKING_DEADLINE_S, what="EasyPost (tracking)").scope():
                return service.refresh(on_progress=step)

        def on_progress(event: ProgressEvent) -> None:
            self.message_bar.show_message(
                f"Refreshing tracking… {event.done} label(s) so far", Tone.INFO
            )

        def done(report: TrackingReport) -> None:
            self.tracking_button.setEnabled(True)
            text = (
                f"Tracking refreshed for {len(report.lines)} label(s): {report.shipped} newly "
                f"shipped, {report.delivered} delivered."
            )
            if report.errors:
                text += f" {report.errors} could not be refreshed."
            self.message_bar.show_message(text, Tone.WARNING if report.errors else Tone.SUCCESS)
            self.tracking_done.emit(report)
            self._after_change()

        def failed(exc: BaseException) -> None:
            self.tracking_button.setEnabled(True)
            self._on_error("Refresh tracking")(exc)

        self._runner.run_with_progress(work, done, failed, on_progress, lane=EASYPOST_LANE)

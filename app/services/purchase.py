"""Buying labels: pre-flight, the purchase journal, bounded concurrency, reconciliation, resume.

The journal makes money safe. For each order, in this order:

1. `intent` is committed (order, batch, a unique reference) before any call;
2. the shipment is created with that reference; `created` commits its id and the chosen rate;
3. `buying` is committed, then the buy call is made;
4. the label, the order's status and tracking number and an audit entry commit together
   (`bought`); label files are fetched afterwards (a crash there leaves a label without files,
   which the next run fetches).

Buying is a two-stage pipeline. Stage 1 (address check, `intent`, create, `created`) runs on
its own pool; stage 2 (`buying`, the buy call, the label) runs on the buy pool, whose size is
the `concurrency` setting: the purchases in flight (money calls) stay bounded by it. Stage 2
starts on the first shipment created, and at most `LOOKAHEAD_FACTOR x concurrency` orders are
between admission to stage 1 and the end of their buy, so creates never run far ahead of buys
(a cancelled run leaves few unbought shipments, and their rates do not go stale). Cancel stops
admitting orders to either stage; a shipment created but not bought stays a `created` row, which
the next run buys on that same shipment (creating a shipment spends nothing).

A lost answer leaves the row `unknown`. Every run first reconciles all open rows with EasyPost
(retrieve the shipment; when no shipment id was recorded, list shipments by date and match the
reference) and only then buys. A row whose shipment exists unbought is bought on that same
shipment, so repeating cannot buy twice (EasyPost sells one label per shipment), unless the
selection now asks for another service: then the old shipment is never bought. A row that is not
to be bought (blocked, other service) is abandoned at once only if no buy was ever sent for it;
one that reached `buying` stays open until a look-up ABANDON_AFTER past that buy finds nothing.
Nothing after the `bought` commit turns a label into a failure (file or receiver errors are
reported, the label stays bought). One buyer per database at a time (a file lock), and the
database refuses a second live label per order.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from app.domain.delivery_target import TransitTimes
from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import BatchStatus, PurchaseState
from app.domain.orders import Address
from app.domain.tax_ids import TaxIdentifier
from app.infra.file_lock import ExclusiveFileLock
from app.postage.models import (
    CustomsSpec,
    LabelFormat,
    ParcelSpec,
    PurchasedLabel,
    ShipmentOptions,
    ShipmentQuote,
    ShipmentRecord,
)
from app.services.audit import AuditAction, AuditLog
from app.services.buy_plan import Plan, PlannedOrder, Selection, rate_request_for, resolve_plan
from app.services.clock import Clock, utc_now
from app.services.label_files import LabelFiles
from app.services.preflight import (
    ALREADY_LABELLED,
    BlockedOrder,
    PreflightReport,
    PreflightService,
    from_address_key,
)
from app.store import Store, StoreTransaction
from app.store.batches_repo import BatchRecord
from app.store.labels_repo import LabelRecord, NewLabel
from app.store.purchases_repo import PurchaseRecord

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64
#: Orders in the pipeline (creating, created and waiting, buying) per buy worker. Two keeps the
#: buy pool fed while the creates for the next round run, and bounds what a cancel leaves unbought.
LOOKAHEAD_FACTOR = 2
#: How far around a journal row's time to look for its shipment by reference.
RECONCILE_WINDOW = timedelta(minutes=10)
#: A row that reached `buying` is given up (ABANDONED) only when a look-up this long after its
#: last buy step finds nothing bought: a buy whose answer was lost may still complete at EasyPost
#: for a while, and abandoning frees the order for another label. Younger rows stay open.
ABANDON_AFTER = timedelta(minutes=10)


class PurchaseGateway(Protocol):
    """What buying needs of the EasyPost gateway."""

    def create_shipment(
        self,
        *,
        to_address: Address,
        from_address: Address | str,
        parcel: ParcelSpec,
        options: ShipmentOptions | None = None,
        customs: CustomsSpec | None = None,
        reference: str = "",
        tax_identifiers: tuple[TaxIdentifier, ...] = (),
    ) -> ShipmentQuote: ...

    def smart_rates(self, shipment_id: str) -> tuple[TransitTimes, ...]: ...

    def buy(
        self,
        shipment_id: str,
        rate_id: str,
        *,
        insurance: Decimal | None = None,
        reference: str = "",
        label_format: str | None = None,
    ) -> PurchasedLabel: ...

    def reconcile(self, shipment_id: str) -> ShipmentRecord: ...

    def list_shipments(
        self,
        start: datetime,
        end: datetime,
        *,
        purchased: bool | None = True,
        page_size: int = 100,
    ) -> Iterator[ShipmentRecord]: ...


@dataclass(frozen=True, slots=True)
class LabelInfo:
    """A label just bought, as the print queue and the UI need it."""

    label_id: int
    order_id: int
    external_id: str
    group_id: str
    batch_id: int
    batch_reference: str
    tracking_code: str
    service: str
    amount_usd: Decimal
    label_format: str
    label_path: str | None
    preview_path: str | None
    sequence: int  # position in group order within the selection


@dataclass(frozen=True, slots=True)
class FailedOrder:
    """An order whose label was not bought in this run, and why."""

    order_id: int
    external_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class BuyProgress:
    """Where a buy run is; `spent` counts labels bought in this run."""

    total: int
    done: int
    failed: int
    remaining: int
    spent: Decimal


@dataclass(frozen=True, slots=True)
class BuyResult:
    """What a buy run did."""

    batch_id: int
    batch_reference: str
    bought: tuple[LabelInfo, ...]
    blocked: tuple[BlockedOrder, ...]
    failed: tuple[FailedOrder, ...]
    unknown: tuple[FailedOrder, ...]  # answer lost and not yet reconcilable: run again
    not_started: tuple[int, ...]  # order ids left when cancelled
    skipped: tuple[int, ...]  # already held a live label before this run
    spent: Decimal  # this run
    batch_spent: Decimal  # the whole batch so far
    reconciled: int  # open journal rows resolved before buying
    cancelled: bool
    delivery_errors: tuple[str, ...] = ()  # labels the on_label_bought receiver refused

    @property
    def complete(self) -> bool:
        return not self.unknown and not self.not_started and not self.cancelled


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """Open journal rows looked at: what became of them."""

    bought: tuple[LabelInfo, ...]
    resumable: tuple[PurchaseRecord, ...]  # shipment exists unbought: buy it, not another
    abandoned: tuple[PurchaseRecord, ...]  # nothing exists at EasyPost: safe to start over
    unresolved: tuple[PurchaseRecord, ...]  # EasyPost could not be asked: still unknown


OnLabelBought = Callable[[LabelInfo], None]
OnProgress = Callable[[BuyProgress], None]


class BuyerLock:
    """One buyer per database: an exclusive OS file lock beside the database file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = ExclusiveFileLock(path)

    def acquire(self) -> None:
        """Raises AppError CONFLICT when another buyer (any process) holds this database."""
        if not self._lock.try_acquire():
            raise AppError(
                "Another purchase is running on this database.",
                hint="Wait for it to finish (or close the other window), then run the buy again.",
                kind=ErrorKind.CONFLICT,
                details={"lock": str(self.path)},
            )

    def release(self) -> None:
        self._lock.release()


class _InOrder:
    """Hands bought labels on in group order, whatever order the buys finish in."""

    def __init__(self, sequences: Sequence[int], deliver: OnLabelBought | None) -> None:
        self._pending = list(sequences)
        self._resolved: dict[int, LabelInfo | None] = {}
        self._deliver = deliver
        self._lock = threading.Lock()
        self.errors: list[str] = []

    def resolve(self, sequence: int, label: LabelInfo | None) -> None:
        with self._lock:
            self._resolved[sequence] = label
            while self._pending and self._pending[0] in self._resolved:
                ready = self._resolved.pop(self._pending.pop(0))
                if ready is not None:
                    self.deliver(ready)

    def deliver(self, label: LabelInfo) -> None:
        if self._deliver is None:
            return
        try:
            self._deliver(label)
        except AppError as error:
            # The label is bought and recorded; the receiver (print queue) refused it.
            # Reported in the result; buying goes on.
            log.error("label %s not handed on: %s", label.tracking_code, error)
            self.errors.append(f"{label.tracking_code}: {error.message}")
        except Exception as error:
            # An unexpected receiver error (e.g. sqlite "database is locked" in the queue) must
            # not strand this label nor the labels waiting behind it: logged, reported, go on.
            log.exception("label %s not handed on: unexpected error", label.tracking_code)
            self.errors.append(f"{label.tracking_code}: internal error: {error!r}")


class PurchaseService:
    """Buys labels for a selection; the same call again finishes an interrupted run."""

    def __init__(
        self,
        store: Store,
        gateway: PurchaseGateway,
        preflight: PreflightService,
        label_files: LabelFiles,
        audit: AuditLog,
        clock: Clock = utc_now,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        create_concurrency: int | None = None,
        lookahead: int | None = None,
        label_format: LabelFormat = "PNG",
        customs_signer: str = "",
    ) -> None:
        self._store = store
        self._gateway = gateway
        self._preflight = preflight
        self._files = label_files
        self._audit = audit
        self._clock = clock
        self.concurrency = concurrency
        #: Shipment creates in flight (stage 1); None = the same as the buy concurrency.
        self.create_concurrency = create_concurrency
        #: Orders between admission to stage 1 and the end of their buy; None = LOOKAHEAD_FACTOR
        #: x the buy concurrency. 1 makes a strictly sequential loop (the benchmarks' reference).
        self.lookahead = lookahead
        self.label_format: LabelFormat = label_format
        self._signer = customs_signer
        self._lock = BuyerLock(Path(f"{store.path}.buy.lock"))

    # -- planning ---------------------------------------------------------------------------

    def plan(self, selection: Selection) -> Plan:
        return resolve_plan(self._store, selection)

    def preflight(self, selection: Selection, *, verify_addresses: bool = True) -> PreflightReport:
        return self._preflight.check(self.plan(selection), verify_addresses=verify_addresses)

    # -- buying -----------------------------------------------------------------------------

    def buy(
        self,
        selection: Selection,
        *,
        concurrency: int | None = None,
        progress: OnProgress | None = None,
        cancel: threading.Event | None = None,
        on_label_bought: OnLabelBought | None = None,
        verify_addresses: bool = True,
        create_concurrency: int | None = None,
    ) -> BuyResult:
        """Buy a label for every order of `selection` that passes pre-flight.

        Open journal rows are reconciled first; orders holding a live label are never bought
        again. `concurrency` bounds the buys in flight, `create_concurrency` the shipment
        creates (default: the same number). `cancel` stops starting new creates and buys; those
        in flight finish and are recorded; shipments created but not bought stay `created` rows
        that the next run buys on the same shipment.

        Raises:
            AppError: CONFLICT when another buyer holds this database; INVALID_INPUT /
                NOT_FOUND for a selection that cannot be resolved. An order's own problems are
                reported in the result, never raised.
        """
        workers = concurrency or self.concurrency
        creators = create_concurrency or self.create_concurrency or workers
        for name, value in (("Concurrency", workers), ("Create concurrency", creators)):
            if not 1 <= value <= MAX_CONCURRENCY:
                raise AppError(
                    f"{name} {value} is out of range.",
                    hint=f"Use 1 to {MAX_CONCURRENCY}.",
                    kind=ErrorKind.INVALID_INPUT,
                )
        cancel = cancel or threading.Event()
        self._lock.acquire()
        try:
            return self._buy_locked(
                selection, workers, creators, progress, cancel, on_label_bought, verify_addresses
            )
        finally:
            self._lock.release()

    def _buy_locked(
        self,
        selection: Selection,
        workers: int,
        creators: int,
        progress: OnProgress | None,
        cancel: threading.Event,
        on_label_bought: OnLabelBought | None,
        verify_addresses: bool,
    ) -> BuyResult:
        plan = self.plan(selection)
        planned_by_id = {p.order_id: p for p in plan.orders}
        batch = self._open_batch(selection, plan, workers)
        reconciled = self._reconcile_locked(batch_reference=batch.reference, planned=planned_by_id)
        handed_on = _InOrder([], on_label_bought)
        for info in sorted(reconciled.bought, key=lambda label: label.sequence):
            if info.order_id in planned_by_id:
                handed_on.deliver(info)
        # Addresses are verified per order by the workers (cached), so the first label is
        # bought at once instead of after every address of the selection was verified.
        report = self._preflight.check(plan, verify_addresses=False)
        reconciled_ids = {label.order_id for label in reconciled.bought}
        skipped = tuple(b.order_id for b in report.blocked if b.reasons == (ALREADY_LABELLED,))
        blocked = tuple(b for b in report.blocked if b.reasons != (ALREADY_LABELLED,))
        unresolved = {p.order_id: p for p in reconciled.unresolved}
        ready = tuple(p for p in report.ready if p.order_id not in unresolved)
        resumable = {p.order_id: p for p in reconciled.resumable}
        blocked_ids = {b.order_id for b in blocked}
        for order_id, purchase in list(resumable.items()):
            if order_id in blocked_ids:  # pre-flight fails now: buy nothing for it
                self._set_aside(purchase, "blocked by pre-flight")
                del resumable[order_id]
        if blocked:
            with self._store.transaction(write=True) as tx:
                for item in blocked:
                    self._audit.record_in(
                        tx,
                        AuditAction.PURCHASE_BLOCKED,
                        order_id=item.order_id,
                        batch_id=batch.id,
                        details={"reasons": list(item.reasons)},
                    )
        run = _Run(self, plan, batch, ready, progress, on_label_bought, cancel, verify_addresses)
        run.report()
        if ready:
            run.pipeline(
                ready,
                resumable,
                buy_workers=workers,
                create_workers=creators,
                lookahead=max(1, self.lookahead or LOOKAHEAD_FACTOR * workers),
            )
        # A last look at answers lost during this run (the gateway already retried the buy).
        unknown = run.retry_unknown() + tuple(
            FailedOrder(
                order_id,
                planned_by_id[order_id].order.external_id,
                "an earlier purchase could not be reconciled yet",
            )
            for order_id in unresolved
            if order_id in planned_by_id
        )
        finished = self._clock()
        with self._store.transaction(write=True) as tx:
            batch_spent = tx.batches.recompute_spent(batch.id)
            if cancel.is_set():
                status = BatchStatus.CANCELLED
            elif unknown or run.not_started or run.internal_errors:
                # An internal error may have left its row open (`buying`): like an unknown, the
                # batch stays resumable, so the same buy again resumes it instead of a new batch.
                status = BatchStatus.BUYING
            else:
                status = BatchStatus.DONE
            tx.batches.set_status(
                batch.id, status, finished_at=None if status is BatchStatus.BUYING else finished
            )
            self._audit.record_in(
                tx,
                AuditAction.of("batch", status.value, AuditAction.BATCH_DONE),
                batch_id=batch.id,
                details={
                    "bought": len(run.bought) + len(reconciled_ids),
                    "failed": len(run.failed),
                    "blocked": len(blocked) + len(run.blocked),
                    "unknown": len(unknown),
                    "spent": str(run.spent),
                },
            )
        mine = tuple(label for label in reconciled.bought if label.order_id in planned_by_id)
        bought = tuple(sorted(mine + tuple(run.bought), key=lambda label: label.sequence))
        position = {p.order_id: p.sequence for p in plan.orders}
        blocked = tuple(
            sorted(blocked + tuple(run.blocked), key=lambda item: position[item.order_id])
        )
        return BuyResult(
            batch_id=batch.id,
            batch_reference=batch.reference,
            bought=bought,
            blocked=blocked,
            failed=tuple(run.failed),
            unknown=unknown,
            not_started=tuple(run.not_started),
            skipped=tuple(oid for oid in skipped if oid not in reconciled_ids),
            spent=sum((label.amount_usd for label in bought), Decimal(0)),
            batch_spent=batch_spent,
            reconciled=len(reconciled.bought) + len(reconciled.abandoned),
            cancelled=cancel.is_set(),
            delivery_errors=tuple(handed_on.errors + run.delivery_errors),
        )

    def _open_batch(self, selection: Selection, plan: Plan, workers: int) -> BatchRecord:
        key = selection.to_json()
        with self._store.transaction(write=True) as tx:
            batch = tx.batches.latest_unfinished(key)
            if batch is None:
                package_type_id = None
                if selection.package_type:
                    found = tx.package_types.get(selection.package_type)
                    package_type_id = found.id if found else None
                batch = tx.batches.create(
                    now=self._clock(),
                    station=self._audit.station,
                    user=self._audit.user,
                    package_type_id=package_type_id,
                    service_choice=selection.service or "",
                    concurrency=workers,
                    selection_json=key,
                )
                self._audit.record_in(
                    tx,
                    AuditAction.BATCH_CREATED,
                    batch_id=batch.id,
                    details={"reference": batch.reference, "orders": len(plan.orders)},
                )
            else:
                self._audit.record_in(
                    tx,
                    AuditAction.BATCH_RESUMED,
                    batch_id=batch.id,
                    details={"reference": batch.reference},
                )
            tx.batches.set_status(batch.id, BatchStatus.BUYING)
            tx.batches.set_concurrency(batch.id, workers)
        return batch

    # -- reconciliation ---------------------------------------------------------------------

    def reconcile(self) -> ReconcileReport:
        """Resolve every open journal row with EasyPost (holds the buyer lock meanwhile)."""
        self._lock.acquire()
        try:
            return self._reconcile_locked(batch_reference="")
        finally:
            self._lock.release()

    def _reconcile_locked(
        self, *, batch_reference: str, planned: Mapping[int, PlannedOrder] | None = None
    ) -> ReconcileReport:
        with self._store.transaction() as tx:
            open_rows = tx.purchases.open_purchases()
            batches = {p.batch_id: tx.batches.get(p.batch_id) for p in open_rows}
        bought: list[LabelInfo] = []
        resumable: list[PurchaseRecord] = []
        abandoned: list[PurchaseRecord] = []
        unresolved: list[PurchaseRecord] = []
        by_reference = self._shipments_by_reference([p for p in open_rows if not p.shipment_id])
        plan_cache = planned or {}
        for purchase in open_rows:
            batch = batches.get(purchase.batch_id)
            batch_ref = batch.reference if batch else batch_reference
            if purchase.shipment_id:
                try:
                    record = self._gateway.reconcile(purchase.shipment_id)
                except AppError as error:
                    log.warning("cannot reconcile %s: %s", purchase.reference, error)
                    unresolved.append(purchase)
                    continue
                records = [record]
            else:
                found = by_reference.get(purchase.reference)
                if found is None:
                    unresolved.append(purchase)
                    continue
                records = found
            purchased = [r for r in records if r.label is not None]
            if purchased:
                record = purchased[0]
                assert record.label is not None
                info = self._record_bought(
                    purchase,
                    record.label,
                    batch_id=purchase.batch_id,
                    batch_reference=batch_ref,
                    planned=plan_cache.get(purchase.order_id),
                    reconciled=True,
                )
                if info is not None:
                    bought.append(info)
                if len(purchased) > 1:
                    self._audit.record(
                        AuditAction.PURCHASE_DUPLICATE,
                        order_id=purchase.order_id,
                        batch_id=purchase.batch_id,
                        details={"shipments": [r.shipment_id for r in purchased]},
                    )
            elif purchase.shipment_id and purchase.rate_id:
                if purchase.state in _BUY_SENT:
                    # A buy was sent: the row stays UNKNOWN (and keeps the time of that buy), so
                    # it is never taken for one that no buy reached (see _set_aside).
                    with self._store.transaction(write=True) as tx:
                        tx.purchases.update(
                            purchase.id, now=purchase.updated_at, state=PurchaseState.UNKNOWN
                        )
                else:
                    self._update(purchase, PurchaseState.CREATED, error=None)
                resumable.append(purchase)
            else:
                # Never reached `created`: no buy was ever sent for it.
                self._close(purchase, PurchaseState.ABANDONED, "no purchase found at EasyPost")
                abandoned.append(purchase)
        return ReconcileReport(tuple(bought), tuple(resumable), tuple(abandoned), tuple(unresolved))

    def _shipments_by_reference(
        self, purchases: Sequence[PurchaseRecord]
    ) -> dict[str, list[ShipmentRecord]]:
        """Shipments carrying the references of `purchases` (one listing for all of them).

        A reference not found maps to []; None is left out only when listing failed.
        """
        if not purchases:
            return {}
        wanted = {p.reference for p in purchases}
        start = min(p.created_at for p in purchases) - RECONCILE_WINDOW
        end = max(max(p.updated_at for p in purchases), self._clock()) + RECONCILE_WINDOW
        found: dict[str, list[ShipmentRecord]] = {ref: [] for ref in wanted}
        try:
            for purchased in (True, False):
                for record in self._gateway.list_shipments(start, end, purchased=purchased):
                    if record.reference in wanted:
                        found[record.reference].append(record)
        except AppError as error:
            log.warning("cannot list shipments to reconcile: %s", error)
            return {}
        return found

    # -- journal steps ------------------------------------------------------------------------

    def _update(self, purchase: PurchaseRecord, state: PurchaseState, **fields: object) -> None:
        with self._store.transaction(write=True) as tx:
            tx.purchases.update(purchase.id, now=self._clock(), state=state, **fields)  # type: ignore[arg-type]

    def _set_aside(self, purchase: PurchaseRecord, reason: str) -> bool:
        """Give up an open row whose shipment is not to be bought now; True when closed.

        The rule: a row that never reached `buying` (no buy was sent) is ABANDONED at once. A
        row that reached it (BUYING/UNKNOWN, found unbought by the look-up just made) is
        abandoned only when that look-up is ABANDON_AFTER past its last buy step; until then it
        stays open as UNKNOWN (keeping that time), so the order is not freed while EasyPost may
        still complete the buy, and a later run looks again.
        """
        now = self._clock()
        if purchase.state in _BUY_SENT and now - purchase.updated_at < ABANDON_AFTER:
            with self._store.transaction(write=True) as tx:
                tx.purchases.update(
                    purchase.id,
                    now=purchase.updated_at,
                    state=PurchaseState.UNKNOWN,
                    error=f"{reason}; a buy was sent, so the row stays open until it is settled",
                )
            return False
        self._close(purchase, PurchaseState.ABANDONED, reason)
        return True

    def _close(self, purchase: PurchaseRecord, state: PurchaseState, reason: str) -> None:
        with self._store.transaction(write=True) as tx:
            tx.purchases.update(purchase.id, now=self._clock(), state=state, error=reason)
            self._audit.record_in(
                tx,
                AuditAction.of("purchase", state.value, AuditAction.PURCHASE_FAILED),
                order_id=purchase.order_id,
                batch_id=purchase.batch_id,
                details={"reference": purchase.reference, "reason": reason},
            )

    def _record_bought(
        self,
        purchase: PurchaseRecord,
        label: PurchasedLabel,
        *,
        batch_id: int,
        batch_reference: str,
        planned: PlannedOrder | None,
        reconciled: bool = False,
    ) -> LabelInfo | None:
        """Commit the label, the order's new status and tracking number and the audit entry.

        None when the database refuses the label because the order already holds another live
        one (two labels were bought: only possible if something outside this journal bought
        one); the row is closed and the duplicate is put in the audit log, to be refunded.
        """
        try:
            return self._record_bought_once(
                purchase, label, batch_id, batch_reference, planned, reconciled
            )
        except AppError as error:
            if error.kind is not ErrorKind.CONFLICT:
                raise
            log.error(
                "order %s: second live label %s refused", purchase.order_id, label.tracking_code
            )
            with self._store.transaction(write=True) as tx:
                tx.purchases.update(
                    purchase.id,
                    now=self._clock(),
                    state=PurchaseState.BOUGHT,
                    shipment_id=label.shipment_id,
                    error=f"duplicate label {label.tracking_code}: refund {label.shipment_id}",
                )
                self._audit.record_in(
                    tx,
                    AuditAction.PURCHASE_DUPLICATE,
                    order_id=purchase.order_id,
                    batch_id=batch_id,
                    details={
                        "shipment_id": label.shipment_id,
                        "tracking_code": label.tracking_code,
                    },
                )
            return None

    def _record_bought_once(
        self,
        purchase: PurchaseRecord,
        label: PurchasedLabel,
        batch_id: int,
        batch_reference: str,
        planned: PlannedOrder | None,
        reconciled: bool,
    ) -> LabelInfo:
        now = self._clock()
        with self._store.transaction(write=True) as tx:
            order = tx.orders.get(purchase.order_id)
            existing = tx.labels.by_shipment_id(label.shipment_id)
            if existing is not None:  # recorded by an earlier run that died before closing the row
                tx.purchases.update(
                    purchase.id, now=now, state=PurchaseState.BOUGHT, amount_usd=existing.amount_usd
                )
                record = existing
            else:
                record = tx.labels.add(
                    NewLabel(
                        order_id=purchase.order_id,
                        shipment_id=label.shipment_id,
                        tracking_code=label.tracking_code,
                        service=label.rate.service,
                        amount_usd=label.rate.amount,
                        label_format=label.label_format,
                        bought_at=now,
                        batch_id=batch_id,
                        purchase_id=purchase.id,
                        from_address_key=_from_key(tx),
                    )
                )
                tx.purchases.update(
                    purchase.id,
                    now=now,
                    state=PurchaseState.BOUGHT,
                    shipment_id=label.shipment_id,
                    rate_id=label.rate.id,
                    service=label.rate.service,
                    amount_usd=label.rate.amount,
                    error=None,
                )
                tx.labels.mark_order_labelled(purchase.order_id, label.tracking_code, now)
                self._audit.record_in(
                    tx,
                    AuditAction.LABEL_BOUGHT,
                    order_id=purchase.order_id,
                    label_id=record.id,
                    batch_id=batch_id,
                    details={
                        "tracking_code": label.tracking_code,
                        "shipment_id": label.shipment_id,
                        "service": label.rate.service,
                        "amount": str(label.rate.amount),
                        "reference": purchase.reference,
                        "reconciled": reconciled or label.reconciled,
                    },
                )
        external_id = order.external_id if order else str(purchase.order_id)
        record = self._save_files(record, label, batch_reference, external_id)
        return LabelInfo(
            label_id=record.id,
            order_id=purchase.order_id,
            external_id=external_id,
            group_id=planned.group_id if planned else "",
            batch_id=batch_id,
            batch_reference=batch_reference,
            tracking_code=record.tracking_code,
            service=record.service,
            amount_usd=record.amount_usd,
            label_format=record.label_format,
            label_path=record.label_path,
            preview_path=record.preview_path,
            sequence=planned.sequence if planned else -1,
        )

    def _save_files(
        self, record: LabelRecord, label: PurchasedLabel, batch_reference: str, order_ref: str
    ) -> LabelRecord:
        if record.label_path and Path(record.label_path).exists():
            return record
        try:
            paths = self._files.save(label, batch_reference=batch_reference, order_ref=order_ref)
        except (AppError, OSError) as error:
            # The label is bought and recorded: nothing after the `bought` commit may turn it
            # into a failure. A disk error (full, permissions) is like a failed download: the
            # files are fetched again later (fetch_missing_files).
            message = error.message if isinstance(error, AppError) else f"disk error: {error}"
            log.warning("label %s bought, files not saved: %s", record.tracking_code, message)
            self._audit.record(
                AuditAction.LABEL_FILES_MISSING,
                order_id=record.order_id,
                label_id=record.id,
                details={"error": message},
            )
            return record
        with self._store.transaction(write=True) as tx:
            tx.labels.update(
                record.id, label_path=str(paths.label_path), preview_path=str(paths.preview_path)
            )
            updated = tx.labels.get(record.id)
        assert updated is not None
        return updated

    def batch_labels(self, batch_id: int) -> list[LabelRecord]:
        """The batch's labels in the order they were bought."""
        with self._store.transaction() as tx:
            return tx.labels.list(batch_id=batch_id)

    def fetch_missing_files(self, *, batch_id: int | None = None) -> int:
        """Download the files of bought labels that have none (after a crash); how many."""
        with self._store.transaction() as tx:
            missing = [r for r in tx.labels.list(batch_id=batch_id) if not r.label_path]
            names: dict[int, tuple[str, str]] = {}
            for record in missing:
                order = tx.orders.get(record.order_id)
                batch = tx.batches.get(record.batch_id) if record.batch_id else None
                names[record.id] = (
                    batch.reference if batch else "",
                    order.external_id if order else str(record.order_id),
                )
        fetched = 0
        for record in missing:
            shipment = self._gateway.reconcile(record.shipment_id)
            if shipment.label is None:
                continue
            batch_reference, order_ref = names[record.id]
            saved = self._save_files(record, shipment.label, batch_reference, order_ref)
            fetched += saved.label_path is not None
        return fetched


_UNSETTLED = "an earlier buy of this order is not settled yet: run the buy again later"
#: Journal states in which a buy call was (or may have been) sent.
_BUY_SENT = frozenset({PurchaseState.BUYING, PurchaseState.UNKNOWN})


def _from_key(tx: StoreTransaction) -> str:
    ship_from = tx.ship_from.default()
    return from_address_key(ship_from.address) if ship_from else ""


def _new_reference(order_id: int) -> str:
    """Unique per attempt; EasyPost keeps it as the shipment reference (crash recovery key)."""
    return f"PD{order_id}-{secrets.token_hex(5)}"


class _Run:
    """One buy run's workers and tallies (thread-safe)."""

    def __init__(
        self,
        service: PurchaseService,
        plan: Plan,
        batch: BatchRecord,
        ready: Sequence[PlannedOrder],
        progress: OnProgress | None,
        on_label_bought: OnLabelBought | None,
        cancel: threading.Event,
        verify_addresses: bool = True,
    ) -> None:
        self.service = service
        self.verify_addresses = verify_addresses
        self.blocked: list[BlockedOrder] = []
        self.plan = plan
        self.batch = batch
        self.total = len(ready)
        self._progress = progress
        self.cancel = cancel
        self._lock = threading.Lock()
        self.bought: list[LabelInfo] = []
        self.failed: list[FailedOrder] = []
        self.unknown: list[tuple[PlannedOrder, PurchaseRecord, str]] = []
        self.not_started: list[int] = []
        self.spent = Decimal(0)
        self._in_order = _InOrder([p.sequence for p in ready], on_label_bought)
        # The look-ahead window: orders admitted to stage 1 whose buy has not ended yet.
        self._window = threading.Condition()
        self._in_flight = 0
        self.lookahead = 0
        self._buy_pool: ThreadPoolExecutor | None = None
        # Every task given to the pools, checked once they finished: a worker's exception
        # (a bug) must surface, never vanish in an unread future.
        self._tasks: list[tuple[PlannedOrder, Future[None]]] = []
        #: Orders that ended in an internal error (a bug): their journal row may be left open,
        #: so the batch stays resumable (like unknown) instead of DONE.
        self.internal_errors = 0

    @property
    def delivery_errors(self) -> list[str]:
        return self._in_order.errors

    def report(self) -> None:
        if self._progress is None:
            return
        with self._lock:
            done = len(self.bought)
            failed = len(self.failed) + len(self.unknown) + len(self.blocked)
            snapshot = BuyProgress(
                total=self.total,
                done=done,
                failed=failed,
                remaining=self.total - done - failed - len(self.not_started),
                spent=self.spent,
            )
        self._progress(snapshot)

    def _finish(self, planned: PlannedOrder, label: LabelInfo | None) -> None:
        self._in_order.resolve(planned.sequence, label)
        self.report()

    # -- the pipeline -----------------------------------------------------------------------

    def pipeline(
        self,
        ready: Sequence[PlannedOrder],
        resumable: Mapping[int, PurchaseRecord],
        *,
        buy_workers: int,
        create_workers: int,
        lookahead: int,
    ) -> None:
        """Create shipments on one pool and buy them on another, in group order of admission.

        Returns when every admitted order is bought, failed, blocked or left `created`.
        """
        self.lookahead = lookahead
        count = len(ready)
        with (
            ThreadPoolExecutor(min(buy_workers, count), thread_name_prefix="buy") as buy_pool,
            ThreadPoolExecutor(min(create_workers, count), thread_name_prefix="create") as creates,
        ):
            self._buy_pool = buy_pool
            try:
                self._feed(ready, resumable, creates)
            except BaseException:
                # Ctrl-C (or a bug) here: the pools still finish what they hold when leaving
                # this block, so make that a cancel: buys in flight end and are recorded, the
                # rest stay `created` for the next run.
                self.cancel.set()
                raise
        self._check_tasks()

    def _check_tasks(self) -> None:
        """Surface every worker exception once the pools are done (they are bugs)."""
        with self._lock:
            tasks = list(self._tasks)
            settled = (
                {f.order_id for f in self.failed}
                | {p.order_id for p, _, _ in self.unknown}
                | {label.order_id for label in self.bought}
                | {b.order_id for b in self.blocked}
                | set(self.not_started)
            )
        for planned, future in tasks:
            error = future.exception()
            if error is None:
                continue
            log.error(
                "a worker for order %s ended with an unexpected error",
                planned.order_id,
                exc_info=error,
            )
            if planned.order_id in settled:
                with self._lock:
                    self.internal_errors += 1
            else:
                self._internal_error(planned, error)
                settled.add(planned.order_id)

    def _feed(
        self,
        ready: Sequence[PlannedOrder],
        resumable: Mapping[int, PurchaseRecord],
        creates: ThreadPoolExecutor,
    ) -> None:
        for index, planned in enumerate(ready):
            if not self._admit():
                left = ready[index:]
                with self._lock:
                    self.not_started.extend(p.order_id for p in left)
                for skipped in left:
                    self._in_order.resolve(skipped.sequence, None)
                self.report()
                break
            task = creates.submit(self.create_one, planned, resumable.get(planned.order_id))
            with self._lock:
                self._tasks.append((planned, task))
        with self._window:
            # Every admitted order leaves the window (its buy is submitted before its create
            # task ends), so this also means both pools are idle.
            while self._in_flight:
                self._window.wait()

    def _admit(self) -> bool:
        """Wait for room in the look-ahead window; False once cancelled."""
        with self._window:
            while self._in_flight >= self.lookahead and not self.cancel.is_set():
                # A timeout so a cancel is seen even while every order in flight is slow.
                self._window.wait(timeout=0.25)
            if self.cancel.is_set():
                return False
            self._in_flight += 1
            return True

    def _leave(self, planned: PlannedOrder, label: LabelInfo | None) -> None:
        try:
            self._finish(planned, label)
        finally:
            with self._window:
                self._in_flight -= 1
                self._window.notify_all()

    def create_one(self, planned: PlannedOrder, existing: PurchaseRecord | None) -> None:
        """Stage 1: on a shipment ready to buy, hand the order to the buy pool."""
        try:
            purchase = self._create(planned, existing)
        except BaseException as error:  # a bug: recorded as a failure, never a lost worker
            log.exception("creating the shipment of order %s failed unexpectedly", planned.order_id)
            self._internal_error(planned, error)
            purchase = None
        if purchase is None:
            self._leave(planned, None)
            return
        assert self._buy_pool is not None
        try:
            task = self._buy_pool.submit(self.buy_one, planned, purchase)
            with self._lock:
                self._tasks.append((planned, task))
        except RuntimeError as error:  # the pool refused the task: nothing was bought
            self._internal_error(planned, error)
            self._leave(planned, None)

    def buy_one(self, planned: PlannedOrder, purchase: PurchaseRecord) -> None:
        """Stage 2: buy the created shipment and record the label."""
        label: LabelInfo | None = None
        try:
            label = self._purchase(planned, purchase)
        except BaseException as error:  # a bug: recorded as a failure, never a lost worker
            log.exception("buying order %s failed unexpectedly", planned.order_id)
            self._internal_error(planned, error)
        finally:
            self._leave(planned, label)

    def _internal_error(self, planned: PlannedOrder, error: BaseException) -> None:
        with self._lock:
            self.internal_errors += 1
            self.failed.append(
                FailedOrder(
                    planned.order_id, planned.order.external_id, f"internal error: {error!r}"
                )
            )

    def _block(self, planned: PlannedOrder, purchase: PurchaseRecord | None, reason: str) -> None:
        if purchase is not None:
            self.service._set_aside(purchase, reason)
        self.service._audit.record(
            AuditAction.PURCHASE_BLOCKED,
            order_id=planned.order_id,
            batch_id=self.batch.id,
            details={"reasons": [reason]},
        )
        with self._lock:
            self.blocked.append(
                BlockedOrder(
                    planned.order_id, planned.order.external_id, planned.group_id, (reason,)
                )
            )

    def _fail(self, planned: PlannedOrder, purchase: PurchaseRecord | None, reason: str) -> None:
        if purchase is not None:
            self.service._close(purchase, PurchaseState.FAILED, reason)
        with self._lock:
            self.failed.append(FailedOrder(planned.order_id, planned.order.external_id, reason))

    def _create(
        self, planned: PlannedOrder, existing: PurchaseRecord | None
    ) -> PurchaseRecord | None:
        """Address check, `intent`, create, `created`; the row to buy, or None (recorded why)."""
        service = self.service
        if self.cancel.is_set():
            with self._lock:
                self.not_started.append(planned.order_id)
            return None
        store = service._store
        if self.verify_addresses:
            check = service._preflight.verify(planned.order.recipient)
            if not check.verified:
                self._block(planned, existing, f"address not verified: {check.message}")
                return None
        if existing is not None:
            wanted = planned.service
            if wanted and wanted.lower() != "cheapest" and existing.service not in (None, wanted):
                # The user now asks for another service: never buy the old rate.
                reason = f"service changed from {existing.service} to {wanted}"
                if not service._set_aside(existing, reason):
                    # A buy was sent for the old shipment: wait until it is settled.
                    with self._lock:
                        self.unknown.append((planned, existing, f"{reason}; {_UNSETTLED}"))
                    return None
                existing = None  # closed, no buy can complete: start a new intent below
        if existing is not None:
            return existing  # its shipment exists unbought: buy that one, never another
        reference = _new_reference(planned.order_id)
        try:
            with store.transaction(write=True) as tx:
                purchase = tx.purchases.add_intent(
                    order_id=planned.order_id,
                    batch_id=self.batch.id,
                    reference=reference,
                    now=service._clock(),
                    service=planned.service,
                )
        except AppError as error:
            self._fail(planned, None, error.message)
            return None
        try:
            request = rate_request_for(
                planned,
                self.plan,
                label_format=service.label_format,
                signer=service._signer,
                reference=reference,
            )
            quote = service._gateway.create_shipment(
                to_address=request.to_address,
                from_address=request.from_address,
                parcel=request.parcel,
                options=request.options,
                customs=request.customs,
                reference=reference,
                tax_identifiers=request.tax_identifiers,  # IOSS / VAT / EORI (issue 12)
            )
            if request.with_transit:  # a delivery target (within:3d@90) picks by SmartRate
                transit = service._gateway.smart_rates(quote.shipment_id)
                quote = dataclasses.replace(quote, transit=transit)
            predefined = planned.package_type.predefined if planned.package_type else None
            rate = quote.choose(planned.service or "cheapest", predefined_package=predefined)
        except AppError as error:
            # Nothing was bought: at most an unbought shipment exists (it costs nothing).
            self._fail(planned, purchase, error.message)
            return None
        with store.transaction(write=True) as tx:
            tx.purchases.update(
                purchase.id,
                now=service._clock(),
                state=PurchaseState.CREATED,
                shipment_id=quote.shipment_id,
                rate_id=rate.id,
                service=rate.service,
                amount_usd=rate.amount,
            )
            return tx.purchases.get(purchase.id) or purchase

    def _purchase(self, planned: PlannedOrder, purchase: PurchaseRecord) -> LabelInfo | None:
        """`buying`, the buy call, the label; None when not bought (recorded why)."""
        service = self.service
        if self.cancel.is_set():
            # The row stays `created`: the next run buys this same shipment.
            with self._lock:
                self.not_started.append(planned.order_id)
            return None
        assert purchase.shipment_id is not None and purchase.rate_id is not None
        service._update(purchase, PurchaseState.BUYING)
        try:
            label = service._gateway.buy(
                purchase.shipment_id,
                purchase.rate_id,
                reference=purchase.reference,
                label_format=service.label_format,
            )
        except AppError as error:
            if error.details.get("outcome") == "unknown":
                service._update(purchase, PurchaseState.UNKNOWN, error=error.message)
                with self._lock:
                    self.unknown.append((planned, purchase, error.message))
                return None
            self._fail(planned, purchase, error.message)
            return None
        info = service._record_bought(
            purchase,
            label,
            batch_id=self.batch.id,
            batch_reference=self.batch.reference,
            planned=planned,
        )
        if info is not None:
            with self._lock:
                self.bought.append(info)
                self.spent += info.amount_usd
        return info

    def retry_unknown(self) -> tuple[FailedOrder, ...]:
        """Reconcile this run's lost answers once more; what stays unknown is returned.

        Runs after both pools finished. A label recovered here is handed to `on_label_bought`
        directly, in group order among the recovered ones: its place in the in-order stream was
        already passed (resolved empty when its answer was lost, so the labels behind it were
        not held up), so it reaches the print queue after the run's other labels.
        """
        still: list[FailedOrder] = []
        for planned, purchase, reason in sorted(self.unknown, key=lambda item: item[0].sequence):
            assert purchase.shipment_id is not None
            try:
                record = self.service._gateway.reconcile(purchase.shipment_id)
            except AppError:
                still.append(FailedOrder(planned.order_id, planned.order.external_id, reason))
                continue
            if record.label is not None:
                info = self.service._record_bought(
                    purchase,
                    record.label,
                    batch_id=self.batch.id,
                    batch_reference=self.batch.reference,
                    planned=planned,
                    reconciled=True,
                )
                if info is not None:
                    with self._lock:
                        self.bought.append(info)
                        self.spent += info.amount_usd
                    self._in_order.deliver(info)
            else:
                # The shipment is unbought so far: the row stays UNKNOWN (a buy was sent; it
                # may still complete) and the next run reconciles it, then buys this same
                # shipment if it is still unbought.
                still.append(FailedOrder(planned.order_id, planned.order.external_id, reason))
        return tuple(still)

"""Buying labels: pre-flight, the purchase journal, bounded concurrency, reconciliation, resume.

The money rules (journal states, allowed transitions, reconcile / resume / set aside / abandon /
refund an unrecordable label) live in app.domain.purchase_journal; this service is the pipeline
and the I/O around them. For each order, in this order:

1. `intent` is committed (order, batch, a unique reference) before any call;
2. the shipment is created with that reference; `created` commits its id and the chosen rate;
3. `buying` is committed, then the buy call is made;
4. the label, the order's status and tracking number and an audit entry commit together
   (`bought`); label files are fetched afterwards (a crash there leaves a label without files,
   which the next run fetches). A label the database will not take is kept as `unrecorded`
   (app.services.purchase_steps), recorded by a later run or refunded with the reason.

Buying is a two-stage pipeline (app.services.purchase_run). Stage 1 (address check, `intent`,
create, `created`) runs on its own pool; stage 2 (`buying`, the buy call, the label) runs on the
buy pool, whose size is the `concurrency` setting. At most `LOOKAHEAD_FACTOR x concurrency`
orders are between admission to stage 1 and the end of their buy. Cancel stops admitting orders;
a shipment created but not bought stays a `created` row that the next run buys.

Every run first folds back the side journal, settles `unrecorded` rows, and reconciles all open
rows with EasyPost, and only then buys. One buyer per database at a time: a lease row in the
database (app.services.buyer_lease), and the database refuses a second live label per order.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal

from app.domain import purchase_journal as rules
from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import BatchStatus, PurchaseState
from app.domain.purchase_journal import ABANDON_AFTER, Lookup, Step
from app.postage.models import LabelFormat, ShipmentRecord
from app.services.audit import AuditAction, AuditLog
from app.services.buy_plan import Plan, PlannedOrder, Selection, resolve_plan
from app.services.buyer_lease import BuyerLease
from app.services.claim_gate import ClaimGate
from app.services.clock import Clock, utc_now
from app.services.db_retry import retry_lost_connection
from app.services.label_files import LabelFiles
from app.services.order_claims import OrderClaims
from app.services.preflight import ALREADY_LABELLED, PreflightReport, PreflightService
from app.services.purchase_results import (
    BuyProgress,
    BuyResult,
    FailedOrder,
    LabelInfo,
    OnLabelBought,
    OnProgress,
    PurchaseGateway,
    ReconcileReport,
    UnrecordedLabel,
)
from app.services.purchase_run import InOrder, RunTools
from app.services.purchase_run import _Run as _Run
from app.services.purchase_steps import JournalSteps, Placement
from app.services.side_journal import SideJournal, side_journal_path
from app.store import Store
from app.store.batches_repo import BatchRecord
from app.store.labels_repo import LabelRecord
from app.store.purchases_repo import PurchaseRecord

log = logging.getLogger(__name__)

__all__ = [
    "ABANDON_AFTER",
    "DEFAULT_CONCURRENCY",
    "LOOKAHEAD_FACTOR",
    "BuyProgress",
    "BuyResult",
    "FailedOrder",
    "LabelInfo",
    "PurchaseService",
    "ReconcileReport",
    "UnrecordedLabel",
]

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64
#: Orders in the pipeline (creating, created and waiting, buying) per buy worker. Two keeps the
#: buy pool fed while the creates for the next round run, and bounds what a cancel leaves unbought.
LOOKAHEAD_FACTOR = 2
#: How far around a journal row's time to look for its shipment by reference.
RECONCILE_WINDOW = timedelta(minutes=10)


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
        self._lease = BuyerLease(store, station=audit.station, clock=clock)
        #: Several desks on a server database claim orders instead of holding the lease.
        self._claims = OrderClaims(store, station=audit.station, clock=clock)
        self._steps = JournalSteps(
            store, gateway, label_files, audit, clock, SideJournal(side_journal_path(store.path))
        )

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
        label_format: LabelFormat | None = None,
    ) -> BuyResult:
        """Buy a label for every order of `selection` that passes pre-flight.

        `label_format` is asked of EasyPost instead of the service's (the printer's own format).

        Open journal rows are reconciled first; orders holding a live label are never bought
        again. `concurrency` bounds the buys in flight, `create_concurrency` the shipment
        creates (default: the same number). `cancel` stops starting new creates and buys; those
        in flight finish and are recorded; shipments created but not bought stay `created` rows
        that the next run buys on the same shipment.

        Raises:
            AppError: CONFLICT when another buyer holds this database's lease (naming it);
                DATABASE when the database cannot be written (what was bought is kept, see
                app.services.purchase_steps); INVALID_INPUT / NOT_FOUND for a selection that
                cannot be resolved. An order's own problems are reported in the result.
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
        run = (selection, workers, creators, progress, cancel, on_label_bought, verify_addresses)
        if self._store.shared:
            return self._buy_claimed(*run, label_format=label_format)
        # Another buyer took the lease (this one looked dead): stop starting buys, like Cancel.
        self._lease.on_lost = cancel.set
        self._lease.acquire()
        try:
            return self._buy_locked(*run, label_format=label_format)
        finally:
            self._lease.release()

    def _buy_claimed(
        self,
        selection: Selection,
        workers: int,
        creators: int,
        progress: OnProgress | None,
        cancel: threading.Event,
        on_label_bought: OnLabelBought | None,
        verify_addresses: bool,
        *,
        label_format: LabelFormat | None = None,
    ) -> BuyResult:
        """Several desks: buy only the orders this desk claimed; report the others' orders."""
        self._claims.on_lost = cancel.set  # taken over (this desk looked dead): stop admitting
        # Orders with open journal rows are claimed (and reconciled) first; the rest a few at a
        # time as the pipeline reaches them, so desks buying one selection share it.
        wanted = [p.order_id for p in self.plan(selection).orders]
        with self._store.transaction() as tx:
            open_ids = sorted(
                {p.order_id for p in tx.purchases.for_orders(wanted) if p.state.is_open}
            )
        outcome = self._claims.claim(open_ids)
        gate = ClaimGate(self._store, self._claims, claimed=outcome.claimed, taken=outcome.taken)
        try:
            result = self._buy_locked(
                selection,
                workers,
                creators,
                progress,
                cancel,
                on_label_bought,
                verify_addresses,
                gate=gate,
                label_format=label_format,
            )
        finally:
            self._claims.release()
        return dataclasses.replace(result, taken=tuple(gate.taken))

    def _buy_locked(
        self,
        selection: Selection,
        workers: int,
        creators: int,
        progress: OnProgress | None,
        cancel: threading.Event,
        on_label_bought: OnLabelBought | None,
        verify_addresses: bool,
        *,
        gate: ClaimGate | None = None,
        label_format: LabelFormat | None = None,
    ) -> BuyResult:
        plan = self.plan(selection)
        only = None
        if gate is not None:  # several desks: what another desk holds now is not this one's
            others = {t.order_id for t in gate.taken}
            plan = dataclasses.replace(
                plan, orders=tuple(p for p in plan.orders if p.order_id not in others)
            )
            only = gate.claimed_first
        planned_by_id = {p.order_id: p for p in plan.orders}
        batch = self._open_batch(selection, plan, workers)
        reconciled = self._reconcile_locked(planned=planned_by_id, only=only)
        handed_on = InOrder([], on_label_bought)
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
        # An order whose bought label is not recorded yet is never bought again meanwhile.
        kept = {u.order_id for u in reconciled.unrecorded}
        ready = tuple(
            p for p in report.ready if p.order_id not in unresolved and p.order_id not in kept
        )
        resumable = {p.order_id: p for p in reconciled.resumable}
        blocked_ids = {b.order_id for b in blocked}
        for order_id, purchase in list(resumable.items()):
            if order_id in blocked_ids:  # pre-flight fails now: buy nothing for it
                self._steps.set_aside(purchase, "blocked by pre-flight")
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
        fmt = label_format or self.label_format
        tools = RunTools(self._steps, self._gateway, self._preflight, fmt, self._signer)
        run = _Run(tools, plan, batch, ready, progress, on_label_bought, cancel, verify_addresses)
        run.report()
        if ready:
            run.pipeline(
                ready,
                resumable,
                buy_workers=workers,
                create_workers=creators,
                lookahead=max(1, self.lookahead or LOOKAHEAD_FACTOR * workers),
                gate=gate,
            )
        # A last look at answers lost during this run (the gateway already retried the buy).
        unknown = run.retry_unknown() + tuple(
            FailedOrder(
                order_id,
                planned_by_id[order_id].order.external_id,
                "an earlier purchase could not be reconciled yet",
            )
            for order_id in [*unresolved, *(gate.unsettled if gate else ())]
            if order_id in planned_by_id
        )
        unrecorded = tuple(run.unrecorded) + tuple(
            u for u in reconciled.unrecorded if u.order_id in planned_by_id
        )
        refunded = tuple(run.refunded) + tuple(
            u for u in reconciled.refunded if u.order_id in planned_by_id
        )
        finished = self._clock()

        def close_batch() -> Decimal:
            with self._store.transaction(write=True) as tx:
                batch_spent = tx.batches.spent(batch.id)
                if cancel.is_set():
                    status = BatchStatus.CANCELLED
                elif unknown or run.not_started or run.internal_errors or unrecorded or refunded:
                    # An internal error may have left its row open (`buying`); an unrecorded
                    # label waits; a refunded one leaves its order to buy: the batch stays
                    # resumable, so the same buy again continues it instead of a new batch.
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
                        "unrecorded": len(unrecorded),
                        "refunded": len(refunded),
                        "spent": str(run.spent),
                    },
                )
                return batch_spent

        try:
            # A server restart here: wait for it (a second status and audit entry is harmless).
            batch_spent = retry_lost_connection(close_batch)
        except Exception as error:  # read-only, full, broken: say what is kept
            held = len(unrecorded) + len(run.bought)
            fix = (
                "Check the connection to the database server"
                if self._store.shared
                else "Free disk space or make the database writable"
            )
            raise AppError(
                f"The database could not be written at the end of batch {batch.reference}: "
                f"{held} label(s) bought in this run are kept (in the journal, or beside the "
                "database when it refused every write).",
                hint=f"{fix}, then run the same buy "
                "again: it records what was bought and buys nothing twice.",
                kind=ErrorKind.DATABASE,
                details={"batch": batch.reference, "error": type(error).__name__},
            ) from error
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
            skipped=tuple(oid for oid in skipped if oid not in reconciled_ids)
            + tuple(gate.skipped if gate else ()),
            # Money spent by this run and the recovered labels: recorded or not, never hidden.
            spent=sum((label.amount_usd for label in mine), run.spent),
            batch_spent=batch_spent,
            reconciled=len(reconciled.bought) + len(reconciled.abandoned),
            cancelled=cancel.is_set(),
            delivery_errors=tuple(handed_on.errors + run.delivery_errors),
            unrecorded=unrecorded,
            refunded=refunded,
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
        """Resolve every open journal row with EasyPost (holds the buyer lease meanwhile).

        On a server database, the rows of orders no other live desk is buying (claimed here).
        """
        if self._store.shared:
            with self._store.transaction() as tx:
                open_ids = sorted({p.order_id for p in tx.purchases.open_purchases()})
            outcome = self._claims.claim(open_ids)
            try:
                return self._reconcile_locked(only=outcome.claimed)
            finally:
                self._claims.release()
        self._lease.acquire()
        try:
            return self._reconcile_locked()
        finally:
            self._lease.release()

    def _reconcile_locked(
        self,
        *,
        planned: Mapping[int, PlannedOrder] | None = None,
        only: frozenset[int] | None = None,
    ) -> ReconcileReport:
        """Side journal folded back, unrecorded labels settled, then every open row looked up."""
        plan_cache = planned or {}
        placements = {
            order_id: Placement(p.group_id, p.sequence) for order_id, p in plan_cache.items()
        }
        self._steps.fold_side_journal()
        recorded, kept, refunded = self._steps.settle_unrecorded(placements)
        with self._store.transaction() as tx:
            open_rows = [
                p
                for p in tx.purchases.open_purchases()
                if p.state is not PurchaseState.UNRECORDED and (only is None or p.order_id in only)
            ]
        bought: list[LabelInfo] = list(recorded)
        resumable: list[PurchaseRecord] = []
        abandoned: list[PurchaseRecord] = []
        unresolved: list[PurchaseRecord] = []
        by_reference = self._shipments_by_reference([p for p in open_rows if not p.shipment_id])
        for purchase in open_rows:
            records: list[ShipmentRecord] = []
            if purchase.shipment_id:
                try:
                    records = [self._gateway.reconcile(purchase.shipment_id)]
                    lookup = Lookup.UNBOUGHT
                except AppError as error:
                    log.warning("cannot reconcile %s: %s", purchase.reference, error)
                    lookup = Lookup.UNREACHABLE
            else:
                found = by_reference.get(purchase.reference)
                lookup = Lookup.UNREACHABLE if found is None else Lookup.NOT_FOUND
                records = found or []
            purchased = [r for r in records if r.label is not None]
            if purchased:
                lookup = Lookup.BOUGHT
            elif records and lookup is Lookup.NOT_FOUND:
                lookup = Lookup.UNBOUGHT
            decision = rules.reconcile(
                purchase.state,
                lookup,
                has_shipment=bool(purchase.shipment_id and purchase.rate_id),
            )
            if decision.step is Step.KEEP:
                unresolved.append(purchase)
            elif decision.step is Step.RECORD:
                record = purchased[0]
                assert record.label is not None
                where = placements.get(purchase.order_id, Placement())
                outcome = self._steps.record_bought(purchase, record.label, where, reconciled=True)
                if outcome.label is not None:
                    bought.append(outcome.label)
                if outcome.unrecorded is not None:
                    kept.append(outcome.unrecorded)
                if outcome.refunded is not None:
                    refunded.append(outcome.refunded)
                if len(purchased) > 1:
                    self._audit.record(
                        AuditAction.PURCHASE_DUPLICATE,
                        order_id=purchase.order_id,
                        batch_id=purchase.batch_id,
                        details={"shipments": [r.shipment_id for r in purchased]},
                    )
            elif decision.step is Step.RESUME:
                assert decision.state is not None
                if decision.state is PurchaseState.UNKNOWN:
                    # Keeps the time of the buy that was sent (see rules.set_aside).
                    self._steps.keep_time(purchase, PurchaseState.UNKNOWN, purchase.error)
                else:
                    self._steps.update(purchase, PurchaseState.CREATED, error=None)
                resumable.append(purchase)
            else:
                self._steps.close(purchase, PurchaseState.ABANDONED, decision.reason)
                abandoned.append(purchase)
        return ReconcileReport(
            tuple(bought),
            tuple(resumable),
            tuple(abandoned),
            tuple(unresolved),
            unrecorded=tuple(kept),
            refunded=tuple(refunded),
        )

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
            saved = self._steps.save_files(record, shipment.label, batch_reference, order_ref)
            fetched += saved.label_path is not None
        return fetched

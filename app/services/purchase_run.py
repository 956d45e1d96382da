"""One buy run: the two-stage pipeline (create, then buy) and its thread-safe tallies."""

from __future__ import annotations

import dataclasses
import logging
import secrets
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeGuard

from app.domain import purchase_journal as rules
from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import PurchaseState
from app.domain.purchase_journal import Step
from app.postage.models import LabelFormat
from app.services import fault_hooks
from app.services.audit import AuditAction
from app.services.buy_plan import Plan, PlannedOrder, rate_request_for
from app.services.claim_gate import ClaimGate
from app.services.db_retry import is_connection_lost, retry_lost_connection
from app.services.order_freeze import current_for_intent
from app.services.preflight import BlockedOrder, PreflightService
from app.services.purchase_results import (
    BuyProgress,
    FailedOrder,
    LabelInfo,
    OnLabelBought,
    OnProgress,
    PurchaseGateway,
    UnrecordedLabel,
)
from app.services.purchase_steps import JournalSteps, Placement, Recorded
from app.store.batches_repo import BatchRecord
from app.store.purchases_repo import PurchaseRecord

log = logging.getLogger(__name__)

_UNSETTLED = "an earlier buy of this order is not settled yet: run the buy again later"


@dataclass(frozen=True, slots=True)
class RunTools:
    """What a run works with (handed in: a run never reaches into the service)."""

    steps: JournalSteps
    gateway: PurchaseGateway
    preflight: PreflightService
    label_format: LabelFormat
    signer: str


def new_reference(order_id: int) -> str:
    """Unique per attempt; EasyPost keeps it as the shipment reference (crash recovery key)."""
    return f"PD{order_id}-{secrets.token_hex(5)}"


class InOrder:
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


def _known(error: BaseException) -> TypeGuard[AppError]:
    """A database error (the server out of reach, a full disk): said plainly, not a bug."""
    return isinstance(error, AppError) and error.kind is ErrorKind.DATABASE


def _log_worker_error(what: str, order_id: int, error: BaseException) -> None:
    if _known(error):
        log.error(what + " stopped: %s", order_id, error.message)  # no traceback: not a bug
    else:
        log.exception(what + " failed unexpectedly", order_id)


class _Run:
    """One buy run's workers and tallies (thread-safe)."""

    def __init__(
        self,
        tools: RunTools,
        plan: Plan,
        batch: BatchRecord,
        ready: Sequence[PlannedOrder],
        progress: OnProgress | None,
        on_label_bought: OnLabelBought | None,
        cancel: threading.Event,
        verify_addresses: bool = True,
    ) -> None:
        self.tools = tools
        self.steps = tools.steps
        self.verify_addresses = verify_addresses
        self.blocked: list[BlockedOrder] = []
        self.plan = plan
        self.batch = batch
        self.total = len(ready)
        self._progress = progress
        self.cancel = cancel
        #: The database server stayed out of reach longer than a step waits for it: start
        #: nothing more (the orders left stay to buy, the batch resumable), like a cancel.
        self.database_lost = threading.Event()
        self._lock = threading.Lock()
        self.bought: list[LabelInfo] = []
        self.failed: list[FailedOrder] = []
        self.unknown: list[tuple[PlannedOrder, PurchaseRecord, str]] = []
        self.not_started: list[int] = []
        self.unrecorded: list[UnrecordedLabel] = []
        self.refunded: list[UnrecordedLabel] = []
        self.spent = Decimal(0)  # every label bought in this run, recorded or not
        self._in_order = InOrder([p.sequence for p in ready], on_label_bought)
        # The look-ahead window: orders admitted to stage 1 whose buy has not ended yet.
        self._window = threading.Condition()
        self._in_flight = 0
        self.lookahead = 0
        self._buy_pool: ThreadPoolExecutor | None = None
        self._gate: ClaimGate | None = None
        self._ids: list[int] | None = None
        #: Orders the gate passed over (another desk's, or not to be bought now).
        self.passed_over = 0
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
                remaining=self.total - done - failed - len(self.not_started) - self.passed_over,
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
        gate: ClaimGate | None = None,
    ) -> None:
        """Create shipments on one pool and buy them on another, in group order of admission.

        With a `gate` (several desks), each order is claimed just before it is admitted; the
        orders another desk holds are passed over. Returns when every admitted order is
        bought, failed, blocked or left `created`.
        """
        self.lookahead = lookahead
        self._gate = gate
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
            if not self._claimed(ready, index):
                continue
            task = creates.submit(self.create_one, planned, resumable.get(planned.order_id))
            with self._lock:
                self._tasks.append((planned, task))
        with self._window:
            # Every admitted order leaves the window (its buy is submitted before its create
            # task ends), so this also means both pools are idle.
            while self._in_flight:
                self._window.wait()

    def _claimed(self, ready: Sequence[PlannedOrder], index: int) -> bool:
        """True when this desk buys `ready[index]`; else its window slot is given back."""
        if self._gate is None:
            return True
        try:
            if self._ids is None:
                self._ids = [p.order_id for p in ready]
            if self._gate.admits(self._ids, index):
                return True
            with self._lock:
                self.passed_over += 1
        except AppError as error:  # claims cannot be written: nothing bought for this order
            self._fail(ready[index], None, error.message)
        self._leave(ready[index], None)
        return False

    def _admit(self) -> bool:
        """Wait for room in the look-ahead window; False once cancelled."""
        with self._window:
            while self._in_flight >= self.lookahead and not self._stopping():
                # A timeout so a cancel is seen even while every order in flight is slow.
                self._window.wait(timeout=0.25)
            if self._stopping():
                return False
            self._in_flight += 1
            return True

    def _stopping(self) -> bool:
        return self.cancel.is_set() or self.database_lost.is_set()

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
        except BaseException as error:  # noqa: BLE001 (logged; a failure, never a lost worker)
            _log_worker_error("creating the shipment of order %s", planned.order_id, error)
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
        except BaseException as error:  # noqa: BLE001 (logged; a failure, never a lost worker)
            _log_worker_error("buying order %s", planned.order_id, error)
            self._internal_error(planned, error)
        finally:
            self._leave(planned, label)

    def _internal_error(self, planned: PlannedOrder, error: BaseException) -> None:
        if isinstance(error, AppError) and is_connection_lost(error):
            self.database_lost.set()
        # Its journal row may be left open either way: the batch stays resumable.
        reason = f"internal error: {error!r}"
        if _known(error):
            reason = error.message
        with self._lock:
            self.internal_errors += 1
            self.failed.append(FailedOrder(planned.order_id, planned.order.external_id, reason))

    def _block(self, planned: PlannedOrder, purchase: PurchaseRecord | None, reason: str) -> None:
        if purchase is not None:
            self.steps.set_aside(purchase, reason)
        self.steps.audit.record(
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
            self.steps.close(purchase, PurchaseState.FAILED, reason)
        with self._lock:
            self.failed.append(FailedOrder(planned.order_id, planned.order.external_id, reason))

    def _create(
        self, planned: PlannedOrder, existing: PurchaseRecord | None
    ) -> PurchaseRecord | None:
        """Address check, `intent`, create, `created`; the row to buy, or None (recorded why)."""
        tools = self.tools
        if self._stopping():
            with self._lock:
                self.not_started.append(planned.order_id)
            return None
        store = self.steps.store
        if self.verify_addresses:
            check = tools.preflight.verify(planned.order.recipient)
            if not check.verified:
                self._block(planned, existing, f"address not verified: {check.message}")
                return None
        if existing is not None:
            decision = rules.resume(existing.service, planned.service)
            if decision.step is Step.ABANDON:
                # The user now asks for another service: never buy the old rate.
                reason = decision.reason
                if not self.steps.set_aside(existing, reason):
                    # A buy was sent for the old shipment: wait until it is settled.
                    with self._lock:
                        self.unknown.append((planned, existing, f"{reason}; {_UNSETTLED}"))
                    return None
                existing = None  # closed, no buy can complete: start a new intent below
        if existing is not None:
            return existing  # its shipment exists unbought: buy that one, never another
        reference = new_reference(planned.order_id)

        def add_intent() -> tuple[PlannedOrder | str, PurchaseRecord | None]:
            # Decides about this claimed order only: beside other desks' intents, never beside
            # an import or a hold (app.store.Store.transaction).
            with store.transaction(write=True, one_order=True) as tx:
                # Held, cancelled or re-imported since the plan: the stored order decides.
                current = current_for_intent(tx, planned)
                if isinstance(current, str):
                    return current, None
                landed = tx.purchases.by_reference(reference)
                if landed is not None:  # a retry: the first COMMIT landed as the link dropped
                    return current, landed
                return current, tx.purchases.add_intent(
                    order_id=planned.order_id,
                    batch_id=self.batch.id,
                    reference=reference,
                    now=self.steps.clock(),
                    service=planned.service,
                    station=self.steps.audit.station,
                )

        try:
            current, added = retry_lost_connection(add_intent)
        except AppError as error:
            if is_connection_lost(error):
                self.database_lost.set()
            self._fail(planned, None, error.message)
            return None
        if isinstance(current, str):
            self._block(planned, None, current)
            return None
        assert added is not None
        purchase = added
        if self.verify_addresses and current.order.recipient != planned.order.recipient:
            # Re-imported since the plan: the address to send is not the one checked above.
            check = tools.preflight.verify(current.order.recipient)
            if not check.verified:
                self._block(current, purchase, f"address not verified: {check.message}")
                return None
        planned = current
        fault_hooks.reached(PurchaseState.INTENT.value)
        try:
            request = rate_request_for(
                planned,
                self.plan,
                label_format=tools.label_format,
                signer=tools.signer,
                reference=reference,
            )
            quote = tools.gateway.create_shipment(
                to_address=request.to_address,
                from_address=request.from_address,
                parcel=request.parcel,
                options=request.options,
                customs=request.customs,
                reference=reference,
                tax_identifiers=request.tax_identifiers,  # IOSS / VAT / EORI (issue 12)
            )
            if request.with_transit:  # a delivery target (within:3d@90) picks by SmartRate
                transit = tools.gateway.smart_rates(quote.shipment_id)
                quote = dataclasses.replace(quote, transit=transit)
            predefined = planned.package_type.predefined if planned.package_type else None
            rate = quote.choose(planned.service or "cheapest", predefined_package=predefined)
        except AppError as error:
            # Nothing was bought: at most an unbought shipment exists (it costs nothing).
            self._fail(planned, purchase, error.message)
            return None

        def write_created() -> PurchaseRecord:
            # intent -> created: still open, only this desk's claim decides on the row
            with store.transaction(write=True, own_rows=True) as tx:
                tx.purchases.update(
                    purchase.id,
                    now=self.steps.clock(),
                    state=PurchaseState.CREATED,
                    shipment_id=quote.shipment_id,
                    rate_id=rate.id,
                    service=rate.service,
                    amount_usd=rate.amount,
                )
                return tx.purchases.get(purchase.id) or purchase

        created = retry_lost_connection(write_created)  # CREATED twice is the same row
        fault_hooks.reached(PurchaseState.CREATED.value)
        return created

    def _purchase(self, planned: PlannedOrder, purchase: PurchaseRecord) -> LabelInfo | None:
        """`buying`, the buy call, the label; None when not bought (recorded why)."""
        tools = self.tools
        if self._stopping():
            # The row stays `created`: the next run buys this same shipment.
            with self._lock:
                self.not_started.append(planned.order_id)
            return None
        assert purchase.shipment_id is not None and purchase.rate_id is not None
        self.steps.update(purchase, PurchaseState.BUYING)
        try:
            label = tools.gateway.buy(
                purchase.shipment_id,
                purchase.rate_id,
                insurance=planned.insurance_usd,
                reference=purchase.reference,
                label_format=tools.label_format,
            )
        except AppError as error:
            if error.details.get("outcome") == "unknown":
                self.steps.update(purchase, PurchaseState.UNKNOWN, error=error.message)
                with self._lock:
                    self.unknown.append((planned, purchase, error.message))
                return None
            self._fail(planned, purchase, error.message)
            return None
        return self._took(self.steps.record_bought(purchase, label, self._placement(planned)))

    def _placement(self, planned: PlannedOrder) -> Placement:
        return Placement(planned.group_id, planned.sequence)

    def _took(self, outcome: Recorded) -> LabelInfo | None:
        """Tally what became of a label bought in this run (recorded or not: money spent)."""
        with self._lock:
            if outcome.label is not None:
                self.bought.append(outcome.label)
                self.spent += outcome.label.amount_usd
            if outcome.unrecorded is not None:
                self.unrecorded.append(outcome.unrecorded)
                self.spent += outcome.unrecorded.amount_usd
            if outcome.refunded is not None:
                self.refunded.append(outcome.refunded)
                self.spent += outcome.refunded.amount_usd
        return outcome.label

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
                record = self.tools.gateway.reconcile(purchase.shipment_id)
            except AppError:
                still.append(FailedOrder(planned.order_id, planned.order.external_id, reason))
                continue
            if record.label is not None:
                info = self._took(
                    self.steps.record_bought(
                        purchase, record.label, self._placement(planned), reconciled=True
                    )
                )
                if info is not None:
                    self._in_order.deliver(info)
            else:
                # The shipment is unbought so far: the row stays UNKNOWN (a buy was sent; it
                # may still complete) and the next run reconciles it, then buys this same
                # shipment if it is still unbought.
                still.append(FailedOrder(planned.order_id, planned.order.external_id, reason))
        return tuple(still)

"""The purchase journal's I/O: each step the money rules decide, written to the database.

The rules live in app.domain.purchase_journal; this module writes their outcome (journal row,
label, order, audit entry in one transaction), records a bought label, and never drops one the
database will not take: it becomes an `unrecorded` row (or a side-journal line when the database
cannot be written at all), recorded later or refunded with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.domain import purchase_journal as rules
from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import PurchaseState
from app.domain.order_freeze import address_snapshot
from app.domain.purchase_journal import RecordFailure, Step
from app.postage.models import PurchasedLabel, Rate
from app.services import fault_hooks
from app.services.audit import AuditAction, AuditLog
from app.services.clock import Clock
from app.services.db_retry import retry_lost_connection
from app.services.label_files import LabelFiles
from app.services.preflight import from_address_key
from app.services.purchase_results import LabelInfo, PurchaseGateway, UnrecordedLabel
from app.services.side_journal import SideEntry, SideJournal
from app.store import Store, StoreTransaction
from app.store.labels_repo import LabelRecord, NewLabel
from app.store.purchases_repo import PurchaseRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Recorded:
    """What became of a label EasyPost sold: recorded, kept unrecorded, or refunded."""

    label: LabelInfo | None = None
    unrecorded: UnrecordedLabel | None = None
    refunded: UnrecordedLabel | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """A label's place in the selection (for in-order printing); its batch is its row's."""

    group_id: str = ""
    sequence: int = -1


class JournalSteps:
    """Writes the journal's steps; shared by the buy pipeline and reconciliation."""

    def __init__(
        self,
        store: Store,
        gateway: PurchaseGateway,
        files: LabelFiles,
        audit: AuditLog,
        clock: Clock,
        side: SideJournal,
    ) -> None:
        self.store = store
        self._gateway = gateway
        self._files = files
        self.audit = audit
        self.clock = clock
        self.side = side

    # -- plain steps ------------------------------------------------------------------------

    def update(self, purchase: PurchaseRecord, state: PurchaseState, **fields: object) -> None:
        def write() -> None:
            # Between open states only this desk's claim decides on the row: no writer lock.
            with self.store.transaction(write=True, own_rows=state.is_open) as tx:
                tx.purchases.update(purchase.id, now=self.clock(), state=state, **fields)  # type: ignore[arg-type]

        # Open states only (CREATED, BUYING, UNKNOWN): writing one twice changes nothing.
        retry_lost_connection(write)
        fault_hooks.reached(state.value)

    def keep_time(self, purchase: PurchaseRecord, state: PurchaseState, error: str | None) -> None:
        """Change the state but keep the row's time (that of its last buy step)."""

        def write() -> None:
            with self.store.transaction(write=True) as tx:
                tx.purchases.update(purchase.id, now=purchase.updated_at, state=state, error=error)

        retry_lost_connection(write)  # UNKNOWN, an open state: twice is the same
        fault_hooks.reached(state.value)

    def set_aside(self, purchase: PurchaseRecord, reason: str) -> bool:
        """Give up a row whose shipment is not to be bought now; True when closed."""
        decision = rules.set_aside(purchase.state, purchase.updated_at, self.clock(), reason)
        if decision.step is Step.WAIT:
            self.keep_time(purchase, PurchaseState.UNKNOWN, decision.reason)
            return False
        self.close(purchase, PurchaseState.ABANDONED, decision.reason)
        return True

    def close(self, purchase: PurchaseRecord, state: PurchaseState, reason: str) -> None:
        def write() -> None:
            with self.store.transaction(write=True) as tx:
                current = tx.purchases.get(purchase.id)
                if current is not None and current.state is state:
                    return  # closed by the attempt whose COMMIT landed as the connection dropped
                tx.purchases.update(purchase.id, now=self.clock(), state=state, error=reason)
                self.audit.record_in(
                    tx,
                    AuditAction.of("purchase", state.value, AuditAction.PURCHASE_FAILED),
                    order_id=purchase.order_id,
                    batch_id=purchase.batch_id,
                    details={"reference": purchase.reference, "reason": reason},
                )

        retry_lost_connection(write)
        fault_hooks.reached(state.value)

    # -- a label EasyPost sold ----------------------------------------------------------------

    def record_bought(
        self,
        purchase: PurchaseRecord,
        label: PurchasedLabel,
        where: Placement,
        *,
        reconciled: bool = False,
    ) -> Recorded:
        """Record the label, the order's status and tracking number and the audit entry.

        A label the database will not take is never dropped: the row becomes `unrecorded`
        (shipment, tracking number, cost), refunded at once when it can never be recorded
        (the order holds another live label, the tracking number is already stored), else
        kept for the next run. When even that cannot be written, a side-journal line keeps it.
        """
        fault_hooks.reached("answered")
        try:
            # A server restart while recording: wait for it (the label is found by its
            # shipment id if the first COMMIT landed), before keeping it as `unrecorded`.
            return Recorded(
                label=retry_lost_connection(
                    lambda: self._record_once(purchase, label, where, reconciled)
                )
            )
        except AppError as error:
            failure = (
                self._why_refused(purchase.order_id, label)
                if error.kind is ErrorKind.CONFLICT
                else RecordFailure.STORAGE
            )
            detail = error.message
        except Exception as error:  # noqa: BLE001 (any database or disk error: the label survives)
            log.error(
                "order %s: label %s bought, not recorded: %s",
                purchase.order_id,
                label.tracking_code,
                type(error).__name__,
            )
            failure, detail = RecordFailure.STORAGE, _describe(error)
        return self._unrecordable(
            purchase, label.shipment_id, label.tracking_code, label.rate, failure, detail
        )

    def _why_refused(self, order_id: int, label: PurchasedLabel) -> RecordFailure:
        try:
            with self.store.transaction() as tx:
                if tx.labels.live_for_order(order_id) is not None:
                    return RecordFailure.ORDER_HAS_LABEL
                if tx.labels.by_tracking_code(label.tracking_code) is not None:
                    return RecordFailure.TRACKING_TAKEN
        except Exception:  # noqa: BLE001 (cannot even read: storage trouble, tried again later)
            return RecordFailure.STORAGE
        return RecordFailure.STORAGE

    def _unrecordable(
        self,
        purchase: PurchaseRecord,
        shipment_id: str,
        tracking_code: str,
        rate: Rate,
        failure: RecordFailure,
        detail: str,
    ) -> Recorded:
        decision = rules.unrecordable(failure, detail)
        kept = UnrecordedLabel(
            purchase.id,
            purchase.order_id,
            purchase.batch_id,
            shipment_id,
            tracking_code,
            rate.amount,
            decision.reason,
        )
        log.error(
            "order %s: label %s bought but not recorded (%s): kept in the journal",
            purchase.order_id,
            tracking_code,
            failure.value,
        )
        try:
            with self.store.transaction(write=True) as tx:
                tx.purchases.update(
                    purchase.id,
                    now=self.clock(),
                    state=PurchaseState.UNRECORDED,
                    shipment_id=shipment_id,
                    rate_id=rate.id,
                    service=rate.service,
                    amount_usd=rate.amount,
                    tracking_code=tracking_code,
                    error=decision.reason,
                )
                self.audit.record_in(
                    tx,
                    AuditAction.PURCHASE_UNRECORDED,
                    order_id=purchase.order_id,
                    batch_id=purchase.batch_id,
                    details={
                        "shipment_id": shipment_id,
                        "tracking_code": tracking_code,
                        "amount": str(rate.amount),
                        "reason": decision.reason,
                    },
                )
        except Exception as error:  # noqa: BLE001 (the database cannot be written at all)
            log.error("the journal cannot be written (%s): side journal", type(error).__name__)
            self.side.append(
                SideEntry(
                    purchase.id,
                    purchase.reference,
                    purchase.order_id,
                    shipment_id,
                    tracking_code,
                    rate.id,
                    rate.service,
                    str(rate.amount),
                    decision.reason,
                )
            )
            return Recorded(unrecorded=kept)
        fault_hooks.reached(PurchaseState.UNRECORDED.value)
        if failure in rules.PERMANENT_FAILURES and self.refund_unrecorded(kept, failure, detail):
            return Recorded(refunded=kept)
        return Recorded(unrecorded=kept)

    def refund_unrecorded(self, kept: UnrecordedLabel, failure: RecordFailure, detail: str) -> bool:
        """Refund a label that can never be recorded; True once EasyPost took the request."""
        decision = rules.settle_unrecorded(failure, detail)
        try:
            status = self._gateway.refund(kept.shipment_id)
        except AppError as error:
            log.warning("refund of unrecorded label %s not sent: %s", kept.tracking_code, error)
            return False
        if status.status not in ("submitted", "refunded"):
            with self.store.transaction(write=True) as tx:
                tx.purchases.update(
                    kept.purchase_id,
                    now=self.clock(),
                    error=f"{kept.reason}; refund {status.status}: look at it by hand",
                )
            return False
        with self.store.transaction(write=True) as tx:
            tx.purchases.update(
                kept.purchase_id,
                now=self.clock(),
                state=PurchaseState.REFUNDED,
                error=decision.reason,
            )
            self.audit.record_in(
                tx,
                AuditAction.PURCHASE_REFUNDED,
                order_id=kept.order_id,
                batch_id=kept.batch_id,
                details={
                    "shipment_id": kept.shipment_id,
                    "tracking_code": kept.tracking_code,
                    "amount": str(kept.amount_usd),
                    "refund": status.status,
                    "reason": decision.reason,
                },
            )
        fault_hooks.reached(PurchaseState.REFUNDED.value)
        return True

    def _record_once(
        self, purchase: PurchaseRecord, label: PurchasedLabel, where: Placement, reconciled: bool
    ) -> LabelInfo:
        now = self.clock()
        # What is only read here cannot change while the purchase is open (the order is frozen,
        # a batch keeps its reference): read before the writer lock, which desks share.
        with self.store.transaction() as tx:
            order = tx.orders.get(purchase.order_id)
            batch = tx.batches.get(purchase.batch_id)
            from_key = _from_key(tx)
        with self.store.transaction(write=True, one_order=True) as tx:  # this order's label only
            existing = tx.labels.by_shipment_id(label.shipment_id)
            if existing is not None:  # recorded by an earlier run that died before closing the row
                current = tx.purchases.get(purchase.id)
                if current is None or current.state is not PurchaseState.BOUGHT:  # else: a retry
                    tx.purchases.update(
                        purchase.id,
                        now=now,
                        state=PurchaseState.BOUGHT,
                        amount_usd=existing.amount_usd,
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
                        batch_id=purchase.batch_id,
                        purchase_id=purchase.id,
                        from_address_key=from_key,
                        to_address=address_snapshot(order.recipient) if order else None,
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
                    tracking_code=label.tracking_code,
                    error=None,
                )
                tx.labels.mark_order_labelled(purchase.order_id, label.tracking_code, now)
                self.audit.record_in(
                    tx,
                    AuditAction.LABEL_BOUGHT,
                    order_id=purchase.order_id,
                    label_id=record.id,
                    batch_id=purchase.batch_id,
                    details={
                        "tracking_code": label.tracking_code,
                        "shipment_id": label.shipment_id,
                        "service": label.rate.service,
                        "amount": str(label.rate.amount),
                        "reference": purchase.reference,
                        "reconciled": reconciled or label.reconciled,
                    },
                )
        fault_hooks.reached(PurchaseState.BOUGHT.value)
        external_id = order.external_id if order else str(purchase.order_id)
        batch_reference = batch.reference if batch else ""
        record = self.save_files(record, label, batch_reference, external_id)
        return LabelInfo(
            label_id=record.id,
            order_id=purchase.order_id,
            external_id=external_id,
            group_id=where.group_id,
            batch_id=purchase.batch_id,
            batch_reference=batch_reference,
            tracking_code=record.tracking_code,
            service=record.service,
            amount_usd=record.amount_usd,
            label_format=record.label_format,
            label_path=record.label_path,
            preview_path=record.preview_path,
            sequence=where.sequence,
        )

    def save_files(
        self, record: LabelRecord, label: PurchasedLabel, batch_reference: str, order_ref: str
    ) -> LabelRecord:
        if record.label_path and Path(record.label_path).exists():
            return record
        try:
            paths = self._files.save(label, batch_reference=batch_reference, order_ref=order_ref)

            def write() -> LabelRecord | None:
                with self.store.transaction(write=True, own_rows=True) as tx:  # the paths only
                    tx.labels.update(
                        record.id,
                        label_path=str(paths.label_path),
                        preview_path=str(paths.preview_path),
                    )
                    return tx.labels.get(record.id)

            updated = retry_lost_connection(write)  # the same paths twice: harmless
        except Exception as error:  # noqa: BLE001 (logged and audited; the label stays bought)
            # The label is bought and recorded: nothing after the `bought` commit may turn it
            # into a failure. A disk or database error is like a failed download: the files are
            # fetched again later (fetch_missing_files).
            message = error.message if isinstance(error, AppError) else _describe(error)
            log.warning("label %s bought, files not saved: %s", record.tracking_code, message)
            try:
                self.audit.record(
                    AuditAction.LABEL_FILES_MISSING,
                    order_id=record.order_id,
                    label_id=record.id,
                    details={"error": message},
                )
            except Exception:  # noqa: BLE001 (the database refuses writes: the log line says it)
                log.warning("label %s: audit entry not written", record.tracking_code)
            return record
        assert updated is not None
        return updated

    # -- settling what an earlier run could not record ---------------------------------------

    def fold_side_journal(self) -> int:
        """Bring side-journal lines back into the journal as `unrecorded` rows; how many."""
        entries = self.side.entries()
        if not entries:
            return 0
        folded = 0
        with self.store.transaction(write=True) as tx:
            for entry in entries:
                row = tx.purchases.by_reference(entry.reference)
                if row is None or tx.labels.by_shipment_id(entry.shipment_id) is not None:
                    continue
                if row.state is PurchaseState.UNRECORDED or not rules.can_transition(
                    row.state, PurchaseState.UNRECORDED
                ):
                    continue
                tx.purchases.update(
                    row.id,
                    now=self.clock(),
                    state=PurchaseState.UNRECORDED,
                    shipment_id=entry.shipment_id,
                    rate_id=entry.rate_id,
                    service=entry.service,
                    amount_usd=entry.amount,
                    tracking_code=entry.tracking_code,
                    error=entry.reason,
                )
                self.audit.record_in(
                    tx,
                    AuditAction.PURCHASE_UNRECORDED,
                    order_id=row.order_id,
                    batch_id=row.batch_id,
                    details={
                        "shipment_id": entry.shipment_id,
                        "tracking_code": entry.tracking_code,
                        "amount": entry.amount_usd,
                        "reason": entry.reason,
                        "from": "side journal",
                    },
                )
                folded += 1
        self.side.clear()
        return folded

    def settle_unrecorded(
        self, planned: Mapping[int, Placement]
    ) -> tuple[list[LabelInfo], list[UnrecordedLabel], list[UnrecordedLabel]]:
        """Try every `unrecorded` row again: (recorded, still unrecorded, refunded)."""
        with self.store.transaction() as tx:
            rows = tx.purchases.unrecorded()
        recorded: list[LabelInfo] = []
        kept: list[UnrecordedLabel] = []
        refunded: list[UnrecordedLabel] = []
        for row in rows:
            assert row.shipment_id is not None
            try:
                record = self._gateway.reconcile(row.shipment_id)
            except AppError as error:
                log.warning("cannot look up unrecorded %s: %s", row.reference, error)
                kept.append(_kept(row))
                continue
            if record.label is None:  # refunded at EasyPost meanwhile, or not found: keep
                kept.append(_kept(row))
                continue
            where = planned.get(row.order_id, Placement())
            outcome = self.record_bought(row, record.label, where, reconciled=True)
            if outcome.label is not None:
                recorded.append(outcome.label)
            elif outcome.refunded is not None:
                refunded.append(outcome.refunded)
            elif outcome.unrecorded is not None:
                kept.append(outcome.unrecorded)
        return recorded, kept, refunded


def _kept(row: PurchaseRecord) -> UnrecordedLabel:
    return UnrecordedLabel(
        row.id,
        row.order_id,
        row.batch_id,
        row.shipment_id or "",
        row.tracking_code or "",
        row.amount_usd or Decimal(0),
        row.error or "",
    )


def _describe(error: BaseException) -> str:
    """An error's kind without its parameters (SQL parameters hold customers' data)."""
    if isinstance(error, OSError) and error.strerror:
        return f"disk error: {error.strerror}"
    original = getattr(error, "orig", None)  # sqlalchemy wraps the driver's error
    if original is not None:
        return f"database error: {original}"
    return f"{type(error).__name__}"


def _from_key(tx: StoreTransaction) -> str:
    ship_from = tx.ship_from.default()
    return from_address_key(ship_from.address) if ship_from else ""

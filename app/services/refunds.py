"""Refunds of unused labels: eligibility, requests (one or a batch), status, reminders."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING

from app.domain.after_labels import (
    UNMOVED_TRACKING_STATUSES,
    RefundFacts,
    refund_days_left,
    refund_refusal,
)
from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import LabelStatus
from app.postage.models import RefundStatus
from app.services.audit import AuditAction, AuditLog
from app.services.clock import Clock, local_date, utc_now
from app.store import Store
from app.store.shipping_repo import LabelFacts

if TYPE_CHECKING:  # the gateway (easypost, requests) loads with the service, not the window
    from app.postage.gateway import EasyPostGateway

_log = logging.getLogger(__name__)

#: refund_status while the request is on its way (journaled before the call).
REQUESTED = "requested"


@dataclass(frozen=True, slots=True)
class RefundLine:
    """One label's refund: what was asked and what came of it (or why it was refused)."""

    label_id: int
    order: str
    order_id: int
    tracking_code: str
    amount_usd: Decimal
    status: str  # submitted | refunded | rejected | refused | not_applicable
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RefundReport:
    """A refund request over one or more labels."""

    lines: tuple[RefundLine, ...]

    @property
    def submitted(self) -> tuple[RefundLine, ...]:
        return tuple(line for line in self.lines if line.status in ("submitted", "refunded"))

    @property
    def refused(self) -> tuple[RefundLine, ...]:
        return tuple(line for line in self.lines if line.status in ("refused", "rejected"))

    @property
    def amount_usd(self) -> Decimal:
        return sum((line.amount_usd for line in self.submitted), Decimal(0))


@dataclass(frozen=True, slots=True)
class RefundCheck:
    """Whether a label may be refunded now, and why not."""

    label_id: int
    order: str
    tracking_code: str
    amount_usd: Decimal
    eligible: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RefundState:
    """A label whose refund was asked for, and where it stands."""

    label_id: int
    order: str
    tracking_code: str
    amount_usd: Decimal
    refund_status: str
    requested_at: datetime | None
    refunded_at: datetime | None


@dataclass(frozen=True, slots=True)
class RefundReminder:
    """A label bought long ago that never moved: refund it before the window closes."""

    label_id: int
    order: str
    tracking_code: str
    amount_usd: Decimal
    bought_at: datetime
    days_old: int
    days_left: int
    tracking_status: str
    shipped_at_desk: bool


def _facts(label: LabelFacts) -> RefundFacts:
    return RefundFacts(
        status=label.status,
        bought_at=label.bought_at,
        tracking_status=label.tracking_status or "",
        first_scan_at=label.first_scan_at,
        scan_form_ref=label.scan_form_easypost_id or (str(label.scan_form_id or "") or ""),
    )


class RefundService:
    """Asks EasyPost for refunds of unused labels and follows them to refunded or rejected."""

    def __init__(
        self,
        store: Store,
        gateway: EasyPostGateway,
        audit: AuditLog,
        *,
        clock: Clock = utc_now,
        zone: tzinfo | None = None,
    ) -> None:
        """`zone`: the desk's time zone, whose days reminders count (None: the system's)."""
        self._store = store
        self._gateway = gateway
        self._audit = audit
        self._clock = clock
        self._zone = zone

    # -- choosing labels -----------------------------------------------------------------------

    def labels(
        self,
        *,
        label_ids: Sequence[int] = (),
        order_id: int | None = None,
        batch: str | None = None,
    ) -> list[LabelFacts]:
        """The labels a refund request names (a batch's: all of them; an order's: its newest).

        Raises:
            AppError: NOT_FOUND when a label, order or batch does not exist.
        """
        with self._store.transaction() as tx:
            found: list[LabelFacts] = []
            if label_ids:
                found = tx.shipping.labels_by_ids(label_ids)
                missing = sorted(set(label_ids) - {f.label_id for f in found})
                if missing:
                    raise _not_found(f"No label {', '.join(map(str, missing))} is recorded.")
            elif order_id is not None:
                labels = tx.shipping.labels_for_order(order_id)
                if not labels:
                    raise _not_found(f"Order {order_id} has no label.")
                found = [labels[0]]
            elif batch is not None:
                batch_id = tx.shipping.batch_id_by_reference(batch)
                if batch_id is None:
                    raise _not_found(f"No batch {batch} is recorded.", hint="See `batches`.")
                found = tx.shipping.labels_for_batch(batch_id)
            return found

    def check(self, labels: Sequence[LabelFacts]) -> list[RefundCheck]:
        """Eligibility of each label now (from what the database knows)."""
        now = self._clock()
        checks = []
        for label in labels:
            reason = refund_refusal(_facts(label), now)
            checks.append(
                RefundCheck(
                    label.label_id,
                    label.order_external_id,
                    label.tracking_code,
                    label.amount_usd,
                    reason is None,
                    reason or "",
                )
            )
        return checks

    # -- asking --------------------------------------------------------------------------------

    def refund(
        self,
        labels: Sequence[LabelFacts],
        *,
        refresh_tracking: bool = True,
        on_progress: Callable[[RefundLine], None] | None = None,
    ) -> RefundReport:
        """Ask for refunds of the eligible `labels`; the others are refused with the reason.

        With `refresh_tracking`, labels with a tracker are looked up first, so a parcel USPS
        scanned an hour ago is not refunded from a stale status. One label goes through the
        shipment's refund endpoint; several go in one bulk request.
        """
        if refresh_tracking:
            labels = self._refresh_tracking(labels)
        now = self._clock()
        lines: list[RefundLine] = []
        eligible: list[LabelFacts] = []
        for label in labels:
            reason = refund_refusal(_facts(label), now)
            if reason is None:
                eligible.append(label)
            else:
                lines.append(self._line(label, "refused", reason))
        if eligible:
            eligible, changed = self._note_requested(eligible, now)
            lines.extend(changed)
        if eligible:
            try:
                answers = self._ask(eligible)
            except AppError as error:
                raise AppError(
                    f"{error.message} ({len(eligible)} refund(s) asked; EasyPost may or may not "
                    "have received them).",
                    hint="Run `packdesk-cli refund status`: it asks EasyPost what became of "
                    "them, then ask again for those it never received.",
                    kind=error.kind,
                    details={**error.details, "labels": [f.label_id for f in eligible]},
                ) from error
            for label, result in zip(eligible, answers, strict=True):
                lines.append(self._record(label, result, now))
        lines.sort(key=lambda line: line.label_id)
        for line in lines:
            if on_progress is not None:
                on_progress(line)
        refused = [line for line in lines if line.status == "refused"]
        if refused:
            self._audit.record(
                AuditAction.REFUND_REFUSED,
                details={"labels": [[r.label_id, r.reason] for r in refused]},
            )
        return RefundReport(tuple(lines))

    def _refresh_tracking(self, labels: Sequence[LabelFacts]) -> list[LabelFacts]:
        from app.services.tracking import TrackingService

        tracked = [f for f in labels if f.tracker_id and f.status == LabelStatus.LIVE]
        if not tracked:
            return list(labels)
        TrackingService(self._store, self._gateway, self._audit, clock=self._clock).refresh_labels(
            tracked, create_missing=False
        )
        with self._store.transaction() as tx:
            return tx.shipping.labels_by_ids([f.label_id for f in labels])

    def _note_requested(
        self, labels: Sequence[LabelFacts], now: datetime
    ) -> tuple[list[LabelFacts], list[RefundLine]]:
        """Write down that refunds are being asked before asking (the answer can be lost).

        The labels stay live; `refresh()` asks EasyPost what became of a REQUESTED refund.
        Eligibility was read in an earlier transaction: another window may have refunded a
        label since, so each is checked again under the write lock and only written if it is
        still live with the refund state read (compare-and-set). Returns the labels to ask
        for and a refused line for each one that changed meanwhile.
        """
        claimed: list[LabelFacts] = []
        changed: list[RefundLine] = []
        with self._store.transaction(write=True) as tx:
            fresh = {f.label_id: f for f in tx.shipping.labels_by_ids([f.label_id for f in labels])}
            for label in labels:
                current = fresh.get(label.label_id)
                reason = (
                    "it is no longer recorded"
                    if current is None
                    else refund_refusal(_facts(current), now)
                )
                if reason is None and current is not None and current.refund_status == REQUESTED:
                    # Another window or command is asking right now (or its answer was lost):
                    # asking again would count the refund twice. `refund status` settles it.
                    reason = (
                        "its refund is being asked by another window or command (or that "
                        "answer was lost: `packdesk-cli refund status` asks EasyPost)"
                    )
                if reason is None and current is not None:
                    if tx.shipping.note_refund_requested(
                        label.label_id,
                        expected_refund_status=current.refund_status,
                        refund_status=REQUESTED,
                        requested_at=now,
                    ):
                        claimed.append(current)
                        continue
                    reason = "it is not live any more"
                changed.append(
                    self._line(current or label, "refused", f"{reason} (changed meanwhile)")
                )
        return claimed, changed

    def _ask(self, labels: Sequence[LabelFacts]) -> list[RefundStatus]:
        if len(labels) == 1:
            return [self._gateway.refund(labels[0].shipment_id)]
        answers = self._gateway.refund_many([f.tracking_code for f in labels])
        by_code = {answer.tracking_code: answer for answer in answers}
        return [
            by_code.get(f.tracking_code, RefundStatus("not_applicable", f.shipment_id))
            for f in labels
        ]

    def _record(self, label: LabelFacts, result: RefundStatus, now: datetime) -> RefundLine:
        status = result.status
        with self._store.transaction(write=True) as tx:
            if status in ("submitted", "refunded"):
                tx.shipping.set_label_refund(
                    label.label_id,
                    status=LabelStatus.REFUNDED
                    if status == "refunded"
                    else LabelStatus.REFUND_SUBMITTED,
                    refund_status=status,
                    requested_at=now,
                    refunded_at=now if status == "refunded" else None,
                )
                if status == "refunded":
                    tx.shipping.release_order(label.order_id, now)
            else:
                # A rejected label is still valid postage: it stays live (and keeps its order).
                tx.shipping.set_label_refund(
                    label.label_id,
                    status=LabelStatus.LIVE,
                    refund_status=status,
                    requested_at=now,
                )
            self._audit.record_in(
                tx,
                AuditAction.of("refund", status, AuditAction.REFUND_NOT_APPLICABLE),
                order_id=label.order_id,
                label_id=label.label_id,
                batch_id=label.batch_id,
                details={
                    "tracking_code": label.tracking_code,
                    "shipment_id": label.shipment_id,
                    "amount_usd": str(label.amount_usd),
                    "refund_id": result.refund_id,
                },
            )
        reason = ""
        if status == "rejected":
            reason = "EasyPost rejected the refund (USPS saw the label used or on a SCAN form)"
        elif status == "not_applicable":
            reason = "EasyPost does not know this tracking number"
        return self._line(label, status, reason)

    @staticmethod
    def _line(label: LabelFacts, status: str, reason: str) -> RefundLine:
        return RefundLine(
            label.label_id,
            label.order_external_id,
            label.order_id,
            label.tracking_code,
            label.amount_usd,
            status,
            reason,
        )

    # -- following -----------------------------------------------------------------------------

    def status(self, *, refresh: bool = True) -> list[RefundState]:
        """Labels whose refund was asked for; with `refresh`, pending ones are looked up first.

        A refunded label frees its order (the order goes back to ready to ship).
        """
        if refresh:
            self.refresh()
        with self._store.transaction() as tx:
            labels = tx.shipping.labels_with_status(
                [LabelStatus.REFUND_SUBMITTED, LabelStatus.REFUNDED, LabelStatus.LIVE]
            )
        return [
            RefundState(
                f.label_id,
                f.order_external_id,
                f.tracking_code,
                f.amount_usd,
                f.refund_status or "",
                f.refund_requested_at,
                f.refunded_at,
            )
            for f in labels
            if f.refund_status
        ]

    def refresh(self) -> int:
        """Look up every submitted (or lost-answer) refund at EasyPost; returns how many changed.

        A REQUESTED refund EasyPost never heard of goes back to no refund at all, so it can be
        asked again.
        """
        with self._store.transaction() as tx:
            pending = tx.shipping.labels_with_status([LabelStatus.REFUND_SUBMITTED])
            pending += [
                f
                for f in tx.shipping.labels_with_status([LabelStatus.LIVE])
                if f.refund_status == REQUESTED
            ]
        changed = 0
        for label in pending:
            record = self._gateway.retrieve_shipment(label.shipment_id)
            if record.refund_status and record.refund_status != (label.refund_status or ""):
                self._record(
                    label, RefundStatus(record.refund_status, label.shipment_id), self._clock()
                )
                changed += 1
            elif not record.refund_status and label.refund_status == REQUESTED:
                with self._store.transaction(write=True) as tx:
                    tx.shipping.set_label_refund(
                        label.label_id, status=LabelStatus.LIVE, refund_status=None
                    )
                    self._audit.record_in(
                        tx,
                        AuditAction.REFUND_NOT_RECEIVED,
                        order_id=label.order_id,
                        label_id=label.label_id,
                        batch_id=label.batch_id,
                        details={"tracking_code": label.tracking_code},
                    )
                changed += 1
        return changed

    def reminders(self, days: int) -> list[RefundReminder]:
        """Live labels bought `days` or more days ago that never moved, oldest first.

        Days are the desk's calendar days: a label bought yesterday afternoon is 1 day old
        this morning, wherever UTC's midnight fell in between.
        """
        if days < 0:
            raise AppError(
                f"--days must be 0 or more, not {days}.",
                hint="Labels can be refunded up to 30 days after purchase.",
                kind=ErrorKind.INVALID_INPUT,
            )
        with self._store.transaction() as tx:
            labels = tx.shipping.labels_with_status([LabelStatus.LIVE])
        return unmoved_labels(labels, days, self._clock(), self._zone)


def unmoved_labels(
    live: Sequence[LabelFacts], days: int, now: datetime, zone: tzinfo | None = None
) -> list[RefundReminder]:
    """The live labels bought `days` or more desk days before `now` that never moved, oldest
    first (what `reminders` shows; the History panel shows it too, without EasyPost)."""
    today = local_date(now, zone)
    found = [
        RefundReminder(
            f.label_id,
            f.order_external_id,
            f.tracking_code,
            f.amount_usd,
            f.bought_at,
            days_old,
            refund_days_left(f.bought_at, now),
            f.tracking_status or "",
            f.shipped_at is not None,
        )
        for f in live
        if (days_old := (today - local_date(f.bought_at, zone)).days) >= days
        and f.first_scan_at is None
        and (f.tracking_status or "") in UNMOVED_TRACKING_STATUSES
        and f.scan_form_id is None
        and f.refund_status != REQUESTED
    ]
    return sorted(found, key=lambda r: r.bought_at)


def _not_found(message: str, hint: str = "See `refund status` or `batches`.") -> AppError:
    return AppError(message, hint=hint, kind=ErrorKind.NOT_FOUND)

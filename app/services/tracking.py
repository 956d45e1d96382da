"""Tracking: trackers for bought labels, refreshed; orders ship at the first scan, then deliver."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.domain.after_labels import DELIVERED, UNMOVED_TRACKING_STATUSES
from app.domain.deadline import in_scope
from app.domain.errors import AppError
from app.domain.fulfilment import LabelStatus
from app.postage.models import TrackerInfo
from app.services.audit import AuditAction, AuditLog
from app.services.clock import Clock, utc_now
from app.store import Store
from app.store.shipping_repo import LabelFacts

if TYPE_CHECKING:  # the gateway (easypost, requests) loads with the service, not the window
    from app.postage.gateway import EasyPostGateway

_log = logging.getLogger(__name__)

#: The station name recorded when the carrier, not the desk, shipped an order.
CARRIER_STATION = "USPS"
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class TrackingLine:
    """One label's tracking after a refresh."""

    label_id: int
    order: str
    order_id: int
    tracking_code: str
    status: str
    first_scan_at: datetime | None
    delivered_at: datetime | None
    shipped_now: bool = False  # the first carrier scan shipped the order in this refresh
    delivered_now: bool = False
    error: str = ""


@dataclass(frozen=True, slots=True)
class TrackingReport:
    lines: tuple[TrackingLine, ...]

    @property
    def shipped(self) -> int:
        return sum(line.shipped_now for line in self.lines)

    @property
    def delivered(self) -> int:
        return sum(line.delivered_now for line in self.lines)

    @property
    def errors(self) -> int:
        return sum(bool(line.error) for line in self.lines)


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


class TrackingService:
    """Creates missing trackers and refreshes them with bounded concurrency."""

    def __init__(
        self,
        store: Store,
        gateway: EasyPostGateway,
        audit: AuditLog,
        *,
        clock: Clock = utc_now,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self._store = store
        self._gateway = gateway
        self._audit = audit
        self._clock = clock
        self._concurrency = max(1, concurrency)

    def current(self, *, order_id: int | None = None) -> list[LabelFacts]:
        """Labels being tracked, as stored (no network)."""
        with self._store.transaction() as tx:
            return tx.shipping.labels_to_track(order_id=order_id)

    def refresh(
        self,
        *,
        order_id: int | None = None,
        on_progress: Callable[[TrackingLine], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> TrackingReport:
        """Create missing trackers and refresh every undelivered label (or one order's)."""
        return self.refresh_labels(
            self.current(order_id=order_id), on_progress=on_progress, cancel=cancel
        )

    def refresh_labels(
        self,
        labels: Sequence[LabelFacts],
        *,
        create_missing: bool = True,
        on_progress: Callable[[TrackingLine], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> TrackingReport:
        """Fetch each label's tracker (at most `concurrency` at once) and record what changed.

        `cancel` stops asking for more; answers already on their way are still recorded.
        """
        todo = [f for f in labels if f.tracker_id or create_missing]
        if not todo:
            return TrackingReport(())
        workers = min(self._concurrency, len(todo))
        lines: list[TrackingLine] = []
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tracking") as pool:
            fetch = in_scope(functools.partial(self._fetch, cancel=cancel))
            for label, answer in zip(todo, pool.map(fetch, todo), strict=True):
                if answer is None:
                    continue  # cancelled before it was asked
                line = self._apply(label, answer)
                lines.append(line)
                if on_progress is not None:
                    on_progress(line)
        return TrackingReport(tuple(lines))

    def _fetch(
        self, label: LabelFacts, *, cancel: threading.Event | None = None
    ) -> TrackerInfo | AppError | None:
        if cancel is not None and cancel.is_set():
            return None
        try:
            if label.tracker_id:
                return self._gateway.retrieve_tracker(label.tracker_id)
            return self._gateway.create_tracker(label.tracking_code)
        except AppError as error:  # one label's failure must not stop the others
            _log.warning("tracking %s failed: %s", label.tracking_code, error.message)
            return error

    def _apply(self, label: LabelFacts, answer: TrackerInfo | AppError) -> TrackingLine:
        if isinstance(answer, AppError):
            return TrackingLine(
                label.label_id,
                label.order_external_id,
                label.order_id,
                label.tracking_code,
                label.tracking_status or "",
                label.first_scan_at,
                label.delivered_at,
                error=answer.message,
            )
        first_scan = _naive_utc(answer.first_scan_at)
        delivered_at = None
        if answer.status == DELIVERED:
            delivered_events = [e.datetime for e in answer.events if e.status == DELIVERED]
            delivered_at = (
                _naive_utc(max((d for d in delivered_events if d is not None), default=None))
                or self._clock()
            )
        if first_scan is None and answer.status not in UNMOVED_TRACKING_STATUSES:
            first_scan = delivered_at or self._clock()
        now = self._clock()
        shipped_now = delivered_now = False
        with self._store.transaction(write=True) as tx:
            tx.shipping.set_tracking(
                label.label_id,
                tracker_id=answer.id,
                tracking_status=answer.status,
                first_scan_at=first_scan,
                delivered_at=delivered_at,
            )
            usable = label.status == LabelStatus.LIVE  # a rejected refund stays live
            if usable and first_scan is not None and label.shipped_at is None:
                shipped_now = tx.shipping.mark_shipped(label.order_id, first_scan, CARRIER_STATION)
            if usable and delivered_at is not None and label.order_delivered_at is None:
                if label.shipped_at is None and not shipped_now:
                    shipped_now = tx.shipping.mark_shipped(
                        label.order_id, delivered_at, CARRIER_STATION
                    )
                delivered_now = tx.shipping.mark_delivered(label.order_id, delivered_at, now)
            if answer.status != (label.tracking_status or ""):
                self._audit.record_in(
                    tx,
                    AuditAction.TRACKING_UPDATED,
                    order_id=label.order_id,
                    label_id=label.label_id,
                    batch_id=label.batch_id,
                    details={
                        "tracking_code": label.tracking_code,
                        "from": label.tracking_status or "",
                        "to": answer.status,
                        "shipped": shipped_now,
                        "delivered": delivered_now,
                    },
                )
        return TrackingLine(
            label.label_id,
            label.order_external_id,
            label.order_id,
            label.tracking_code,
            answer.status,
            label.first_scan_at or first_scan,
            label.delivered_at or delivered_at,
            shipped_now,
            delivered_now,
        )

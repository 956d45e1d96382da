"""The day's batches at a glance: bought, printed, shipped, refunded, spent, SCAN form state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import PurchaseState
from app.services.clock import Clock, local_date, local_day_start, utc_now
from app.store import Store
from app.store.purchases_repo import PurchaseRecord
from app.store.scan_forms_repo import StoredScanForm
from app.store.shipping_repo import BatchCounts, LabelFacts


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """One batch's counts and where its SCAN forms stand."""

    reference: str
    created_at: datetime
    status: str
    station: str
    service_choice: str
    bought: int
    printed: int
    shipped: int
    refunded: int
    refund_pending: int
    spent_usd: Decimal
    scan_form_state: str  # none | partial | complete | n/a
    on_scan_form: int
    manifestable: int
    unrecorded: int = 0  # labels bought but not recorded yet: recorded or refunded next run

    def to_json(self) -> dict[str, object]:
        return {
            "batch": self.reference,
            "created_at": self.created_at.isoformat(),
            "status": self.status,
            "station": self.station,
            "service": self.service_choice,
            "bought": self.bought,
            "printed": self.printed,
            "shipped": self.shipped,
            "refunded": self.refunded,
            "refund_pending": self.refund_pending,
            "spent": str(self.spent_usd),
            "scan_form": self.scan_form_state,
            "on_scan_form": self.on_scan_form,
            "manifestable": self.manifestable,
            "unrecorded": self.unrecorded,
        }


@dataclass(frozen=True, slots=True)
class BatchDetail:
    """A batch with its labels and SCAN forms."""

    summary: BatchSummary
    labels: tuple[LabelFacts, ...]
    scan_forms: tuple[StoredScanForm, ...]
    #: Journal rows of labels bought but not recorded (`unrecorded`), or refunded for that.
    unrecorded: tuple[PurchaseRecord, ...] = ()
    #: The order number shown everywhere (the source's own) of each unrecorded row's order.
    order_numbers: Mapping[int, str] = field(default_factory=dict)


def _state(counts: BatchCounts) -> str:
    if counts.live == 0:
        return "n/a"
    if counts.on_scan_form == 0:
        return "none"
    return "complete" if counts.manifestable == 0 else "partial"


def batch_summary(counts: BatchCounts) -> BatchSummary:
    return BatchSummary(
        reference=counts.reference,
        created_at=counts.created_at,
        status=counts.status,
        station=counts.station,
        service_choice=counts.service_choice,
        bought=counts.bought,
        printed=counts.printed,
        shipped=counts.shipped,
        refunded=counts.refunded,
        refund_pending=counts.refund_pending,
        spent_usd=counts.spent_usd,
        scan_form_state=_state(counts),
        on_scan_form=counts.on_scan_form,
        manifestable=counts.manifestable,
        unrecorded=counts.unrecorded,
    )


class BatchOverviewService:
    """Read-only views of buy runs (the CLI's `batches` and the GUI's Labels & batches panel)."""

    def __init__(self, store: Store, *, clock: Clock = utc_now, zone: tzinfo | None = None) -> None:
        """`zone`: the desk's time zone, whose day is "today" (None: the operating system's)."""
        self._store = store
        self._clock = clock
        self._zone = zone

    def today(self, *, days: int = 1) -> list[BatchSummary]:
        """Batches created today (the desk's local day), or in the last `days` local days."""
        first_day = local_date(self._clock(), self._zone) - timedelta(days=max(days, 1) - 1)
        since = local_day_start(first_day, self._zone)
        with self._store.transaction() as tx:
            return [batch_summary(c) for c in tx.shipping.batch_counts(since=since)]

    def show(self, reference: str) -> BatchDetail:
        with self._store.transaction() as tx:
            counts = tx.shipping.batch_counts(reference=reference)
            if not counts:
                raise AppError(
                    f"No batch {reference} is recorded.",
                    hint="See `packdesk-cli batches` for today's batches.",
                    kind=ErrorKind.NOT_FOUND,
                )
            labels = tx.shipping.labels_for_batch(counts[0].batch_id)
            forms = [f for f in tx.scan_forms.all() if f.batch_id == counts[0].batch_id]
            form_ids = {label.scan_form_id for label in labels if label.scan_form_id}
            forms += [f for f in tx.scan_forms.all() if f.id in form_ids and f.batch_id is None]
            kept = [
                p
                for p in tx.purchases.for_batch(counts[0].batch_id)
                if p.state in (PurchaseState.UNRECORDED, PurchaseState.REFUNDED)
            ]
            numbers = {
                p.order_id: found.external_id
                for p in kept
                if (found := tx.orders.get(p.order_id)) is not None
            }
        return BatchDetail(
            batch_summary(counts[0]), tuple(labels), tuple(forms), tuple(kept), numbers
        )

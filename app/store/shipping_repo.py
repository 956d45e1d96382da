"""Bought labels after the purchase: scan lookups, refunds, tracking, SCAN form membership."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Row, Select, func, or_, select, update
from sqlalchemy.orm import Session

from app.domain.fulfilment import LIVE_LABEL_STATUSES, LabelStatus, PurchaseState
from app.domain.orders import OrderStatus
from app.store.batches_repo import BatchRepository
from app.store.models import OrderRow
from app.store.models_fulfilment import BatchRow, LabelRow, PrintJobRow, PurchaseRow, ScanFormRow

_CHUNK = 900


@dataclass(frozen=True, slots=True)
class LabelFacts:
    """A label with its order's shipping state: what scan, refund and tracking decide on."""

    label_id: int
    order_id: int
    order_external_id: str
    order_status: str
    shipped_at: datetime | None
    shipped_station: str | None
    order_delivered_at: datetime | None
    batch_id: int | None
    batch_reference: str | None
    shipment_id: str
    tracking_code: str
    service: str
    amount_usd: Decimal
    bought_at: datetime
    status: str
    refund_status: str | None
    refund_requested_at: datetime | None
    refunded_at: datetime | None
    scan_form_id: int | None
    scan_form_easypost_id: str | None
    tracker_id: str | None
    tracking_status: str | None
    first_scan_at: datetime | None
    delivered_at: datetime | None
    from_address_key: str
    bought_station: str | None = None  # the station that bought it (None: no journal row)


@dataclass(frozen=True, slots=True)
class OrderShipState:
    """An order found by a packing-slip barcode."""

    order_id: int
    external_id: str
    status: str
    shipped_at: datetime | None
    shipped_station: str | None


@dataclass(frozen=True, slots=True)
class BatchCounts:
    """One batch and what became of its labels."""

    batch_id: int
    reference: str
    created_at: datetime
    status: str
    station: str
    service_choice: str
    bought: int
    live: int
    printed: int
    shipped: int
    refunded: int
    refund_pending: int
    on_scan_form: int
    manifestable: int
    #: Derived from the labels and the unrecorded journal rows (never a stored tally).
    spent_usd: Decimal = Decimal(0)
    #: Labels bought but not recorded yet (journal rows `unrecorded`): recorded or refunded.
    unrecorded: int = 0


_LABEL_COLUMNS = (
    LabelRow.id,
    LabelRow.order_id,
    OrderRow.external_id,
    OrderRow.status,
    OrderRow.shipped_at,
    OrderRow.shipped_station,
    OrderRow.delivered_at,
    LabelRow.batch_id,
    BatchRow.reference,
    LabelRow.shipment_id,
    LabelRow.tracking_code,
    LabelRow.service,
    LabelRow.amount_usd,
    LabelRow.bought_at,
    LabelRow.status,
    LabelRow.refund_status,
    LabelRow.refund_requested_at,
    LabelRow.refunded_at,
    LabelRow.scan_form_id,
    ScanFormRow.easypost_id,
    LabelRow.tracker_id,
    LabelRow.tracking_status,
    LabelRow.first_scan_at,
    LabelRow.delivered_at,
    LabelRow.from_address_key,
    PurchaseRow.station,
)


def _label_select() -> Select[Any]:
    query = (
        select(*_LABEL_COLUMNS)
        .join(OrderRow, OrderRow.id == LabelRow.order_id)
        .outerjoin(BatchRow, BatchRow.id == LabelRow.batch_id)
        .outerjoin(ScanFormRow, ScanFormRow.id == LabelRow.scan_form_id)
        .outerjoin(PurchaseRow, PurchaseRow.id == LabelRow.purchase_id)
    )
    return cast(Select[Any], query)


def _to_facts(row: Row[Any]) -> LabelFacts:
    return LabelFacts(*tuple(row))


#: Label statuses that still hold valid postage for their order (the live-label unique index).
_POSTAGE_STATUSES = tuple(sorted(s.value for s in LIVE_LABEL_STATUSES))
#: Label statuses that may go on a SCAN form (no refund asked, or a refund USPS rejected:
#: such a label stays live).
_MANIFESTABLE = (LabelStatus.LIVE.value,)


class ShippingRepository:
    """Queries and updates on bought labels inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- reads ---------------------------------------------------------------------------------

    def label_by_tracking(self, keys: Sequence[str]) -> LabelFacts | None:
        """The label whose tracking code is the first of `keys` found (indexed lookups)."""
        for key in keys:
            row = self._session.execute(
                _label_select().where(LabelRow.tracking_code == key)
            ).first()
            if row is not None:
                return _to_facts(row)
        return None

    def label(self, label_id: int) -> LabelFacts | None:
        row = self._session.execute(_label_select().where(LabelRow.id == label_id)).first()
        return None if row is None else _to_facts(row)

    def labels_for_order(self, order_id: int) -> list[LabelFacts]:
        """The order's labels, newest first."""
        rows = self._session.execute(
            _label_select().where(LabelRow.order_id == order_id).order_by(LabelRow.id.desc())
        )
        return [_to_facts(row) for row in rows]

    def labels_for_batch(self, batch_id: int) -> list[LabelFacts]:
        rows = self._session.execute(
            _label_select().where(LabelRow.batch_id == batch_id).order_by(LabelRow.id)
        )
        return [_to_facts(row) for row in rows]

    def labels_by_ids(self, label_ids: Collection[int]) -> list[LabelFacts]:
        found: list[LabelFacts] = []
        ids = sorted(label_ids)
        for start in range(0, len(ids), _CHUNK):
            rows = self._session.execute(
                _label_select().where(LabelRow.id.in_(ids[start : start + _CHUNK]))
            )
            found.extend(_to_facts(row) for row in rows)
        return sorted(found, key=lambda f: f.label_id)

    def labels_with_status(
        self, statuses: Collection[str], *, order_id: int | None = None
    ) -> list[LabelFacts]:
        query = _label_select().where(LabelRow.status.in_(list(statuses)))
        if order_id is not None:
            query = query.where(LabelRow.order_id == order_id)
        return [_to_facts(row) for row in self._session.execute(query.order_by(LabelRow.id))]

    def labels_bought_between(self, start: datetime, end: datetime) -> list[LabelFacts]:
        rows = self._session.execute(
            _label_select()
            .where(LabelRow.bought_at >= start, LabelRow.bought_at < end)
            .order_by(LabelRow.id)
        )
        return [_to_facts(row) for row in rows]

    def labels_to_track(self, *, order_id: int | None = None) -> list[LabelFacts]:
        """Labels with valid postage that have not been delivered yet."""
        query = _label_select().where(
            LabelRow.status.in_(_POSTAGE_STATUSES),
            or_(LabelRow.tracking_status.is_(None), LabelRow.tracking_status != "delivered"),
        )
        if order_id is not None:
            query = query.where(LabelRow.order_id == order_id)
        return [_to_facts(row) for row in self._session.execute(query.order_by(LabelRow.id))]

    def order_by_id(self, order_id: int) -> OrderShipState | None:
        row = self._session.execute(
            select(
                OrderRow.id,
                OrderRow.external_id,
                OrderRow.status,
                OrderRow.shipped_at,
                OrderRow.shipped_station,
            ).where(OrderRow.id == order_id)
        ).first()
        return None if row is None else OrderShipState(*row)

    def orders_by_external_id(self, external_ids: Collection[str]) -> list[OrderShipState]:
        """Orders whose external id is one of `external_ids` (any source)."""
        rows = self._session.execute(
            select(
                OrderRow.id,
                OrderRow.external_id,
                OrderRow.status,
                OrderRow.shipped_at,
                OrderRow.shipped_station,
            ).where(OrderRow.external_id.in_(list(external_ids)))
        )
        return [OrderShipState(*row) for row in rows]

    def batch_id_by_reference(self, reference: str) -> int | None:
        value = self._session.scalar(select(BatchRow.id).where(BatchRow.reference == reference))
        return None if value is None else int(value)

    def batch_easypost_id(self, batch_id: int) -> str | None:
        return self._session.scalar(
            select(BatchRow.easypost_batch_id).where(BatchRow.id == batch_id)
        )

    def batch_counts(
        self, *, since: datetime | None = None, reference: str | None = None
    ) -> list[BatchCounts]:
        """Batches (created since `since`, or the one named) with their label counts."""
        printed = (
            select(PrintJobRow.label_id)
            .where(PrintJobRow.status == "printed")
            .distinct()
            .scalar_subquery()
        )
        live = LabelRow.status.in_(_POSTAGE_STATUSES)

        def count(condition: Any) -> Any:
            return func.count(LabelRow.id).filter(condition)

        query = (
            select(
                BatchRow.id,
                BatchRow.reference,
                BatchRow.created_at,
                BatchRow.status,
                BatchRow.station,
                BatchRow.service_choice,
                func.count(LabelRow.id),
                count(live),
                count(LabelRow.id.in_(printed)),
                count(OrderRow.shipped_at.is_not(None) & live),
                count(LabelRow.status == "refunded"),
                count(LabelRow.status == "refund_submitted"),
                count(LabelRow.scan_form_id.is_not(None)),
                count(LabelRow.status.in_(_MANIFESTABLE) & LabelRow.scan_form_id.is_(None)),
            )
            .outerjoin(LabelRow, LabelRow.batch_id == BatchRow.id)
            .outerjoin(OrderRow, OrderRow.id == LabelRow.order_id)
            .group_by(BatchRow.id)
            .order_by(BatchRow.created_at, BatchRow.id)
        )
        if since is not None:
            query = query.where(BatchRow.created_at >= since)
        if reference is not None:
            query = query.where(BatchRow.reference == reference)
        counts = [BatchCounts(*row) for row in self._session.execute(query)]
        ids = [c.batch_id for c in counts]
        spent = BatchRepository(self._session).spent_by_batch(ids)
        unrecorded = dict(
            self._session.execute(
                select(PurchaseRow.batch_id, func.count(PurchaseRow.id))
                .where(PurchaseRow.state == PurchaseState.UNRECORDED.value)
                .group_by(PurchaseRow.batch_id)
            ).all()
        )
        return [
            replace(c, spent_usd=spent[c.batch_id], unrecorded=unrecorded.get(c.batch_id, 0))
            for c in counts
        ]

    # -- writes --------------------------------------------------------------------------------

    def mark_shipped(self, order_id: int, at: datetime, station: str) -> bool:
        """Ship the order unless it already is; False when someone shipped it first."""
        result = self._session.execute(
            update(OrderRow)
            .where(OrderRow.id == order_id, OrderRow.shipped_at.is_(None))
            .values(
                shipped_at=at,
                shipped_station=station,
                status=OrderStatus.SHIPPED.value,
                updated_at=at,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def mark_delivered(self, order_id: int, at: datetime, now: datetime) -> bool:
        result = self._session.execute(
            update(OrderRow)
            .where(OrderRow.id == order_id, OrderRow.delivered_at.is_(None))
            .values(delivered_at=at, status=OrderStatus.DELIVERED.value, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def set_label_refund(
        self,
        label_id: int,
        *,
        status: str,
        refund_status: str | None,
        requested_at: datetime | None = None,
        refunded_at: datetime | None = None,
    ) -> None:
        values: dict[str, object] = {"status": status, "refund_status": refund_status}
        if requested_at is not None:
            values["refund_requested_at"] = requested_at
        if refunded_at is not None:
            values["refunded_at"] = refunded_at
        self._session.execute(
            update(LabelRow)
            .where(LabelRow.id == label_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def note_refund_requested(
        self,
        label_id: int,
        *,
        expected_refund_status: str | None,
        refund_status: str,
        requested_at: datetime,
    ) -> bool:
        """Set a live label's refund state only if it is still as the caller read it.

        Compare-and-set: False (nothing written) when another window changed the label
        meanwhile (refunded, submitted, or its refund state moved on).
        """
        refund_matches = (
            LabelRow.refund_status.is_(None)
            if expected_refund_status is None
            else LabelRow.refund_status == expected_refund_status
        )
        result = self._session.execute(
            update(LabelRow)
            .where(LabelRow.id == label_id, LabelRow.status == "live", refund_matches)
            .values(refund_status=refund_status, refund_requested_at=requested_at)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def release_order(self, order_id: int, now: datetime) -> None:
        """Put an order whose label was refunded back in line to be bought again."""
        self._session.execute(
            update(OrderRow)
            .where(
                OrderRow.id == order_id,
                OrderRow.status.in_(
                    [
                        OrderStatus.LABEL_PURCHASED.value,
                        OrderStatus.PRINTED.value,
                        OrderStatus.SHIPPED.value,
                    ]
                ),
            )
            .values(
                status=OrderStatus.READY_TO_SHIP.value,
                tracking_code=None,
                shipped_at=None,
                shipped_station=None,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )

    def set_tracking(
        self,
        label_id: int,
        *,
        tracker_id: str,
        tracking_status: str,
        first_scan_at: datetime | None,
        delivered_at: datetime | None,
    ) -> None:
        self._session.execute(
            update(LabelRow)
            .where(LabelRow.id == label_id)
            .values(
                tracker_id=tracker_id,
                tracking_status=tracking_status,
                first_scan_at=func.coalesce(LabelRow.first_scan_at, first_scan_at),
                delivered_at=func.coalesce(LabelRow.delivered_at, delivered_at),
            )
            .execution_options(synchronize_session=False)
        )

    def set_scan_form(self, label_ids: Collection[int], scan_form_id: int) -> int:
        """Put labels that are on no form on `scan_form_id`; returns how many were put."""
        ids = sorted(label_ids)
        changed = 0
        for start in range(0, len(ids), _CHUNK):
            result = self._session.execute(
                update(LabelRow)
                .where(
                    LabelRow.id.in_(ids[start : start + _CHUNK]), LabelRow.scan_form_id.is_(None)
                )
                .values(scan_form_id=scan_form_id)
                .execution_options(synchronize_session=False)
            )
            changed += int(result.rowcount)  # type: ignore[attr-defined]
        return changed

    def clear_scan_form(self, scan_form_id: int) -> None:
        """Take the labels off a form that failed (they may go on the next one)."""
        self._session.execute(
            update(LabelRow)
            .where(LabelRow.scan_form_id == scan_form_id)
            .values(scan_form_id=None)
            .execution_options(synchronize_session=False)
        )

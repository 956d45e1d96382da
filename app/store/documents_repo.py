"""Read-only queries behind reports, packing slips and exports: flat rows, one pass each."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, func, select
from sqlalchemy.orm import Session

from app.domain.fulfilment import LIVE_LABEL_STATUSES
from app.domain.orders import OrderStatus
from app.store.groups_repo import GroupCount
from app.store.models import ItemRow, OrderLineRow, OrderRow
from app.store.models_fulfilment import BatchRow, LabelRow, ScanFormRow

_orders = cast(Table, OrderRow.__table__)
_lines = cast(Table, OrderLineRow.__table__)
_items = cast(Table, ItemRow.__table__)
_labels = cast(Table, LabelRow.__table__)
_batches = cast(Table, BatchRow.__table__)
_scan_forms = cast(Table, ScanFormRow.__table__)
_LIVE = tuple(sorted(status.value for status in LIVE_LABEL_STATUSES))


@dataclass(frozen=True, slots=True)
class OrderScope:
    """Which orders a document covers: some statuses (None: all but cancelled), one batch's
    live labels, or explicit ids and groups (each filter narrows)."""

    statuses: tuple[str, ...] | None = None
    batch_id: int | None = None
    group_ids: tuple[str, ...] | None = None
    order_ids: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class OrderBrief:
    """An order's identity, recipient and group: what a report line or a slip shows."""

    id: int
    source: str
    external_id: str
    status: str
    group_id: str
    name: str
    company: str
    street1: str
    street2: str
    city: str
    state: str
    postal_code: str
    country: str
    email: str
    notes: str


@dataclass(frozen=True, slots=True)
class LabelMoney:
    """One label's cost, where it belongs and whether it was refunded."""

    service: str
    amount_usd: Decimal
    status: str
    bought_at: datetime
    refunded_at: datetime | None
    batch_reference: str | None
    group_id: str


@dataclass(frozen=True, slots=True)
class LabelExportRow:
    """One label with its order: a line of a tracking or refunds export."""

    order_id: int
    source: str
    external_id: str
    name: str
    email: str
    country: str
    tracking_code: str
    service: str
    amount_usd: Decimal
    status: str
    bought_at: datetime
    refunded_at: datetime | None
    refund_status: str | None
    batch_reference: str | None
    shipped_at: datetime | None
    extra_json: str


_BRIEF_COLUMNS = (
    _orders.c.id,
    _orders.c.source,
    _orders.c.external_id,
    _orders.c.status,
    _orders.c.group_id,
    _orders.c.recipient_name,
    _orders.c.company,
    _orders.c.street1,
    _orders.c.street2,
    _orders.c.city,
    _orders.c.state,
    _orders.c.postal_code,
    _orders.c.country,
    _orders.c.email,
    _orders.c.notes,
)


@dataclass(frozen=True, slots=True)
class LabelFile:
    """A live label's files and what printing it on paper needs to know."""

    label_id: int
    order_external_id: str
    country: str
    tracking_code: str
    shipment_id: str
    label_format: str
    label_path: str | None
    preview_path: str | None


class DocumentsRepository:
    """The queries documents need, inside one (read) transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _where(self, scope: OrderScope) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if scope.statuses is None:
            conditions.append(_orders.c.status != OrderStatus.CANCELLED.value)
        else:
            conditions.append(_orders.c.status.in_(scope.statuses))
        if scope.batch_id is not None:
            in_batch = select(_labels.c.order_id).where(
                _labels.c.batch_id == scope.batch_id, _labels.c.status.in_(_LIVE)
            )
            conditions.append(_orders.c.id.in_(in_batch))
        if scope.group_ids is not None:
            conditions.append(_orders.c.group_id.in_(scope.group_ids))
        if scope.order_ids is not None:
            conditions.append(_orders.c.id.in_(scope.order_ids))
        return conditions

    def group_counts(self, scope: OrderScope) -> list[GroupCount]:
        """Orders per package group in `scope` (international share 0: not needed here)."""
        rows = self._session.execute(
            select(_orders.c.group_id, func.count(), func.min(_orders.c.id))
            .where(*self._where(scope))
            .group_by(_orders.c.group_id)
        )
        return [GroupCount(group_id, int(n), 0, int(sample)) for group_id, n, sample in rows]

    def orders(self, scope: OrderScope) -> Iterator[OrderBrief]:
        """Orders in `scope` by group, then id (streamed: 100k rows never sit in a list)."""
        query = select(*_BRIEF_COLUMNS).where(*self._where(scope))
        query = query.order_by(_orders.c.group_id, _orders.c.id)
        for row in self._session.execute(query):
            yield OrderBrief(*tuple(row))

    def lines(self, scope: OrderScope) -> dict[int, list[tuple[str, int]]]:
        """(SKU, quantity) lines of the orders in `scope`, by order id, in file order."""
        query = (
            select(_lines.c.order_id, _lines.c.sku, _lines.c.quantity)
            .join(_orders, _orders.c.id == _lines.c.order_id)
            .where(*self._where(scope))
            .order_by(_lines.c.order_id, _lines.c.position)
        )
        found: dict[int, list[tuple[str, int]]] = {}
        for order_id, sku, quantity in self._session.execute(query):
            found.setdefault(order_id, []).append((sku, quantity))
        return found

    def sku_totals(self, scope: OrderScope) -> list[tuple[str, str, int]]:
        """(SKU, item name, total quantity) over the orders in `scope`, by SKU."""
        query = (
            select(_lines.c.sku, func.coalesce(_items.c.name, ""), func.sum(_lines.c.quantity))
            .join(_orders, _orders.c.id == _lines.c.order_id)
            .outerjoin(_items, _items.c.sku == _lines.c.sku)
            .where(*self._where(scope))
            .group_by(_lines.c.sku)
            .order_by(_lines.c.sku)
        )
        return [(sku, name, int(total)) for sku, name, total in self._session.execute(query)]

    def live_labels(self, scope: OrderScope) -> dict[int, tuple[str, str]]:
        """(tracking code, batch reference) of each live label of the orders in `scope`."""
        query = (
            select(_labels.c.order_id, _labels.c.tracking_code, _batches.c.reference)
            .join(_orders, _orders.c.id == _labels.c.order_id)
            .outerjoin(_batches, _batches.c.id == _labels.c.batch_id)
            .where(_labels.c.status.in_(_LIVE), *self._where(scope))
        )
        return {
            int(order_id): (str(tracking), str(reference or ""))
            for order_id, tracking, reference in self._session.execute(query)
        }

    def label_money(self, batch_id: int | None = None) -> list[LabelMoney]:
        """Every label's cost and refund state (one batch's when `batch_id`)."""
        query = (
            select(
                _labels.c.service,
                _labels.c.amount_usd,
                _labels.c.status,
                _labels.c.bought_at,
                _labels.c.refunded_at,
                _batches.c.reference,
                _orders.c.group_id,
            )
            .join(_orders, _orders.c.id == _labels.c.order_id)
            .outerjoin(_batches, _batches.c.id == _labels.c.batch_id)
        )
        if batch_id is not None:
            query = query.where(_labels.c.batch_id == batch_id)
        return [
            LabelMoney(service, Decimal(amount), status, bought, refunded, ref, group)
            for service, amount, status, bought, refunded, ref, group in self._session.execute(
                query.order_by(_labels.c.id)
            )
        ]

    def export_labels(
        self,
        *,
        live: bool,
        batch_id: int | None = None,
        since: datetime | None = None,
        refunded_since: datetime | None = None,
    ) -> Iterator[LabelExportRow]:
        """Labels with their orders, by id: live ones (`live`), else refunded or refund asked."""
        query: Select[Any] = select(
            _labels.c.order_id,
            _orders.c.source,
            _orders.c.external_id,
            _orders.c.recipient_name,
            _orders.c.email,
            _orders.c.country,
            _labels.c.tracking_code,
            _labels.c.service,
            _labels.c.amount_usd,
            _labels.c.status,
            _labels.c.bought_at,
            _labels.c.refunded_at,
            _labels.c.refund_status,
            _batches.c.reference,
            _orders.c.shipped_at,
            _orders.c.extra_json,
        )
        query = query.join(_orders, _orders.c.id == _labels.c.order_id).outerjoin(
            _batches, _batches.c.id == _labels.c.batch_id
        )
        if live:  # a label whose refund is asked for is on its way out: not exported
            query = query.where(_labels.c.status == "live")
        else:
            query = query.where(_labels.c.status != "live")
        if batch_id is not None:
            query = query.where(_labels.c.batch_id == batch_id)
        if since is not None:
            query = query.where(_labels.c.bought_at >= since)
        if refunded_since is not None:
            query = query.where(_labels.c.refund_requested_at >= refunded_since)
        # Fetched in chunks: row-by-row fetching was a fifth of a 100,000-label export.
        rows = self._session.execute(
            query.order_by(_labels.c.id), execution_options={"yield_per": 2000}
        )
        for row in rows:
            values = list(row)
            values[8] = Decimal(values[8])
            yield LabelExportRow(*values)

    def shipped_orders(self, since: datetime | None = None) -> Iterator[tuple[Any, ...]]:
        """Shipped or delivered orders with their live label, if any, by ship time."""
        live_label = (
            select(_labels.c.order_id, _labels.c.tracking_code, _labels.c.service)
            .where(_labels.c.status.in_(_LIVE))
            .subquery()
        )
        query = (
            select(
                _orders.c.id,
                _orders.c.source,
                _orders.c.external_id,
                _orders.c.recipient_name,
                _orders.c.country,
                _orders.c.status,
                _orders.c.shipped_at,
                _orders.c.shipped_station,
                _orders.c.delivered_at,
                live_label.c.tracking_code,
                live_label.c.service,
            )
            .outerjoin(live_label, live_label.c.order_id == _orders.c.id)
            .where(_orders.c.shipped_at.is_not(None))
        )
        if since is not None:
            query = query.where(_orders.c.shipped_at >= since)
        for row in self._session.execute(query.order_by(_orders.c.shipped_at, _orders.c.id)):
            yield tuple(row)

    def batch_id(self, reference: str) -> int | None:
        return self._session.scalar(select(_batches.c.id).where(_batches.c.reference == reference))

    def batch_references(self, batch_ids: Collection[int]) -> dict[int, str]:
        rows = self._session.execute(
            select(_batches.c.id, _batches.c.reference).where(_batches.c.id.in_(batch_ids))
        )
        return {int(batch_id): str(reference) for batch_id, reference in rows}

    def label_files(self, batch_id: int) -> list[LabelFile]:
        """The batch's live labels with their files, in the order they were bought."""
        query = (
            select(
                _labels.c.id,
                _orders.c.external_id,
                _orders.c.country,
                _labels.c.tracking_code,
                _labels.c.shipment_id,
                _labels.c.label_format,
                _labels.c.label_path,
                _labels.c.preview_path,
            )
            .join(_orders, _orders.c.id == _labels.c.order_id)
            .where(_labels.c.batch_id == batch_id, _labels.c.status.in_(_LIVE))
            .order_by(_labels.c.id)
        )
        return [LabelFile(*tuple(row)) for row in self._session.execute(query)]

    def scan_form_files(self, batch_id: int) -> list[tuple[str, str | None]]:
        """(EasyPost id, PDF path) of the batch's SCAN forms, oldest first."""
        query = (
            select(_scan_forms.c.easypost_id, _scan_forms.c.form_path)
            .where(_scan_forms.c.batch_id == batch_id)
            .order_by(_scan_forms.c.id)
        )
        return [(str(ep_id), path) for ep_id, path in self._session.execute(query)]

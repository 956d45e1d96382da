"""Bought labels: add (the database refuses a second live label per order), find, update."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import LIVE_LABEL_STATUSES, LabelStatus
from app.domain.orders import OrderStatus
from app.store.dialects import json_text_field
from app.store.models import OrderRow
from app.store.models_fulfilment import LabelRow

_LIVE = [status.value for status in LIVE_LABEL_STATUSES]
_CHUNK = 900


@dataclass(frozen=True, slots=True)
class NewLabel:
    """What a purchase records about a label it bought."""

    order_id: int
    shipment_id: str
    tracking_code: str
    service: str
    amount_usd: Decimal
    label_format: str
    bought_at: datetime
    batch_id: int | None = None
    purchase_id: int | None = None
    label_path: str | None = None
    preview_path: str | None = None
    from_address_key: str = ""
    #: The recipient the label was bought for (app.domain.order_freeze.address_snapshot).
    to_address: str | None = None


#: The order columns a label's address snapshot is compared with (app.domain.order_freeze).
_ADDRESS_FIELDS = (
    "name",
    "company",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
)


def _order_column(name: str) -> Any:
    """The orders column of an address field (the recipient's name is `recipient_name`)."""
    return OrderRow.recipient_name if name == "name" else getattr(OrderRow, name)


@dataclass(frozen=True, slots=True)
class AddressMismatch:
    """A live label whose address snapshot differs (exactly) from its order's address."""

    label_id: int
    order_id: int
    external_id: str
    tracking_code: str
    to_address: str
    order_address: dict[str, str]


@dataclass(frozen=True, slots=True)
class LabelRecord:
    """A stored label."""

    id: int
    order_id: int
    batch_id: int | None
    purchase_id: int | None
    shipment_id: str
    tracking_code: str
    service: str
    amount_usd: Decimal
    label_format: str
    label_path: str | None
    preview_path: str | None
    bought_at: datetime
    status: LabelStatus
    refund_status: str | None
    refund_requested_at: datetime | None
    refunded_at: datetime | None
    scan_form_id: int | None
    tracker_id: str | None
    tracking_status: str | None
    first_scan_at: datetime | None
    delivered_at: datetime | None
    from_address_key: str
    to_address: str | None = None
    superseded_at: datetime | None = None

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_LABEL_STATUSES and self.superseded_at is None


#: Columns update() may change (identity, money and order stay as bought).
UPDATABLE_COLUMNS = frozenset(
    {
        "label_path",
        "preview_path",
        "status",
        "refund_status",
        "refund_requested_at",
        "refunded_at",
        "scan_form_id",
        "tracker_id",
        "tracking_status",
        "first_scan_at",
        "delivered_at",
        "superseded_at",
    }
)


def _to_record(row: LabelRow) -> LabelRecord:
    values = {field.name: getattr(row, field.name) for field in fields(LabelRecord)}
    values["status"] = LabelStatus(row.status)
    return LabelRecord(**values)


class LabelRepository:
    """Labels inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, label: NewLabel) -> LabelRecord:
        """Record a bought label.

        Raises:
            AppError: (kind CONFLICT) when the order already has a live label, or the shipment
                or tracking number is already recorded.
        """
        row = LabelRow(
            order_id=label.order_id,
            batch_id=label.batch_id,
            purchase_id=label.purchase_id,
            shipment_id=label.shipment_id,
            tracking_code=label.tracking_code,
            service=label.service,
            amount_usd=label.amount_usd,
            label_format=label.label_format,
            label_path=label.label_path,
            preview_path=label.preview_path,
            bought_at=label.bought_at,
            status=LabelStatus.LIVE.value,
            from_address_key=label.from_address_key,
            to_address=label.to_address,
        )
        try:
            with self._session.begin_nested():
                self._session.add(row)
                self._session.flush()
        except IntegrityError as error:
            raise AppError(
                f"Order {label.order_id} already has a live label"
                f" (or shipment {label.shipment_id} is already recorded)",
                hint="Refund the existing label before buying another one.",
                kind=ErrorKind.CONFLICT,
                details={"order_id": label.order_id, "shipment_id": label.shipment_id},
            ) from error
        return _to_record(row)

    def update(self, label_id: int, **changes: object) -> None:
        """Change some of UPDATABLE_COLUMNS (a LabelStatus may be passed for `status`)."""
        unknown = set(changes) - UPDATABLE_COLUMNS
        if unknown:
            raise ValueError(f"labels: cannot update {sorted(unknown)}")
        if isinstance(changes.get("status"), LabelStatus):
            changes["status"] = str(changes["status"])
        self._session.execute(update(LabelRow).where(LabelRow.id == label_id).values(**changes))

    def set_scan_form(self, label_ids: Iterable[int], scan_form_id: int | None) -> None:
        ids = list(label_ids)
        for start in range(0, len(ids), _CHUNK):
            self._session.execute(
                update(LabelRow)
                .where(LabelRow.id.in_(ids[start : start + _CHUNK]))
                .values(scan_form_id=scan_form_id)
            )

    def get(self, label_id: int) -> LabelRecord | None:
        row = self._session.get(LabelRow, label_id)
        return None if row is None else _to_record(row)

    def by_tracking_code(self, tracking_code: str) -> LabelRecord | None:
        row = self._session.scalar(select(LabelRow).where(LabelRow.tracking_code == tracking_code))
        return None if row is None else _to_record(row)

    def by_shipment_id(self, shipment_id: str) -> LabelRecord | None:
        row = self._session.scalar(select(LabelRow).where(LabelRow.shipment_id == shipment_id))
        return None if row is None else _to_record(row)

    def live_for_order(self, order_id: int) -> LabelRecord | None:
        row = self._session.scalar(
            select(LabelRow).where(
                LabelRow.order_id == order_id,
                LabelRow.status.in_(_LIVE),
                LabelRow.superseded_at.is_(None),
            )
        )
        return None if row is None else _to_record(row)

    def live_order_ids(self, order_ids: Iterable[int]) -> set[int]:
        """Which of `order_ids` already hold a live label."""
        ids = list(order_ids)
        found: set[int] = set()
        for start in range(0, len(ids), _CHUNK):
            found.update(
                self._session.scalars(
                    select(LabelRow.order_id).where(
                        LabelRow.order_id.in_(ids[start : start + _CHUNK]),
                        LabelRow.status.in_(_LIVE),
                        LabelRow.superseded_at.is_(None),
                    )
                )
            )
        return found

    def address_mismatches(self, order_ids: Iterable[int] | None = None) -> list[AddressMismatch]:
        """Live labels whose stored address differs from their order's, field by field.

        Exact comparison in SQL (one pass, no rows for the labels that match, which is nearly
        all of them); the caller applies the domain's looser rule to what comes back.
        """
        differs = or_(
            *(
                func.coalesce(json_text_field(self._session, LabelRow.to_address, name), "")
                != func.coalesce(_order_column(name), "")
                for name in _ADDRESS_FIELDS
            )
        )
        query = (
            select(
                LabelRow.id,
                LabelRow.order_id,
                OrderRow.external_id,
                LabelRow.tracking_code,
                LabelRow.to_address,
                *(_order_column(name) for name in _ADDRESS_FIELDS),
            )
            .join(OrderRow, OrderRow.id == LabelRow.order_id)
            .where(
                LabelRow.to_address.is_not(None),
                LabelRow.status.in_(_LIVE),
                LabelRow.superseded_at.is_(None),
                differs,
            )
            .order_by(LabelRow.order_id)
        )
        ids = None if order_ids is None else list(order_ids)
        rows = []
        if ids is None:
            rows = list(self._session.execute(query))
        else:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                rows.extend(self._session.execute(query.where(LabelRow.order_id.in_(chunk))))
        return [
            AddressMismatch(
                label_id=row[0],
                order_id=row[1],
                external_id=row[2],
                tracking_code=row[3],
                to_address=row[4],
                order_address=dict(zip(_ADDRESS_FIELDS, row[5:], strict=True)),
            )
            for row in rows
        ]

    def for_order(self, order_id: int) -> list[LabelRecord]:
        """Every label of the order, oldest first (refunded ones too)."""
        query = select(LabelRow).where(LabelRow.order_id == order_id).order_by(LabelRow.id)
        return [_to_record(row) for row in self._session.scalars(query)]

    def list(
        self,
        *,
        batch_id: int | None = None,
        statuses: Iterable[LabelStatus] | None = None,
        scan_form_id: int | None = None,
        unmanifested: bool = False,
        from_address_key: str | None = None,
        bought_from: datetime | None = None,
        bought_before: datetime | None = None,
        limit: int | None = None,
    ) -> list[LabelRecord]:
        """Labels matching every given filter, in the order they were bought."""
        query: Select[LabelRow] = select(LabelRow).order_by(LabelRow.id)
        if batch_id is not None:
            query = query.where(LabelRow.batch_id == batch_id)
        if statuses is not None:
            query = query.where(LabelRow.status.in_([str(status) for status in statuses]))
        if scan_form_id is not None:
            query = query.where(LabelRow.scan_form_id == scan_form_id)
        if unmanifested:
            query = query.where(LabelRow.scan_form_id.is_(None))
        if from_address_key is not None:
            query = query.where(LabelRow.from_address_key == from_address_key)
        if bought_from is not None:
            query = query.where(LabelRow.bought_at >= bought_from)
        if bought_before is not None:
            query = query.where(LabelRow.bought_at < bought_before)
        if limit is not None:
            query = query.limit(limit)
        return [_to_record(row) for row in self._session.scalars(query)]

    def count(self) -> int:
        return int(self._session.scalar(select(func.count()).select_from(LabelRow)) or 0)

    def mark_order_labelled(self, order_id: int, tracking_code: str, now: datetime) -> None:
        """The order follows its new label: status label_purchased and its tracking number."""
        self._session.execute(
            update(OrderRow)
            .where(OrderRow.id == order_id)
            .values(
                status=OrderStatus.LABEL_PURCHASED.value,
                held_from_status=None,
                tracking_code=tracking_code,
                updated_at=now,
            )
        )

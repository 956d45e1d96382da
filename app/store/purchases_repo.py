"""The purchase journal: one row per attempt to buy an order's label, written before the call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import OPEN_PURCHASE_STATES, PurchaseState
from app.domain.purchase_journal import can_transition
from app.store.models_fulfilment import PurchaseRow

_OPEN = [state.value for state in OPEN_PURCHASE_STATES]


@dataclass(frozen=True, slots=True)
class PurchaseRecord:
    """A journal row."""

    id: int
    order_id: int
    batch_id: int
    reference: str
    state: PurchaseState
    shipment_id: str | None
    rate_id: str | None
    service: str | None
    amount_usd: Decimal | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    tracking_code: str | None = None
    station: str = ""  # the station that bought


def _to_record(row: PurchaseRow) -> PurchaseRecord:
    return PurchaseRecord(
        id=row.id,
        order_id=row.order_id,
        batch_id=row.batch_id,
        reference=row.reference,
        state=PurchaseState(row.state),
        shipment_id=row.shipment_id,
        rate_id=row.rate_id,
        service=row.service,
        amount_usd=row.amount_usd,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        tracking_code=row.tracking_code,
        station=row.station,
    )


class _Unset:
    """Marks a field update() leaves alone (None is a real value: it clears the field)."""


UNSET = _Unset()


class PurchaseRepository:
    """Journal rows inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_intent(
        self,
        *,
        order_id: int,
        batch_id: int,
        reference: str,
        now: datetime,
        service: str | None = None,
        station: str = "",
    ) -> PurchaseRecord:
        """Journal the intent to buy for an order (at `station`).

        Raises:
            AppError: (kind CONFLICT) when the order already has an open purchase; the
                database's partial unique index refuses it, whatever the caller checked.
        """
        row = PurchaseRow(
            order_id=order_id,
            batch_id=batch_id,
            reference=reference,
            state=PurchaseState.INTENT.value,
            service=service,
            created_at=now,
            updated_at=now,
            station=station,
        )
        try:
            with self._session.begin_nested():
                self._session.add(row)
                self._session.flush()
        except IntegrityError as error:
            raise AppError(
                f"Order {order_id} already has a purchase in progress",
                hint="Let the running purchase finish, or run the same buy again to reconcile it.",
                kind=ErrorKind.CONFLICT,
                details={"order_id": order_id, "reference": reference},
            ) from error
        return _to_record(row)

    def update(
        self,
        purchase_id: int,
        *,
        now: datetime,
        state: PurchaseState | _Unset = UNSET,
        shipment_id: str | _Unset | None = UNSET,
        rate_id: str | _Unset | None = UNSET,
        service: str | _Unset | None = UNSET,
        amount_usd: Decimal | _Unset | None = UNSET,
        tracking_code: str | _Unset | None = UNSET,
        error: str | _Unset | None = UNSET,
    ) -> None:
        """Change a row; a change of state must be one the journal's table allows.

        Raises:
            AppError: (kind INTERNAL) for a transition app.domain.purchase_journal does not
                allow (a final row is never reopened, a bought label never becomes "failed"),
                or NOT_FOUND for an unknown row. Nothing is changed then.
        """
        values: dict[str, object] = {"updated_at": now}
        if not isinstance(state, _Unset):
            current = self._session.scalar(  # locked: the check and the change are one step
                select(PurchaseRow.state).where(PurchaseRow.id == purchase_id).with_for_update()
            )
            if current is None:
                raise AppError(
                    f"Purchase {purchase_id} is not in the journal.",
                    hint="This is a bug; please report it.",
                    kind=ErrorKind.NOT_FOUND,
                    details={"purchase_id": purchase_id},
                )
            if not can_transition(PurchaseState(current), state):
                raise AppError(
                    f"The purchase journal refuses {current} -> {state.value}"
                    f" for purchase {purchase_id}.",
                    hint="This is a bug; please report it. Nothing was changed.",
                    kind=ErrorKind.INTERNAL,
                    details={"purchase_id": purchase_id, "from": current, "to": state.value},
                )
            values["state"] = state.value
        for name, value in (
            ("shipment_id", shipment_id),
            ("rate_id", rate_id),
            ("service", service),
            ("amount_usd", amount_usd),
            ("tracking_code", tracking_code),
            ("error", error),
        ):
            if not isinstance(value, _Unset):
                values[name] = value
        self._session.execute(
            update(PurchaseRow).where(PurchaseRow.id == purchase_id).values(**values)
        )

    def get(self, purchase_id: int) -> PurchaseRecord | None:
        row = self._session.get(PurchaseRow, purchase_id)
        return None if row is None else _to_record(row)

    def by_reference(self, reference: str) -> PurchaseRecord | None:
        row = self._session.scalar(select(PurchaseRow).where(PurchaseRow.reference == reference))
        return None if row is None else _to_record(row)

    def by_shipment_id(self, shipment_id: str) -> PurchaseRecord | None:
        row = self._session.scalar(
            select(PurchaseRow).where(PurchaseRow.shipment_id == shipment_id).limit(1)
        )
        return None if row is None else _to_record(row)

    def open_for_order(self, order_id: int) -> PurchaseRecord | None:
        row = self._session.scalar(
            select(PurchaseRow).where(
                PurchaseRow.order_id == order_id, PurchaseRow.state.in_(_OPEN)
            )
        )
        return None if row is None else _to_record(row)

    def open_purchases(self, *, batch_id: int | None = None) -> list[PurchaseRecord]:
        """Rows that may still turn into a label (to reconcile before anything is retried)."""
        query = select(PurchaseRow).where(PurchaseRow.state.in_(_OPEN)).order_by(PurchaseRow.id)
        if batch_id is not None:
            query = query.where(PurchaseRow.batch_id == batch_id)
        return [_to_record(row) for row in self._session.scalars(query)]

    def unrecorded(self) -> list[PurchaseRecord]:
        """Labels bought but not recorded yet (to record or refund), oldest first."""
        query = (
            select(PurchaseRow)
            .where(PurchaseRow.state == PurchaseState.UNRECORDED.value)
            .order_by(PurchaseRow.id)
        )
        return [_to_record(row) for row in self._session.scalars(query)]

    def all(self) -> list[PurchaseRecord]:
        """Every journal row, oldest first (audits and the fault suite)."""
        query = select(PurchaseRow).order_by(PurchaseRow.id)
        return [_to_record(row) for row in self._session.scalars(query)]

    def for_batch(self, batch_id: int) -> list[PurchaseRecord]:
        query = select(PurchaseRow).where(PurchaseRow.batch_id == batch_id).order_by(PurchaseRow.id)
        return [_to_record(row) for row in self._session.scalars(query)]

    def for_orders(self, order_ids: Iterable[int]) -> list[PurchaseRecord]:
        ids = list(order_ids)
        records: list[PurchaseRecord] = []
        for start in range(0, len(ids), 900):
            query = (
                select(PurchaseRow)
                .where(PurchaseRow.order_id.in_(ids[start : start + 900]))
                .order_by(PurchaseRow.id)
            )
            records.extend(_to_record(row) for row in self._session.scalars(query))
        return records

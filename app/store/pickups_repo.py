"""USPS pickups as the desk requested, confirmed or cancelled them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.store.models_fulfilment import PickupRow


@dataclass(frozen=True, slots=True)
class StoredPickup:
    """A pickup row."""

    id: int
    easypost_id: str | None
    status: str
    min_datetime: datetime
    max_datetime: datetime
    instructions: str
    package_count: int
    confirmation: str | None
    amount_usd: Decimal | None
    created_at: datetime
    cancelled_at: datetime | None


_COLUMNS = (
    PickupRow.id,
    PickupRow.easypost_id,
    PickupRow.status,
    PickupRow.min_datetime,
    PickupRow.max_datetime,
    PickupRow.instructions,
    PickupRow.package_count,
    PickupRow.confirmation,
    PickupRow.amount_usd,
    PickupRow.created_at,
    PickupRow.cancelled_at,
)


class PickupRepository:
    """Pickup rows inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        easypost_id: str,
        status: str,
        min_datetime: datetime,
        max_datetime: datetime,
        instructions: str,
        package_count: int,
        created_at: datetime,
        amount_usd: Decimal | None = None,
    ) -> int:
        row = PickupRow(
            easypost_id=easypost_id,
            status=status,
            min_datetime=min_datetime,
            max_datetime=max_datetime,
            instructions=instructions,
            package_count=package_count,
            created_at=created_at,
            amount_usd=amount_usd,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def update(
        self,
        pickup_id: int,
        *,
        status: str,
        confirmation: str | None = None,
        amount_usd: Decimal | None = None,
        cancelled_at: datetime | None = None,
    ) -> None:
        values: dict[str, object] = {"status": status}
        if confirmation is not None:
            values["confirmation"] = confirmation
        if amount_usd is not None:
            values["amount_usd"] = amount_usd
        if cancelled_at is not None:
            values["cancelled_at"] = cancelled_at
        self._session.execute(
            update(PickupRow)
            .where(PickupRow.id == pickup_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def get(self, pickup_id: int) -> StoredPickup | None:
        row = self._session.execute(select(*_COLUMNS).where(PickupRow.id == pickup_id)).first()
        return None if row is None else StoredPickup(*row)

    def all(self) -> list[StoredPickup]:
        rows = self._session.execute(
            select(*_COLUMNS).order_by(PickupRow.min_datetime, PickupRow.id)
        )
        return [StoredPickup(*row) for row in rows]

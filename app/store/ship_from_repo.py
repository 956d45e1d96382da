"""Ship-from addresses: list, add, choose the default."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.orders import Address
from app.domain.ship_from import ShipFromAddress
from app.store.models import ShipFromRow


def _to_ship_from(row: ShipFromRow) -> ShipFromAddress:
    return ShipFromAddress(
        label=row.label,
        address=Address(
            name=row.name,
            street1=row.street1,
            city=row.city,
            postal_code=row.postal_code,
            country=row.country,
            company=row.company,
            street2=row.street2,
            state=row.state,
            phone=row.phone,
            email=row.email,
        ),
        is_default=row.is_default,
        id=row.id,
    )


class ShipFromRepository:
    """Ship-from addresses inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def all(self) -> list[ShipFromAddress]:
        rows = self._session.scalars(select(ShipFromRow).order_by(ShipFromRow.label))
        return [_to_ship_from(row) for row in rows]

    def get(self, label: str) -> ShipFromAddress | None:
        row = self._session.scalar(select(ShipFromRow).where(ShipFromRow.label == label))
        return None if row is None else _to_ship_from(row)

    def default(self) -> ShipFromAddress | None:
        row = self._session.scalar(select(ShipFromRow).where(ShipFromRow.is_default.is_(True)))
        return None if row is None else _to_ship_from(row)

    def add(self, ship_from: ShipFromAddress) -> ShipFromAddress:
        a = ship_from.address
        row = ShipFromRow(
            label=ship_from.label,
            name=a.name,
            company=a.company,
            street1=a.street1,
            street2=a.street2,
            city=a.city,
            state=a.state,
            postal_code=a.postal_code,
            country=a.country,
            phone=a.phone,
            email=a.email,
            is_default=False,
        )
        self._session.add(row)
        self._session.flush()
        if ship_from.is_default:
            self.set_default(ship_from.label)
            self._session.refresh(row)
        return _to_ship_from(row)

    def update(self, label: str, ship_from: ShipFromAddress) -> ShipFromAddress | None:
        """Replace `label`'s name and address (the default flag is kept); None when absent."""
        row = self._session.scalar(select(ShipFromRow).where(ShipFromRow.label == label))
        if row is None:
            return None
        a = ship_from.address
        row.label = ship_from.label
        row.name, row.company = a.name, a.company
        row.street1, row.street2 = a.street1, a.street2
        row.city, row.state, row.postal_code, row.country = (
            a.city,
            a.state,
            a.postal_code,
            a.country,
        )
        row.phone, row.email = a.phone, a.email
        self._session.flush()
        return _to_ship_from(row)

    def set_default(self, label: str) -> bool:
        """Make `label` the only default; False when there is no such address."""
        if self.get(label) is None:
            return False
        self._session.execute(update(ShipFromRow).values(is_default=ShipFromRow.label == label))
        return True

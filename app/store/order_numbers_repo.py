"""Order numbers as people say them (the source's own number): lookups and clashes; and the
recipient changes made by hand on one order."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.domain.orders import Address
from app.store.models import OrderRow


class OrderNumberRepository:
    """Orders found by the number their source gave them, inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def by_number(self, numbers: Collection[str]) -> dict[str, list[tuple[int, str]]]:
        """Per external id asked for: (local id, source) of every order with it, by source."""
        found: dict[str, list[tuple[int, str]]] = {}
        wanted = list(numbers)
        for start in range(0, len(wanted), 900):
            rows = self._session.execute(
                select(OrderRow.external_id, OrderRow.id, OrderRow.source)
                .where(OrderRow.external_id.in_(wanted[start : start + 900]))
                .order_by(OrderRow.source)
            )
            for external_id, order_id, source in rows:
                found.setdefault(external_id, []).append((order_id, source))
        return found

    def colliding(self) -> set[str]:
        """Order numbers that two sources both use (those are shown with their source)."""
        rows = self._session.scalars(
            select(OrderRow.external_id)
            .group_by(OrderRow.external_id)
            .having(func.count(func.distinct(OrderRow.source)) > 1)
        )
        return set(rows)

    def set_recipient(self, order_id: int, address: Address, now: datetime) -> bool:
        """Overwrite one order's recipient (a fix made by hand); False when there is no order."""
        result = self._session.execute(
            update(OrderRow)
            .where(OrderRow.id == order_id)
            .values(
                recipient_name=address.name,
                company=address.company,
                street1=address.street1,
                street2=address.street2,
                city=address.city,
                state=address.state,
                postal_code=address.postal_code,
                country=address.country,
                email=address.email,
                phone=address.phone,
                updated_at=now,
            )
        )
        return bool(getattr(result, "rowcount", 0))

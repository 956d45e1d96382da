"""Package group counts (GROUP BY the precomputed group id), settings and customs gaps."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, case, delete, func, or_, select
from sqlalchemy.orm import Session

from app.domain.orders import OrderStatus
from app.store.dialects import upsert_insert
from app.store.models import GroupSettingRow, ItemRow, OrderLineRow, OrderRow

_orders = cast(Table, OrderRow.__table__)
_lines = cast(Table, OrderLineRow.__table__)
_items = cast(Table, ItemRow.__table__)
_settings = cast(Table, GroupSettingRow.__table__)


@dataclass(frozen=True, slots=True)
class GroupCount:
    """One package group's counts and one of its orders (whose lines are the group's items)."""

    group_id: str
    orders: int
    international: int
    sample_order_id: int


@dataclass(frozen=True, slots=True)
class GroupSetting:
    """A group's package type, its service for domestic orders and for international ones."""

    group_id: str
    package_type_id: int | None
    service: str | None
    international_service: str | None = None


@dataclass(frozen=True, slots=True)
class CustomsGapRow:
    """An international order's SKU that lacks customs data (item fields empty when unknown)."""

    order_id: int
    source: str
    external_id: str
    country: str
    status: str
    group_id: str
    sku: str
    hts_code: str
    customs_description: str
    origin_country: str


class GroupRepository:
    """Package groups inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def counts(self, status: OrderStatus, domestic: Collection[str]) -> list[GroupCount]:
        """Orders per group among orders in `status`, with the international share."""
        international = func.sum(case((_orders.c.country.in_(list(domestic)), 0), else_=1))
        rows = self._session.execute(
            select(
                _orders.c.group_id,
                func.count(),
                international,
                func.min(_orders.c.id),
            )
            .where(_orders.c.status == status.value)
            .group_by(_orders.c.group_id)
        )
        return [
            GroupCount(group_id, int(count), int(intl or 0), int(sample))
            for group_id, count, intl, sample in rows
        ]

    def lines_of(self, order_ids: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
        """(SKU, quantity) lines of a few orders, in file order."""
        found: dict[int, list[tuple[str, int]]] = {}
        for start in range(0, len(order_ids), 900):
            chunk = list(order_ids[start : start + 900])
            rows = self._session.execute(
                select(_lines.c.order_id, _lines.c.sku, _lines.c.quantity)
                .where(_lines.c.order_id.in_(chunk))
                .order_by(_lines.c.order_id, _lines.c.position)
            )
            for order_id, sku, quantity in rows:
                found.setdefault(order_id, []).append((sku, quantity))
        return found

    def exists(self, group_id: str) -> bool:
        """True when any stored order belongs to `group_id`."""
        return (
            self._session.scalar(
                select(_orders.c.id).where(_orders.c.group_id == group_id).limit(1)
            )
            is not None
        )

    def settings(self) -> dict[str, GroupSetting]:
        rows = self._session.execute(
            select(
                _settings.c.group_id,
                _settings.c.package_type_id,
                _settings.c.service,
                _settings.c.international_service,
            )
        )
        return {row.group_id: GroupSetting(*row) for row in rows}

    def save_setting(self, setting: GroupSetting, now: datetime) -> None:
        """Insert or replace a group's package type and services (all None: forget it)."""
        if (
            setting.package_type_id is None
            and setting.service is None
            and setting.international_service is None
        ):
            self._session.execute(delete(_settings).where(_settings.c.group_id == setting.group_id))
            return
        values = {
            "group_id": setting.group_id,
            "package_type_id": setting.package_type_id,
            "service": setting.service,
            "international_service": setting.international_service,
            "updated_at": now,
        }
        statement = upsert_insert(self._session.connection(), _settings).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[_settings.c.group_id],
            set_={
                k: statement.excluded[k]
                for k in ("package_type_id", "service", "international_service", "updated_at")
            },
        )
        self._session.execute(statement)

    def customs_gaps(
        self, statuses: Collection[OrderStatus], domestic: Collection[str]
    ) -> list[CustomsGapRow]:
        """Lines of international orders in `statuses` whose SKU lacks customs data."""
        return list(self.iter_customs_gaps(statuses, domestic))

    def iter_customs_gaps(
        self, statuses: Collection[OrderStatus], domestic: Collection[str]
    ) -> Iterator[CustomsGapRow]:
        """`customs_gaps` streamed in slices, by order id (inside the open transaction): a
        caller that only counts never holds 100,000+ rows at once."""
        rows = self._session.execute(
            select(
                _orders.c.id,
                _orders.c.source,
                _orders.c.external_id,
                _orders.c.country,
                _orders.c.status,
                _orders.c.group_id,
                _lines.c.sku,
                func.coalesce(_items.c.hts_code, ""),
                func.coalesce(_items.c.customs_description, ""),
                func.coalesce(_items.c.origin_country, ""),
            )
            .join(_lines, _lines.c.order_id == _orders.c.id)
            .outerjoin(_items, _items.c.sku == _lines.c.sku)
            .where(
                _orders.c.status.in_([s.value for s in statuses]),
                _orders.c.country.not_in(list(domestic)),
                or_(
                    _items.c.id.is_(None),
                    _items.c.hts_code == "",
                    _items.c.customs_description == "",
                    _items.c.origin_country == "",
                ),
            )
            .order_by(_orders.c.id, _lines.c.position)
            .execution_options(yield_per=2000)
        )
        return (
            CustomsGapRow(
                order_id=row[0],
                source=row[1],
                external_id=row[2],
                country=row[3],
                status=row[4],
                group_id=row[5],
                sku=row[6],
                hts_code=row[7],
                customs_description=row[8],
                origin_country=row[9],
            )
            for part in rows.partitions()
            for row in part
        )

"""Orders and their lines: bulk import writes, fingerprints, status changes and listings."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, delete, func, select, tuple_, update
from sqlalchemy.orm import Session

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address, Order, OrderLine, OrderStatus, SourcePlatform
from app.store.dialects import advance_id_sequence, driver_sql, insert_rows
from app.store.models import ItemRow, OrderLineRow, OrderRow

_orders = cast(Table, OrderRow.__table__)
_lines = cast(Table, OrderLineRow.__table__)
_items = cast(Table, ItemRow.__table__)

#: Keep IN lists well under SQLite's bound-parameter limit.
_CHUNK = 900

_ORDER_COLUMNS = (
    _orders.c.id,
    _orders.c.source,
    _orders.c.external_id,
    _orders.c.status,
    _orders.c.recipient_name,
    _orders.c.company,
    _orders.c.street1,
    _orders.c.street2,
    _orders.c.city,
    _orders.c.state,
    _orders.c.postal_code,
    _orders.c.country,
    _orders.c.email,
    _orders.c.phone,
    _orders.c.notes,
    _orders.c.extra_json,
    _orders.c.tracking_code,
)


@dataclass(frozen=True, slots=True)
class OrderWrite:
    """An order as an import writes it, with its precomputed fingerprint and package group."""

    order: Order
    content_hash: str
    group_id: str
    order_id: int | None = None  # set for updates


@dataclass(frozen=True, slots=True)
class StoredFingerprint:
    """What a re-import needs to know about a stored order."""

    order_id: int
    content_hash: str
    status: OrderStatus


@dataclass(frozen=True, slots=True)
class StatusRow:
    """An order's id and status, for status changes."""

    order_id: int
    status: OrderStatus
    held_from: OrderStatus | None
    source: str
    external_id: str
    country: str


@dataclass(frozen=True, slots=True)
class StatusChange:
    order_id: int
    status: OrderStatus
    held_from: OrderStatus | None


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


#: What an import writes about an order, in the order of `_content_row`'s tuple.
_CONTENT_COLUMNS = (
    "source",
    "external_id",
    "recipient_name",
    "company",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
    "email",
    "phone",
    "notes",
    "extra_json",
    "content_hash",
    "group_id",
)
_ORDER_COPY_COLUMNS = ("id", "status", "created_at", "updated_at", *_CONTENT_COLUMNS)
_LINE_COLUMNS = ("order_id", "position", "sku", "quantity")
_INSERT_ORDER_SQL = (
    f"INSERT INTO orders (id, status, created_at, updated_at, {', '.join(_CONTENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (4 + len(_CONTENT_COLUMNS)))})"
)
_UPDATE_ORDER_SQL = (
    f"UPDATE orders SET updated_at = ?, {', '.join(f'{c} = ?' for c in _CONTENT_COLUMNS)} "
    "WHERE id = ?"
)
_INSERT_LINE_SQL = "INSERT INTO order_lines (order_id, position, sku, quantity) VALUES (?, ?, ?, ?)"
_UPDATE_STATUS_SQL = (
    "UPDATE orders SET status = ?, held_from_status = ?, updated_at = ? WHERE id = ?"
)


def _content_row(write: OrderWrite) -> tuple[object, ...]:
    order = write.order
    r = order.recipient
    extra = json.dumps(order.extra, ensure_ascii=False, sort_keys=True) if order.extra else "{}"
    return (
        order.source.value,
        order.external_id,
        r.name,
        r.company,
        r.street1,
        r.street2,
        r.city,
        r.state,
        r.postal_code,
        r.country,
        r.email,
        r.phone,
        order.notes,
        extra,
        write.content_hash,
        write.group_id,
    )


def _line_rows(order_id: int, lines: Sequence[OrderLine]) -> list[tuple[int, int, str, int]]:
    return [
        (order_id, position, line.sku, line.quantity)
        for position, line in enumerate(lines, start=1)
    ]


def _timestamp(moment: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores, so bulk rows read back as datetimes."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _to_order(row: Row[Any], lines: tuple[OrderLine, ...]) -> Order:
    return Order(
        source=SourcePlatform(row.source),
        external_id=row.external_id,
        recipient=Address(
            name=row.recipient_name,
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
        lines=lines,
        status=OrderStatus(row.status),
        notes=row.notes,
        id=row.id,
        tracking_code=row.tracking_code,
        extra=json.loads(row.extra_json) if row.extra_json != "{}" else {},
    )


class OrderRepository:
    """Orders inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- import -------------------------------------------------------------------------------

    def fingerprints(self, source: SourcePlatform) -> dict[str, StoredFingerprint]:
        """Every stored order of `source` by external id, in one query."""
        rows = self._session.execute(
            select(
                _orders.c.external_id, _orders.c.id, _orders.c.content_hash, _orders.c.status
            ).where(_orders.c.source == source.value)
        )
        return {
            ext: StoredFingerprint(order_id, content_hash, OrderStatus(status))
            for ext, order_id, content_hash, status in rows
        }

    def insert_many(self, writes: Sequence[OrderWrite], now: datetime) -> list[int]:
        """Insert new orders and their lines (plain executemany); return their ids in order.

        The rows go to the driver as tuples: SQLAlchemy's per-row parameter processing would
        cost more than SQLite's own work for 100k orders.
        """
        if not writes:
            return []
        # Ids are assigned here so the lines can be inserted without a round trip per order;
        # the transaction's write lock keeps them unique.
        first_id = (self._session.scalar(select(func.max(_orders.c.id))) or 0) + 1
        ids = list(range(first_id, first_id + len(writes)))
        stamp = _timestamp(now)
        order_rows = []
        line_rows: list[tuple[int, int, str, int]] = []
        for order_id, write in zip(ids, writes, strict=True):
            order_rows.append(
                (order_id, write.order.status.value, stamp, stamp, *_content_row(write))
            )
            line_rows.extend(_line_rows(order_id, write.order.lines))
        self._refuse_unknown_skus(line_rows)
        connection = self._session.connection()
        insert_rows(connection, _INSERT_ORDER_SQL, "orders", _ORDER_COPY_COLUMNS, order_rows)
        if line_rows:
            insert_rows(connection, _INSERT_LINE_SQL, "order_lines", _LINE_COLUMNS, line_rows)
        advance_id_sequence(connection, "orders", ids[-1])
        return ids

    def _refuse_unknown_skus(self, line_rows: Sequence[tuple[int, int, str, int]]) -> None:
        """Every line names a SKU of the catalog: one query for the whole batch.

        The lines have no foreign key to items (revision 0012: a trigger per line cost
        PostgreSQL a third of an import's work); the few distinct SKUs are checked here.

        Raises:
            AppError: INTERNAL when a line names a SKU not in `items` (nothing is written).
        """
        skus = sorted({row[2] for row in line_rows})
        known: set[str] = set()
        for chunk in _chunks(skus):
            known.update(self._session.scalars(select(_items.c.sku).where(_items.c.sku.in_(chunk))))
        missing = [sku for sku in skus if sku not in known]
        if missing:
            raise AppError(
                f"{len(missing)} SKU(s) of these order lines are not in the catalog.",
                hint="This is a bug: the import adds unknown SKUs first. Please report it.",
                kind=ErrorKind.INTERNAL,
                details={"skus": missing[:5]},
            )

    def update_content(self, writes: Sequence[OrderWrite], now: datetime) -> None:
        """Overwrite what the file says about stored orders (not status, not label) and lines."""
        if not writes:
            return
        stamp = _timestamp(now)
        ids: list[int] = []
        rows = []
        line_rows: list[tuple[int, int, str, int]] = []
        for write in writes:
            if write.order_id is None:
                raise ValueError("update_content needs stored order ids")
            ids.append(write.order_id)
            rows.append((stamp, *_content_row(write), write.order_id))
            line_rows.extend(_line_rows(write.order_id, write.order.lines))
        self._refuse_unknown_skus(line_rows)
        connection = self._session.connection()
        connection.exec_driver_sql(driver_sql(connection, _UPDATE_ORDER_SQL), rows)
        for chunk in _chunks(ids):
            self._session.execute(delete(_lines).where(_lines.c.order_id.in_(chunk)))
        if line_rows:
            connection.exec_driver_sql(driver_sql(connection, _INSERT_LINE_SQL), line_rows)

    # -- status -------------------------------------------------------------------------------

    def status_rows(
        self,
        *,
        order_ids: Sequence[int] | None = None,
        statuses: Iterable[OrderStatus] | None = None,
        country: str | None = None,
    ) -> list[StatusRow]:
        """Ids and statuses of the orders matching every given filter."""
        query = select(
            _orders.c.id,
            _orders.c.status,
            _orders.c.held_from_status,
            _orders.c.source,
            _orders.c.external_id,
            _orders.c.country,
        ).order_by(_orders.c.id)
        if statuses is not None:
            query = query.where(_orders.c.status.in_([s.value for s in statuses]))
        if country is not None:
            query = query.where(_orders.c.country == country)
        if order_ids is None:
            rows = list(self._session.execute(query))
        else:
            rows = []
            for chunk in _chunks(list(order_ids)):
                rows.extend(self._session.execute(query.where(_orders.c.id.in_(chunk))))
        return [
            StatusRow(
                order_id=row.id,
                status=OrderStatus(row.status),
                held_from=OrderStatus(row.held_from_status) if row.held_from_status else None,
                source=row.source,
                external_id=row.external_id,
                country=row.country,
            )
            for row in rows
        ]

    def status_counts(
        self, *, country: str | None = None
    ) -> list[tuple[OrderStatus, OrderStatus | None, int]]:
        """How many orders there are per (status, held-from status), optionally in one country."""
        query = select(_orders.c.status, _orders.c.held_from_status, func.count()).group_by(
            _orders.c.status, _orders.c.held_from_status
        )
        if country is not None:
            query = query.where(_orders.c.country == country)
        return [
            (OrderStatus(status), OrderStatus(held) if held else None, int(count))
            for status, held, count in self._session.execute(query)
        ]

    def move_status(
        self,
        *,
        status: OrderStatus,
        held_from: OrderStatus | None,
        to_status: OrderStatus,
        to_held_from: OrderStatus | None,
        now: datetime,
        country: str | None = None,
        exclude: Collection[int] = (),
    ) -> list[int]:
        """Move every order in (status, held_from) [in `country`], except `exclude`, to the
        new status; its ids.

        Run inside a write transaction, so the ids read are exactly the rows updated.
        """
        conditions = [
            _orders.c.status == status.value,
            _orders.c.held_from_status.is_(None)
            if held_from is None
            else _orders.c.held_from_status == held_from.value,
        ]
        if country is not None:
            conditions.append(_orders.c.country == country)
        if exclude:
            conditions.append(_orders.c.id.not_in(list(exclude)))
        ids = list(
            self._session.scalars(select(_orders.c.id).where(*conditions).order_by(_orders.c.id))
        )
        if ids:
            self._session.execute(
                update(_orders)
                .where(*conditions)
                .values(
                    status=to_status.value,
                    held_from_status=to_held_from.value if to_held_from else None,
                    updated_at=now,
                )
            )
        return ids

    def ids_by_external(self, refs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Stored ids of (source, external id) pairs; missing pairs are left out."""
        found: dict[tuple[str, str], int] = {}
        for chunk in _chunks(list(refs), 400):
            rows = self._session.execute(
                select(_orders.c.source, _orders.c.external_id, _orders.c.id).where(
                    tuple_(_orders.c.source, _orders.c.external_id).in_(chunk)
                )
            )
            for source, external_id, order_id in rows:
                found[(source, external_id)] = order_id
        return found

    def apply_status_changes(self, changes: Sequence[StatusChange], now: datetime) -> None:
        """Set status (and where a held order returns to) on many orders at once."""
        if not changes:
            return
        stamp = _timestamp(now)
        connection = self._session.connection()
        connection.exec_driver_sql(
            driver_sql(connection, _UPDATE_STATUS_SQL),
            [
                (
                    change.status.value,
                    change.held_from.value if change.held_from else None,
                    stamp,
                    change.order_id,
                )
                for change in changes
            ],
        )

    # -- listings -----------------------------------------------------------------------------

    def count(self) -> int:
        return int(self._session.scalar(select(func.count()).select_from(_orders)) or 0)

    def find(
        self,
        *,
        status: OrderStatus | None = None,
        group_id: str | None = None,
        order_ids: Sequence[int] | None = None,
    ) -> list[Order]:
        """Orders with their lines, by id."""
        query = select(*_ORDER_COLUMNS).order_by(_orders.c.id)
        line_query = (
            select(_lines.c.order_id, _lines.c.sku, _lines.c.quantity)
            .join(_orders, _orders.c.id == _lines.c.order_id)
            .order_by(_lines.c.order_id, _lines.c.position)
        )
        if status is not None:
            query = query.where(_orders.c.status == status.value)
            line_query = line_query.where(_orders.c.status == status.value)
        if group_id is not None:
            query = query.where(_orders.c.group_id == group_id)
            line_query = line_query.where(_orders.c.group_id == group_id)
        if order_ids is not None:
            rows: list[Row[Any]] = []
            line_rows: list[Row[Any]] = []
            for chunk in _chunks(list(order_ids)):
                rows.extend(self._session.execute(query.where(_orders.c.id.in_(chunk))))
                line_rows.extend(
                    self._session.execute(line_query.where(_lines.c.order_id.in_(chunk)))
                )
        else:
            rows = list(self._session.execute(query))
            line_rows = list(self._session.execute(line_query))
        lines: dict[int, list[OrderLine]] = {}
        for line in line_rows:
            lines.setdefault(line.order_id, []).append(OrderLine(line.sku, line.quantity))
        return [_to_order(row, tuple(lines.get(row.id, ()))) for row in rows]

    def get(self, order_id: int) -> Order | None:
        found = self.find(order_ids=[order_id])
        return found[0] if found else None

    def group_of(self, order_id: int) -> str | None:
        return self._session.scalar(select(_orders.c.group_id).where(_orders.c.id == order_id))

"""The Orders list at 100,000 rows: one flat query, items named once per package group."""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from app.domain.order_numbers import natural_key
from app.domain.orders import OrderStatus, SourcePlatform

# Plain SQL and plain tuples: at 100,000 rows the ORM's Row objects cost seconds and megabytes.
_COLUMNS = (
    "id, source, external_id, status, recipient_name, company, city, state, "
    "postal_code, country, email, tracking_code, group_id"
)
# The first screen: every order's number (two short columns), then the whole row of the first few.
_NUMBERS_SQL = text("SELECT id, external_id FROM orders")
_ROWS_BY_ID_SQL = text(f"SELECT {_COLUMNS} FROM orders WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
_SUMMARY_SQL = text(f"SELECT {_COLUMNS} FROM orders ORDER BY id")
# The lines of one order per package group: every order of a group has the same items.
_GROUP_LINES_SQL = text(
    "SELECT g.group_id, l.sku, l.quantity FROM order_lines l "
    "JOIN (SELECT group_id, MIN(id) AS id FROM orders GROUP BY group_id) g ON g.id = l.order_id "
    "ORDER BY g.group_id, l.sku"
)


class OrderSummary(NamedTuple):
    """One line of the Orders list (the order dialog reads the whole order).

    A named tuple, not a frozen dataclass: 100,000 of them are built per load, and a frozen
    dataclass's __init__ sets each field through object.__setattr__ (measured ~3x slower)."""

    id: int
    source: SourcePlatform
    external_id: str
    status: OrderStatus
    name: str
    company: str
    city: str
    state: str
    postal_code: str
    country: str
    email: str
    tracking_code: str | None
    group_id: str
    items: str  # '1 x ART-BOOK + 2 x PIN', one string shared by the group's orders


class OrderListRepository:
    """The Orders list inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def summaries(self) -> list[OrderSummary]:
        """Every order as the list shows it, by id."""
        # Streamed in slices: one fetchall of 100,000 rows holds the GIL (stalling the GUI) all
        # along, and all raw rows at once beside the summaries cost ~60 MB more at the peak.
        result = self._session.execute(_SUMMARY_SQL.execution_options(yield_per=2000))
        return self._summaries(row for part in result.partitions() for row in part)

    def first_by_number(self, limit: int) -> list[OrderSummary]:
        """The first `limit` orders in order-number order (`natural_key`: numbers as numbers,
        "9" before "10", then the others as text): what the Orders list shows first, read
        without the rest. The numbers are sorted here, by the list's own key: an ORDER BY on
        that key in SQL evaluated it for every order (240-380 ms at 100,000; this ~180 ms)."""
        numbers = self._session.execute(_NUMBERS_SQL).all()
        first = heapq.nsmallest(limit, numbers, key=lambda row: (natural_key(row[1]), row[0]))
        if not first:
            return []
        rank = {row[0]: position for position, row in enumerate(first)}
        rows = self._session.execute(_ROWS_BY_ID_SQL, {"ids": list(rank)})
        return sorted(self._summaries(iter(rows)), key=lambda order: rank[order.id])

    def _summaries(self, rows: Iterator[Sequence[Any]]) -> list[OrderSummary]:
        parts: dict[str, list[str]] = {}
        for group_id, sku, quantity in self._session.execute(_GROUP_LINES_SQL):
            parts.setdefault(group_id, []).append(f"{quantity} x {sku}")
        items = {group_id: " + ".join(lines) for group_id, lines in parts.items()}
        statuses = {s.value: s for s in OrderStatus}
        sources = {s.value: s for s in SourcePlatform}
        # Cities, states, postal codes, countries and group ids repeat across 100,000 orders:
        # one string each saves ~25 MB.
        shared: dict[str, str] = {}
        one = shared.setdefault
        new = OrderSummary.__new__
        return [
            new(
                OrderSummary,
                r[0],
                sources[r[1]],
                r[2],
                statuses[r[3]],
                r[4],
                one(r[5], r[5]),
                one(r[6], r[6]),
                one(r[7], r[7]),
                one(r[8], r[8]),
                one(r[9], r[9]),
                r[10],
                r[11],
                one(r[12], r[12]),
                items.get(r[12], ""),
            )
            for r in rows
        ]

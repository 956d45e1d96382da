"""The Orders list at 100,000 rows: one flat query, items named once per package group."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.orders import OrderStatus, SourcePlatform

# Plain SQL and plain tuples: at 100,000 rows the ORM's Row objects cost seconds and megabytes.
_COLUMNS = (
    "id, source, external_id, status, recipient_name, company, city, state, "
    "postal_code, country, email, tracking_code, group_id"
)
# app.ui.models.table.natural_key in SQL (SQLite and PostgreSQL alike): a number (after a leading
# "#") sorts as a number before any text; text sorts case-blind.
_NUMBER = "ltrim(external_id, '#')"
_IS_NUMBER = f"({_NUMBER} <> '' AND ltrim({_NUMBER}, '0123456789') = '')"
_FIRST_BY_NUMBER_SQL = text(
    f"SELECT {_COLUMNS} FROM orders ORDER BY CASE WHEN {_IS_NUMBER} THEN 0 ELSE 1 END, "
    f"CASE WHEN {_IS_NUMBER} THEN CAST({_NUMBER} AS NUMERIC) END, "
    f"CASE WHEN {_IS_NUMBER} THEN external_id ELSE lower(external_id) END, id LIMIT :limit"
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
        """The first `limit` orders in order-number order (numbers as numbers, "9" before "10",
        then the others as text): what the Orders list shows first, read without the rest.
        Close to the list's own sort, not bound to equal it (non-ASCII case, huge numbers)."""
        result = self._session.execute(_FIRST_BY_NUMBER_SQL, {"limit": limit})
        return self._summaries(iter(result))

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

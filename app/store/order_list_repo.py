"""The Orders list at 100,000 rows: one flat query, items named once per package group."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.orders import OrderStatus, SourcePlatform

# Plain SQL and plain tuples: at 100,000 rows the ORM's Row objects cost seconds and megabytes.
_SUMMARY_SQL = text(
    "SELECT id, source, external_id, status, recipient_name, company, city, state, "
    "postal_code, country, email, tracking_code, group_id FROM orders ORDER BY id"
)
# The lines of one order per package group: every order of a group has the same items.
_GROUP_LINES_SQL = text(
    "SELECT g.group_id, l.sku, l.quantity FROM order_lines l "
    "JOIN (SELECT group_id, MIN(id) AS id FROM orders GROUP BY group_id) g ON g.id = l.order_id "
    "ORDER BY g.group_id, l.sku"
)


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """One line of the Orders list (the order dialog reads the whole order)."""

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
        parts: dict[str, list[str]] = {}
        for group_id, sku, quantity in self._session.execute(_GROUP_LINES_SQL):
            parts.setdefault(group_id, []).append(f"{quantity} x {sku}")
        items = {group_id: " + ".join(lines) for group_id, lines in parts.items()}
        statuses = {s.value: s for s in OrderStatus}
        sources = {s.value: s for s in SourcePlatform}
        # Streamed in slices: one fetchall of 100,000 rows holds the GIL (stalling the GUI) all
        # along, and all raw rows at once beside the summaries cost ~60 MB more at the peak.
        result = self._session.execute(_SUMMARY_SQL.execution_options(yield_per=2000))
        rows = (row for part in result.partitions() for row in part)
        # Cities, states, postal codes, countries and group ids repeat across 100,000 orders:
        # one string each saves ~25 MB.
        shared: dict[str, str] = {}
        one = shared.setdefault
        return [
            OrderSummary(
                id=r[0],
                source=sources[r[1]],
                external_id=r[2],
                status=statuses[r[3]],
                name=r[4],
                company=one(r[5], r[5]),
                city=one(r[6], r[6]),
                state=one(r[7], r[7]),
                postal_code=one(r[8], r[8]),
                country=one(r[9], r[9]),
                email=r[10],
                tracking_code=r[11],
                group_id=one(r[12], r[12]),
                items=items.get(r[12], ""),
            )
            for r in rows
        ]

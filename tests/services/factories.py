"""Builders for orders and parsed files, so service tests read like the situation they test."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event

from app.domain.items import Item
from app.domain.orders import Address, Order, OrderLine, SourcePlatform
from app.imports.model import ParsedOrders, RowError
from app.store import Store

_PLACES = {
    "US": ("Boston", "MA", "02108"),
    "CA": ("Ottawa", "ON", "K2P 2L8"),
    "SE": ("Tyresö", "", "135 44"),
    "DE": ("Berlin", "", "10115"),
    "PR": ("San Juan", "PR", "00901"),
}


def order(
    external_id: str,
    lines: Sequence[tuple[str, int]] = (("TEE-M", 1),),
    *,
    country: str = "US",
    name: str | None = None,
    street1: str = "1 Main St",
    source: SourcePlatform = SourcePlatform.KICKSTARTER,
    notes: str = "",
) -> Order:
    city, state, postal = _PLACES[country]
    return Order(
        source=source,
        external_id=external_id,
        recipient=Address(
            name=name or f"Backer {external_id}",
            street1=street1,
            city=city,
            state=state,
            postal_code=postal,
            country=country,
        ),
        lines=tuple(OrderLine(sku, qty) for sku, qty in lines),
        notes=notes,
    )


def parsed(
    orders: Sequence[Order],
    *,
    items: Sequence[Item] = (),
    errors: Sequence[RowError] = (),
    path: Path = Path("orders.csv"),
) -> ParsedOrders:
    """A ParsedOrders as a reader would return it (row 2 is the first data row)."""
    return ParsedOrders(
        path=path,
        preset="kickstarter",
        orders=tuple(orders),
        items=tuple(items),
        errors=tuple(errors),
        rows_read=len(orders) + len(errors),
        order_rows={o.external_id: row for row, o in enumerate(orders, start=2)},
    )


class WriteCounter:
    """Counts every statement sent to SQLite that is not a read or a transaction verb."""

    _READS = frozenset({"SELECT", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK"})

    def __init__(self, store: Store) -> None:
        self.statements: list[str] = []
        event.listen(store.engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().split(None, 1)[0].upper() not in self._READS:
            self.statements.append(statement)


def file_state(path: Path) -> Iterator[tuple[str, int, int]]:
    """(name, mtime_ns, size) of the database and its WAL."""
    for candidate in (path, Path(f"{path}-wal")):
        if candidate.exists():
            stat = candidate.stat()
            yield candidate.name, stat.st_mtime_ns, stat.st_size

"""What an order file reader returns: orders, the SKUs it saw, and every rejected row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.domain.items import Item
from app.domain.orders import Order


@dataclass(frozen=True, slots=True)
class RowError:
    """A row the reader rejected (1-based file line of the row, header is row 1)."""

    row: int
    column: str
    message: str


@dataclass(frozen=True, slots=True)
class ParsedOrders:
    """A whole order file, read and normalised, before anything is written.

    `items` are the SKUs the file names (with a display name, and a value or weight where the
    file has one); the store adds the ones it does not know and never overwrites curated data.
    `warnings` are normalisations worth telling (ZIP zero-padded, country name mapped ...).
    """

    path: Path
    preset: str
    orders: tuple[Order, ...]
    items: tuple[Item, ...]
    errors: tuple[RowError, ...] = ()
    warnings: tuple[RowError, ...] = ()
    rows_read: int = 0
    order_rows: dict[str, int] = field(default_factory=dict)  # external id -> first file row

"""What an order file reader returns: orders, the SKUs it saw, and every rejected row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.domain.items import Item
from app.domain.orders import Order


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem at a file row: the row as a spreadsheet numbers it (the header is row 1; 0 =
    the file), and `line`, the text line the row starts on when that differs (0 otherwise:
    quoted cells with line breaks make a CSV's lines run ahead of its rows).

    `column` is the file's own header name ("" when the row as a whole is meant).
    """

    row: int
    column: str
    message: str
    line: int = 0

    @property
    def where(self) -> str:
        """ "row 4" or "row 4 (line 6)", as shown to people."""
        return f"row {self.row}" + (f" (line {self.line})" if self.line else "")


@dataclass(frozen=True, slots=True)
class ParsedOrders:
    """A whole order file, read and normalised, before anything is written.

    `items` are the SKUs the file names (with a display name, and a value or weight where the
    file has one); the store adds the ones it does not know and never overwrites curated data.
    `warnings` are normalisations worth telling (ZIP zero-padded, country name mapped ...).
    `skipped` are rows deliberately not imported and not wrong (an errored or dropped pledge, a
    backer with nothing to ship, a cancelled or already fulfilled order); one entry per file row,
    each also in `warnings` so a report that shows warnings tells them.
    `header` and `rejected_rows` (file row -> original cell values) let `write_error_csv` give
    the rejected rows back as they were. Every data row is in exactly one of: an order (the
    first row in `order_rows`; `order_row_counts` holds the row count of orders that span
    several rows), `errors` (one or more entries per rejected row) or `skipped`.
    """

    path: Path
    preset: str
    orders: tuple[Order, ...]
    items: tuple[Item, ...]
    errors: tuple[RowError, ...] = ()
    warnings: tuple[RowError, ...] = ()
    rows_read: int = 0
    order_rows: dict[str, int] = field(default_factory=dict)  # external id -> first file row
    skipped: tuple[RowError, ...] = ()
    # External id -> the skipped row saying the source cancelled, refunded or dropped the
    # order (a re-import cancels it locally); other skips (nothing to ship, already
    # fulfilled, a blank status) say nothing about whether the parcel should go.
    cancelled_at_source: dict[str, RowError] = field(default_factory=dict)
    header: tuple[str, ...] = ()
    rejected_rows: dict[int, tuple[str, ...]] = field(default_factory=dict)
    order_row_counts: dict[str, int] = field(default_factory=dict)  # only orders of 2+ rows

    @property
    def rejected_row_numbers(self) -> tuple[int, ...]:
        """The distinct file rows that were rejected, in file order."""
        return tuple(sorted({error.row for error in self.errors}))

"""Orders that span several rows (one row per line item), merged by their order id."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.imports.collect import AddressColumns, Collector, RawAddress, build_address
from app.imports.model import RowError

#: Order-level fields; continuation rows leave them empty, so the first non-empty value wins.
ORDER_FIELDS = (
    "name",
    "company",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
    "email",
    "notes",
)
#: The fields that say who and where an order goes: a later row of the same order id that gives
#: other values for them is a different shipment that only shares the id (not a continuation).
IDENTITY_FIELDS = frozenset({"name", "street1", "postal_code", "country"})


def _same(a: str, b: str) -> bool:
    """Equal ignoring case and spacing ("1 Main St" vs "1  MAIN st")."""
    return a == b or " ".join(a.casefold().split()) == " ".join(b.casefold().split())


@dataclass(slots=True)
class OrderDraft:
    """An order being assembled from its rows."""

    external_id: str
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    skip_reason: tuple[str, str] | None = None  # (column, reason)
    cancelled_at_source: bool = False  # the source cancelled, refunded or dropped it
    shippable_lines: int = 0
    extra: dict[str, str] = field(default_factory=dict)
    warnings: list[RowError] = field(default_factory=list)
    field_rows: dict[str, int] = field(default_factory=dict)  # field -> row it came from
    line_rows: dict[str, int] = field(default_factory=dict)  # SKU -> row it was first on
    conflict_rows: set[int] = field(default_factory=set)

    @property
    def first_row(self) -> int:
        return self.rows[0][0]

    def take(self, name: str, value: str, row: int = 0, column: str = "") -> None:
        """Keep the first non-empty value of an order-level field (carry forward).

        With `row` (a file row, not a default): a non-empty recipient/address value that
        contradicts the one an earlier row gave is an error on this row; the order is rejected.
        """
        if not value:
            return
        current = self.fields.get(name)
        if current == value:
            return  # a continuation row repeating the order's fields (the common case)
        if not current:
            self.fields[name] = value
            if row:
                self.field_rows[name] = row
            return
        if (
            row
            and name in IDENTITY_FIELDS
            and row not in self.conflict_rows
            and not _same(current, value)
        ):
            self.conflict_rows.add(row)
            first = self.field_rows.get(name, self.first_row)
            self.errors.append(
                RowError(
                    row,
                    column,
                    f"order {self.external_id} at row {row} has a different recipient/address "
                    f"than row {first} ({current!r} vs {value!r}); two orders share this id",
                )
            )

    def add_line(self, sku: str, quantity: int, row: int = 0) -> None:
        """Add a line; a SKU the order already has adds up, with a warning naming both rows."""
        if quantity <= 0:
            return
        previous = self.lines.get(sku)
        if previous is None:
            self.lines[sku] = quantity
            if row:
                self.line_rows[sku] = row
            return
        self.lines[sku] = previous + quantity
        if row:
            first = self.line_rows.get(sku, self.first_row)
            self.warnings.append(
                RowError(
                    row,
                    "",
                    f"order {self.external_id}: SKU {sku} is on row {first} and row {row}; "
                    f"the quantities were added up ({self.lines[sku]}). Check it is not a "
                    "duplicated row",
                )
            )


def finish_order(
    out: Collector, draft: OrderDraft, columns: AddressColumns, id_column: str
) -> None:
    """Validate a merged order and record it as an order, a rejection or a skip (all its rows)."""
    if not draft.errors and draft.skip_reason is not None:
        column, reason = draft.skip_reason
        for row, _cells in draft.rows:
            gone = draft.external_id if draft.cancelled_at_source else ""
            out.skip(row, column, reason, cancelled_order=gone)
        return
    recipient = None
    if not draft.errors:
        if not draft.lines:
            draft.errors.append(RowError(draft.first_row, "", "the order has no items to ship"))
        f = draft.fields.get
        raw = RawAddress(
            name=f("name", ""),
            street1=f("street1", ""),
            street2=f("street2", ""),
            city=f("city", ""),
            state=f("state", ""),
            postal_code=f("postal_code", ""),
            country=f("country", ""),
            company=f("company", ""),
            phone=f("phone", ""),
            email=f("email", ""),
        )
        recipient = build_address(raw, draft.first_row, columns, draft.errors, out.warnings)
    if draft.errors or recipient is None:
        rows_with_errors = {error.row for error in draft.errors}
        first_bad = min(rows_with_errors)
        for row, cells in draft.rows:
            problems = [error for error in draft.errors if error.row == row]
            if not problems:
                problems = [
                    RowError(
                        row,
                        id_column,
                        f"order {draft.external_id} is rejected because of row {first_bad}",
                    )
                ]
            out.reject(row, cells, problems)
        return
    out.warnings.extend(draft.warnings)
    out.add_order(
        draft.first_row,
        draft.external_id,
        recipient,
        draft.lines,
        notes=draft.fields.get("notes", ""),
        extra=draft.extra,
        rows=len(draft.rows),
    )

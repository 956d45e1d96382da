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


@dataclass(slots=True)
class OrderDraft:
    """An order being assembled from its rows."""

    external_id: str
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    skip_reason: tuple[str, str] | None = None  # (column, reason)
    shippable_lines: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def first_row(self) -> int:
        return self.rows[0][0]

    def take(self, name: str, value: str) -> None:
        """Keep the first non-empty value of an order-level field (carry forward)."""
        if value and not self.fields.get(name):
            self.fields[name] = value

    def add_line(self, sku: str, quantity: int) -> None:
        if quantity > 0:
            self.lines[sku] = self.lines.get(sku, 0) + quantity


def finish_order(
    out: Collector, draft: OrderDraft, columns: AddressColumns, id_column: str
) -> None:
    """Validate a merged order and record it as an order, a rejection or a skip (all its rows)."""
    if not draft.errors and draft.skip_reason is not None:
        column, reason = draft.skip_reason
        for row, _cells in draft.rows:
            out.skip(row, column, reason)
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
    out.add_order(
        draft.first_row,
        draft.external_id,
        recipient,
        draft.lines,
        notes=draft.fields.get("notes", ""),
        extra=draft.extra,
        rows=len(draft.rows),
    )

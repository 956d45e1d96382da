"""Shopify's orders_export.csv: one row per line item, the rows of one order share its Name.

Columns are found by name (the 79-column header has grown over the years). Order-level fields
(address, financial and fulfillment status ...) are only on an order's first row and carried
forward. `Lineitem requires shipping` = false lines (gift cards, downloads) are left out; an order
with nothing left to ship, a cancelled order and an order Shopify already fulfilled are listed as
skipped. A line without `Lineitem sku` gets a SKU from its name (app.imports.sku).
"""

from __future__ import annotations

from app.domain.errors import AppError
from app.domain.orders import SourcePlatform
from app.imports.collect import AddressColumns, Collector, check_width
from app.imports.grouped import OrderDraft, finish_order
from app.imports.model import ParsedOrders, RowError
from app.imports.normalize import parse_money, parse_quantity
from app.imports.sku import sku_from_name
from app.imports.table import Table

PRESET = "shopify"

_ADDRESS_FIELDS = {
    "name": "shipping name",
    "company": "shipping company",
    "street1": "shipping address1",
    "street2": "shipping address2",
    "city": "shipping city",
    "state": "shipping province",
    "postal_code": "shipping zip",
    "country": "shipping country",
    "phone": "shipping phone",
    "email": "email",
    "notes": "notes",
}
_SKIP_FINANCIAL = frozenset({"refunded", "voided"})


def matches(keys: frozenset[str]) -> bool:
    """True when a header looks like a Shopify orders export."""
    return (
        "name" in keys
        and "lineitem quantity" in keys
        and ("lineitem sku" in keys or "lineitem name" in keys)
    )


def read_shopify(table: Table) -> ParsedOrders:
    """Read a Shopify orders export table, merging the rows of each order."""
    index = table.index()
    if not matches(frozenset(index)):
        raise AppError(
            f"{table.path.name} is not a Shopify orders export: it needs 'Name', "
            "'Lineitem quantity' and 'Lineitem sku' or 'Lineitem name' columns",
            hint="Export from Shopify admin > Orders > Export (CSV for Excel or plain CSV).",
            details={"file": str(table.path), "header": list(table.header)},
        )
    header = table.header
    width = len(header)
    out = Collector(table, PRESET, SourcePlatform.SHOPIFY)

    def col(name: str) -> int | None:
        return index.get(name)

    col_name = index["name"]
    col_qty = index["lineitem quantity"]
    col_sku, col_item = col("lineitem sku"), col("lineitem name")
    col_price, col_ships = col("lineitem price"), col("lineitem requires shipping")
    col_currency, col_cancelled = col("currency"), col("cancelled at")
    col_fulfilled, col_financial = col("fulfillment status"), col("financial status")
    col_province_name, col_street = col("shipping province name"), col("shipping street")
    col_id = col("id")
    field_cols = {field: index.get(key) for field, key in _ADDRESS_FIELDS.items()}
    columns = AddressColumns(
        **{
            field: header[position]
            for field, position in field_cols.items()
            if position is not None and field in AddressColumns.__dataclass_fields__
        }
    )
    drafts: dict[str, OrderDraft] = {}
    for row, raw_cells in table.rows:
        cells = raw_cells + [""] * (width - len(raw_cells)) if len(raw_cells) < width else raw_cells
        errors: list[RowError] = []
        check_width(row, cells, width, errors)
        order_name = cells[col_name].strip()
        if not order_name:
            errors.append(RowError(row, header[col_name], "order Name is missing"))
            out.reject(row, raw_cells, errors)
            continue
        draft = drafts.get(order_name)
        if draft is None:
            draft = drafts[order_name] = OrderDraft(order_name)
        draft.rows.append((row, raw_cells))
        draft.errors.extend(errors)
        for field, position in field_cols.items():
            if position is not None:
                draft.take(field, cells[position].strip(), row, header[position])
        if col_street is not None and field_cols["street1"] is None:
            draft.take("street1", cells[col_street].strip(), row, header[col_street])
        if col_province_name is not None and "state" not in draft.fields:
            draft.take("state", cells[col_province_name].strip())
        if col_id is not None and cells[col_id].strip():
            draft.extra.setdefault("shopify_id", cells[col_id].strip())
        if col_cancelled is not None and cells[col_cancelled].strip():
            draft.skip_reason = (header[col_cancelled], "the order was cancelled in Shopify")
            draft.cancelled_at_source = True
        if col_fulfilled is not None and cells[col_fulfilled].strip().casefold() == "fulfilled":
            draft.skip_reason = (header[col_fulfilled], "Shopify already fulfilled this order")
        if col_financial is not None:
            financial = cells[col_financial].strip().casefold()
            if financial in _SKIP_FINANCIAL:
                draft.skip_reason = (header[col_financial], f"the order was {financial}")
                draft.cancelled_at_source = True
        if col_ships is not None and cells[col_ships].strip().casefold() == "false":
            continue  # a gift card or download: nothing to pack
        item_name = cells[col_item].strip() if col_item is not None else ""
        sku = cells[col_sku].strip() if col_sku is not None else ""
        if not sku:
            if not item_name:
                draft.errors.append(
                    RowError(row, header[col_qty], "line item has neither a SKU nor a name")
                )
                continue
            sku = sku_from_name(item_name)
        try:
            quantity = parse_quantity(cells[col_qty])
        except ValueError as exc:
            draft.errors.append(RowError(row, header[col_qty], str(exc)))
            continue
        draft.shippable_lines += 1
        draft.add_line(sku, quantity, row)
        value = None
        if col_price is not None:
            money = parse_money(cells[col_price])
            currency = cells[col_currency].strip().upper() if col_currency is not None else ""
            if money is not None and (currency or money[1] or "USD") == "USD":
                value = money[0]
        out.note_item(sku, item_name or sku, value, row=row)
    for draft in drafts.values():
        if draft.skip_reason is None and not draft.errors and draft.shippable_lines == 0:
            draft.skip_reason = ("", "nothing to ship: no line item requires shipping")
        finish_order(out, draft, columns, header[col_name])
    return out.result()

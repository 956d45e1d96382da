"""BackerKit "SKU per Column" order exports: one row per backer, one quantity column per SKU.

No real export's header is public, so the reader is driven by header names with aliases (the
names a third-party importer accepts, see docs) rather than positions:

* order id: `Backer ID`, `BackerKit ID`, `Order ID`, `External ID` or `Backer Number`
* recipient: `Shipping Name` (else `Full Name (Shipping)`, `Backer Name`, `Name`),
  `Shipping Company`, `Shipping Address 1`/`2` (or `Shipping Address Line 1`/`2`,
  `Shipping Street`), `Shipping City`, `Shipping State` (or `Shipping Province`,
  `Shipping State/Province`), `Shipping Postal Code` (or `Shipping Zip`, `Shipping ZIP Code`,
  `Shipping Zip/Postal Code`), `Shipping Country Code` or `Shipping Country` (code or name),
  `Shipping Phone` (or `Shipping Phone Number`, `Phone`), `Email` (or `Backer Email`),
  `Notes` (or `Backer Notes`, `Shipping Delivery Notes`)
* status: `Order Status` or `Status`; dropped, canceled, refunded and errored orders are skipped
* SKU columns: every other column whose header is a SKU code (upper-case letters, digits and
  `- _ . /`, with at least one letter: `GAME-CORE`, `TSHIRT-L`, `STICKERS`), or is written
  `SKU: <code>` / `[SKU] <code>`; the cell is the quantity. Other columns (survey answers,
  `Pledge Level`, money) are ignored.
"""

from __future__ import annotations

import re

from app.domain.errors import AppError
from app.domain.orders import SourcePlatform
from app.imports.collect import AddressColumns, Collector, check_width
from app.imports.grouped import OrderDraft, finish_order
from app.imports.model import ParsedOrders, RowError
from app.imports.normalize import parse_quantity
from app.imports.table import Table

PRESET = "backerkit"

_ID_COLUMNS = ("backer id", "backerkit id", "order id", "external id", "backer number")
_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("shipping name", "full name (shipping)", "backer name", "name"),
    "company": ("shipping company",),
    "street1": (
        "shipping address 1",
        "shipping address line 1",
        "shipping address1",
        "shipping street",
    ),
    "street2": ("shipping address 2", "shipping address line 2", "shipping address2"),
    "city": ("shipping city",),
    "state": ("shipping state", "shipping province", "shipping state/province"),
    "postal_code": (
        "shipping postal code",
        "shipping zip",
        "shipping zip code",
        "shipping zip/postal code",
    ),
    "country": ("shipping country code", "shipping country", "shipping country name"),
    "phone": ("shipping phone", "shipping phone number", "phone"),
    "email": ("email", "backer email"),
    "notes": ("notes", "backer notes", "shipping delivery notes"),
}
_STATUS_COLUMNS = ("order status", "status")
_SKIP_STATUSES = frozenset({"dropped", "canceled", "cancelled", "refunded", "errored", "void"})
_KNOWN = frozenset(
    {alias for aliases in _FIELD_ALIASES.values() for alias in aliases}
    | set(_ID_COLUMNS)
    | set(_STATUS_COLUMNS)
    | {"shipping country name", "shipping country code"}
)
_SKU_HEADER = re.compile(r"^(?=[A-Z0-9._/-]*[A-Z])[A-Z0-9][A-Z0-9._/-]*$")
_SKU_PREFIX = re.compile(r"^\s*(?:sku\s*:|\[\s*sku\s*\])\s*(\S.*)$", re.IGNORECASE)


def sku_of_header(header: str) -> str | None:
    """The SKU a quantity column stands for, or None when the header is not a SKU column."""
    prefixed = _SKU_PREFIX.match(header)
    if prefixed:
        return prefixed.group(1).strip()
    return header if _SKU_HEADER.match(header) else None


def matches(keys: frozenset[str]) -> bool:
    """True when a header looks like a BackerKit export (and not a Kickstarter report)."""
    has_id = any(name in keys for name in _ID_COLUMNS)
    has_address = any(name in keys for name in _FIELD_ALIASES["street1"])
    return has_id and has_address and ("pledge level" in keys or "backerkit id" in keys)


def read_backerkit(table: Table) -> ParsedOrders:
    """Read a BackerKit SKU-per-column export table."""
    index = table.index()
    header = table.header
    col_id = next((index[name] for name in _ID_COLUMNS if name in index), None)
    if col_id is None:
        raise AppError(
            f"{table.path.name} is not a BackerKit export: no order id column "
            "('Backer ID', 'Order ID' or 'Backer Number')",
            hint="Export 'SKU per Column' from BackerKit, or use the generic preset with a "
            "mapping.",
            details={"file": str(table.path), "header": list(header)},
        )
    field_cols: dict[str, int] = {}
    for field, aliases in _FIELD_ALIASES.items():
        position = next((index[a] for a in aliases if a in index), None)
        if position is not None:
            field_cols[field] = position
    sku_cols: list[tuple[int, str]] = []
    for position, (name, key) in enumerate(zip(header, table.keys, strict=True)):
        if key in _KNOWN or position == col_id:
            continue
        sku = sku_of_header(name)
        if sku:
            sku_cols.append((position, sku))
    if not sku_cols:
        raise AppError(
            f"{table.path.name} has no SKU quantity columns (headers like 'GAME-CORE' or "
            "'SKU: TSHIRT-L')",
            hint="Export the 'SKU per Column' report from BackerKit.",
            details={"file": str(table.path), "header": list(header)},
        )
    col_backer_name = next((index[n] for n in ("backer name", "name") if n in index), None)
    col_status = next((index[name] for name in _STATUS_COLUMNS if name in index), None)
    columns = AddressColumns(
        **{
            field: header[position]
            for field, position in field_cols.items()
            if field in AddressColumns.__dataclass_fields__
        }
    )
    out = Collector(table, PRESET, SourcePlatform.BACKERKIT)
    for _position, sku in sku_cols:
        out.note_item(sku, sku)
    width = len(header)
    seen: dict[str, int] = {}
    for row, raw_cells in table.rows:
        cells = raw_cells + [""] * (width - len(raw_cells)) if len(raw_cells) < width else raw_cells
        external_id = cells[col_id].strip()
        draft = OrderDraft(external_id, rows=[(row, raw_cells)])
        check_width(row, cells, width, draft.errors)
        if not external_id:
            draft.errors.append(RowError(row, header[col_id], "order id is missing"))
        elif external_id in seen:
            draft.errors.append(
                RowError(
                    row, header[col_id], f"{external_id} also appears on row {seen[external_id]}"
                )
            )
        else:
            seen[external_id] = row
        for field, position in field_cols.items():
            draft.take(
                field,
                cells[position] if field in ("street1", "street2") else cells[position].strip(),
            )
        if col_backer_name is not None and not draft.fields.get("name"):
            draft.take("name", cells[col_backer_name].strip())  # no ship-to name: the backer's
        if col_status is not None:
            status = cells[col_status].strip().casefold()
            if status in _SKIP_STATUSES:
                draft.skip_reason = (header[col_status], f"the order is {status}")
                draft.cancelled_at_source = True
        for position, sku in sku_cols:
            value = cells[position]
            if not value or value == "0":
                continue
            try:
                draft.add_line(sku, parse_quantity(value))
            except ValueError as exc:
                draft.errors.append(RowError(row, header[position], str(exc)))
        if not draft.lines and draft.skip_reason is None:
            draft.skip_reason = ("", "nothing to ship: every SKU quantity is 0")
        finish_order(out, draft, columns, header[col_id])
    return out.result()

"""Any CSV/XLSX order file, read through a saved column mapping (JSON).

The mapping format (version 1)::

    {
      "version": 1,
      "name": "ShipStation-style fulfilment CSV",      (optional, shown in messages)
      "delimiter": ",",                                 (optional; default: detected)
      "source": "generic",                              (optional SourcePlatform value)
      "columns": {                                      (file column -> field)
        "Order #": "external_id",
        "Recipient Full Name": "name",
        "Address Line 1": "street1",
        "Address Line 2": "street2",
        "Address Line 3": "street2",
        "City": "city", "State": "state", "Postal Code": "postal_code",
        "Country Code": "country",
        "Item SKU": "sku", "Item Quantity": "quantity",
        "Item Name / Title": "item_name", "Item Weight (oz)": "item_weight_oz"
      },
      "sku_columns": {"Shirt (L)": "TSHIRT-L"},         (file column -> SKU; cell = quantity)
      "defaults": {"country": "US"}                     (field -> value for empty cells)
    }

Fields: `external_id` (required), `name`, `company`, `street1`, `street2`, `city`, `state`,
`postal_code`, `country` (code or name), `phone`, `email`, `notes`, and for lines `sku`,
`quantity`, `item_name`, `item_value` (money; kept as the item's value when in USD) and
`item_weight_oz`. Several columns may map to one field: their non-empty values are joined
(with a space for `name`, else ", "), e.g. "First Name" and "Last Name" -> `name`.
Column names match after trimming, collapsing spaces and ignoring case.

Required: `external_id`, `name`, `street1`, `city`, `postal_code` and `country` must each be
mapped (or, for the address fields, given in `defaults`), else the mapping itself is refused. A
file must have every column of a required field (and of `sku`/`quantity`, and `item_name` when
it stands in for the SKU); a missing column of an optional field is one file-level warning.

Lines come in either (or both) of two shapes:

* one row per line: map `sku` (and `quantity`, default 1 when unmapped; a row without a SKU uses
  a SKU made from `item_name`, see app.imports.sku). Rows with the same `external_id` are merged
  into one order, order-level fields taken from the first row that has them.
* one quantity column per SKU: `sku_columns` maps each such column to its SKU.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.domain.errors import AppError
from app.domain.limits import MAX_ITEM_WEIGHT_OZ
from app.domain.orders import SourcePlatform
from app.imports.collect import AddressColumns, Collector, check_width
from app.imports.grouped import ORDER_FIELDS, OrderDraft, finish_order
from app.imports.model import ParsedOrders, RowError
from app.imports.normalize import parse_money, parse_quantity
from app.imports.sku import sku_from_name
from app.imports.table import Table, clean_header

PRESET = "generic"
LINE_FIELDS = ("sku", "quantity", "item_name", "item_value", "item_weight_oz")
FIELDS = frozenset({"external_id", *ORDER_FIELDS, *LINE_FIELDS})
#: Order fields every shipment needs; a mapping must map them (or give a default).
ADDRESS_REQUIRED = ("name", "street1", "city", "postal_code", "country")


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """A validated column mapping (see the module docstring for the JSON format)."""

    columns: tuple[tuple[str, str], ...]  # (file column, field), in mapping order
    sku_columns: tuple[tuple[str, str], ...] = ()  # (file column, SKU)
    defaults: dict[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    source: SourcePlatform = SourcePlatform.GENERIC
    name: str = "column mapping"


def _bad_mapping(path: Path, problem: str) -> AppError:
    return AppError(
        f"the column mapping {path.name} is not valid: {problem}",
        hint='Fix the mapping JSON: {"columns": {"File column": "field", ...}}, fields: '
        + ", ".join(sorted(FIELDS)),
        details={"mapping": str(path)},
    )


def load_mapping(path: Path) -> ColumnMapping:
    """Load and check a mapping JSON file.

    Raises:
        AppError: the file cannot be read, is not JSON, or names unknown fields.
    """
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise _bad_mapping(path, f"cannot read it ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad_mapping(path, f"it is not JSON ({exc})") from exc
    return mapping_from_dict(data, path)


def mapping_from_dict(data: Any, path: Path = Path("mapping.json")) -> ColumnMapping:
    """Check a decoded mapping object (see the module docstring)."""
    if not isinstance(data, dict):
        raise _bad_mapping(path, "the top level must be an object")
    if data.get("version", 1) != 1:
        raise _bad_mapping(path, f"unknown version {data.get('version')!r} (this app reads 1)")
    columns = _string_pairs(data.get("columns", {}), "columns", path)
    for column, target in columns:
        if target not in FIELDS:
            raise _bad_mapping(path, f"column {column!r} maps to unknown field {target!r}")
    sku_columns = _string_pairs(data.get("sku_columns", {}), "sku_columns", path)
    defaults = dict(_string_pairs(data.get("defaults", {}), "defaults", path))
    for target in defaults:
        if target not in ORDER_FIELDS:
            raise _bad_mapping(path, f"default for {target!r}: only order fields have defaults")
    targets = {target for _column, target in columns}
    if "external_id" not in targets:
        raise _bad_mapping(path, "no column maps to external_id (the order id)")
    if "sku" not in targets and "item_name" not in targets and not sku_columns:
        raise _bad_mapping(
            path, "no lines: map a column to sku (or item_name), or give sku_columns"
        )
    delimiter = data.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise _bad_mapping(path, "delimiter must be one character")
    try:
        source = SourcePlatform(data.get("source", "generic"))
    except ValueError:
        raise _bad_mapping(path, f"unknown source {data.get('source')!r}") from None
    unmapped = [f for f in ADDRESS_REQUIRED if f not in targets and f not in defaults]
    if unmapped:
        # Caught here, once, rather than as the same error on every row of the file.
        raise _bad_mapping(
            path,
            "no column maps to the required field(s) " + ", ".join(unmapped) + " (map a column "
            'to each, or give a fixed value in "defaults")',
        )
    return ColumnMapping(
        columns=columns,
        sku_columns=sku_columns,
        defaults=defaults,
        delimiter=delimiter,
        source=source,
        name=str(data.get("name") or path.name),
    )


def _string_pairs(value: Any, key: str, path: Path) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise _bad_mapping(path, f"{key!r} must be an object of strings")
    return tuple((k, v) for k, v in value.items())


def read_generic(table: Table, mapping: ColumnMapping) -> ParsedOrders:
    """Read a table through a column mapping, merging rows of the same order id."""
    index = table.index()
    header = table.header

    def find(column: str) -> int | None:
        return index.get(clean_header(column).casefold())

    required = _required_fields(mapping)
    missing = [c for c, t in mapping.columns if t in required and find(c) is None]
    missing += [c for c, _s in mapping.sku_columns if find(c) is None]
    if missing:
        raise AppError(
            f"{table.path.name} does not have the columns the mapping {mapping.name!r} needs: "
            + ", ".join(repr(c) for c in missing),
            hint="Check the file's header row, or edit the mapping to match it.",
            details={"file": str(table.path), "missing": missing, "header": list(header)},
        )
    absent: list[str] = []
    by_field: dict[str, list[int]] = {}
    for column, target in mapping.columns:
        position = find(column)
        if position is None:
            absent.append(f"{column!r} ({target})")
            continue
        by_field.setdefault(target, []).append(position)
    sku_cols = [(find(c), sku) for c, sku in mapping.sku_columns]
    col_id = by_field["external_id"][0]
    columns = AddressColumns(
        **{
            target: header[positions[0]]
            for target, positions in by_field.items()
            if target in AddressColumns.__dataclass_fields__
        }
    )
    # Only the mapped order fields (an unmapped one would take "" on every row).
    order_fields = [(t, header[by_field[t][0]]) for t in ORDER_FIELDS if t in by_field]
    out = Collector(table, PRESET, mapping.source)
    if absent:
        out.warnings.append(
            RowError(
                0,
                "",
                f"the file has no column {', '.join(absent)} that the mapping {mapping.name!r} "
                "names; those optional fields are left empty",
            )
        )
    width = len(header)
    drafts: dict[str, OrderDraft] = {}

    def value(cells: list[str], target: str) -> str:
        positions = by_field.get(target)
        if not positions:
            return ""
        if len(positions) == 1:
            return cells[positions[0]].strip()
        joiner = " " if target == "name" else ", "
        return joiner.join(cells[p].strip() for p in positions if cells[p].strip())

    for row, raw_cells in table.rows:
        cells = raw_cells + [""] * (width - len(raw_cells)) if len(raw_cells) < width else raw_cells
        errors: list[RowError] = []
        check_width(row, cells, width, errors)
        external_id = cells[col_id].strip()
        if not external_id:
            errors.append(RowError(row, header[col_id], "order id is missing"))
            out.reject(row, raw_cells, errors)
            continue
        draft = drafts.get(external_id)
        if draft is None:
            draft = drafts[external_id] = OrderDraft(external_id)
        draft.rows.append((row, raw_cells))
        draft.errors.extend(errors)
        for target, column in order_fields:
            draft.take(target, value(cells, target), row, column)
        _read_line(cells, row, header, by_field, value, draft, out)
        for position, sku in sku_cols:
            assert position is not None
            text = cells[position]
            if not text or text == "0":
                continue
            out.note_item(sku, sku)
            try:
                draft.add_line(sku, parse_quantity(text), row)
            except ValueError as exc:
                draft.errors.append(RowError(row, header[position], str(exc)))
    for draft in drafts.values():
        for target, default in mapping.defaults.items():
            draft.take(target, default)
        if not draft.lines and not draft.errors:
            draft.skip_reason = ("", "nothing to ship: every quantity is 0")
        finish_order(out, draft, columns, header[col_id])
    return out.result()


def _required_fields(mapping: ColumnMapping) -> frozenset[str]:
    """Fields whose columns a file must have: the order id, the address and the line's SKU.

    Several columns of one field (first and last name) are all needed: without one the field
    would be silently incomplete. The item name is only needed when it stands in for the SKU.
    """
    targets = {target for _column, target in mapping.columns}
    required = {"external_id", "sku", "quantity"}
    required |= {f for f in ADDRESS_REQUIRED if f not in mapping.defaults}
    if "sku" not in targets:
        required.add("item_name")
    return frozenset(required)


def _read_line(
    cells: list[str],
    row: int,
    header: tuple[str, ...],
    by_field: dict[str, list[int]],
    value: Any,
    draft: OrderDraft,
    out: Collector,
) -> None:
    """The row's own line (sku/quantity shape), if the mapping has one."""
    if "sku" not in by_field and "item_name" not in by_field:
        return
    sku, item_name = value(cells, "sku"), value(cells, "item_name")
    if not sku and not item_name:
        quantity_text = value(cells, "quantity")
        if quantity_text and quantity_text != "0":
            column = header[by_field["sku"][0]] if "sku" in by_field else ""
            draft.errors.append(RowError(row, column, "the line has a quantity but no SKU"))
        return
    sku = sku or sku_from_name(item_name)
    if "quantity" in by_field:
        try:
            quantity = parse_quantity(value(cells, "quantity"))
        except ValueError as exc:
            draft.errors.append(RowError(row, header[by_field["quantity"][0]], str(exc)))
            return
    else:
        quantity = 1
    draft.add_line(sku, quantity, row)
    money = parse_money(value(cells, "item_value"))
    weight_text = value(cells, "item_weight_oz")
    weight = None
    if weight_text:
        try:
            weight = Decimal(weight_text)
        except InvalidOperation:
            weight = None
        if (
            weight is None
            or not weight.is_finite()
            or weight < 0
            or weight > MAX_ITEM_WEIGHT_OZ
            or "e" in weight_text.lower()
        ):
            weight = None
            draft.errors.append(
                RowError(
                    row,
                    header[by_field["item_weight_oz"][0]],
                    f"weight {weight_text[:30]!r} is not a number of ounces from 0 to "
                    f"{MAX_ITEM_WEIGHT_OZ:,} written in digits",
                )
            )
    value_usd = money[0] if money is not None and money[1] in ("", "USD") else None
    out.note_item(sku, item_name or sku, value_usd, weight, row=row)

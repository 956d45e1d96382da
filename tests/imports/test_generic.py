"""Generic CSV through a saved column mapping: both line shapes, defaults, mapping errors."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.errors import AppError
from app.domain.orders import SourcePlatform
from app.imports import read_order_file
from tests.imports.helpers import assert_every_row_accounted, write_csv


def mapping(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


ROW_PER_SKU = {
    "columns": {
        "Order #": "external_id", "First Name": "name", "Last Name": "name",
        "Address Line 1": "street1", "Address Line 2": "street2", "Address Line 3": "street2",
        "City": "city", "State": "state", "Postal Code": "postal_code", "Item SKU": "sku",
        "Item Name": "item_name", "Qty": "quantity", "Price": "item_value",
        "Weight (oz)": "item_weight_oz",
    },
    "defaults": {"country": "US"},
}  # fmt: skip
HEADER = ["Order #", "First Name", "Last Name", "Address Line 1", "Address Line 2",
          "Address Line 3", "City", "State", "Postal Code", "Item SKU", "Item Name", "Qty",
          "Price", "Weight (oz)"]  # fmt: skip


def test_rows_per_sku_are_merged_by_order_id(tmp_path: Path) -> None:
    rows = [
        ["SO-1", "Jürgen", "Müller", "1 Main St", "Bldg 2", "Floor 3", "Boston", "MA", "2108",
         "TEE-L", "T-Shirt L", "2", "$24.00", "6.8"],
        ["SO-1", "", "", "", "", "", "", "", "", "", "Sticker Sheet", "1", "", ""],
        ["SO-2", "Ann", "Lee", "9 Oak Ave", "", "", "Austin", "TX", "78701", "TEE-L", "", "x",
         "", ""],
        ["SO-2", "", "", "", "", "", "", "", "", "PIN", "Pin", "1", "", ""],
        ["SO-3", "Bo", "Diddley", "9 Oak Ave", "", "", "Austin", "TX", "78701", "PIN", "", "0",
         "", ""],
        ["", "No", "Id", "9 Oak Ave", "", "", "Austin", "TX", "78701", "PIN", "", "1", "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "orders.csv", HEADER, rows)
    parsed = read_order_file(path, mapping_path=mapping(tmp_path, ROW_PER_SKU))
    assert parsed.preset == "generic"
    (order,) = parsed.orders
    assert order.source is SourcePlatform.GENERIC
    assert order.recipient.name == "Jürgen Müller"
    assert order.recipient.street2 == "Bldg 2, Floor 3"
    assert (order.recipient.country, order.recipient.postal_code) == ("US", "02108")
    assert {ln.sku: ln.quantity for ln in order.lines} == {"TEE-L": 2, "STICKER-SHEET": 1}
    items = {item.sku: item for item in parsed.items}
    assert items["TEE-L"].value_usd == Decimal("24.00")
    assert items["TEE-L"].weight_oz == Decimal("6.8")
    assert items["STICKER-SHEET"].name == "Sticker Sheet"
    assert parsed.order_row_counts == {"SO-1": 2}
    errors = {(e.row, e.column): e.message for e in parsed.errors}
    assert "not a number" in errors[(4, "Qty")]
    assert "rejected because of row 4" in errors[(5, "Order #")]
    assert "order id is missing" in errors[(7, "Order #")]
    assert [s.row for s in parsed.skipped] == [6]
    assert_every_row_accounted(parsed)


def test_per_sku_quantity_columns(tmp_path: Path) -> None:
    data = {
        "delimiter": ";",
        "source": "backerkit",
        "columns": {"Id": "external_id", "Name": "name", "Street": "street1", "Town": "city",
                    "Zip": "postal_code", "Land": "country"},
        "sku_columns": {"Game": "GAME", "Shirt (L)": "TEE-L"},
    }  # fmt: skip
    path = tmp_path / "orders.csv"
    path.write_text(
        "Id;Name;Street;Town;Zip;Land;Game;Shirt (L)\n"
        "7;Jürgen Müller;Hauptstraße 1;Köln;50667;Deutschland;1;2\n",
        encoding="utf-8",
    )
    (order,) = read_order_file(path, preset="generic", mapping_path=mapping(tmp_path, data)).orders
    assert order.source is SourcePlatform.BACKERKIT
    assert order.recipient.country == "DE"
    assert {ln.sku: ln.quantity for ln in order.lines} == {"GAME": 1, "TEE-L": 2}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ([], "top level must be an object"),
        ({"columns": {"A": "sku"}}, "external_id"),
        ({"columns": {"A": "external_id"}}, "no lines"),
        ({"columns": {"A": "external_id", "B": "colour"}}, "unknown field 'colour'"),
        ({"columns": {"A": "external_id", "B": "sku"}, "delimiter": ";;"}, "one character"),
        ({"columns": {"A": "external_id", "B": "sku"}, "defaults": {"sku": "X"}}, "order fields"),
        ({"columns": {"A": "external_id", "B": "sku"}, "version": 2}, "version"),
        ({"columns": {"A": 1}}, "object of strings"),
    ],
)
def test_bad_mappings_are_refused_with_the_reason(
    tmp_path: Path, data: object, reason: str
) -> None:
    path = write_csv(tmp_path / "orders.csv", ["A", "B"], [["1", "x"]])
    with pytest.raises(AppError, match=reason):
        read_order_file(path, mapping_path=mapping(tmp_path, data))


def test_mapping_that_is_not_json_or_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", ["A", "B"], [["1", "x"]])
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(AppError, match="not JSON"):
        read_order_file(path, mapping_path=bad)
    with pytest.raises(AppError, match="cannot read"):
        read_order_file(path, mapping_path=tmp_path / "missing.json")
    with pytest.raises(AppError, match="needs a column mapping"):
        read_order_file(path, preset="generic")


def test_mapping_naming_columns_the_file_lacks(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", ["Order #", "City"], [["1", "Boston"]])
    with pytest.raises(AppError, match="'Item SKU'"):
        read_order_file(path, mapping_path=mapping(tmp_path, ROW_PER_SKU))


def test_rows_sharing_an_order_id_but_not_a_recipient_reject_the_whole_order(
    tmp_path: Path,
) -> None:
    rows = [
        ["D1", "Ann", "Lee", "1 Main St", "", "", "Boston", "MA", "02110", "TEE", "", "1", "", ""],
        ["D2", "Bob", "Roe", "5 Oak", "", "", "Austin", "TX", "73301", "TEE", "", "1", "", ""],
        ["D1", "Zed", "Zu", "9 Pine Rd", "", "", "Denver", "CO", "80202", "PIN", "", "1", "", ""],
        # A continuation row that repeats the address (other spacing/case) is no conflict.
        ["D2", "bob", "ROE", "5  Oak", "", "", "", "", "", "PIN", "", "1", "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "orders.csv", HEADER, rows)
    parsed = read_order_file(path, mapping_path=mapping(tmp_path, ROW_PER_SKU))
    (order,) = parsed.orders
    assert order.external_id == "D2"
    assert {ln.sku: ln.quantity for ln in order.lines} == {"TEE": 1, "PIN": 1}
    errors = {e.row: e.message for e in parsed.errors}
    assert "order D1 at row 4 has a different recipient/address than row 2" in errors[4]
    assert "rejected because of row 4" in errors[2]
    assert set(parsed.rejected_rows) == {2, 4}
    assert_every_row_accounted(parsed)


def test_the_same_sku_twice_in_one_order_adds_up_with_a_warning(tmp_path: Path) -> None:
    rows = [
        ["D1", "Ann", "Lee", "1 Main St", "", "", "Boston", "MA", "02110", "TEE", "", "1", "", ""],
        ["D1", "Ann", "Lee", "1 Main St", "", "", "Boston", "MA", "02110", "TEE", "", "2", "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "orders.csv", HEADER, rows)
    parsed = read_order_file(path, mapping_path=mapping(tmp_path, ROW_PER_SKU))
    (order,) = parsed.orders
    assert {ln.sku: ln.quantity for ln in order.lines} == {"TEE": 3}
    (warning,) = parsed.warnings
    assert warning.row == 3 and "SKU TEE is on row 2 and row 3" in warning.message


def test_mapping_without_required_address_fields_is_one_error_naming_them(
    tmp_path: Path,
) -> None:
    data = {"columns": {"Order #": "external_id", "Item SKU": "sku", "Item Quantity": "quantity"}}
    rows = [["1", "TEE", "1"], ["2", "TEE", "1"]]
    path = write_csv(tmp_path / "orders.csv", ["Order #", "Item SKU", "Item Quantity"], rows)
    with pytest.raises(AppError) as caught:
        read_order_file(path, mapping_path=mapping(tmp_path, data))
    message = str(caught.value)
    assert "mapping.json" in message
    assert "name, street1, city, postal_code, country" in message
    # A default stands in for a column.
    data["defaults"] = {"country": "US"}
    with pytest.raises(AppError, match=r"field\(s\) name, street1, city, postal_code \("):
        read_order_file(path, mapping_path=mapping(tmp_path, data))


def test_file_lacking_optional_mapped_columns_is_read_with_a_warning(tmp_path: Path) -> None:
    header = ["Order #", "First Name", "Last Name", "Address Line 1", "City", "State",
              "Postal Code", "Item SKU", "Qty"]  # fmt: skip
    rows = [["B1", "Ann", "Lee", "1 Main St", "Boston", "MA", "02110", "TEE", "1"]]
    path = write_csv(tmp_path / "orders.csv", header, rows)
    parsed = read_order_file(path, mapping_path=mapping(tmp_path, ROW_PER_SKU))
    (order,) = parsed.orders
    assert (order.recipient.name, order.recipient.street2) == ("Ann Lee", "")
    (warning,) = parsed.warnings
    assert warning.row == 0
    for column in ("Address Line 2", "Address Line 3", "Item Name", "Price", "Weight (oz)"):
        assert repr(column) in warning.message
    # A missing column of a required field (half of the name) still refuses the file.
    path = write_csv(tmp_path / "orders.csv", [c for c in header if c != "Last Name"], [
        [c for i, c in enumerate(rows[0]) if header[i] != "Last Name"]
    ])  # fmt: skip
    with pytest.raises(AppError, match="needs: 'Last Name'"):
        read_order_file(path, mapping_path=mapping(tmp_path, ROW_PER_SKU))


def test_an_invalid_zip_is_one_error_not_also_a_state_mismatch(tmp_path: Path) -> None:
    rows = [
        ["Z1", "Ann", "Lee", "1 Main St", "", "", "Boston", "MA", "2110.5", "TEE", "", "1",
         "", ""],
        ["Z2", "Ann", "Lee", "1 Main St", "", "", "Boston", "MA", "21101234", "TEE", "", "1",
         "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "orders.csv", HEADER, rows)
    parsed = read_order_file(path, mapping_path=mapping(tmp_path, ROW_PER_SKU))
    assert [(e.row, e.column) for e in parsed.errors] == [(2, "Postal Code")]
    (order,) = parsed.orders
    assert order.recipient.postal_code == "02110-1234"
    assert any(w.row == 3 and "02110-1234" in w.message for w in parsed.warnings)

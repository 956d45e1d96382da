"""BackerKit SKU-per-column exports, read by header names."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.errors import AppError
from app.domain.orders import SourcePlatform
from app.imports import read_order_file
from app.imports.backerkit import sku_of_header
from tests.imports.helpers import assert_every_row_accounted, write_csv

HEADER = ["Backer ID", "Backer Name", "Email", "Pledge Level", "Pledge Total", "Order Status",
          "Shipping Name", "Shipping Address 1", "Shipping Address 2", "Shipping City",
          "Shipping State", "Shipping Postal Code", "Shipping Country", "Favourite creature?",
          "GAME-CORE", "SKU: Tee L", "STICKERS"]  # fmt: skip


def row(bid: str, *qty: str, status: str = "complete", **addr: str) -> list[str]:
    base = {"name": "Ana-María Pérez", "street1": "Calle Mayor 5", "street2": "", "city": "Madrid",
            "state": "", "postal": "28013", "country": "Spain"}  # fmt: skip
    base.update(addr)
    return [bid, "Ana", "ana@example.com", "Collector", "$1,200.00", status, base["name"],
            base["street1"], base["street2"], base["city"], base["state"], base["postal"],
            base["country"], "Anglerfish", *qty]  # fmt: skip


def test_backerkit_export_with_crlf_country_names_and_bad_rows(tmp_path: Path) -> None:
    rows = [
        row("BK-1", "1", "1", "2"),
        row("BK-2", "1", "", "", country="USA", state="new york", postal="'10001",
            city="New York", street1="350 5th Ave"),
        row("BK-3", "1", "", "", status="dropped"),
        row("BK-4", "", "", ""),
        row("BK-5", "1", "x", ""),
        row("BK-1", "1", "", ""),
        row("BK-6", "1", "", "", country="EU"),
    ]  # fmt: skip
    path = write_csv(tmp_path / "bk.csv", HEADER, rows, line_end="\r\n")
    parsed = read_order_file(path)
    assert parsed.preset == "backerkit"
    by_id = {order.external_id: order for order in parsed.orders}
    assert sorted(by_id) == ["BK-1", "BK-2"]
    assert by_id["BK-1"].source is SourcePlatform.BACKERKIT
    assert {ln.sku: ln.quantity for ln in by_id["BK-1"].lines} == {
        "GAME-CORE": 1,
        "Tee L": 1,
        "STICKERS": 2,
    }
    two = by_id["BK-2"].recipient
    assert (two.country, two.state, two.postal_code) == ("US", "NY", "10001")
    assert by_id["BK-1"].recipient.country == "ES"
    assert [(s.row, s.column) for s in parsed.skipped] == [(4, "Order Status"), (5, "")]
    errors = {(e.row, e.column): e.message for e in parsed.errors}
    assert "not a number" in errors[(6, "SKU: Tee L")]
    assert "also appears on row 2" in errors[(7, "Backer ID")]
    assert "unknown country 'EU'" in errors[(8, "Shipping Country")]
    assert_every_row_accounted(parsed)


def test_backerkit_without_sku_columns_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bk.csv", HEADER[:13], [row("BK-1")[:13]])
    with pytest.raises(AppError, match="no SKU quantity columns"):
        read_order_file(path, preset="backerkit")


@pytest.mark.parametrize(
    ("header", "sku"),
    [("GAME-CORE", "GAME-CORE"), ("TSHIRT_L", "TSHIRT_L"), ("SKU: tee-l", "tee-l"),
     ("[SKU] PIN", "PIN"), ("Pledge Level", None), ("Status", None), ("2024", None)],
)  # fmt: skip
def test_sku_columns_are_recognised_by_header(header: str, sku: str | None) -> None:
    assert sku_of_header(header) == sku

"""A first Kickstarter backer report read end to end (the full per-preset tests follow)."""

from __future__ import annotations

from pathlib import Path

from app.imports import read_order_file

REPORT = (
    "\ufeffBacker Number,Backer Name,Email,Shipping Country,Reward Title,Pledge Amount,"
    "Pledged Status,Notes,Art Book,[Addon: 77] Art Book,Survey Response,Shipping Name,"
    "Shipping Address 1,Shipping Address 2,Shipping City,Shipping State,Shipping Postal Code,"
    "Shipping Country Name,Shipping Country Code\n"
    '1,Ann,a@x.com,US,Tier,"$1,500.00",collected,,1,1,"2024/01/02, 10:00",Ann Lee,'
    '"1 Main St\nApt 2",,Boston,Massachusetts,2108,United States,US\n'
    "2,Bo,b@x.com,US,Tier,$4.00 USD,errored,,1,0,,,,,,,,,\n"
)


def test_reads_a_collected_backer_and_skips_an_errored_pledge(tmp_path: Path) -> None:
    path = tmp_path / "backers.csv"
    path.write_text(REPORT, encoding="utf-8")
    parsed = read_order_file(path)
    assert parsed.preset == "kickstarter"
    (order,) = parsed.orders
    assert [(line.sku, line.quantity) for line in order.lines] == [("ART-BOOK", 2)]
    assert order.recipient.postal_code == "02108"
    assert order.recipient.state == "MA"
    assert order.recipient.street2 == "Apt 2"
    assert parsed.order_rows == {"1": 2}
    assert [s.row for s in parsed.skipped] == [4]  # row 2 spans two lines
    assert parsed.errors == ()

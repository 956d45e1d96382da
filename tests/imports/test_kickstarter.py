"""Kickstarter backer reports of every generation, messy as real exports are."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.errors import AppError
from app.domain.orders import SourcePlatform
from app.imports import read_order_file
from tests.imports.helpers import assert_every_row_accounted, write_csv

SURVEY = [
    "Survey Response", "Shipping Name", "Shipping Address 1", "Shipping Address 2",
    "Shipping City", "Shipping State", "Shipping Postal Code", "Shipping Country Name",
    "Shipping Country Code", "Shipping Phone Number", "Shipping Delivery Notes",
]  # fmt: skip
HEAD_2023 = [
    "Backer Number", "Backer UID", "Backer Name", "Email", "Shipping Country", "Shipping Amount",
    "Reward Title", "Backing Minimum", "Reward ID", "Bonus Support", "Pledge Amount",
    "Pledged At", "Fulfillment Status", "Pledged Status", "Notes",
]  # fmt: skip
WHEN = "2025/06/01, 10:00"


def lines_of(order: object) -> dict[str, int]:
    return {line.sku: line.quantity for line in order.lines}  # type: ignore[attr-defined]


def backer(
    number: int, status: str = "collected", items: tuple[str, ...] = (), **survey: str
) -> list[str]:
    """A 2023/2025 row: pledge columns, item cells, survey block."""
    pledge = [str(number), str(900 + number), "Backer Name", f"b{number}@example.com", "US",
              "$0.00 USD", "Lantern Keeper", "$149.00 USD", "8123403", "", "$1,149.00",
              WHEN, "", status, ""]  # fmt: skip
    answer = {
        "Survey Response": WHEN, "Shipping Name": "Ann Lee", "Shipping Address 1": "12 Main St",
        "Shipping Address 2": "", "Shipping City": "Boston", "Shipping State": "MA",
        "Shipping Postal Code": "02108", "Shipping Country Name": "United States",
        "Shipping Country Code": "US", "Shipping Phone Number": "", "Shipping Delivery Notes": "",
    }  # fmt: skip
    answer.update({key.replace("_", " "): value for key, value in survey.items()})
    return [*pledge, *items, *(answer[name] for name in SURVEY)]


def test_2025_report_items_addons_and_messy_addresses(tmp_path: Path) -> None:
    header = [*HEAD_2023, "Art Book (Hardcover)", "T-Shirt (L)", "What is your pet's name?",
              "[Addon: 10750435] Art Book (Hardcover)", "[Addon: 10750436] Neoprene Playmat",
              *SURVEY]  # fmt: skip
    rows = [
        backer(1, items=("1", "1", "Rex", "1", "")),
        # State as a name, ZIP lost its leading zero, address typed on two lines, unicode name.
        backer(2, items=("1", "0", "", "", "2"), Shipping_Name="Zoë Brontë",
               Shipping_Address_1="5 Elm St\nApt 3", Shipping_State="Massachusetts",
               Shipping_Postal_Code="2108"),
        # International: country only as a name (no code), ZIP+4 not relevant.
        backer(3, items=("1", "", "", "", ""), Shipping_Country_Code="",
               Shipping_Country_Name="Germany", Shipping_State="", Shipping_City="Köln",
               Shipping_Postal_Code="50667", Shipping_Address_1="Hauptstraße 1"),
        backer(4, status="errored", items=("1", "", "", "", "")),
        backer(5, status="dropped", items=("1", "", "", "", "")),
        backer(6, items=("1", "", "", "", ""), Survey_Response="", Shipping_Name="",
               Shipping_Address_1="", Shipping_City="", Shipping_State="",
               Shipping_Postal_Code="", Shipping_Country_Name="", Shipping_Country_Code=""),
        backer(7, items=("", "", "", "", "")),  # no reward items: nothing to ship
        backer(8, items=("1", "-2", "", "", "")),
        backer(9, items=("1", "", "", "", ""), Shipping_State="TX"),
        backer(1, items=("1", "", "", "", "")),  # the same backer number again
        backer(10, items=("1", "", "", "", ""), Shipping_Postal_Code="98144-2734",
               Shipping_State="WA", Shipping_City="Seattle"),
        [""] * len(header),  # empty trailing rows, as spreadsheets leave them
        [""] * len(header),
    ]  # fmt: skip
    path = write_csv(tmp_path / "backers.csv", header, rows, encoding="utf-8-sig")
    parsed = read_order_file(path)

    assert parsed.preset == "kickstarter"
    by_id = {order.external_id: order for order in parsed.orders}
    assert sorted(by_id) == ["1", "10", "2", "3"]
    assert all(order.source is SourcePlatform.KICKSTARTER for order in parsed.orders)
    # The same item as reward item and add-on is one SKU; the survey-question column is no item.
    assert lines_of(by_id["1"]) == {"ART-BOOK-HARDCOVER": 2, "T-SHIRT-L": 1}
    assert lines_of(by_id["2"]) == {"ART-BOOK-HARDCOVER": 1, "NEOPRENE-PLAYMAT": 2}
    names = {item.sku: item.name for item in parsed.items}
    assert names["ART-BOOK-HARDCOVER"] == "Art Book (Hardcover)"
    assert names["NEOPRENE-PLAYMAT"] == "Neoprene Playmat"
    two = by_id["2"].recipient
    assert (two.name, two.street1, two.street2, two.state, two.postal_code) == (
        "Zoë Brontë",
        "5 Elm St",
        "Apt 3",
        "MA",
        "02108",
    )
    assert by_id["3"].recipient.country == "DE"
    assert by_id["10"].recipient.postal_code == "98144-2734"
    assert by_id["1"].extra["pledge_amount"] == "$1,149.00"
    # Rows as a spreadsheet numbers them: header is 1, backer 2's address spans lines 3-4, so
    # backer 3 is row 4 but starts on line 5 (issue 8: errors name both).
    assert parsed.order_rows == {"1": 2, "2": 3, "3": 4, "10": 12}
    # The repaired ZIP, then every skipped row is also a warning.
    assert [w.row for w in parsed.warnings] == [3, 5, 6, 8]
    assert [w.line for w in parsed.warnings] == [0, 6, 7, 9]
    assert "leading zeros" in parsed.warnings[0].message
    assert [(s.row, s.column) for s in parsed.skipped] == [
        (5, "Pledged Status"),
        (6, "Pledged Status"),
        (8, ""),
    ]
    errors = {(e.row, e.column): e.message for e in parsed.errors}
    assert "not answered the survey" in errors[(7, "Survey Response")]
    assert "negative" in errors[(9, "T-Shirt (L)")]
    assert "does not match ZIP 02108" in errors[(10, "Shipping State")]
    assert "also appears on row 2" in errors[(11, "Backer Number")]
    assert parsed.rows_read == 11
    assert_every_row_accounted(parsed)


def test_2013_layout_country_names_and_pledge_level_items(tmp_path: Path) -> None:
    header = ["Backer Id", "Backer Name", "Email", "Shipping", "Pledge Amount", "Rewards Sent?",
              "Pledged At", "Pledged Status", "Notes", "Survey Response", "Shipping Name",
              "Shipping Address 1", "Shipping Address 2", "Shipping City", "Shipping State",
              "Shipping Postal Code", "Shipping Country"]  # fmt: skip
    rows = [
        ["6", "Jeff Bezos", "jeff@amazon.com", "Domestic", "$4.00 USD", "", "2013/10/11, 13:42",
         "collected", "", "2013/10/12, 10:00", "Amazon.com Inc", "1200 12th Ave. South",
         "Ste. 1200", "Seattle", "WA", "98144-2734", "United States"],
        ["7", "Ann", "a@x.com", "International", "$25.00 USD", "", "2013/10/11, 13:42",
         "collected", "", "2013/10/12, 10:00", "Ann Smith", "1 High Street", "", "London", "",
         "SW1A 1AA", "UK"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "2013.csv", header, rows, encoding="utf-8-sig")
    parsed = read_order_file(path, preset="kickstarter")
    assert [o.recipient.country for o in parsed.orders] == ["US", "GB"]
    assert [lines_of(o) for o in parsed.orders] == [{"REWARD-4-USD": 1}, {"REWARD-25-USD": 1}]
    assert parsed.errors == ()


def test_2014_report_without_survey_rejects_every_collected_backer(tmp_path: Path) -> None:
    header = ["Backer Number", "Backer UID", "Backer Name", "Email", "Shipping Country",
              "Shipping Amount", "Reward Minimum", "Reward ID", "Pledge Amount", "Pledged At",
              "Rewards Sent?", "Pledged Status", "Notes", "Twitter"]  # fmt: skip
    rows = [
        ["13", "1", "name1", "email1@live.com", "US", "$0.00 USD", "$5.00 USD", "2597818",
         "$10.00 USD", "2014/04/24, 05:37", "", "collected", "", "@name1"],
    ]  # fmt: skip
    parsed = read_order_file(write_csv(tmp_path / "2014.csv", header, rows))
    assert parsed.orders == ()
    (error,) = parsed.errors
    assert error.row == 2 and "no shipping address columns" in error.message
    assert_every_row_accounted(parsed)


def test_2018_layout_reward_title_sek_money_and_swedish_address(tmp_path: Path) -> None:
    text = (
        "Backer Number,Backer UID,Backer Name,Email,Shipping Country,Shipping Amount,Reward Title,"
        "Reward Minimum,Reward ID,Pledge Amount,Pledged At,Rewards Sent?,Pledged Status,Notes,"
        "Billing State/Province,Billing Country,Survey Response,Shipping Name,Shipping Address 1,"
        "Shipping Address 2,Shipping City,Shipping State,Shipping Postal Code,"
        "Shipping Country Name,Shipping Country Code,Shipping Phone Number,"
        "Shipping Delivery Notes\n"
        "1,1647400540,First Last,first.last@gmail.com,SE,SEK 100.00,Basare,SEK 650.00,6526680,"
        '"SEK 1,000.00","2018/03/28, 10:27",,collected,,,SE,"2018/05/26, 14:05",First Last,'
        "Street 15 Lgh 1302,,Tyresö,Stockholms Län,135 44,Sweden,SE,,Ring twice\n"
    )
    path = tmp_path / "2018.csv"
    path.write_text(text, encoding="utf-8")
    (order,) = read_order_file(path).orders
    assert lines_of(order) == {"BASARE": 1}
    assert (order.recipient.city, order.recipient.postal_code, order.recipient.country) == (
        "Tyresö",
        "135 44",
        "SE",
    )
    assert order.notes == "Ring twice"
    assert order.extra["pledge_amount"] == "SEK 1,000.00"


def test_header_whitespace_and_case_do_not_matter(tmp_path: Path) -> None:
    header = [" backer  number ", "PLEDGED STATUS", "Reward  Title", "Shipping  Name",
              "Shipping Address 1", "Shipping City", "Shipping State ", "Shipping Postal Code",
              "Shipping Country Code"]  # fmt: skip
    rows = [["1", "collected", "Tier", "Ann", "1 Main St", "Boston", "MA", "02108", "US"]]
    parsed = read_order_file(write_csv(tmp_path / "ws.csv", header, rows))
    assert parsed.preset == "kickstarter" and len(parsed.orders) == 1


def test_a_row_with_too_many_cells_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text(
        "Backer Number,Pledged Status,Reward Title,Shipping Name,Shipping Address 1,"
        "Shipping City,Shipping State,Shipping Postal Code,Shipping Country Code\n"
        "1,collected,Tier,Ann,1 Main St, Apt 2,Boston,MA,02108,US\n",
        encoding="utf-8",
    )
    parsed = read_order_file(path)
    assert parsed.orders == ()
    assert any("10 cells but the header has 9" in e.message for e in parsed.errors)


def test_explicit_kickstarter_preset_on_another_file_says_why(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", ["Order", "Qty"], [["1", "2"]])
    with pytest.raises(AppError, match="not a Kickstarter backer report"):
        read_order_file(path, preset="kickstarter")


def test_readers_name_the_orders_cancelled_at_the_source(tmp_path: Path) -> None:
    """A dropped pledge is a cancellation at the source; a blank status says nothing."""
    path = tmp_path / "ks.csv"
    path.write_text(
        "Backer Number,Backer Name,Email,Shipping Country,Pledged Status,Reward Title,"
        "Shipping Name,Shipping Address 1,Shipping City,Shipping State,Shipping Postal Code,"
        "Shipping Country Code\n"
        "1,Ann,a@x,US,dropped,Core,Ann,1 Main St,Boston,MA,02108,US\n"
        "2,Bob,b@x,US,,Core,Bob,2 Main St,Boston,MA,02108,US\n"
        "3,Cy,c@x,US,collected,Core,Cy,3 Main St,Boston,MA,02108,US\n",
        encoding="utf-8",
    )
    parsed = read_order_file(path, preset="kickstarter")
    assert [o.external_id for o in parsed.orders] == ["3"]
    assert set(parsed.cancelled_at_source) == {"1"}
    assert parsed.cancelled_at_source["1"].row == 2

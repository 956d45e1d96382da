"""Whole-file concerns: encodings, delimiters, auto-detection, XLSX, fatal files, error CSV."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.domain.errors import AppError
from app.imports import read_order_file
from app.services.error_csv import write_error_csv
from tests.imports.helpers import assert_every_row_accounted

KS_HEADER = (
    "Backer Number,Pledged Status,Reward Title,Shipping Name,Shipping Address 1,Shipping City,"
    "Shipping State,Shipping Postal Code,Shipping Country"
)
KS_ROW = "1,collected,Tier,Jürgen Müller,Hauptstraße 1,Köln,,50667,Germany"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "backers.csv"
    path.write_bytes(f"{KS_HEADER}\r\n{KS_ROW}\r\n".encode(encoding))
    parsed = read_order_file(path)
    (order,) = parsed.orders
    assert order.recipient.name == "Jürgen Müller"
    assert order.recipient.street1 == "Hauptstraße 1"
    fallback = [w for w in parsed.warnings if "Windows-1252" in w.message]
    assert bool(fallback) == (encoding == "cp1252")


def test_text_that_is_neither_utf8_nor_cp1252_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(KS_HEADER.encode() + b"\n1,collected,\x81\x8d\xff\n")
    with pytest.raises(AppError, match="neither UTF-8 nor Windows-1252"):
        read_order_file(path)


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_files(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "backers.csv"
    path.write_text(
        f"{KS_HEADER}\n{KS_ROW}\n".replace(",", delimiter).replace("Germany", "DE"),
        encoding="utf-8",
    )
    assert len(read_order_file(path).orders) == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty"),
        (b"\r\n\r\n , ,\r\n", "no header row"),
        (b"Backer Number,Pledged\x00Status\n", "binary"),
        (bytes(range(1, 32)) * 20, "binary"),
        (b"PK\x03\x04not really a zip", "not a readable XLSX"),
        (b"Order,Quantity,Colour\n1,2,red\n", "cannot tell which kind of order file"),
        (KS_HEADER.encode() + b'\n1,collected,"Tier,Ann\n2,collected,Bo\n', "never closed"),
    ],
)
def test_unreadable_files_raise_app_error(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(content)
    with pytest.raises(AppError, match=reason):
        read_order_file(path)


def test_unknown_header_lists_what_was_looked_for(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("Order,Quantity\n1,2\n", encoding="utf-8")
    with pytest.raises(AppError) as caught:
        read_order_file(path)
    for looked_for in ("Backer Number", "Lineitem quantity", "Pledge Level", "--mapping"):
        assert looked_for in caught.value.hint


def test_missing_file_and_unknown_preset(tmp_path: Path) -> None:
    with pytest.raises(AppError, match="cannot open"):
        read_order_file(tmp_path / "nope.csv")
    path = tmp_path / "orders.csv"
    path.write_text(f"{KS_HEADER}\n{KS_ROW}\n", encoding="utf-8")
    with pytest.raises(AppError, match="unknown preset 'etsy'"):
        read_order_file(path, preset="etsy")


@pytest.mark.parametrize(
    ("header", "preset"),
    [
        (KS_HEADER, "kickstarter"),
        ("Name,Lineitem quantity,Lineitem sku,Shipping Address1", "shopify"),
        ("Backer ID,Pledge Level,Shipping Address 1,GAME", "backerkit"),
        ("Backer Id,Backer Name,Pledged Status,Shipping Country", "kickstarter"),
    ],
)
def test_auto_detection(tmp_path: Path, header: str, preset: str) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(header + "\n", encoding="utf-8")
    assert read_order_file(path).preset == preset


def test_xlsx_with_numbers_dates_and_blank_rows(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Backer Number", "Pledged Status", "Pledged At", "Art Book",
                  "[Addon: 5] Art Book", "Shipping Name", "Shipping Address 1",
                  "Shipping City", "Shipping State", "Shipping Postal Code",
                  "Shipping Country Code"])  # fmt: skip
    sheet.append([101, "collected", dt.datetime(2025, 3, 1, 10, 30), 1, 2.0, "José Núñez",
                  "1 Main St", "Boston", "MA", 2108, "US"])  # fmt: skip
    sheet.append([None] * 11)
    sheet.append([102, "collected", None, 1, None, "Ann", "1 Main St", "Boston", "MA",
                  2108.0, "XX"])  # fmt: skip
    path = tmp_path / "backers.xlsx"
    workbook.save(path)
    parsed = read_order_file(path)
    (order,) = parsed.orders
    assert order.external_id == "101"
    assert {ln.sku: ln.quantity for ln in order.lines} == {"ART-BOOK": 3}
    assert order.recipient.postal_code == "02108"
    assert [w.row for w in parsed.warnings] == [2]
    assert {e.row for e in parsed.errors} == {4}  # sheet row 3 is blank and skipped over
    assert_every_row_accounted(parsed)


def test_xlsx_that_is_a_zip_but_no_workbook(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(AppError, match="not a readable XLSX"):
        read_order_file(path)
    (tmp_path / "plain.xlsx").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(AppError, match="not a valid XLSX"):
        read_order_file(tmp_path / "plain.xlsx")


def test_error_csv_gives_back_the_rejected_rows(tmp_path: Path) -> None:
    path = tmp_path / "backers.csv"
    path.write_text(
        f"{KS_HEADER}\n{KS_ROW}\n"
        '2,collected,Tier,,"1 Elm St\nApt 2",Boston,TX,02108,US\n'
        "3,collected,Tier,Ann,1 Elm St,Boston,MA,02108,Atlantis\n",
        encoding="utf-8",
    )
    parsed = read_order_file(path)
    out = tmp_path / "errors.csv"
    write_error_csv(parsed, out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["row", "column", "message", *KS_HEADER.split(",")]
    problems = [(r[0], r[1]) for r in rows[1:]]
    assert problems == [("3", "Shipping Name"), ("3", "Shipping State"), ("4", "Shipping Country")]
    assert rows[1][3:] == ["2", "collected", "Tier", "", "1 Elm St\nApt 2", "Boston", "TX",
                           "02108", "US"]  # fmt: skip
    assert "Atlantis" in rows[3]


def test_error_csv_to_an_unwritable_place(tmp_path: Path) -> None:
    path = tmp_path / "backers.csv"
    path.write_text(f"{KS_HEADER}\n{KS_ROW}\n", encoding="utf-8")
    parsed = read_order_file(path)
    with pytest.raises(AppError, match="cannot write"):
        write_error_csv(parsed, tmp_path / "no-such-dir" / "errors.csv")


def test_utf8_bom_in_front_of_windows_1252_text(tmp_path: Path) -> None:
    path = tmp_path / "resaved.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{KS_HEADER}\n{KS_ROW}\n".encode("cp1252"))
    parsed = read_order_file(path)
    assert parsed.header[0] == "Backer Number"
    assert parsed.orders[0].recipient.name == "Jürgen Müller"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_rows_are_numbered_as_a_spreadsheet_shows_them_and_name_the_line(
    tmp_path: Path, newline: str
) -> None:
    rows = [
        '1,collected,Tier,Ann,"1 Main St{nl}Apt 2",Boston,MA,02108,US',
        "",
        "2,collected,Tier,Bo,1 Main St,Boston,MA,02108,Atlantis",
        '3,collected,Tier,Cy,"1 Main St{nl}{nl}Rear",Boston,MA,02108,US',
        "4,collected,Tier,Di,1 Main St,Boston,XX,02108,US",
    ]
    text = newline.join([KS_HEADER, *rows]).replace("{nl}", newline) + newline
    path = tmp_path / "backers.csv"
    path.write_bytes(text.encode("utf-8"))
    parsed = read_order_file(path)
    # Issue 8: rows as a spreadsheet numbers them (a blank line is an empty row), and the text
    # line where quoted line breaks make it differ.
    assert parsed.order_rows == {"1": 2, "3": 5}
    assert parsed.rejected_row_numbers == (4, 6)
    assert {(e.row, e.line) for e in parsed.errors} == {(4, 5), (6, 9)}
    assert {e.where for e in parsed.errors} == {"row 4 (line 5)", "row 6 (line 9)"}
    first = parsed.orders[0].recipient
    assert (first.street1, first.street2) == ("1 Main St", "Apt 2")
    assert parsed.orders[1].recipient.street2 == "Rear"


def test_the_benchmark_writer_makes_the_orders_it_promises(tmp_path: Path) -> None:
    from resources.samples.generate import write_kickstarter_csv

    path = tmp_path / "ks.csv"
    write_kickstarter_csv(path, 40, seed=7)
    parsed = read_order_file(path)
    assert len(parsed.orders) == 40
    assert len(parsed.rejected_row_numbers) == 6
    assert len(parsed.skipped) == 4
    assert_every_row_accounted(parsed)


def test_zip_of_csv_files_and_a_workbook_named_csv(tmp_path: Path) -> None:
    archive_path = tmp_path / "Kickstarter Backer Reports.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("Kickstarter Backer Report - $59 - Aug 18 07am.csv", KS_HEADER + "\n")
    with pytest.raises(AppError, match="zip archive of CSV files") as caught:
        read_order_file(archive_path)
    assert "Unzip" in caught.value.hint
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(KS_HEADER.split(","))
    sheet.append(KS_ROW.split(","))
    misnamed = tmp_path / "backers.csv"
    workbook.save(misnamed)
    assert len(read_order_file(misnamed).orders) == 1


def test_one_windows_1252_row_in_a_utf8_file_leaves_the_utf8_rows_alone(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    rows = [
        f"{KS_ROW}\n".encode(),
        "2,collected,Tier,René Roe,1 Rue,Paris,,75001,France\n".encode("cp1252"),
        # A quoted street over two lines; the cp1252 byte is on the record's second line.
        # "Á" is C3 81 in UTF-8, and 0x81 is no Windows-1252 character: a whole-file fallback
        # refused the file.
        '3,collected,Tier,Zoë Ángel,"Bahnhofstr. 2\nHof",Bern,,3011,Switzerland\n'.encode(),
        '4,collected,Tier,Ann,"5 Oak\nAnnexe",Genève,,1201,Switzerland\n'.encode("cp1252"),
    ]
    path.write_bytes(f"{KS_HEADER}\n".encode() + b"".join(rows))
    parsed = read_order_file(path)
    names = [order.recipient.name for order in parsed.orders]
    assert names == ["Jürgen Müller", "René Roe", "Zoë Ángel", "Ann"]
    assert parsed.orders[3].recipient.city == "Genève"
    mixed = {w.row: w.message for w in parsed.warnings if "not UTF-8" in w.message}
    assert set(mixed) == {3, 5}  # spreadsheet rows, not the file's continuation line 7
    assert {w.row: w.line for w in parsed.warnings if "not UTF-8" in w.message} == {3: 0, 5: 6}
    assert "Windows-1252" in mixed[3]

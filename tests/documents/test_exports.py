"""Tracking exports per platform, shipped, refunds and audit CSVs, checked column by column."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.cli.main import main
from app.domain.exports import HEADERS, TrackingFormat, tracking_url
from app.domain.orders import OrderStatus, SourcePlatform
from app.services.audit import AuditAction, AuditLog
from app.services.exports import AUDIT_HEADER, REFUNDS_HEADER, SHIPPED_HEADER, ExportService
from tests.documents.world import NOW, DocWorld, make_order, standard_orders, world  # noqa: F401

#: The header each platform's upload takes (order-formats.md §2), spelled out again here so a
#: change to the layouts in app.domain.exports has to be a deliberate one.
PLATFORM_HEADERS = {
    "backerkit": [
        "Backer Number",
        "Email",
        "Name",
        "Tracking Numbers",
        "Carrier Information (optional)",
        "Tracking URL (optional)",
    ],
    "kickstarter": [
        "Backer Number",
        "Backer UID",
        "Backer Name",
        "Email",
        "Carrier",
        "Tracking Number",
        "Tracking URL",
    ],
    "indiegogo": ["Order No.", "Pledge ID", "Name", "Email", "Carrier", "Tracking Number"],
    "pledgebox": [
        "PledgeBox ID (PBID)",
        "Courier Code",
        "Tracking Code",
        "Partial Shipped (Optional)",
    ],
    "shopify": ["Name", "Tracking Company", "Tracking Number", "Tracking URL"],
}


class Day:
    def __init__(self, world: DocWorld) -> None:  # noqa: F811
        self.world = world
        orders = standard_orders()
        orders.append(
            make_order("1006", [("PIN", 1)], name='=HYPERLINK("http://x")', email="a@b.example")
        )
        orders.append(
            make_order("#2001", [("PIN", 1)], name="Shop Buyer", source=SourcePlatform.SHOPIFY)
        )
        world.add_orders(orders, OrderStatus.READY_TO_SHIP)
        self.batch = world.batch()
        self.other = world.batch()
        self.tracking = {
            ext: world.label(ext, batch=self.batch) for ext in ("1001", "1002", "1003", "1006")
        }
        self.tracking["#2001"] = world.label("#2001", batch=self.other)
        self.tracking["1004"] = world.label(
            "1004", batch=self.other, bought_at=NOW + timedelta(days=2)
        )
        world.refund(self.tracking["1002"])
        self.service = ExportService(world.store, AuditLog(world.store, "desk-1", "tester"))


@pytest.fixture
def day(world: DocWorld) -> Day:  # noqa: F811
    return Day(world)


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("fmt", list(TrackingFormat))
def test_each_platform_gets_its_header_and_only_live_labels(day: Day, fmt: TrackingFormat) -> None:
    target = day.world.tmp / f"{fmt}.csv"
    count = day.service.tracking(fmt, target, batch=day.batch)
    header, rows = _read(target)
    if fmt.value in PLATFORM_HEADERS:
        assert header == PLATFORM_HEADERS[fmt.value]
    assert header == list(HEADERS[fmt])
    assert count == len(rows) == 3  # 1002's label was refunded
    numbers = {
        row.get("Tracking Number") or row.get("Tracking Numbers") or row["Tracking Code"]
        for row in rows
    }
    assert numbers == {day.tracking[e] for e in ("1001", "1003", "1006")}
    for row in rows:
        carrier = next(
            row[key]
            for key in (
                "Carrier",
                "Carrier Information (optional)",
                "Courier Code",
                "Tracking Company",
            )
            if key in row
        )
        assert carrier == "USPS"
        for key in ("Tracking URL", "Tracking URL (optional)"):
            if key in row:
                number = row.get("Tracking Number") or row["Tracking Numbers"]
                assert row[key] == tracking_url(number)
                assert row[key].startswith(
                    "https://tools.usps.com/go/TrackConfirmAction?tLabels=94"
                )


def test_tracking_numbers_are_text_and_names_are_formula_safe(day: Day) -> None:
    target = day.world.tmp / "bk.csv"
    day.service.tracking(TrackingFormat.BACKERKIT, target, batch=day.batch)
    raw = target.read_text(encoding="utf-8-sig")
    assert day.tracking["1001"] in raw  # all 22 digits, as written
    assert "E+" not in raw and "e+" not in raw
    _, rows = _read(target)
    names = {row["Backer Number"]: row["Name"] for row in rows}
    assert names["1006"] == '\'=HYPERLINK("http://x")'


def test_shopify_rows_use_the_order_name_with_its_hash(day: Day) -> None:
    target = day.world.tmp / "shop.csv"
    day.service.tracking(TrackingFormat.SHOPIFY, target, batch=day.other)
    _, rows = _read(target)
    assert {row["Name"] for row in rows} == {"#2001", "#1004"}


def test_since_takes_labels_bought_from_that_day_on(day: Day) -> None:
    target = day.world.tmp / "since.csv"
    count = day.service.tracking(
        TrackingFormat.GENERIC, target, since=(NOW + timedelta(days=1)).date()
    )
    _, rows = _read(target)
    assert count == 1 and rows[0]["Order"] == "1004"
    assert rows[0]["Batch"] == day.other


def test_refunds_and_audit_exports(day: Day) -> None:
    refunds = day.world.tmp / "refunds.csv"
    assert day.service.refunds(refunds) == 1
    header, rows = _read(refunds)
    assert header == list(REFUNDS_HEADER)
    assert rows[0]["Tracking Number"] == day.tracking["1002"]
    assert rows[0]["Amount"] == "5.25" and rows[0]["Status"] == "refunded"

    AuditLog(day.world.store, "desk-1", "tester").record(
        AuditAction.ORDER_SHIPPED, order_id=day.world.ids["1001"], details={"note": "+1 bag"}
    )
    audit = day.world.tmp / "audit.csv"
    assert day.service.audit(audit) == 1
    header, rows = _read(audit)
    assert header == list(AUDIT_HEADER)
    assert rows[0]["Action"] == "order.shipped" and rows[0]["Station"] == "desk-1"


def test_shipped_export_lists_shipped_orders(day: Day) -> None:
    with day.world.store.transaction(write=True) as tx:
        tx.shipping.mark_shipped(day.world.ids["1001"], NOW, "desk-1")
    target = day.world.tmp / "shipped.csv"
    assert day.service.shipped(target) == 1
    header, rows = _read(target)
    assert header == list(SHIPPED_HEADER)
    assert rows[0]["Order"] == "1001"
    assert rows[0]["Tracking Number"] == day.tracking["1001"]
    assert rows[0]["Shipped At"] == "2026-03-10 15:00:00"


def test_cli_export(day: Day, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--home", str(tmp_path / "home"), "--db", str(day.world.store.path), "export"]
    target = tmp_path / "ks.csv"
    code = main(
        [*base, "tracking", "--format", "kickstarter", "--batch", day.batch, "--csv", str(target)]
    )
    assert code == 0
    header, rows = _read(target)
    assert header == PLATFORM_HEADERS["kickstarter"] and len(rows) == 3
    assert (
        main([*base, "refunds", "--since", str(date(2026, 3, 1)), "--csv", str(tmp_path / "r.csv")])
        == 0
    )
    assert main([*base, "tracking", "--csv", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err

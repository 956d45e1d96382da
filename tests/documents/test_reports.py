"""Reports: group counts (ready or not), the group report, pick lists, spend with refunds netted."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from app.cli.main import main
from app.documents import reports_csv
from app.documents.reports_pdf import render as reports_pdf_render
from app.domain.errors import AppError
from app.domain.orders import OrderStatus
from app.services.reports import ReportKind, ReportService, StatusScope
from tests.documents.pdf_reading import compact, page_sizes_in, page_texts
from tests.documents.world import (  # noqa: F401
    JAPANESE_NAME,
    LONG_STREET,
    DocWorld,
    make_order,
    standard_orders,
    world,
)


@pytest.fixture
def day(world: DocWorld) -> DocWorld:  # noqa: F811
    orders = standard_orders()
    world.add_orders(orders[:4], OrderStatus.READY_TO_SHIP)
    world.add_orders(orders[4:], OrderStatus.IMPORTED)
    world.add_orders(
        [make_order("1099", [("BOOK", 3)], name="Cancelled Backer")], OrderStatus.CANCELLED
    )
    return world


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_group_counts_cover_every_order_not_cancelled_by_default(day: DocWorld) -> None:
    report = ReportService(day.store).build(ReportKind.GROUP_COUNTS)
    assert report.orders == 5  # 4 ready + 1 imported, not the cancelled one
    totals = {t.sku: t.quantity for t in report.item_totals}
    assert totals == {"TEE-M": 3, "PIN": 2, "BOOK": 2}
    ready = ReportService(day.store).build(ReportKind.GROUP_COUNTS, status=StatusScope.READY)
    assert ready.orders == 4
    assert {t.sku: t.quantity for t in ready.item_totals} == {"TEE-M": 3, "PIN": 2, "BOOK": 1}


def test_group_counts_of_a_batch_are_its_labelled_orders(day: DocWorld) -> None:
    batch = day.batch()
    day.label("1001", batch=batch)
    day.label("1004", batch=batch)
    report = ReportService(day.store).build(ReportKind.GROUP_COUNTS, batch=batch)
    assert report.orders == 2
    assert {t.sku: t.quantity for t in report.item_totals} == {"TEE-M": 1, "BOOK": 1}
    with pytest.raises(AppError, match="no batch"):
        ReportService(day.store).build(ReportKind.GROUP_COUNTS, batch="B-19990101-001")


def test_group_report_pdf_lists_groups_then_orders_with_addresses(day: DocWorld) -> None:
    service = ReportService(day.store)
    report = service.build(ReportKind.GROUPS, status=StatusScope.ALL)
    target = day.tmp / "groups.pdf"
    service.write_pdf(report, target)
    assert page_sizes_in(target) == [(8.5, 11.0)]
    text = page_texts(target)[0]
    assert "Package Group Report" in text
    assert compact(JAPANESE_NAME) in compact(text)
    assert "Extraordinarily" in text and "Rear" in text  # the 60-char street, wrapped not cut
    assert "Дмитрий" in text
    tee = next(s for s in report.sections if s.line.items[0].sku == "TEE-M" and s.line.orders == 2)
    assert tee.estimated_weight_oz == Decimal("6.5")
    with pytest.raises(AppError, match="already exists"):
        service.write_pdf(report, target)


def test_group_report_csv_has_one_row_per_order(day: DocWorld) -> None:
    service = ReportService(day.store)
    target = day.tmp / "groups.csv"
    rows = service.write_csv(service.build(ReportKind.GROUPS), target)
    table = _read_csv(target)
    assert table[0] == list(reports_csv.GROUPS_HEADER)
    assert rows == len(table) - 1 == 4
    street = next(r for r in table[1:] if r[7] == "1003")
    assert LONG_STREET in street[11]


def test_pick_list_sums_each_sku(day: DocWorld) -> None:
    pick = ReportService(day.store).build(ReportKind.PICK_LIST)
    assert [(line.sku, line.quantity) for line in pick.lines] == [
        ("BOOK", 1),
        ("PIN", 2),
        ("TEE-M", 3),
    ]
    assert pick.orders == 4


def test_spend_nets_refunds_by_service_batch_and_day(day: DocWorld) -> None:
    batch = day.batch()
    kept = day.label("1001", batch=batch, amount="5.25")
    day.label("1002", batch=batch, service="Priority", amount="9.00")
    refunded = day.label("1004", batch=batch, amount="4.00")
    day.refund(refunded)
    del kept
    report = ReportService(day.store).build(ReportKind.SPEND)
    assert report.total.spent_usd == Decimal("18.25")
    assert report.total.refunded_usd == Decimal("4.00")
    assert report.total.net_usd == Decimal("14.25")
    by_service = {line.key: line.net_usd for line in report.by_service}
    assert by_service == {"GroundAdvantage": Decimal("5.25"), "Priority": Decimal("9.00")}
    by_day = {line.key: (line.spent_usd, line.refunded_usd) for line in report.by_day}
    assert by_day == {
        "2026-03-10": (Decimal("18.25"), Decimal(0)),
        "2026-03-11": (Decimal(0), Decimal("4.00")),
    }
    assert [line.key for line in report.by_batch] == [batch]
    service = ReportService(day.store)
    pdf_text = page_texts(reports_pdf_render(report))[0]
    assert "2026-03-11 0 $0.00 $4.00 -$4.00" in " ".join(pdf_text.split())
    target = day.tmp / "spend.csv"
    service.write_csv(report, target)
    assert ["day", "2026-03-11", "0", "0.00", "4.00", "-4.00"] in _read_csv(target)


def test_cli_report_writes_pdf_and_csv(
    day: DocWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--home", str(tmp_path / "home"), "--db", str(day.store.path), "report"]
    assert main([*base, "group-counts", "--pdf", str(tmp_path / "c.pdf")]) == 0
    assert "5 orders" in page_texts(tmp_path / "c.pdf")[0]
    assert main([*base, "pick-list", "--status", "all", "--csv", str(tmp_path / "p.csv")]) == 0
    table = _read_csv(tmp_path / "p.csv")
    assert table[0] == ["SKU", "Item", "Quantity"]
    assert ["TEE-M", "T-shirt, medium", "3"] in table
    assert main([*base, "spend", "--csv", str(tmp_path / "p.csv")]) == 1
    assert "already exists" in capsys.readouterr().err

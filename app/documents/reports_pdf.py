"""The reports as PDF pages (Letter, portrait): group counts, groups, pick list, spend."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from app.documents import pdf
from app.domain.orders import OrderLine
from app.domain.reports import (
    GroupCountsReport,
    GroupsReport,
    PickList,
    SpendLine,
    SpendReport,
)

Report = GroupCountsReport | GroupsReport | PickList | SpendReport


def items_text(items: Sequence[OrderLine]) -> str:
    """A group's items as "2 x SKU-A, 1 x SKU-B"."""
    return ", ".join(f"{line.quantity} x {line.sku}" for line in items)


def render(report: Report, pagesize: tuple[float, float] = pdf.PAGE_SIZES["letter"]) -> bytes:
    """`report` as PDF bytes."""
    title, subtitle = _titles(report)
    canvas, buffer = pdf.new_canvas(pagesize, title)
    page = pdf.PageWriter(canvas, pagesize, title, subtitle)
    if isinstance(report, GroupCountsReport):
        _group_counts(page, report)
    elif isinstance(report, GroupsReport):
        _groups(page, report)
    elif isinstance(report, PickList):
        _pick_list(page, report)
    else:
        _spend(page, report)
    return pdf.finish(canvas, buffer)


def write(report: Report, path: Path, *, overwrite: bool = False) -> Path:
    """Render `report` and save it at `path`."""
    return pdf.save(render(report), path, overwrite=overwrite)


def _titles(report: Report) -> tuple[str, str]:
    if isinstance(report, GroupCountsReport):
        return "Package Group Counts", f"{report.orders} orders ({report.scope})"
    if isinstance(report, GroupsReport):
        orders = sum(section.line.orders for section in report.sections)
        return (
            "Package Group Report",
            f"{len(report.sections)} groups, {orders} orders ({report.scope})",
        )
    if isinstance(report, PickList):
        return "Pick List", f"{report.orders} orders ({report.scope}); in bin/SKU order"
    return "Spend", f"{report.scope}; refunds netted"


def _group_counts(page: pdf.PageWriter, report: GroupCountsReport) -> None:
    widths = page.columns([1.3, 5, 1])
    page.row(["Group", "Items", "Orders"], widths, bold=True, rule=True)
    for group in report.groups:
        page.row([group.group_id, items_text(group.items), str(group.orders)], widths, max_lines=6)
    page.gap(10)
    page.heading("Item totals")
    widths = page.columns([2, 4, 1])
    page.row(["SKU", "Item", "Quantity"], widths, bold=True, rule=True)
    for total in report.item_totals:
        page.row([total.sku, total.name, str(total.quantity)], widths)


def _oz(weight: Decimal) -> str:
    return f"{weight.quantize(Decimal('0.1'))} oz"


def _groups(page: pdf.PageWriter, report: GroupsReport) -> None:
    widths = page.columns([1.1, 2, 4.2, 1.1])
    for section in report.sections:
        line = section.line
        page.gap(6)
        page.heading(f"{line.group_id}: {items_text(line.items)}")
        services = (
            ", ".join(s for s in (section.service, section.international_service) if s)
            or "no service chosen"
        )
        page.row(
            [
                f"{_orders(line.orders)}; estimated {_oz(section.estimated_weight_oz)} each, "
                f"{_oz(section.total_weight_oz)} in all; package "
                f"{section.package_type or 'not chosen'}; services {services}"
            ],
            [page.usable_width],
            size=9,
        )
        page.row(["Order", "Recipient", "Address", "Status"], widths, bold=True, rule=True)
        for order in section.orders:
            page.row(
                [order.external_id, order.name, order.address, order.status.replace("_", " ")],
                widths,
            )


def _pick_list(page: pdf.PageWriter, report: PickList) -> None:
    widths = page.columns([0.6, 2, 4, 1])
    page.row(["Done", "SKU", "Item", "Quantity"], widths, bold=True, rule=True)
    for line in report.lines:
        page.row(["[  ]", line.sku, line.name, str(line.quantity)], widths, size=10)


def _spend(page: pdf.PageWriter, report: SpendReport) -> None:
    total = report.total
    page.row(
        [
            f"Total: {total.labels} labels, spent {_money(total.spent_usd)}, refunded "
            f"{_money(total.refunded_usd)}, net {_money(total.net_usd)}"
        ],
        [page.usable_width],
        size=10,
        bold=True,
    )
    for title, lines in (
        ("By service", report.by_service),
        ("By package group", report.by_group),
        ("By batch", report.by_batch),
        ("By day", report.by_day),
    ):
        page.gap(8)
        page.heading(title)
        _spend_table(page, lines)


def _spend_table(page: pdf.PageWriter, lines: Sequence[SpendLine]) -> None:
    widths = page.columns([3, 1, 1.4, 1.4, 1.4])
    page.row(["", "Labels", "Spent", "Refunded", "Net"], widths, bold=True, rule=True)
    for line in lines:
        page.row(
            [
                line.key,
                str(line.labels),
                _money(line.spent_usd),
                _money(line.refunded_usd),
                _money(line.net_usd),
            ],
            widths,
        )


def _orders(count: int) -> str:
    return f"{count} order" if count == 1 else f"{count} orders"


def _money(amount: Decimal) -> str:
    """Dollars with cents, the sign before the symbol: $0.00, -$5.25."""
    cents = amount.quantize(Decimal("0.01"))
    return f"-${-cents}" if cents < 0 else f"${cents}"

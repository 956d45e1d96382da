"""The reports as CSV (one table per report; formula-safe through csv_safe)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

from app.documents.csv_safe import write_csv
from app.documents.reports_pdf import Report, items_text
from app.domain.reports import GroupCountsReport, GroupsReport, PickList, SpendReport

GROUP_COUNTS_HEADER = ("Row", "Group", "Items", "SKU", "Quantity", "Orders")
GROUPS_HEADER = (
    "Group",
    "Items",
    "Group Orders",
    "Estimated Weight (oz)",
    "Package Type",
    "Service",
    "International Service",
    "Order",
    "Order Id",
    "Status",
    "Recipient",
    "Address",
    "Country",
)
PICK_LIST_HEADER = ("SKU", "Item", "Quantity")
SPEND_HEADER = ("Breakdown", "Key", "Labels", "Spent", "Refunded", "Net")


def table(report: Report) -> tuple[Sequence[str], Iterator[Sequence[object]]]:
    """The header and rows of `report`."""
    if isinstance(report, GroupCountsReport):
        return GROUP_COUNTS_HEADER, _group_counts(report)
    if isinstance(report, GroupsReport):
        return GROUPS_HEADER, _groups(report)
    if isinstance(report, PickList):
        return PICK_LIST_HEADER, ((line.sku, line.name, line.quantity) for line in report.lines)
    return SPEND_HEADER, _spend(report)


def write(report: Report, path: Path, *, overwrite: bool = False) -> int:
    """Write `report` as CSV at `path`; return the number of data rows."""
    header, rows = table(report)
    return write_csv(path, header, rows, overwrite=overwrite)


def _group_counts(report: GroupCountsReport) -> Iterator[Sequence[object]]:
    for group in report.groups:
        yield ("group", group.group_id, items_text(group.items), "", "", group.orders)
    for total in report.item_totals:
        yield ("item total", "", total.name, total.sku, total.quantity, "")


def _groups(report: GroupsReport) -> Iterator[Sequence[object]]:
    for section in report.sections:
        line = section.line
        common = (
            line.group_id,
            items_text(line.items),
            line.orders,
            section.estimated_weight_oz,
            section.package_type,
            section.service,
            section.international_service,
        )
        for order in section.orders:
            yield (
                *common,
                order.external_id,
                order.order_id,
                order.status,
                order.name,
                order.address,
                order.country,
            )


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"))


def _spend(report: SpendReport) -> Iterator[Sequence[object]]:
    total = report.total
    yield (
        "total",
        "total",
        total.labels,
        _cents(total.spent_usd),
        _cents(total.refunded_usd),
        _cents(total.net_usd),
    )
    for name, lines in (
        ("service", report.by_service),
        ("group", report.by_group),
        ("batch", report.by_batch),
        ("day", report.by_day),
    ):
        for line in lines:
            yield (
                name,
                line.key,
                line.labels,
                _cents(line.spent_usd),
                _cents(line.refunded_usd),
                _cents(line.net_usd),
            )

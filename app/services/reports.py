"""Reports: package group counts, the package group report, pick lists and spend (PDF or CSV)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from enum import StrEnum
from pathlib import Path

from app.domain.errors import AppError, ErrorKind
from app.domain.groups import canonical_multiset, estimate_weight_oz
from app.domain.orders import OrderLine, OrderStatus
from app.domain.reports import (
    GroupCountLine,
    GroupCountsReport,
    GroupSection,
    GroupsReport,
    ItemTotal,
    PickList,
    ReportOrder,
    SpendEntry,
    SpendReport,
    one_line_address,
    spend_report,
)
from app.services.bulk import cyclic_gc_paused
from app.services.clock import local_date
from app.store import Store
from app.store.documents_repo import OrderScope
from app.store.store import StoreTransaction

Report = GroupCountsReport | GroupsReport | PickList | SpendReport


class ReportKind(StrEnum):
    GROUP_COUNTS = "group-counts"
    GROUPS = "groups"
    PICK_LIST = "pick-list"
    SPEND = "spend"


class StatusScope(StrEnum):
    """`ready`: ready-to-ship orders only; `all`: every order that is not cancelled."""

    READY = "ready"
    ALL = "all"


#: What each report covers when no --status is given: counts are for ordering packing
#: material, so they cover every order not cancelled, ready or not.
DEFAULT_SCOPE = {
    ReportKind.GROUP_COUNTS: StatusScope.ALL,
    ReportKind.GROUPS: StatusScope.READY,
    ReportKind.PICK_LIST: StatusScope.READY,
    ReportKind.SPEND: StatusScope.ALL,
}


class ReportService:
    """Builds each report from the store and writes it as PDF or CSV."""

    def __init__(self, store: Store, *, zone: tzinfo | None = None) -> None:
        self._store = store
        self._zone = zone

    # -- building -------------------------------------------------------------------------

    def build(
        self,
        kind: ReportKind,
        *,
        status: StatusScope | None = None,
        batch: str | None = None,
        group_ids: Sequence[str] | None = None,
        order_ids: Sequence[int] | None = None,
    ) -> Report:
        """The report `kind` over the orders asked for (AppError NOT_FOUND: unknown batch)."""
        chosen = status or DEFAULT_SCOPE[kind]
        with cyclic_gc_paused(), self._store.transaction() as tx:
            scope, words = _scope(tx, chosen, batch, group_ids, order_ids)
            if kind is ReportKind.GROUP_COUNTS:
                return _group_counts(tx, scope, words)
            if kind is ReportKind.GROUPS:
                return _groups(tx, scope, words)
            if kind is ReportKind.PICK_LIST:
                return _pick_list(tx, scope, words)
            return self._spend(tx, scope.batch_id, words if batch else "all labels")

    def _spend(self, tx: StoreTransaction, batch_id: int | None, words: str) -> SpendReport:
        entries = [
            SpendEntry(
                service=money.service,
                group_id=money.group_id,
                batch=money.batch_reference or "",
                bought_on=local_date(money.bought_at, self._zone),
                amount_usd=money.amount_usd,
                refunded_on=(
                    local_date(money.refunded_at or money.bought_at, self._zone)
                    if money.status == "refunded"
                    else None
                ),
            )
            for money in tx.documents.label_money(batch_id)
        ]
        return spend_report(words, entries)

    # -- writing --------------------------------------------------------------------------

    @staticmethod
    def write_pdf(report: Report, path: Path, *, overwrite: bool = False) -> Path:
        """Write `report` as a PDF (refuses to clobber a file without `overwrite`)."""
        from app.documents import reports_pdf  # reportlab loads when a PDF is written

        with cyclic_gc_paused():  # a 100k-order report is ~a million strings on the page list
            return reports_pdf.write(report, path, overwrite=overwrite)

    @staticmethod
    def write_csv(report: Report, path: Path, *, overwrite: bool = False) -> int:
        """Write `report` as a formula-safe CSV; return the number of data rows."""
        from app.documents import reports_csv

        return reports_csv.write(report, path, overwrite=overwrite)


def _scope(
    tx: StoreTransaction,
    status: StatusScope,
    batch: str | None,
    group_ids: Sequence[str] | None,
    order_ids: Sequence[int] | None,
) -> tuple[OrderScope, str]:
    batch_id = None
    words = "ready-to-ship orders" if status is StatusScope.READY else "all orders not cancelled"
    if batch:
        batch_id = tx.documents.batch_id(batch)
        if batch_id is None:
            raise AppError(
                f"There is no batch {batch}.",
                hint="See `packdesk-cli batches` for the batch references.",
                kind=ErrorKind.NOT_FOUND,
                details={"batch": batch},
            )
        # A batch's orders have labels, so they are no longer "ready": the batch decides.
        return OrderScope(statuses=None, batch_id=batch_id), f"batch {batch}"
    statuses = (OrderStatus.READY_TO_SHIP.value,) if status is StatusScope.READY else None
    if group_ids:
        words += ", groups " + ", ".join(group_ids)
    if order_ids:
        words += f", {len(order_ids)} selected orders"
    return (
        OrderScope(
            statuses=statuses,
            group_ids=tuple(group_ids) if group_ids else None,
            order_ids=tuple(order_ids) if order_ids else None,
        ),
        words,
    )


def _count_lines(tx: StoreTransaction, scope: OrderScope) -> list[GroupCountLine]:
    counts = tx.documents.group_counts(scope)
    lines = tx.groups.lines_of([count.sample_order_id for count in counts])
    found = [
        GroupCountLine(
            group_id=count.group_id,
            items=tuple(
                OrderLine(sku, qty)
                for sku, qty in canonical_multiset(lines.get(count.sample_order_id, ()))
            ),
            orders=count.orders,
        )
        for count in counts
    ]
    found.sort(key=lambda line: (-line.orders, line.group_id))
    return found


def _item_totals(tx: StoreTransaction, groups: Sequence[GroupCountLine]) -> tuple[ItemTotal, ...]:
    items = tx.items.by_sku()
    totals: dict[str, int] = {}
    for group in groups:
        for line in group.items:
            totals[line.sku] = totals.get(line.sku, 0) + line.quantity * group.orders
    return tuple(
        ItemTotal(sku, items[sku].name if sku in items else "", quantity)
        for sku, quantity in sorted(totals.items())
    )


def _group_counts(tx: StoreTransaction, scope: OrderScope, words: str) -> GroupCountsReport:
    groups = _count_lines(tx, scope)
    return GroupCountsReport(words, tuple(groups), _item_totals(tx, groups))


def _groups(tx: StoreTransaction, scope: OrderScope, words: str) -> GroupsReport:
    count_lines = _count_lines(tx, scope)
    settings = tx.groups.settings()
    package_types = tx.package_types.by_id()
    items = tx.items.by_sku()
    by_group: dict[str, list[ReportOrder]] = {}
    for brief in tx.documents.orders(scope):
        by_group.setdefault(brief.group_id, []).append(
            ReportOrder(
                order_id=brief.id,
                external_id=brief.external_id,
                status=brief.status,
                name=brief.name,
                address=one_line_address(
                    brief.street1,
                    brief.street2,
                    brief.city,
                    brief.state,
                    brief.postal_code,
                    brief.country,
                ),
                country=brief.country,
            )
        )
    sections = []
    for line in count_lines:
        setting = settings.get(line.group_id)
        package_type = (
            package_types.get(setting.package_type_id)
            if setting and setting.package_type_id is not None
            else None
        )
        multiset = tuple((item.sku, item.quantity) for item in line.items)
        sections.append(
            GroupSection(
                line=line,
                estimated_weight_oz=estimate_weight_oz(multiset, items, package_type),
                package_type=package_type.name if package_type else "",
                service=(setting.service or "") if setting else "",
                international_service=(setting.international_service or "") if setting else "",
                orders=tuple(by_group.get(line.group_id, ())),
            )
        )
    return GroupsReport(words, tuple(sections))


def _pick_list(tx: StoreTransaction, scope: OrderScope, words: str) -> PickList:
    orders = sum(count.orders for count in tx.documents.group_counts(scope))
    # No bin locations are stored yet, so SKU order is the shelf order.
    lines = tuple(ItemTotal(sku, name, qty) for sku, name, qty in tx.documents.sku_totals(scope))
    return PickList(words, orders, lines)

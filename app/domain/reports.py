"""What the reports say, as plain data, and the sums behind them (spend with refunds netted)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.domain.orders import OrderLine


@dataclass(frozen=True, slots=True)
class GroupCountLine:
    """A package group's item combination and how many orders get it."""

    group_id: str
    items: tuple[OrderLine, ...]
    orders: int


@dataclass(frozen=True, slots=True)
class ItemTotal:
    """One SKU's total quantity over a report's orders."""

    sku: str
    name: str
    quantity: int


@dataclass(frozen=True, slots=True)
class GroupCountsReport:
    """Package Group Counts: each combination, its order count, and each item's total."""

    scope: str
    groups: tuple[GroupCountLine, ...]
    item_totals: tuple[ItemTotal, ...]

    @property
    def orders(self) -> int:
        return sum(group.orders for group in self.groups)


@dataclass(frozen=True, slots=True)
class ReportOrder:
    """An order as a report line: its reference, recipient and one-line address."""

    order_id: int
    external_id: str
    status: str
    name: str
    address: str
    country: str


@dataclass(frozen=True, slots=True)
class GroupSection:
    """One group of the Package Group report, followed by its orders."""

    line: GroupCountLine
    estimated_weight_oz: Decimal
    package_type: str
    service: str
    international_service: str
    orders: tuple[ReportOrder, ...]

    @property
    def total_weight_oz(self) -> Decimal:
        return self.estimated_weight_oz * self.line.orders


@dataclass(frozen=True, slots=True)
class GroupsReport:
    """The Package Group report."""

    scope: str
    sections: tuple[GroupSection, ...]


@dataclass(frozen=True, slots=True)
class PickList:
    """How many of each SKU to pull from the shelf for some orders, in bin/SKU order."""

    scope: str
    orders: int
    lines: tuple[ItemTotal, ...]


@dataclass(frozen=True, slots=True)
class SpendEntry:
    """One label's money: what it cost, where it belongs, and the day it was refunded."""

    service: str
    group_id: str
    batch: str
    bought_on: date
    amount_usd: Decimal
    refunded_on: date | None


@dataclass(frozen=True, slots=True)
class SpendLine:
    """Spend, refunds and the net for one service, group, batch or day."""

    key: str
    labels: int
    spent_usd: Decimal
    refunded_usd: Decimal

    @property
    def net_usd(self) -> Decimal:
        return self.spent_usd - self.refunded_usd


@dataclass(frozen=True, slots=True)
class SpendReport:
    """Spend and refunds by service, group, batch and day, with refunds netted."""

    scope: str
    by_service: tuple[SpendLine, ...]
    by_group: tuple[SpendLine, ...]
    by_batch: tuple[SpendLine, ...]
    by_day: tuple[SpendLine, ...]
    total: SpendLine


def spend_by(
    entries: Iterable[SpendEntry],
    key: Callable[[SpendEntry], str],
    *,
    refund_key: Callable[[SpendEntry], str] | None = None,
) -> tuple[SpendLine, ...]:
    """Sum `entries` per key; a refund counts under `refund_key` (by day: the refund's day,
    not the purchase's), else under the label's own key. Sorted by key."""
    labels: dict[str, int] = {}
    spent: dict[str, Decimal] = {}
    refunded: dict[str, Decimal] = {}
    for entry in entries:
        k = key(entry)
        labels[k] = labels.get(k, 0) + 1
        spent[k] = spent.get(k, Decimal(0)) + entry.amount_usd
        refunded.setdefault(k, Decimal(0))
        if entry.refunded_on is not None:
            rk = refund_key(entry) if refund_key else k
            labels.setdefault(rk, 0)
            spent.setdefault(rk, Decimal(0))
            refunded[rk] = refunded.get(rk, Decimal(0)) + entry.amount_usd
    return tuple(SpendLine(k, labels[k], spent[k], refunded[k]) for k in sorted(labels, key=str))


def spend_report(scope: str, entries: Iterable[SpendEntry]) -> SpendReport:
    """The spend report of `entries`."""
    listed = list(entries)
    total = spend_by(listed, lambda _: "total")
    return SpendReport(
        scope=scope,
        by_service=spend_by(listed, lambda e: e.service),
        by_group=spend_by(listed, lambda e: e.group_id),
        by_batch=spend_by(listed, lambda e: e.batch or "-"),
        by_day=spend_by(
            listed,
            lambda e: e.bought_on.isoformat(),
            refund_key=lambda e: e.refunded_on.isoformat() if e.refunded_on else "",
        ),
        total=total[0] if total else SpendLine("total", 0, Decimal(0), Decimal(0)),
    )


def one_line_address(
    street1: str, street2: str, city: str, state: str, postal_code: str, country: str
) -> str:
    """An address on one line, empty parts left out."""
    place = " ".join(part for part in (state, postal_code) if part)
    parts = (street1, street2, city, place, country)
    return ", ".join(part for part in parts if part)

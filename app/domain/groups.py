"""Package groups: orders with the identical (SKU, quantity) multiset, packed the same way."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from app.domain.items import Item
from app.domain.orders import OrderLine
from app.domain.packages import PackageType

ItemMultiset = tuple[tuple[str, int], ...]

GROUP_ID_PREFIX = "G-"


def canonical_multiset(lines: Iterable[tuple[str, int]]) -> ItemMultiset:
    """Sum quantities per SKU, drop empty ones and sort: the one spelling of a multiset."""
    totals: dict[str, int] = {}
    for sku, quantity in lines:
        totals[sku] = totals.get(sku, 0) + quantity
    return tuple(sorted((sku, qty) for sku, qty in totals.items() if qty > 0))


@functools.lru_cache(maxsize=4096)  # a campaign has few distinct multisets, imports hash 100k
def group_id_for(multiset: ItemMultiset) -> str:
    """A short id that depends only on the multiset, so it is stable across recomputation.

    12 hex digits (48 bits): collisions are negligible for the few thousand groups a campaign has.
    """
    text = json.dumps([list(pair) for pair in canonical_multiset(multiset)], ensure_ascii=False)
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()
    return GROUP_ID_PREFIX + digest


def estimate_weight_oz(
    multiset: ItemMultiset,
    items: Mapping[str, Item],
    package_type: PackageType | None = None,
) -> Decimal:
    """Items' unit weights times quantities plus the package's empty weight (unknown SKUs: 0)."""
    total = sum(
        (items[sku].weight_oz * qty for sku, qty in multiset if sku in items),
        start=Decimal(0),
    )
    if package_type is not None:
        total += package_type.empty_weight_oz
    return total


def skus_without_weight(multiset: ItemMultiset, items: Mapping[str, Item]) -> tuple[str, ...]:
    """The SKUs whose weight is unknown, so a group's estimate is too low."""
    return tuple(sku for sku, _ in multiset if sku not in items or items[sku].weight_oz <= 0)


@dataclass(frozen=True, slots=True)
class PackageGroup:
    """One package group: what is in each parcel, how many, and how it ships.

    A group mixes domestic and international orders: `service` is for its domestic orders,
    `international_service` for the others (each None until chosen).
    """

    group_id: str
    items: tuple[OrderLine, ...]
    orders: int
    domestic: int
    international: int
    estimated_weight_oz: Decimal
    package_type: str | None = None
    service: str | None = None
    international_service: str | None = None
    skus_without_weight: tuple[str, ...] = ()

    @property
    def multiset(self) -> ItemMultiset:
        return tuple((line.sku, line.quantity) for line in self.items)

    @property
    def description(self) -> str:
        """How a packer says it: '1 x TSHIRT-M + 2 x STICKER'."""
        return " + ".join(f"{line.quantity} x {line.sku}" for line in self.items) or "(no items)"

"""Customs readiness: international parcels need an HTS code, description and origin per SKU."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.items import Item


def missing_customs_fields(item: Item | None) -> tuple[str, ...]:
    """The customs fields `item` lacks (all of them for a SKU the catalogue does not know)."""
    if item is None:
        return ("hts_code", "customs_description", "origin_country")
    missing = []
    if not item.hts_code:
        missing.append("hts_code")
    if not item.customs_description:
        missing.append("customs_description")
    if not item.origin_country:
        missing.append("origin_country")
    return tuple(missing)


@dataclass(frozen=True, slots=True)
class SkuCustomsGap:
    """One SKU of an order and what it lacks."""

    sku: str
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CustomsBlockedOrder:
    """An international order that cannot get a customs form until its SKUs are completed."""

    order_id: int
    source: str
    external_id: str
    country: str
    status: str
    group_id: str
    gaps: tuple[SkuCustomsGap, ...]

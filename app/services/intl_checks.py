"""International pre-flight rules: tax identifiers an order needs and HTS codes that look wrong."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol

from app.domain.hts import hts_problem
from app.domain.items import Item
from app.domain.orders import Order, SourcePlatform
from app.domain.tax_ids import SenderTaxIds, TaxIdDecision, identifiers_for

MAX_WEIGHT_OZ = Decimal(70 * 16)


class PlannedOrderLike(Protocol):
    """What the target check reads of a planned order (buy_plan.PlannedOrder)."""

    @property
    def order(self) -> Order: ...

    @property
    def service(self) -> str | None: ...


def declared_value_usd(order: Order, items: Mapping[str, Item]) -> Decimal:
    """What the customs form declares: unit value x quantity over the order's known SKUs."""
    return sum(
        (items[sku].value_usd * qty for sku, qty in order.item_multiset if sku in items),
        Decimal(0),
    )


def tax_decision(order: Order, items: Mapping[str, Item], ids: SenderTaxIds) -> TaxIdDecision:
    """The tax identifiers `order`'s parcel carries (none for a domestic order)."""
    if order.recipient.is_domestic:
        return TaxIdDecision(())
    return identifiers_for(
        order.recipient.country,
        declared_value_usd(order, items),
        from_kickstarter=order.source is SourcePlatform.KICKSTARTER,
        ids=ids,
    )


def target_reasons(planned: PlannedOrderLike, weight_oz: Decimal) -> list[str]:
    """Why a delivery target (within:3d@90) cannot serve this order; SmartRate is US-only."""
    reasons: list[str] = []
    if not planned.order.recipient.is_domestic:
        reasons.append(
            f"{planned.service} needs SmartRate, which covers US destinations only; give the "
            "group an international service (`packdesk-cli groups assign G --intl-service ...`)"
        )
    if weight_oz > MAX_WEIGHT_OZ:
        reasons.append(f"{weight_oz} oz is over the USPS limit of 70 lb")
    return reasons


def international_reasons(order: Order, items: Mapping[str, Item], ids: SenderTaxIds) -> list[str]:
    """Why an international order cannot go yet (empty when it can), each naming the fix."""
    if order.recipient.is_domestic:
        return []
    reasons = [
        f"needs {missing} for {order.recipient.country}"
        for missing in tax_decision(order, items, ids).missing
    ]
    bad = [
        f"{sku}: {problem}"
        for sku, _ in order.item_multiset
        if sku in items
        and items[sku].hts_code
        and (problem := hts_problem(items[sku].hts_code)) is not None
    ]
    if bad:
        reasons.append(
            f"HTS code looks wrong ({'; '.join(bad)}; "
            "fix with `packdesk-cli skus set SKU --hts ...`)"
        )
    return reasons

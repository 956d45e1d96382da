"""Which orders a running buy has frozen, and the last look a buy takes before its intent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from app.domain.order_freeze import frozen_reason, intent_refusal
from app.services.buy_plan import PlannedOrder
from app.store import StoreTransaction


def frozen_orders(tx: StoreTransaction, order_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Order id -> why it is frozen, for orders with an open purchase-journal row.

    Reads the open rows only (a handful: what the buyers have in flight), so it costs the same
    for an import of 100,000 orders as for a hold of one.
    """
    wanted = None if order_ids is None else set(order_ids)
    return {
        row.order_id: frozen_reason(row.state.value)
        for row in tx.purchases.open_purchases()
        if wanted is None or row.order_id in wanted
    }


def current_for_intent(tx: StoreTransaction, planned: PlannedOrder) -> PlannedOrder | str:
    """The order as stored now, to journal its intent (inside that write transaction); or why
    it is not to be bought any more (held, cancelled or otherwise changed since the plan).

    The address sent to EasyPost is the stored one: an import between the plan and this moment
    changed it, and from the intent on the order is frozen, so the label's address snapshot and
    the order agree.
    """
    stored = tx.orders.get(planned.order_id)
    if stored is None:
        return "order no longer exists"
    refusal = intent_refusal(stored.status)
    if refusal is not None:
        return refusal
    if stored.item_multiset != planned.order.item_multiset:
        return "the order's items changed during the buy; not bought"
    if stored == planned.order:
        return planned
    return replace(planned, order=stored)

"""Orders with a purchase in flight are frozen; a label remembers the address it was bought for.

The rules, in one place:

* An order whose purchase-journal row is open (intent, created, buying, unknown, or any other
  state the journal counts as open) is *frozen*: its label may be bought at any moment, for
  the address and status it had when the buy started. An import does not change it (the row
  is reported as a conflict), and hold, ready, release and cancel refuse it with the reason.
  They do not defer: the packer runs them again once the buy ended (a bought order then holds
  a label, and changing it means a refund or a relabel, which is deliberate).
* A buy re-reads each order just before it journals the intent: an order no longer ready
  (held, cancelled meanwhile) is not bought, and the address sent is the stored one.
* Each label stores the address it was bought for. When the order's address later differs
  from its live label's, the order "needs relabel": refund the old label and buy a new one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from app.domain.orders import Address, OrderStatus

#: The address fields that decide where a parcel goes (phone and email do not).
_ROUTING_FIELDS = (
    "name",
    "company",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
)

FROZEN_HINT = (
    "Wait for the running buy to end (or run the same buy again to finish an interrupted "
    "one), then try again; a bought order is changed by a refund or `packdesk-cli relabel`."
)


def frozen_reason(state: str) -> str:
    """Why an order with an open journal row in `state` cannot be changed now."""
    return f"a label purchase is in flight ({state})"


def intent_refusal(status: OrderStatus) -> str | None:
    """Why a buy must not journal an intent for an order now in `status`, or None."""
    if status is OrderStatus.READY_TO_SHIP:
        return None
    return f"order became {status.value} during the buy; not bought"


def address_snapshot(address: Address) -> str:
    """The routing fields of `address` as canonical JSON (what a label row stores)."""
    return json.dumps({name: getattr(address, name) for name in _ROUTING_FIELDS}, sort_keys=True)


def _normal(value: object) -> str:
    return " ".join(str(value or "").split()).casefold()


def snapshot_fields(snapshot: str) -> Mapping[str, str]:
    """The stored fields of a snapshot ({} for an empty or unreadable one)."""
    try:
        data = json.loads(snapshot) if snapshot else {}
    except ValueError:
        return {}
    return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def needs_relabel(label_snapshot: str | None, current: Address) -> bool:
    """True when a live label was bought for another address than the order's current one.

    Labels bought before snapshots existed (None or empty) are never flagged. Case and runs
    of spaces do not count as a difference (EasyPost does not route on them).
    """
    stored = snapshot_fields(label_snapshot or "")
    if not stored:
        return False
    return any(
        _normal(stored.get(name, "")) != _normal(getattr(current, name)) for name in _ROUTING_FIELDS
    )


def changed_fields(label_snapshot: str | None, current: Address) -> tuple[str, ...]:
    """Which routing fields differ between the label's address and the order's."""
    stored = snapshot_fields(label_snapshot or "")
    return tuple(
        name
        for name in _ROUTING_FIELDS
        if stored and _normal(stored.get(name, "")) != _normal(getattr(current, name))
    )

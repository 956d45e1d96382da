"""Parcel insurance: what is declared (the items' values by default) and what it costs.

A choice is "" (none), "auto" (the order's declared value: the sum of its items' values) or an
amount in US dollars. EasyPost charges 0.5% of the insured value, at least $1
(easypost.com/docs/api#insurance); the estimate uses the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_UP, Decimal, InvalidOperation

from app.domain.items import Item
from app.domain.orders import Order

AUTO = "auto"
NONE = ""
RATE = Decimal("0.005")
MINIMUM_FEE = Decimal("1.00")
MAXIMUM_INSURED = Decimal("5000")  # EasyPost insures up to $5,000 a parcel


def parse_choice(text: str | None) -> str:
    """A user's insurance choice in its one spelling: "", "auto" or "12.50".

    Raises:
        ValueError: not "auto", "none" or a positive amount up to 5,000.
    """
    word = (text or "").strip().lower().lstrip("$")
    if word in ("", "none", "no", "off"):
        return NONE
    if word == AUTO:
        return AUTO
    try:
        amount = Decimal(word.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"insurance {text!r}: say auto, none or an amount in dollars") from None
    if not amount.is_finite() or amount <= 0 or amount > MAXIMUM_INSURED:
        raise ValueError(f"insurance {text!r}: the amount must be above 0 and at most 5000")
    return f"{amount.quantize(Decimal('0.01'))}"


def declared_value(order: Order, items: Mapping[str, Item]) -> Decimal:
    """The sum of the order's items' values (unknown SKUs count 0)."""
    return sum(
        (items[sku].value_usd * qty for sku, qty in order.item_multiset if sku in items),
        start=Decimal(0),
    ).quantize(Decimal("0.01"))


def insured_amount(choice: str, order: Order, items: Mapping[str, Item]) -> Decimal | None:
    """What to insure the order's parcel for under `choice` (None: no insurance)."""
    if choice == NONE:
        return None
    amount = declared_value(order, items) if choice == AUTO else Decimal(choice)
    if amount <= 0:
        return None
    return min(amount, MAXIMUM_INSURED)


def insurance_fee(amount: Decimal | None) -> Decimal:
    """EasyPost's fee for insuring `amount` (0 for none)."""
    if amount is None or amount <= 0:
        return Decimal(0)
    return max(MINIMUM_FEE, (amount * RATE).quantize(Decimal("0.01"), rounding=ROUND_UP))


def total_fees(amounts: Iterable[Decimal | None]) -> Decimal:
    return sum((insurance_fee(amount) for amount in amounts), start=Decimal(0))

"""Delivery targets: "the cheapest service that arrives within N days at P %"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.delivery_target import (
    DeliveryTarget,
    TransitTimes,
    is_target,
    parse_target,
    pick,
)
from app.domain.errors import AppError

TRANSIT = (
    TransitTimes("GroundAdvantage", (2, 3, 3, 4, 4, 5, 6)),
    TransitTimes("Priority", (1, 2, 2, 2, 3, 3, 4)),
    TransitTimes("Express", (1, 1, 2, 2, 2, 3, 4)),
)
PRICES = [
    ("GroundAdvantage", Decimal("5.90")),
    ("Priority", Decimal("7.40")),
    ("Express", Decimal("34.16")),
]


def test_parse_and_spell() -> None:
    assert parse_target("within:3d@90") == DeliveryTarget(3, 90)
    assert parse_target("WITHIN: 5 days @ 99%").spec == "within:5d@99"
    assert is_target("within:3d@90") and not is_target("Priority") and not is_target(None)
    for bad in ("within:3d@80", "within:0d@90", "within:3@90", "within:99d@90"):
        with pytest.raises(AppError) as refused:
            parse_target(bad)
        assert "within:3d@90" in (refused.value.hint or "")


def test_pick_the_cheapest_that_arrives_in_time() -> None:
    assert pick(DeliveryTarget(4, 90), PRICES, TRANSIT).service == "GroundAdvantage"
    choice = pick(DeliveryTarget(2, 90), PRICES, TRANSIT)
    assert choice.service == "Priority" and "90 % arrive within 2 days" in choice.explanation
    assert pick(DeliveryTarget(3, 99), PRICES, TRANSIT).service is None
    assert "no SmartRate" in pick(DeliveryTarget(3, 90), PRICES, ()).explanation

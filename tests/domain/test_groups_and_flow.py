"""Package group ids and weights, order status rules, customs gaps, order fingerprints."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.customs import missing_customs_fields
from app.domain.fingerprint import order_fingerprint
from app.domain.groups import (
    canonical_multiset,
    estimate_weight_oz,
    group_id_for,
    skus_without_weight,
)
from app.domain.items import Item
from app.domain.order_flow import StatusAction, is_already_done, next_status, refusal_reason
from app.domain.orders import Address, Order, OrderLine, OrderStatus, SourcePlatform
from app.domain.packages import PackageType

_lines = st.lists(st.tuples(st.sampled_from(["A", "B", "C-1", "Ö"]), st.integers(0, 4)), max_size=6)


@given(_lines, st.randoms())
def test_group_id_depends_only_on_the_multiset(lines: list[tuple[str, int]], rnd) -> None:
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    assert group_id_for(canonical_multiset(lines)) == group_id_for(canonical_multiset(shuffled))


def test_group_ids_differ_for_different_multisets_and_look_alike() -> None:
    one = group_id_for((("TEE", 1),))
    two = group_id_for((("TEE", 2),))
    assert one != two
    assert one.startswith("G-") and len(one) == 14
    assert group_id_for((("TEE", 1), ("PIN", 1))) == group_id_for((("PIN", 1), ("TEE", 1)))


def test_canonical_multiset_sums_and_drops_zero() -> None:
    assert canonical_multiset([("B", 1), ("A", 2), ("B", 2), ("C", 0)]) == (("A", 2), ("B", 3))


def test_weight_estimate_adds_package_and_flags_unknown_weights() -> None:
    items = {"TEE": Item("TEE", weight_oz=Decimal("5.5")), "PIN": Item("PIN")}
    box = PackageType("Box", predefined="SmallFlatRateBox", empty_weight_oz=Decimal("3.2"))
    multiset = (("PIN", 2), ("TEE", 2), ("ZINE", 1))
    assert estimate_weight_oz(multiset, items) == Decimal("11.0")
    assert estimate_weight_oz(multiset, items, box) == Decimal("14.2")
    assert skus_without_weight(multiset, items) == ("PIN", "ZINE")


@pytest.mark.parametrize(
    ("action", "current", "held_from", "expected"),
    [
        (StatusAction.READY, OrderStatus.IMPORTED, None, OrderStatus.READY_TO_SHIP),
        (StatusAction.READY, OrderStatus.ON_HOLD, None, None),
        (StatusAction.READY, OrderStatus.LABEL_PURCHASED, None, None),
        (StatusAction.HOLD, OrderStatus.READY_TO_SHIP, None, OrderStatus.ON_HOLD),
        (StatusAction.HOLD, OrderStatus.SHIPPED, None, None),
        (StatusAction.RELEASE, OrderStatus.ON_HOLD, OrderStatus.READY_TO_SHIP,
         OrderStatus.READY_TO_SHIP),
        (StatusAction.RELEASE, OrderStatus.ON_HOLD, None, OrderStatus.IMPORTED),
        (StatusAction.RELEASE, OrderStatus.CANCELLED, None, None),
    ],
)  # fmt: skip
def test_status_transitions(
    action: StatusAction,
    current: OrderStatus,
    held_from: OrderStatus | None,
    expected: OrderStatus | None,
) -> None:
    assert next_status(action, current, held_from) is expected


def test_already_done_and_refusal_reasons() -> None:
    assert is_already_done(StatusAction.READY, OrderStatus.READY_TO_SHIP)
    assert is_already_done(StatusAction.RELEASE, OrderStatus.IMPORTED)
    assert not is_already_done(StatusAction.HOLD, OrderStatus.PRINTED)
    assert "already has a label" in refusal_reason(StatusAction.HOLD, OrderStatus.PRINTED)
    assert "release it first" in refusal_reason(StatusAction.READY, OrderStatus.ON_HOLD)
    assert "cancelled" in refusal_reason(StatusAction.READY, OrderStatus.CANCELLED)


def test_missing_customs_fields() -> None:
    assert missing_customs_fields(None) == ("hts_code", "customs_description", "origin_country")
    assert missing_customs_fields(Item("A", hts_code="610910", origin_country="US")) == (
        "customs_description",
    )
    complete = Item("A", hts_code="610910", customs_description="Tee", origin_country="US")
    assert missing_customs_fields(complete) == ()


def _order(**changes: object) -> Order:
    base = Order(
        source=SourcePlatform.KICKSTARTER,
        external_id="7",
        recipient=Address("Ann", "1 Main St", "Boston", "02108", "US"),
        lines=(OrderLine("TEE", 1),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_fingerprint_sees_content_but_not_status_or_label() -> None:
    base = order_fingerprint(_order())
    assert order_fingerprint(_order(status=OrderStatus.SHIPPED, tracking_code="9400", id=3)) == base
    assert order_fingerprint(_order(notes="leave at door")) != base
    assert order_fingerprint(_order(lines=(OrderLine("TEE", 2),))) != base
    assert order_fingerprint(_order(extra={"pledge": "$35"})) != base
    moved = _order(recipient=Address("Ann", "1 Main St", "Boston", "02109", "US"))
    assert order_fingerprint(moved) != base


@given(st.text(max_size=5), st.text(max_size=5), st.text(max_size=5))
def test_fingerprint_fields_cannot_bleed_into_each_other(a: str, b: str, c: str) -> None:
    one = _order(recipient=Address(a + b, c, "X", "1", "US"))
    two = _order(recipient=Address(a, b + c, "X", "1", "US"))
    # Moving text from one field to the next is a change unless nothing moved.
    assert (order_fingerprint(one) == order_fingerprint(two)) == (b == "")

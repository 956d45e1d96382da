"""OrderService: ready / hold / release by all, country or id, with clear refusals."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.order_flow import StatusAction
from app.domain.orders import OrderStatus, SourcePlatform
from app.services.importing import ImportService
from app.services.orders import OrderSelection, OrderService
from app.store import StatusChange, Store
from tests.services.factories import WriteCounter, order, parsed

READY, HOLD, RELEASE = StatusAction.READY, StatusAction.HOLD, StatusAction.RELEASE


@pytest.fixture
def orders(store: Store) -> OrderService:
    ImportService(store, lambda path, **_: parsed([])).apply(
        parsed([order("1"), order("2", country="SE"), order("3", country="CA"), order("4")])
    )
    return OrderService(store, clock=lambda: datetime(2026, 1, 1))


def _statuses(service: OrderService) -> dict[str, str]:
    return {o.external_id: o.status.value for o in service.list_orders()}


def test_ready_all_country_and_ids(orders: OrderService) -> None:
    report = orders.change_status(READY, OrderSelection(country="se"))
    assert len(report.changed) == 1
    assert _statuses(orders)["2"] == "ready_to_ship"
    report = orders.change_status(READY, OrderSelection(refs=("1", "kickstarter:3")))
    assert report.changed == (1, 3)
    report = orders.change_status(READY, OrderSelection(all=True))
    assert (report.changed, report.already, report.skipped) == ((4,), 3, 0)
    assert set(_statuses(orders).values()) == {"ready_to_ship"}
    assert [o.external_id for o in orders.list_orders(OrderStatus.READY_TO_SHIP)] == [
        "1",
        "2",
        "3",
        "4",
    ]


def test_hold_and_release_return_orders_where_they_were(orders: OrderService) -> None:
    orders.change_status(READY, OrderSelection(refs=("1",)))
    orders.change_status(HOLD, OrderSelection(refs=("1", "2")))
    assert _statuses(orders) == {
        "1": "on_hold",
        "2": "on_hold",
        "3": "imported",
        "4": "imported",
    }
    report = orders.change_status(READY, OrderSelection(all=True))
    assert report.changed == (3, 4)  # held orders stay held
    orders.change_status(RELEASE, OrderSelection(all=True))
    assert _statuses(orders) == {
        "1": "ready_to_ship",
        "2": "imported",
        "3": "ready_to_ship",
        "4": "ready_to_ship",
    }


def test_unknown_ids_are_named_and_nothing_changes(orders: OrderService, store: Store) -> None:
    counter = WriteCounter(store)
    with pytest.raises(AppError) as caught:
        orders.change_status(READY, OrderSelection(refs=("1", "99", "kickstarter:nope")))
    assert caught.value.kind is ErrorKind.NOT_FOUND
    assert caught.value.message == "Unknown orders: 99, kickstarter:nope."
    assert "Nothing was changed" in caught.value.hint
    assert counter.statements == []
    assert _statuses(orders)["1"] == "imported"


def test_malformed_ids_are_refused(orders: OrderService) -> None:
    with pytest.raises(AppError, match="Not an order number: ebay:7"):
        orders.change_status(HOLD, OrderSelection(refs=("abc", "ebay:7")))


def test_named_orders_that_cannot_change_refuse_the_whole_request(
    orders: OrderService, store: Store
) -> None:
    with store.transaction() as tx:
        tx.orders.apply_status_changes(
            [StatusChange(2, OrderStatus.LABEL_PURCHASED, None)], datetime(2026, 1, 1)
        )
    orders.change_status(HOLD, OrderSelection(refs=("3",)))
    with pytest.raises(AppError) as caught:
        orders.change_status(READY, OrderSelection(refs=("1", "2", "3")))
    assert caught.value.kind is ErrorKind.CONFLICT
    assert "2 (it already has a label (label_purchased))" in caught.value.message
    assert "3 (it is on hold; release it first)" in caught.value.message
    assert _statuses(orders)["1"] == "imported"
    # In bulk, orders the action does not apply to are skipped instead.
    report = orders.change_status(HOLD, OrderSelection(all=True))
    assert (len(report.changed), report.already, report.skipped) == (2, 1, 1)


def test_a_selection_needs_exactly_one_way_of_choosing() -> None:
    with pytest.raises(AppError, match="Choose the orders"):
        OrderSelection()
    with pytest.raises(AppError, match="Choose the orders"):
        OrderSelection(all=True, country="US")


def test_country_must_be_two_letters(orders: OrderService) -> None:
    with pytest.raises(AppError, match="not a two-letter country code"):
        orders.change_status(READY, OrderSelection(country="Sweden"))


@pytest.mark.parametrize("code", ["ZZ", "xx", "UK"])
def test_unassigned_country_code_is_refused_with_a_hint(orders: OrderService, code: str) -> None:
    # Before: a well-formed unknown code matched no order and "changed" nothing silently.
    with pytest.raises(AppError, match="is not a country code") as caught:
        orders.change_status(READY, OrderSelection(country=code))
    assert "ISO-3166" in (caught.value.hint or "")
    assert orders.list_orders(OrderStatus.READY_TO_SHIP) == []


def test_get_order_by_external_ref(orders: OrderService) -> None:
    assert orders.get_order("kickstarter:2").recipient.country == "SE"
    with pytest.raises(AppError, match="Unknown order: 77"):
        orders.get_order("77")


def test_order_refs_are_the_numbers_people_see_not_local_ids(store: Store) -> None:
    # Local ids 1..3; the sources' own numbers are 71, #1001 and 5.
    ImportService(store, lambda path, **_: parsed([])).apply(
        parsed(
            [
                order("71"),
                order("#1001", source=SourcePlatform.SHOPIFY),
                order("5"),
                order("5", source=SourcePlatform.SHOPIFY),
            ]
        )
    )
    service = OrderService(store)
    by_number = {o.external_id + o.source: o.id for o in service.list_orders()}
    assert service.resolve_refs(["71"]) == [by_number["71kickstarter"]]
    assert service.resolve_refs(["1001", "#1001"]) == [by_number["#1001shopify"]]
    assert service.resolve_refs(["shopify:5"]) == [by_number["5shopify"]]
    assert service.resolve_refs(["id:1"]) == [1]
    with pytest.raises(AppError) as clash:
        service.resolve_refs(["5"])
    assert clash.value.kind is ErrorKind.CONFLICT
    assert "kickstarter:5, shopify:5" in clash.value.message
    with pytest.raises(AppError, match="Unknown order: 1"):  # a local id is not a number
        service.resolve_refs(["1"])


def test_first_summaries_come_by_order_number_on_both_engines(store: Store) -> None:
    from app.domain.order_numbers import natural_key

    numbers = ["10", "9", "#8", "b-2", "A-7", "100", "#1002", "2"]
    ImportService(store, lambda path, **_: parsed([])).apply(parsed([order(n) for n in numbers]))
    service = OrderService(store)
    wanted = sorted(numbers, key=natural_key)
    assert [o.external_id for o in service.first_summaries(5)] == wanted[:5]
    everything = service.first_summaries(100)
    assert [o.external_id for o in everything] == wanted
    assert sorted(everything) == sorted(service.list_summaries())  # the same rows, items too

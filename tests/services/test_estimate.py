"""Estimate: per order, per group and overall, identical requests asked once."""

from __future__ import annotations

from decimal import Decimal

from app.domain.groups import group_id_for
from app.postage.gateway import EasyPostGateway
from app.postage.rating import RateQuoter
from app.services.buy_plan import Selection, resolve_plan
from app.services.estimate import EstimateService
from app.store import Store
from tests.services.purchase_world import foreign_order, seed, us_order

TEE, TWO = group_id_for((("TEE-M", 1),)), group_id_for((("TEE-M", 2),))


def test_groups_and_overall_sum_the_chosen_and_every_service(
    store: Store, gateway: EasyPostGateway
) -> None:
    seed(store, [us_order(n) for n in range(6)], service="Priority")
    seed(store, [us_order(n, [("TEE-M", 2)]) for n in range(6, 9)], service="cheapest")
    # The group's international order takes the group's international service.
    seed(
        store,
        [foreign_order(20, [("TEE-M", 2)])],
        service="cheapest",
        international_service="cheapest",
    )
    service = EstimateService(RateQuoter(gateway, concurrency=4))
    report = service.estimate(resolve_plan(store, Selection(groups=(TEE, TWO))))

    assert len(report.orders) == 10 and report.priced == 10 and report.failed == ()
    # 4 destinations in group 1, 3 + Germany in group 2: 8 distinct requests for 10 orders.
    assert report.requests_sent == 8
    first, second = report.groups
    assert (first.group_id, first.orders, second.group_id, second.orders) == (TEE, 6, TWO, 4)
    assert {o.chosen.service for o in report.orders[:6] if o.chosen} == {"Priority"}
    for estimate in report.orders[6:]:
        assert estimate.chosen == estimate.cheapest
    assert report.total == first.chosen_total + second.chosen_total
    assert first.chosen_total == sum(
        (o.chosen.amount for o in report.orders[:6] if o.chosen), Decimal(0)
    )
    by_service = {t.service: t for t in report.services}
    assert by_service["Priority"].count == 9  # not offered to Germany
    assert by_service["PriorityMailInternational"].count == 1
    cheapest = by_service["cheapest"]
    assert cheapest.count == 10
    assert cheapest.total == sum(
        (o.cheapest.amount for o in report.orders if o.cheapest), Decimal(0)
    )
    # On the same nine domestic orders, the cheapest choice never costs more than Priority.
    abroad = sum(
        (
            o.cheapest.amount
            for o in report.orders
            if o.cheapest and all(r.service != "Priority" for r in o.rates)
        ),
        Decimal(0),
    )
    assert cheapest.total - abroad <= by_service["Priority"].total
    express = by_service["Express"]
    assert express.fastest_days is not None and express.slowest_days is not None
    ground = by_service["GroundAdvantage"]
    assert ground.slowest_days is not None and express.fastest_days <= ground.slowest_days

    again = service.estimate(resolve_plan(store, Selection(groups=(TEE,))))
    assert again.requests_sent == 0  # remembered by the quoter


def test_orders_that_cannot_be_priced_are_listed_with_why(
    store: Store, gateway: EasyPostGateway
) -> None:
    seed(store, [us_order(0)], service="MediaMail")  # a T-shirt: no Media Mail rate
    report = EstimateService(RateQuoter(gateway)).estimate(
        resolve_plan(store, Selection(groups=(TEE,)))
    )
    assert report.priced == 0 and report.total == 0
    assert "MediaMail is not offered" in report.failed[0].error
    assert report.orders[0].cheapest is not None  # still shows the cheapest alternative

"""A group's service as a delivery target (within:3d@90): estimate, pre-flight, the quote's
choice and the transit percentiles, against the sandbox's SmartRate."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.errors import AppError
from app.domain.groups import group_id_for
from app.postage.gateway import EasyPostGateway
from app.postage.rating import RateQuoter
from app.postage.sandbox.server import SandboxServer
from app.services.buy_plan import Selection, rate_request_for, resolve_plan
from app.services.estimate import EstimateService
from app.services.grouping import GroupingService
from app.services.preflight import PreflightService
from app.store import Store
from tests.services.purchase_world import (
    foreign_order,
    ledger_purchases,
    purchase_service,
    seed,
    us_order,
)


def _tee_group(store: Store) -> str:
    return group_id_for((("TEE-M", 1),))


def test_target_picks_per_order_and_explains(store: Store, gateway: EasyPostGateway) -> None:
    seed(store, [us_order(n) for n in range(4)], service="within:2d@90")
    group = _tee_group(store)
    plan = resolve_plan(store, Selection(groups=(group,)))
    assert {p.service for p in plan.orders} == {"within:2d@90"}
    assert PreflightService(store, gateway).check(plan, verify_addresses=False).ok
    report = EstimateService(RateQuoter(gateway)).estimate(plan)
    assert report.priced == 4
    for estimate in report.orders:
        assert estimate.chosen is not None and estimate.why
        times = {t.service: t for t in estimate.transit}
        assert times[estimate.chosen.service].at(90) <= 2
        cheaper_in_time = [
            r
            for r in estimate.rates
            if r.amount < estimate.chosen.amount and times[r.service].at(90) <= 2
        ]
        assert cheaper_in_time == []
    # The buy path chooses the same rate from the same quote.
    quote = gateway.quote(rate_request_for(plan.orders[0], plan))
    assert quote.choose("within:2d@90").service == report.orders[0].chosen.service  # type: ignore[union-attr]
    with pytest.raises(AppError) as impossible:
        quote.choose("within:1d@99")
    assert "no service arrives within 1 days" in impossible.value.message


def test_estimate_shows_percentiles_per_group_and_service(
    store: Store, gateway: EasyPostGateway
) -> None:
    seed(store, [us_order(n) for n in range(3)], service="GroundAdvantage")
    plan = resolve_plan(store, Selection(groups=(_tee_group(store),)))
    report = EstimateService(RateQuoter(gateway), transit=True).estimate(plan)
    totals = {t.service: t for t in report.groups[0].services}
    ground = totals["GroundAdvantage"].transit_days
    assert ground is not None and list(ground) == sorted(ground)
    plain = EstimateService(RateQuoter(gateway)).estimate(plan)
    assert plain.groups[0].services[0].transit_days is None


def test_groups_take_a_target_and_preflight_refuses_it_abroad(
    store: Store, gateway: EasyPostGateway
) -> None:
    seed(store, [us_order(0)], service="Priority")
    group = _tee_group(store)
    GroupingService(store).assign(group, package_type=None, service="within: 3 days @ 90")
    plan = resolve_plan(store, Selection(groups=(group,)))
    assert plan.orders[0].service == "within:3d@90"
    with pytest.raises(AppError):
        GroupingService(store).assign(group, package_type=None, service="within:3d@42")
    seed(store, [foreign_order(9, [("TEE-M", 1)], "CA")], service="Priority")
    abroad = resolve_plan(store, Selection(groups=(group,), service="within:3d@90"))
    reasons = {
        b.external_id: b.reason
        for b in PreflightService(store, gateway).check(abroad, verify_addresses=False).blocked
    }
    assert "SmartRate" in reasons["#1009"] and "#1000" not in reasons


def test_buying_a_target_group_buys_the_service_that_arrives_in_time(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    seed(store, [us_order(n) for n in range(3)], service="within:2d@90")
    result = purchase_service(store, gateway, tmp_path / "labels").buy(
        Selection(groups=(_tee_group(store),))
    )
    assert len(result.bought) == 3
    bought = {str(entry["service"]) for entry in ledger_purchases(sandbox.ledger())}
    assert bought and "GroundAdvantage" not in bought  # Ground needs more than 2 days at 90 %

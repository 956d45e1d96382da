"""SmartRate dates per group for an estimate: arrival if shipped on a day, day to ship by."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.domain.groups import group_id_for
from app.postage.gateway import EasyPostGateway
from app.postage.rating import RateQuoter
from app.postage.sandbox.clock import SandboxClock
from app.postage.sandbox.server import SandboxServer
from app.services.buy_plan import Selection, resolve_plan
from app.services.delivery_dates import DeliveryDatesService
from app.services.estimate import EstimateService
from app.store import Store
from tests.services.purchase_world import foreign_order, seed, us_order

MONDAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox.json", clock=SandboxClock(MONDAY, frozen=True)) as s:
        yield s


def test_dates_per_group(store: Store, gateway: EasyPostGateway) -> None:
    seed(store, [us_order(n) for n in range(2)], service="GroundAdvantage")
    seed(
        store,
        [foreign_order(5, [("BOOK", 1)], "CA")],
        international_service="PriorityMailInternational",
    )
    groups = (group_id_for((("TEE-M", 1),)), group_id_for((("BOOK", 1),)))
    plan = resolve_plan(store, Selection(groups=groups))
    report = EstimateService(RateQuoter(gateway), transit=True).estimate(plan)
    dates = DeliveryDatesService(gateway).for_estimate(
        report, ship_on=date(2026, 3, 2), deliver_by=date(2026, 3, 12)
    )
    assert [d.group_id for d in dates] == [groups[0]]  # SmartRate: domestic only
    (tee,) = dates
    assert tee.service == "GroundAdvantage" and not tee.note
    assert tee.estimated_delivery is not None and tee.estimated_delivery > date(2026, 3, 2)
    assert tee.ship_by is not None and date(2026, 3, 2) <= tee.ship_by < date(2026, 3, 12)

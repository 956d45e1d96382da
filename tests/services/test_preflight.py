"""Pre-flight: every reason an order cannot be bought is found before any money is spent."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from app.domain.groups import group_id_for
from app.domain.items import Item
from app.domain.orders import Address, OrderStatus
from app.domain.packages import PackageType
from app.postage.gateway import EasyPostGateway
from app.postage.rating import RateQuoter
from app.postage.sandbox.server import SandboxServer
from app.services.buy_plan import Selection, resolve_plan
from app.services.estimate import EstimateService
from app.services.grouping import GroupingService
from app.services.preflight import PreflightService, address_hash
from app.store import Store
from app.store.groups_repo import GroupSetting
from tests.services.purchase_world import (
    NOW,
    foreign_order,
    purchase_service,
    seed,
    us_order,
)


def _reasons(store: Store, gateway: EasyPostGateway, selection: Selection) -> dict[str, str]:
    report = PreflightService(store, gateway).check(resolve_plan(store, selection))
    return {b.external_id: b.reason for b in report.blocked}


def _group(*lines: tuple[str, int]) -> str:
    return group_id_for(tuple(sorted(lines)))


def test_a_clean_order_passes_and_its_verification_is_cached(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer
) -> None:
    seed(store, [us_order(0), us_order(1)])
    service = PreflightService(store, gateway)
    plan = resolve_plan(store, Selection(groups=(_group(("TEE-M", 1)),)))
    first = service.check(plan)
    assert first.ok and len(first.ready) == 2 and first.addresses_verified == 2
    again = service.check(plan)
    assert again.ok and again.addresses_verified == 0  # cached per address hash
    moved = replace(us_order(0).recipient, name="Someone Else")
    assert address_hash(moved) == address_hash(us_order(0).recipient)  # who is not where


def test_every_reason_is_named(store: Store, gateway: EasyPostGateway) -> None:
    no_house = us_order(2)
    no_house = replace(no_house, recipient=replace(no_house.recipient, street1="Main St"))
    no_street = us_order(3, [("TEE-M", 2)])
    no_street = replace(no_street, recipient=replace(no_street.recipient, street1=""))
    seed(store, [us_order(0), no_house, no_street])
    seed(store, [us_order(4, [("ANVIL", 1)])])
    seed(store, [us_order(5, [("BOOK", 2)]), us_order(6, [("BOOK", 2), ("TEE-M", 1)])])
    seed(store, [foreign_order(7, [("PIN", 2)]), foreign_order(8, [("BOOK", 4)])])
    with store.transaction(write=True) as tx:
        tx.items.insert_many([Item("STICKER", "Sticker")])  # weight not known yet
    seed(store, [us_order(9, [("STICKER", 1)])])
    tee, tee2 = _group(("TEE-M", 1)), _group(("TEE-M", 2))
    anvil, books = _group(("ANVIL", 1)), _group(("BOOK", 2))
    mixed = _group(("BOOK", 2), ("TEE-M", 1))
    pins, heavy_books = _group(("PIN", 2)), _group(("BOOK", 4))

    reasons = _reasons(store, gateway, Selection(groups=(tee, tee2, anvil)))
    assert set(reasons) == {"#1002", "#1003", "#1004"}
    assert "address not verified" in reasons["#1002"]
    assert "address lacks street" in reasons["#1003"]
    assert "over the 1120 oz limit of GroundAdvantage" in reasons["#1004"]
    assert "machinable" in reasons["#1004"]  # 75 lb in a box marked machinable

    media = _reasons(store, gateway, Selection(groups=(books, mixed), service="MediaMail"))
    assert set(media) == {"#1006"}
    assert "not eligible: TEE-M" in media["#1006"]

    abroad = _reasons(
        store,
        gateway,
        Selection(groups=(pins, heavy_books), service="FirstClassPackageInternationalService"),
    )
    assert (
        "customs data missing: PIN (hts_code, customs_description, origin_country)"
        in (abroad["#1007"])
    )
    assert "67 oz is over the 64 oz limit" in abroad["#1008"]
    domestic_abroad = _reasons(store, gateway, Selection(groups=(heavy_books,), service="Priority"))
    assert "Priority is domestic but the order ships to DE" in domestic_abroad["#1008"]
    wrong_way = _reasons(
        store, gateway, Selection(groups=(tee,), service="PriorityMailInternational")
    )
    assert "is international but the order ships to US" in wrong_way["#1000"]
    retired = _reasons(store, gateway, Selection(groups=(tee,), service="First"))
    assert "letters and flats only" in retired["#1000"]

    weightless = _reasons(store, gateway, Selection(groups=(_group(("STICKER", 1)),)))
    assert "no weight for SKU(s): STICKER" in weightless["#1009"]


def test_unassigned_groups_oversized_boxes_held_orders_and_live_labels(
    store: Store, gateway: EasyPostGateway
) -> None:
    ids = seed(store, [us_order(0), us_order(1)], service=None)
    tee = _group(("TEE-M", 1))
    with store.transaction(write=True) as tx:
        tx.groups.save_setting(GroupSetting(tee, None, None), NOW)
    reasons = _reasons(store, gateway, Selection(groups=(tee,)))
    assert "no package type assigned" in reasons["#1000"]
    assert "no service assigned" in reasons["#1000"]

    with store.transaction(write=True) as tx:
        tx.package_types.add(
            PackageType("Crate", None, Decimal(24), Decimal(12), Decimal(10), Decimal(20))
        )
    crate = _reasons(
        store, gateway, Selection(groups=(tee,), package_type="Crate", service="Priority")
    )
    assert (
        "'Crate' is marked machinable but 24 x 12 x 10 in exceeds 22 x 18 x 15" in (crate["#1000"])
    )

    from app.store.labels_repo import NewLabel

    with store.transaction(write=True) as tx:
        batch = tx.batches.create(
            now=NOW, station="s", user="u", package_type_id=None, service_choice="", concurrency=1
        )
        tx.labels.add(
            NewLabel(ids[0], "shp_x", "9400", "Priority", Decimal(9), "PNG", NOW, batch.id)
        )
    held = seed(store, [replace(us_order(7), status=OrderStatus.ON_HOLD)])
    explicit = _reasons(
        store,
        gateway,
        Selection(order_ids=(ids[0], held[0]), package_type="Box S", service="Priority"),
    )
    assert explicit["#1000"] == "already has a live label"
    assert "order is on_hold" in explicit["#1007"]


def test_address_hash_ignores_spacing_and_case() -> None:
    a = Address("A", "1 Main  St", "Boston", "02108", "US", state="MA")
    b = Address("B", "1 main st", "BOSTON ", "02108", "US", state="ma")
    assert address_hash(a) == address_hash(b)
    assert address_hash(a) != address_hash(replace(a, postal_code="02109"))


def test_a_mixed_group_buys_domestic_and_international_orders_with_its_two_services(
    store: Store, gateway: EasyPostGateway, tmp_path: Path
) -> None:
    """A group's service is for its domestic orders, its international service for the rest."""
    ids = seed(store, [us_order(0), foreign_order(1, [("TEE-M", 1)]), us_order(2)])
    tee = _group(("TEE-M", 1))
    grouping = GroupingService(store)
    assert grouping.group(tee).service == "GroundAdvantage"

    # No international service yet: the domestic orders pass, the DE order is blocked with how
    # to fix it (not "GroundAdvantage is domestic").
    reasons = _reasons(store, gateway, Selection(groups=(tee,)))
    assert set(reasons) == {"#1001"}
    assert f"no international service assigned to group {tee}" in reasons["#1001"]
    assert f"groups assign {tee} --intl-service PriorityMailInternational" in reasons["#1001"]
    assert "'cheapest'" in reasons["#1001"]
    assert "is domestic but" not in reasons["#1001"]
    # ... and 'cheapest' is the other way out.
    assert _reasons(store, gateway, Selection(groups=(tee,), service="cheapest")) == {}

    grouping.assign(
        tee, package_type=None, service=None, international_service="PriorityMailInternational"
    )
    plan = resolve_plan(store, Selection(groups=(tee,)))
    assert [(p.order_id, p.service) for p in plan.orders] == [
        (ids[0], "GroundAdvantage"),
        (ids[1], "PriorityMailInternational"),
        (ids[2], "GroundAdvantage"),
    ]
    assert PreflightService(store, gateway).check(plan).ok

    # The estimate prices each order with its own service.
    estimate = EstimateService(RateQuoter(gateway, concurrency=2)).estimate(plan)
    assert [(e.order_id, e.chosen.service if e.chosen else None) for e in estimate.orders] == [
        (ids[0], "GroundAdvantage"),
        (ids[1], "PriorityMailInternational"),
        (ids[2], "GroundAdvantage"),
    ]

    # An explicit service for the whole buy still applies to every order, as before.
    forced = _reasons(store, gateway, Selection(groups=(tee,), service="GroundAdvantage"))
    assert set(forced) == {"#1001"}
    assert "GroundAdvantage is domestic but the order ships to DE" in forced["#1001"]

    result = purchase_service(store, gateway, tmp_path / "labels").buy(Selection(groups=(tee,)))
    assert result.blocked == () and result.failed == ()
    assert [(label.order_id, label.service) for label in result.bought] == [
        (ids[0], "GroundAdvantage"),
        (ids[1], "PriorityMailInternational"),
        (ids[2], "GroundAdvantage"),
    ]


def test_a_domestic_order_of_a_group_without_a_service_is_told_how_to_fix_it(
    store: Store, gateway: EasyPostGateway
) -> None:
    seed(store, [us_order(0), foreign_order(1, [("TEE-M", 1)])], service=None)
    tee = _group(("TEE-M", 1))
    GroupingService(store).assign(
        tee, package_type=None, service=None, international_service="PriorityMailInternational"
    )
    reasons = _reasons(store, gateway, Selection(groups=(tee,)))
    assert set(reasons) == {"#1000"}
    assert f"no service assigned to group {tee}" in reasons["#1000"]
    assert f"groups assign {tee} --service GroundAdvantage" in reasons["#1000"]

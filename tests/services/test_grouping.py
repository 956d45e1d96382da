"""GroupingService: identical multisets, stable ids, splits, weights, settings, customs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.groups import group_id_for
from app.domain.order_flow import StatusAction
from app.domain.orders import OrderLine
from app.services.catalog import CatalogService, ItemChanges
from app.services.grouping import GroupingService
from app.services.importing import ImportService
from app.services.orders import OrderSelection, OrderService
from app.store import Store
from tests.services.factories import order, parsed

TEE_STICKER = group_id_for((("STICKER", 1), ("TEE-M", 1)))


@pytest.fixture
def grouping(store: Store) -> GroupingService:
    ImportService(store, lambda path, **_: parsed([])).apply(
        parsed(
            [
                order("1", [("TEE-M", 1), ("STICKER", 1)]),
                order("2", [("STICKER", 1), ("TEE-M", 1)], country="SE"),  # other line order
                order("3", [("TEE-M", 1), ("STICKER", 1)], country="PR"),  # domestic for USPS
                order("4", [("TEE-M", 2)], country="CA"),
                order("5", [("TEE-M", 1), ("TEE-M", 1)]),  # same as 4: quantities add up
                order("6", [("TEE-M", 1)]),  # not ready: in no group
            ]
        )
    )
    OrderService(store).change_status(
        StatusAction.READY, OrderSelection(refs=("1", "2", "3", "4", "5"))
    )
    return GroupingService(store)


def test_groups_by_identical_multiset_biggest_first(grouping: GroupingService) -> None:
    groups = grouping.groups()
    assert [(g.group_id, g.orders, g.domestic, g.international) for g in groups] == [
        (TEE_STICKER, 3, 2, 1),
        (group_id_for((("TEE-M", 2),)), 2, 1, 1),
    ]
    assert groups[0].items == (OrderLine("STICKER", 1), OrderLine("TEE-M", 1))
    assert groups[0].description == "1 x STICKER + 1 x TEE-M"


def test_group_ids_are_stable_across_recomputation_and_status_changes(
    grouping: GroupingService, store: Store
) -> None:
    first = [g.group_id for g in grouping.groups()]
    OrderService(store).change_status(StatusAction.HOLD, OrderSelection(refs=("1",)))
    OrderService(store).change_status(StatusAction.RELEASE, OrderSelection(refs=("1",)))
    assert [g.group_id for g in grouping.groups()] == first


def test_held_orders_leave_their_group(grouping: GroupingService, store: Store) -> None:
    OrderService(store).change_status(StatusAction.HOLD, OrderSelection(refs=("1", "2", "3")))
    assert [g.group_id for g in grouping.groups()] == [group_id_for((("TEE-M", 2),))]


def test_estimated_weight_counts_items_and_the_assigned_package(
    grouping: GroupingService, store: Store
) -> None:
    catalog = CatalogService(store)
    catalog.update_item("TEE-M", ItemChanges(weight_oz=Decimal("5.5")))
    group = grouping.groups()[0]
    assert group.estimated_weight_oz == Decimal("5.5")
    assert group.skus_without_weight == ("STICKER",)
    catalog.update_item("STICKER", ItemChanges(weight_oz=Decimal("0.4")))
    catalog.add_package_type("Mailer", dimensions=(Decimal(12), Decimal(9), Decimal(1)),
                             empty_weight_oz=Decimal("1.1"))  # fmt: skip
    assigned = grouping.assign(TEE_STICKER, package_type="Mailer", service="groundadvantage")
    assert assigned is not None
    assert (assigned.package_type, assigned.service) == ("Mailer", "GroundAdvantage")
    assert assigned.estimated_weight_oz == Decimal("7.0")
    assert assigned.skus_without_weight == ()


def test_assignment_is_persisted_and_partly_changeable(
    grouping: GroupingService, store: Store
) -> None:
    CatalogService(store).add_package_type("Box", predefined="SmallFlatRateBox")
    grouping.assign(TEE_STICKER, package_type="Box", service="Priority")
    again = GroupingService(store).groups()[0]
    assert (again.package_type, again.service) == ("Box", "Priority")
    grouping.assign(TEE_STICKER, package_type=None, service="Express")
    assert (grouping.groups()[0].package_type, grouping.groups()[0].service) == ("Box", "Express")
    grouping.assign(TEE_STICKER, package_type="", service="")
    assert (grouping.groups()[0].package_type, grouping.groups()[0].service) == (None, None)


@pytest.mark.parametrize(
    ("group", "package_type", "service", "fragment", "kind"),
    [
        ("nonsense", None, None, "not a package group id", ErrorKind.INVALID_INPUT),
        ("G-000000000000", None, "Priority", "No order belongs", ErrorKind.NOT_FOUND),
        (TEE_STICKER, None, "Teleport", "not a USPS service", ErrorKind.RATE),
        (TEE_STICKER, None, "ParcelSelect", "merged into Ground Advantage", ErrorKind.RATE),
        (TEE_STICKER, "Crate", None, "No package type called 'Crate'", ErrorKind.NOT_FOUND),
    ],
)
def test_bad_assignments_are_refused(
    grouping: GroupingService,
    group: str,
    package_type: str | None,
    service: str | None,
    fragment: str,
    kind: ErrorKind,
) -> None:
    with pytest.raises(AppError, match=fragment) as caught:
        grouping.assign(group, package_type=package_type, service=service)
    assert caught.value.kind is kind


def test_a_group_has_a_domestic_and_an_international_service(
    grouping: GroupingService, store: Store
) -> None:
    assigned = grouping.assign(
        TEE_STICKER,
        package_type=None,
        service="groundadvantage",
        international_service="prioritymailinternational",
    )
    assert assigned is not None
    assert (assigned.service, assigned.international_service) == (
        "GroundAdvantage",
        "PriorityMailInternational",
    )
    # None keeps each one; '' clears only the one it is given for.
    grouping.assign(TEE_STICKER, package_type=None, service="Priority")
    again = GroupingService(store).group(TEE_STICKER)
    assert (again.service, again.international_service) == ("Priority", "PriorityMailInternational")
    grouping.assign(
        TEE_STICKER,
        package_type=None,
        service=None,
        international_service="FirstClassPackageInternationalService",
    )
    changed = grouping.group(TEE_STICKER)
    assert (changed.service, changed.international_service) == (
        "Priority",
        "FirstClassPackageInternationalService",
    )
    grouping.assign(TEE_STICKER, package_type=None, service="", international_service=None)
    cleared = grouping.group(TEE_STICKER)
    assert (cleared.service, cleared.international_service) == (
        None,
        "FirstClassPackageInternationalService",
    )
    grouping.assign(TEE_STICKER, package_type=None, service=None, international_service="")
    assert grouping.group(TEE_STICKER).international_service is None


@pytest.mark.parametrize(
    ("service", "international_service", "fragment", "hint", "kind"),
    [
        (
            "PriorityMailInternational",
            None,
            "Priority Mail International is an international service",
            f"groups assign {TEE_STICKER} --intl-service PriorityMailInternational",
            ErrorKind.INVALID_INPUT,
        ),
        (
            None,
            "groundadvantage",
            "USPS Ground Advantage is a domestic service",
            f"groups assign {TEE_STICKER} --service GroundAdvantage",
            ErrorKind.INVALID_INPUT,
        ),
        (None, "FirstClassPackage", "retired", "GroundAdvantage", ErrorKind.RATE),
        (None, "Teleport", "not a USPS service", "GroundAdvantage", ErrorKind.RATE),
    ],
)
def test_a_service_of_the_wrong_kind_is_refused_with_the_fix(
    grouping: GroupingService,
    service: str | None,
    international_service: str | None,
    fragment: str,
    hint: str,
    kind: ErrorKind,
) -> None:
    grouping.assign(TEE_STICKER, package_type=None, service="Priority")
    with pytest.raises(AppError, match=fragment) as caught:
        grouping.assign(
            TEE_STICKER,
            package_type=None,
            service=service,
            international_service=international_service,
        )
    assert caught.value.kind is kind
    assert hint in caught.value.hint
    # Nothing was saved.
    group = grouping.group(TEE_STICKER)
    assert (group.service, group.international_service) == ("Priority", None)


def test_group_report_lists_each_groups_orders(grouping: GroupingService) -> None:
    report = grouping.groups_with_orders()
    assert [[o.external_id for o in entry.orders] for entry in report] == [["1", "2", "3"],
                                                                          ["4", "5"]]  # fmt: skip


def test_customs_check_lists_international_orders_with_incomplete_skus(
    grouping: GroupingService, store: Store
) -> None:
    blocked = grouping.customs_blocked()
    # SE and CA are international; PR and US are domestic; the unready US order is not checked.
    assert [(b.external_id, b.country) for b in blocked] == [("2", "SE"), ("4", "CA")]
    assert [(gap.sku, gap.missing) for gap in blocked[0].gaps] == [
        ("STICKER", ("hts_code", "customs_description", "origin_country")),
        ("TEE-M", ("hts_code", "customs_description", "origin_country")),
    ]
    catalog = CatalogService(store)
    catalog.update_item(
        "TEE-M",
        ItemChanges(hts_code="610910", customs_description="Cotton tee", origin_country="US"),
    )
    blocked = grouping.customs_blocked()
    assert [(b.external_id, [g.sku for g in b.gaps]) for b in blocked] == [("2", ["STICKER"])]
    catalog.update_item("STICKER", ItemChanges(hts_code="491199", origin_country="US"))
    assert grouping.customs_blocked()[0].gaps[0].missing == ("customs_description",)
    catalog.update_item("STICKER", ItemChanges(customs_description="Paper stickers"))
    assert grouping.customs_blocked() == []


def test_one_group_and_its_orders(grouping: GroupingService, store: Store) -> None:
    assert grouping.group(TEE_STICKER).orders == 3
    assert [o.external_id for o in grouping.orders_in_group(TEE_STICKER)] == ["1", "2", "3"]
    OrderService(store).change_status(StatusAction.HOLD, OrderSelection(refs=("2",)))
    assert [o.external_id for o in grouping.orders_in_group(TEE_STICKER)] == ["1", "3"]
    assert CatalogService(store).items_by_sku().keys() == {"TEE-M", "STICKER"}
    with pytest.raises(AppError, match="has no ready-to-ship orders") as caught:
        grouping.group(group_id_for((("TEE-M", 1),)))
    assert caught.value.kind is ErrorKind.NOT_FOUND


def test_customs_check_by_sku_counts_what_the_per_order_check_lists(
    grouping: GroupingService, store: Store
) -> None:
    check = grouping.customs_by_sku()
    assert check.blocked_orders == 2
    assert [(f.sku, f.orders, f.countries, f.first_refs) for f in check.skus] == [
        ("STICKER", 1, ("SE",), ("2",)),
        ("TEE-M", 2, ("CA", "SE"), ("2", "4")),
    ]
    assert check.skus[0].missing == ("customs_description", "hts_code", "origin_country")
    CatalogService(store).update_item(
        "STICKER", ItemChanges(hts_code="491199", origin_country="US")
    )
    sticker = grouping.customs_by_sku().skus[0]
    assert (sticker.sku, sticker.missing) == ("STICKER", ("customs_description",))

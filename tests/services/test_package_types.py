"""PackageTypeService: USPS limits refuse in plain words, edits reach every group using a type."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.order_flow import StatusAction
from app.services.grouping import GroupingService
from app.services.importing import ImportService
from app.services.orders import OrderSelection, OrderService
from app.services.package_types import PackageTypeDraft, PackageTypeService
from app.store import Store
from tests.services.factories import order, parsed

D = Decimal


@pytest.fixture
def service(store: Store) -> PackageTypeService:
    ImportService(store, lambda path, **_: parsed([])).apply(
        parsed([order("1", [("BOOK", 1)]), order("2", [("BOOK", 2)])])
    )
    OrderService(store).change_status(StatusAction.READY, OrderSelection(all=True))
    return PackageTypeService(store)


def test_add_refuses_a_box_usps_would_refuse(service: PackageTypeService) -> None:
    with pytest.raises(AppError) as refused:
        service.add(PackageTypeDraft("Huge", dimensions=(D(40), D(20), D(15)), machinable=False))
    assert "110 in in length plus girth" in refused.value.message
    assert refused.value.kind is ErrorKind.INVALID_INPUT
    assert service.list() == []


def test_add_keeps_warnings_and_lists_the_predefined_size(service: PackageTypeService) -> None:
    long_box = service.add(
        PackageTypeDraft("Tube", dimensions=(D(26), D(4), D(4)), machinable=False, irregular=True)
    )
    assert "$4 nonstandard fee" in long_box.problems[0].message
    service.add(PackageTypeDraft("Medium", predefined="MediumFlatRateBox"))
    sizes = {e.name: e.size_text for e in service.list()}
    assert sizes == {"Medium": "MediumFlatRateBox, 11.25 x 8.75 x 6 in", "Tube": "26 x 4 x 4 in"}


def test_editing_a_type_changes_every_group_using_it(
    service: PackageTypeService, store: Store
) -> None:
    service.add(PackageTypeDraft("Mailer", dimensions=(D(12), D(9), D(1))))
    grouping = GroupingService(store)
    for group in grouping.groups():
        grouping.assign(group.group_id, package_type="Mailer", service="GroundAdvantage")
    edited = service.update(
        "Mailer",
        PackageTypeDraft("Mailer L", dimensions=(D(14), D(10), D(2)), empty_weight_oz=D(3)),
    )
    assert len(edited.groups) == 2
    assert {g.package_type for g in grouping.groups()} == {"Mailer L"}
    assert [e.size_text for e in service.list()] == ["14 x 10 x 2 in"]
    weights = sorted(g.estimated_weight_oz for g in grouping.groups())
    assert weights[0] >= D(3)  # the new tare weight reaches every group's estimate


def test_edit_refuses_a_taken_name_and_usps_limits(service: PackageTypeService) -> None:
    service.add(PackageTypeDraft("A", dimensions=(D(12), D(9), D(1))))
    service.add(PackageTypeDraft("B", predefined="FlatRateEnvelope"))
    with pytest.raises(AppError, match="exists already"):
        service.update("A", PackageTypeDraft("B", dimensions=(D(12), D(9), D(1))))
    with pytest.raises(AppError, match="not machinable"):
        service.update("A", PackageTypeDraft("A", dimensions=(D(30), D(9), D(1))))
    with pytest.raises(AppError, match="No package type called 'C'"):
        service.update("C", PackageTypeDraft("C", predefined="Parcel"))


def test_removing_a_type_in_use_names_the_groups(service: PackageTypeService, store: Store) -> None:
    service.add(PackageTypeDraft("Mailer", dimensions=(D(12), D(9), D(1))))
    grouping = GroupingService(store)
    groups = grouping.groups()
    for group in groups:
        grouping.assign(group.group_id, package_type="Mailer", service=None)
    with pytest.raises(AppError) as refused:
        service.remove("Mailer")
    assert refused.value.kind is ErrorKind.CONFLICT
    assert "used by 2 package groups" in refused.value.message
    assert "1 x BOOK" in refused.value.message and "2 x BOOK" in refused.value.message
    assert sorted(refused.value.details["groups"]) == sorted(g.group_id for g in groups)  # type: ignore[arg-type]

"""CatalogService: SKU edits are validated, apply-hts works by glob, package types by USPS name."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.items import Item
from app.domain.order_flow import StatusAction
from app.services.catalog import CatalogService, ItemChanges
from app.services.grouping import GroupingService
from app.services.importing import ImportService
from app.services.orders import OrderSelection, OrderService
from app.store import Store
from tests.services.factories import order, parsed


@pytest.fixture
def catalog(store: Store) -> CatalogService:
    ImportService(store, lambda path, **_: parsed([])).apply(
        parsed(
            [order("1", [("TSHIRT-S", 1), ("TSHIRT-M", 1), ("STICKER", 1), ("tshirt-x", 1)])],
            items=[Item("TSHIRT-S", name="Tee S")],
        )
    )
    return CatalogService(store)


def test_update_item_sets_and_normalises_fields(catalog: CatalogService) -> None:
    item = catalog.update_item(
        "TSHIRT-S",
        ItemChanges(
            weight_oz=Decimal("5.3"),
            value_usd=Decimal("18.50"),
            hts_code="6109.10.0012",
            customs_description="Cotton t-shirt",
            origin_country="Portugal",
            media_mail_eligible=False,
        ),
    )
    assert item == Item(
        "TSHIRT-S",
        name="Tee S",
        weight_oz=Decimal("5.3"),
        value_usd=Decimal("18.50"),
        hts_code="6109100012",
        customs_description="Cotton t-shirt",
        origin_country="PT",
    )
    assert item.customs_complete
    assert catalog.get_item("TSHIRT-S") == item


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        (ItemChanges(hts_code="61"), "6 to 10 digits"),
        (ItemChanges(hts_code="6109.10.00123"), "6 to 10 digits"),
        (ItemChanges(origin_country="Atlantis"), "not a country"),
        (ItemChanges(weight_oz=Decimal("-1")), "weight must be 0 or more"),
        (ItemChanges(value_usd=Decimal("NaN")), "value must be 0 or more"),
    ],
)
def test_invalid_item_changes_are_refused(
    catalog: CatalogService, changes: ItemChanges, fragment: str
) -> None:
    before = catalog.get_item("STICKER")
    with pytest.raises(AppError, match=fragment) as caught:
        catalog.update_item("STICKER", changes)
    assert caught.value.kind is ErrorKind.INVALID_INPUT
    assert catalog.get_item("STICKER") == before


def test_unknown_sku_suggests_close_ones_and_create_adds_it(catalog: CatalogService) -> None:
    with pytest.raises(AppError) as caught:
        catalog.update_item("TSHIRT-L", ItemChanges(weight_oz=Decimal(5)))
    assert caught.value.kind is ErrorKind.NOT_FOUND
    assert "TSHIRT-S" in caught.value.hint and "--create" in caught.value.hint
    created = catalog.update_item("TSHIRT-L", ItemChanges(weight_oz=Decimal(5)), create=True)
    assert created == Item("TSHIRT-L", weight_oz=Decimal(5))


def test_apply_hts_sets_every_matching_variant_case_sensitively(catalog: CatalogService) -> None:
    changed = catalog.apply_hts("TSHIRT-*", "6109.10", "Cotton t-shirt")
    assert sorted(item.sku for item in changed) == ["TSHIRT-M", "TSHIRT-S"]
    by_sku = {item.sku: item for item in catalog.list_items()}
    assert by_sku["TSHIRT-M"].hts_code == "610910"
    assert by_sku["TSHIRT-M"].customs_description == "Cotton t-shirt"
    assert by_sku["tshirt-x"].hts_code == ""
    assert by_sku["STICKER"].hts_code == ""


def test_apply_hts_refuses_no_match_bad_code_and_empty_description(
    catalog: CatalogService,
) -> None:
    with pytest.raises(AppError, match="No SKU matches 'HOODIE-\\*'"):
        catalog.apply_hts("HOODIE-*", "6110.20", "Hoodie")
    with pytest.raises(AppError, match="6 to 10 digits"):
        catalog.apply_hts("TSHIRT-*", "12", "Tee")
    with pytest.raises(AppError, match="description is required"):
        catalog.apply_hts("TSHIRT-*", "6109.10", "  ")


def test_package_types_predefined_by_easypost_name(catalog: CatalogService) -> None:
    envelope = catalog.add_package_type(
        "Padded", predefined="PaddedFlatRateEnvelope", empty_weight_oz=Decimal("1.2")
    )
    assert envelope.predefined == "FlatRatePaddedEnvelope"
    box = catalog.add_package_type(
        "Mailer 10x8x4",
        dimensions=(Decimal(10), Decimal(8), Decimal(4)),
        machinable=False,
        irregular=True,
    )
    assert (box.length_in, box.width_in, box.height_in, box.machinable, box.irregular) == (
        Decimal(10),
        Decimal(8),
        Decimal(4),
        False,
        True,
    )
    assert [pt.name for pt in catalog.list_package_types()] == ["Mailer 10x8x4", "Padded"]
    assert catalog.get_package_type("Padded") == envelope
    with pytest.raises(AppError, match="Known: Mailer 10x8x4, Padded"):
        catalog.get_package_type("Crate")


def test_unknown_predefined_package_names_the_valid_ones(catalog: CatalogService) -> None:
    with pytest.raises(AppError) as caught:
        catalog.add_package_type("Box", predefined="MegaBox")
    assert "'MegaBox' is not a USPS predefined package" in caught.value.message
    assert "MediumFlatRateBox" in caught.value.hint and "SoftPack" in caught.value.hint


def test_package_type_needs_exactly_one_shape_and_a_free_name(catalog: CatalogService) -> None:
    with pytest.raises(AppError, match="either a predefined package or dimensions"):
        catalog.add_package_type("Nothing")
    with pytest.raises(AppError, match="positive inches"):
        catalog.add_package_type("Flat", dimensions=(Decimal(10), Decimal(0), Decimal(1)))
    catalog.add_package_type("Box", predefined="Parcel")
    with pytest.raises(AppError, match="exists already") as caught:
        catalog.add_package_type("Box", predefined="Parcel")
    assert caught.value.kind is ErrorKind.CONFLICT


def test_removing_a_package_type_in_use_is_refused_naming_its_groups(
    catalog: CatalogService, store: Store
) -> None:
    catalog.add_package_type("Box", predefined="MediumFlatRateBox")
    OrderService(store).change_status(StatusAction.READY, OrderSelection(all=True))
    grouping = GroupingService(store)
    group = grouping.groups()[0]
    grouping.assign(group.group_id, package_type="Box", service="Priority")
    with pytest.raises(AppError) as refused:
        catalog.remove_package_type("Box")
    assert refused.value.kind is ErrorKind.CONFLICT
    assert group.group_id in refused.value.message and "1 x STICKER" in refused.value.message
    grouping.assign(group.group_id, package_type="", service="Priority")
    catalog.remove_package_type("Box")
    with pytest.raises(AppError, match="No package type called 'Box'") as caught:
        catalog.remove_package_type("Box")
    assert caught.value.kind is ErrorKind.NOT_FOUND

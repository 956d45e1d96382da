"""USPS predefined package and service names as EasyPost spells them."""

from __future__ import annotations

import pytest

from app.domain.usps import (
    PREDEFINED_PACKAGES,
    SERVICES,
    is_international_service,
    normalize_predefined_package,
    normalize_service,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("FlatRateEnvelope", "FlatRateEnvelope"),
        ("mediumflatratebox", "MediumFlatRateBox"),
        (" SoftPack ", "SoftPack"),
        ("LegalFlatRateEnvelope", "FlatRateLegalEnvelope"),
        ("PaddedFlatRateEnvelope", "FlatRatePaddedEnvelope"),
        ("RegionalRateBoxA", "RegionalRateBoxA"),
    ],
)
def test_predefined_packages_accept_case_and_old_spellings(given: str, expected: str) -> None:
    assert normalize_predefined_package(given) == expected


def test_unknown_package_error_lists_every_valid_name() -> None:
    with pytest.raises(ValueError, match="'Crate' is not a USPS predefined package") as caught:
        normalize_predefined_package("Crate")
    assert all(name in str(caught.value) for name in PREDEFINED_PACKAGES)


def test_the_metadata_names_easypost_reports_are_all_known() -> None:
    metadata = [
        "Card",
        "Letter",
        "Flat",
        "FlatRateEnvelope",
        "FlatRateLegalEnvelope",
        "FlatRatePaddedEnvelope",
        "FlatRateWindowEnvelope",
        "FlatRateCardboardEnvelope",
        "SmallFlatRateEnvelope",
        "Parcel",
        "SoftPack",
        "SmallFlatRateBox",
        "MediumFlatRateBox",
        "LargeFlatRateBox",
        "LargeFlatRateBoxAPOFPO",
        "FlatTubTrayBox",
        "EMMTrayBox",
        "FullTrayBox",
        "HalfTrayBox",
        "PMODSack",
    ]
    assert set(metadata) <= set(PREDEFINED_PACKAGES)


def test_services() -> None:
    assert normalize_service("groundadvantage") == "GroundAdvantage"
    assert is_international_service("PriorityMailInternational")
    assert not is_international_service("Priority")
    with pytest.raises(ValueError, match="'ParcelSelect' is not a USPS service"):
        normalize_service("ParcelSelect")
    assert "MediaMail" in SERVICES

"""USPS predefined package and service names as EasyPost spells them."""

from __future__ import annotations

import pytest

from app.domain.errors import AppError
from app.domain.usps import PREDEFINED_PACKAGES, normalize_predefined_package
from app.domain.usps_services import SERVICES, check_service


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
    assert check_service("groundadvantage").code == "GroundAdvantage"
    assert check_service("PriorityMailInternational").international
    assert not check_service("Priority").international
    with pytest.raises(AppError, match="Parcel Select Ground was merged") as raised:
        check_service("ParcelSelect")
    assert "GroundAdvantage" in raised.value.hint
    assert "MediaMail" in SERVICES

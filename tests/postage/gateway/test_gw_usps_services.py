"""Today's USPS services, and clear words for the retired ones."""

from __future__ import annotations

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.usps_services import check_service, service_title


@pytest.mark.parametrize(
    ("name", "replacement"),
    [
        ("FirstClassPackage", "GroundAdvantage"),
        ("First-Class Package Service", "GroundAdvantage"),
        ("ParcelSelect", "GroundAdvantage"),
        ("CriticalMail", "Priority"),
    ],
)
def test_retired_services_name_the_replacement(name: str, replacement: str) -> None:
    with pytest.raises(AppError) as caught:
        check_service(name)
    assert caught.value.kind is ErrorKind.RATE
    assert caught.value.details["replacement"] == replacement
    assert replacement in caught.value.hint


def test_first_is_for_letters_and_flats_only() -> None:
    with pytest.raises(AppError, match="letters and flats"):
        check_service("First")
    with pytest.raises(AppError):
        check_service("First", predefined_package="SmallFlatRateBox")
    assert check_service("First", predefined_package="Flat").letters_only


def test_current_services() -> None:
    for code in (
        "GroundAdvantage",
        "Priority",
        "Express",
        "MediaMail",
        "LibraryMail",
        "FirstClassPackageInternationalService",
        "PriorityMailInternational",
        "ExpressMailInternational",
    ):
        assert check_service(code).code == code
    assert check_service("groundadvantage").code == "GroundAdvantage"
    assert service_title("Express") == "Priority Mail Express"
    assert service_title("SomethingNew") == "SomethingNew"
    with pytest.raises(AppError, match="not a USPS service"):
        check_service("Teleport")

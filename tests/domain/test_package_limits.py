"""USPS limits for package types: machinable sizes, length plus girth, weight, fees."""

from __future__ import annotations

from decimal import Decimal

from app.domain.package_limits import (
    PREDEFINED_SIZES,
    Severity,
    check_package_type,
    check_parcel_weight,
    length_plus_girth,
)
from app.domain.packages import PackageType
from app.domain.usps import PREDEFINED_PACKAGES


def box(l: str, w: str, h: str, **kw: object) -> PackageType:  # noqa: E741
    return PackageType("Box", None, Decimal(l), Decimal(w), Decimal(h), **kw)  # type: ignore[arg-type]


def errors(pt: PackageType) -> list[str]:
    return [p.message for p in check_package_type(pt) if p.severity is Severity.ERROR]


def warnings(pt: PackageType) -> list[str]:
    return [p.message for p in check_package_type(pt) if p.severity is Severity.WARNING]


def test_every_predefined_package_easypost_knows_has_an_entry_with_real_flat_rate_sizes() -> None:
    assert set(PREDEFINED_SIZES) == set(PREDEFINED_PACKAGES)
    assert PREDEFINED_SIZES["MediumFlatRateBox"].size_text == "11.25 x 8.75 x 6 in"
    assert PREDEFINED_SIZES["FlatRateEnvelope"].size_text == "12.5 x 9.5 in"
    assert PREDEFINED_SIZES["Parcel"].size_text == "any size"
    assert PREDEFINED_SIZES["SmallFlatRateBox"].flat_rate


def test_a_machinable_box_inside_the_limits_has_no_problem() -> None:
    assert check_package_type(box("12", "9", "1")) == []
    assert check_package_type(PackageType("Env", predefined="FlatRateEnvelope")) == []


def test_machinable_refused_in_plain_words_when_a_side_is_too_long() -> None:
    (message,) = errors(box("24", "10", "4"))
    assert "24 x 10 x 4 in box is not machinable" in message
    assert "the longest side 24 in is over 22 in" in message
    assert errors(box("24", "10", "4", machinable=False)) == []


def test_length_plus_girth_over_108_inches_is_refused() -> None:
    assert length_plus_girth((Decimal(40), Decimal(20), Decimal(15))) == Decimal(110)
    found = errors(box("40", "20", "15", machinable=False))
    assert found == [
        "A 40 x 20 x 15 in box measures 110 in in length plus girth; USPS takes at most 108 in."
    ]


def test_irregular_parcels_are_never_machinable_and_tare_over_70_lb_is_refused() -> None:
    assert "never machinable" in errors(box("12", "4", "4", irregular=True))[0]
    heavy = box("12", "9", "6", machinable=False, empty_weight_oz=Decimal(71 * 16))
    assert "USPS takes at most 70 lb" in errors(heavy)[0]


def test_long_and_big_boxes_warn_about_the_fees() -> None:
    assert "$4 nonstandard fee" in warnings(box("26", "10", "4", machinable=False))[0]
    assert "over 1 cubic foot" in warnings(box("14", "12", "12"))[0]


def test_a_parcel_over_the_packages_weight_limit() -> None:
    letter = PackageType("Letter", predefined="Letter")
    assert check_parcel_weight(letter, Decimal(3))[0].severity is Severity.WARNING
    problems = check_parcel_weight(letter, Decimal(4))
    assert problems[0].severity is Severity.ERROR
    assert "A parcel of 4 oz is over the 3.5 oz limit of Letter" in problems[0].message

"""USPS package sizes and limits: the predefined packages' real sizes and a package type's check."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from app.domain.packages import PackageType
from app.domain.usps import PREDEFINED_PACKAGES

#: USPS's ceiling for any parcel: 70 lb, and length plus girth of 108 in (retail/Priority).
MAX_WEIGHT_OZ = Decimal(70 * 16)
MAX_LENGTH_PLUS_GIRTH_IN = Decimal(108)

#: The machinable parcel of the USPS Ship era: 6 x 3 x 0.25 in up to 22 x 18 x 15 in, 6 oz-25 lb.
MACHINABLE_MIN_IN = (Decimal(6), Decimal(3), Decimal("0.25"))
MACHINABLE_MAX_IN = (Decimal(22), Decimal(18), Decimal(15))
MACHINABLE_MIN_OZ = Decimal(6)
MACHINABLE_MAX_OZ = Decimal(25 * 16)

#: Nonstandard-fee and dimensional-weight thresholds (warnings, not refusals).
NONSTANDARD_LENGTH_IN = Decimal(22)
NONSTANDARD_LONG_IN = Decimal(30)
DIM_WEIGHT_CUBIC_IN = Decimal(1728)
NONSTANDARD_VOLUME_CUBIC_IN = Decimal(2 * 1728)


@dataclass(frozen=True, slots=True)
class PredefinedSize:
    """A USPS predefined package as EasyPost names it, with its size where USPS publishes one.

    `dimensions_in` are (length, width, height) inches, height 0 for envelopes; None when the
    package has no fixed size (Parcel, SoftPack) or USPS publishes none for it.
    """

    code: str
    description: str
    dimensions_in: tuple[Decimal, Decimal, Decimal] | None = None
    max_weight_oz: Decimal = MAX_WEIGHT_OZ
    flat_rate: bool = False

    @property
    def size_text(self) -> str:
        """'11.25 x 8.75 x 6 in', '12.5 x 9.5 in' for envelopes, 'any size' when none."""
        if self.dimensions_in is None:
            return "any size"
        shown = [d for d in self.dimensions_in if d > 0]
        return " x ".join(_inches(d) for d in shown) + " in"


def _d(text: str) -> Decimal:
    return Decimal(text)


def _size(length: str, width: str, height: str = "0") -> tuple[Decimal, Decimal, Decimal]:
    return (_d(length), _d(width), _d(height))


# Inside dimensions as USPS prints them (Postal Explorer / the boxes themselves).
_SIZES: dict[str, tuple[tuple[Decimal, Decimal, Decimal] | None, Decimal, bool]] = {
    "Card": (_size("6", "4.25", "0.016"), _d("3.5"), False),
    "Letter": (_size("11.5", "6.125", "0.25"), _d("3.5"), False),
    "Flat": (_size("15", "12", "0.75"), _d("13"), False),
    "Parcel": (None, MAX_WEIGHT_OZ, False),
    "SoftPack": (None, _d("320"), False),
    "FlatRateEnvelope": (_size("12.5", "9.5"), MAX_WEIGHT_OZ, True),
    "FlatRateLegalEnvelope": (_size("15", "9.5"), MAX_WEIGHT_OZ, True),
    "FlatRatePaddedEnvelope": (_size("12.5", "9.5"), MAX_WEIGHT_OZ, True),
    "FlatRateWindowEnvelope": (_size("10", "5"), MAX_WEIGHT_OZ, True),
    "FlatRateCardboardEnvelope": (_size("12.5", "9.5"), MAX_WEIGHT_OZ, True),
    "SmallFlatRateEnvelope": (_size("10", "6"), MAX_WEIGHT_OZ, True),
    "SmallFlatRateBox": (_size("8.6875", "5.4375", "1.75"), MAX_WEIGHT_OZ, True),
    "MediumFlatRateBox": (_size("11.25", "8.75", "6"), MAX_WEIGHT_OZ, True),
    "LargeFlatRateBox": (_size("12.25", "12.25", "6"), MAX_WEIGHT_OZ, True),
    "LargeFlatRateBoxAPOFPO": (_size("12.25", "12.25", "6"), MAX_WEIGHT_OZ, True),
    "RegionalRateBoxA": (_size("10.125", "7.125", "5"), _d("240"), False),
    "RegionalRateBoxB": (_size("12.25", "10.5", "5.5"), _d("320"), False),
}

#: Every predefined package EasyPost knows for USPS, with its size where USPS gives one.
PREDEFINED_SIZES: dict[str, PredefinedSize] = {
    code: PredefinedSize(code, description, *_SIZES.get(code, (None, MAX_WEIGHT_OZ, False)))
    for code, description in PREDEFINED_PACKAGES.items()
}


class Severity(StrEnum):
    """A problem that refuses the package type, or one that only costs money."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class PackageProblem:
    """One thing wrong with a package type, in plain words, and what to do about it."""

    severity: Severity
    message: str
    fix: str = ""


def _inches(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _weight(ounces: Decimal) -> str:
    """'25 lb', or '3.5 oz' under a pound."""
    if ounces < 16:
        return format(ounces.normalize(), "f") + " oz"
    return format((ounces / 16).quantize(Decimal("0.01")).normalize(), "f") + " lb"


def dimensions_of(package_type: PackageType) -> tuple[Decimal, Decimal, Decimal] | None:
    """Custom L x W x H, else the predefined package's size (None when unknown), longest first."""
    dims: tuple[Decimal | None, ...] = (
        package_type.length_in,
        package_type.width_in,
        package_type.height_in,
    )
    if any(d is None for d in dims):
        known = PREDEFINED_SIZES.get(package_type.predefined or "")
        if known is None or known.dimensions_in is None:
            return None
        dims = known.dimensions_in
    longest, middle, shortest = sorted((d for d in dims if d is not None), reverse=True)
    return (longest, middle, shortest)


def length_plus_girth(dims: tuple[Decimal, Decimal, Decimal]) -> Decimal:
    """Longest side plus twice the two others (USPS's length plus girth)."""
    length, width, height = sorted(dims, reverse=True)
    return length + 2 * (width + height)


def check_package_type(package_type: PackageType) -> list[PackageProblem]:
    """Everything USPS would refuse (errors) or charge extra for (warnings), errors first."""
    problems: list[PackageProblem] = []
    error = Severity.ERROR
    tare = package_type.empty_weight_oz
    predefined = PREDEFINED_SIZES.get(package_type.predefined or "")
    max_weight = predefined.max_weight_oz if predefined else MAX_WEIGHT_OZ
    if tare > max_weight:
        problems.append(
            PackageProblem(
                error,
                f"The empty package weighs {_weight(tare)}; "
                f"{predefined.code if predefined else 'USPS'} takes at most "
                f"{_weight(max_weight)} in all.",
                "Check the empty weight: it is in ounces.",
            )
        )
    if package_type.machinable and package_type.irregular:
        problems.append(
            PackageProblem(
                error,
                "An irregular parcel (a tube, a roll, an odd shape) is never machinable.",
                "Untick Machinable or Irregular.",
            )
        )
    dims = dimensions_of(package_type)
    if dims is not None and predefined is None:
        _check_custom_size(dims, package_type.machinable, problems)
    if package_type.machinable and tare > MACHINABLE_MAX_OZ:
        problems.append(
            PackageProblem(
                error,
                f"A machinable parcel weighs at most 25 lb; this one weighs {_weight(tare)} empty.",
                "Untick Machinable.",
            )
        )
    return sorted(problems, key=lambda p: p.severity != error)


def _check_custom_size(
    dims: tuple[Decimal, Decimal, Decimal], machinable: bool, problems: list[PackageProblem]
) -> None:
    length, _width, _height = dims
    size = " x ".join(_inches(d) for d in dims) + " in"
    girth = length_plus_girth(dims)
    if girth > MAX_LENGTH_PLUS_GIRTH_IN:
        problems.append(
            PackageProblem(
                Severity.ERROR,
                f"A {size} box measures {_inches(girth)} in in length plus girth; "
                "USPS takes at most 108 in.",
                "Use a smaller box (length plus girth is the longest side plus twice the "
                "two others).",
            )
        )
    if machinable:
        too_big = [
            f"{name} {_inches(d)} in is over {_inches(limit)} in"
            for name, d, limit in zip(
                ("the longest side", "the middle side", "the shortest side"),
                dims,
                MACHINABLE_MAX_IN,
                strict=True,
            )
            if d > limit
        ]
        too_small = [
            f"{name} {_inches(d)} in is under {_inches(limit)} in"
            for name, d, limit in zip(
                ("the longest side", "the middle side", "the shortest side"),
                dims,
                MACHINABLE_MIN_IN,
                strict=True,
            )
            if d < limit
        ]
        if too_big or too_small:
            problems.append(
                PackageProblem(
                    Severity.ERROR,
                    f"A {size} box is not machinable: {'; '.join(too_big + too_small)} "
                    "(machinable parcels are 6 x 3 x 0.25 in up to 22 x 18 x 15 in).",
                    "Untick Machinable, or use a box inside those sizes.",
                )
            )
    if length > NONSTANDARD_LONG_IN:
        problems.append(
            PackageProblem(
                Severity.WARNING,
                f"The longest side is over 30 in: USPS adds a nonstandard fee "
                f"($8.40 Ground Advantage, $18 Priority) to each parcel in a {size} box.",
            )
        )
    elif length > NONSTANDARD_LENGTH_IN:
        problems.append(
            PackageProblem(
                Severity.WARNING,
                f"The longest side is over 22 in: USPS adds a $4 nonstandard fee to each "
                f"parcel in a {size} box.",
            )
        )
    volume = dims[0] * dims[1] * dims[2]
    if volume > NONSTANDARD_VOLUME_CUBIC_IN:
        problems.append(
            PackageProblem(
                Severity.WARNING,
                "The box is over 2 cubic feet: USPS adds a nonstandard volume fee "
                "($18 Ground Advantage, $30 Priority).",
            )
        )
    elif volume > DIM_WEIGHT_CUBIC_IN:
        problems.append(
            PackageProblem(
                Severity.WARNING,
                "The box is over 1 cubic foot: USPS prices it by its dimensional weight "
                "(L x W x H / 166) when that is more than what it weighs.",
            )
        )


def check_parcel_weight(package_type: PackageType, weight_oz: Decimal) -> list[PackageProblem]:
    """Problems of one parcel of `weight_oz` (contents and package) in `package_type`."""
    problems: list[PackageProblem] = []
    predefined = PREDEFINED_SIZES.get(package_type.predefined or "")
    limit = predefined.max_weight_oz if predefined else MAX_WEIGHT_OZ
    if weight_oz > limit:
        problems.append(
            PackageProblem(
                Severity.ERROR,
                f"A parcel of {_weight(weight_oz)} is over the {_weight(limit)} limit "
                f"of {package_type.name}.",
                "Split the parcel or choose a bigger package type.",
            )
        )
    if package_type.machinable and not MACHINABLE_MIN_OZ <= weight_oz <= MACHINABLE_MAX_OZ:
        problems.append(
            PackageProblem(
                Severity.WARNING,
                f"A parcel of {_weight(weight_oz)} is outside the machinable 6 oz to 25 lb: "
                "USPS treats it as nonmachinable.",
            )
        )
    return problems

"""USPS service names as EasyPost spells them today, and a clear word for the retired ones."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.errors import AppError, ErrorKind

#: Predefined packages that travel as letters/flats/cards: the only ones `First` applies to.
LETTER_PACKAGES = frozenset({"Card", "Letter", "Flat"})


@dataclass(frozen=True, slots=True)
class UspsService:
    """One USPS service EasyPost returns in rates (the code is EasyPost's `service` string)."""

    code: str
    title: str
    international: bool = False
    letters_only: bool = False  # First-Class Mail: cards, letters and flats, never parcels
    special_rates: bool = False  # Media Mail / Library Mail: only for eligible contents


#: Today's names (EasyPost carrier metadata 2025). Rates decide what is offered; this only names.
SERVICES: dict[str, UspsService] = {
    s.code: s
    for s in (
        UspsService("GroundAdvantage", "USPS Ground Advantage"),
        UspsService("Priority", "Priority Mail"),
        UspsService("Express", "Priority Mail Express"),
        UspsService("MediaMail", "Media Mail", special_rates=True),
        UspsService("LibraryMail", "Library Mail", special_rates=True),
        UspsService("First", "First-Class Mail (letters and flats)", letters_only=True),
        UspsService(
            "FirstClassMailInternational",
            "First-Class Mail International (letters and flats)",
            international=True,
            letters_only=True,
        ),
        UspsService(
            "FirstClassPackageInternationalService",
            "First-Class Package International",
            international=True,
        ),
        UspsService("PriorityMailInternational", "Priority Mail International", international=True),
        UspsService(
            "ExpressMailInternational", "Priority Mail Express International", international=True
        ),
    )
}

#: Retired or never-offered names -> what to use instead. Keys are compared case-insensitively.
RETIRED: dict[str, tuple[str, str]] = {
    "firstclasspackage": (
        "GroundAdvantage",
        "First-Class Package Service was retired in July 2023",
    ),
    "firstclasspackageservice": (
        "GroundAdvantage",
        "First-Class Package Service was retired in July 2023",
    ),
    "parcelselect": ("GroundAdvantage", "Parcel Select Ground was merged into Ground Advantage"),
    "parcelselectground": (
        "GroundAdvantage",
        "Parcel Select Ground was merged into Ground Advantage",
    ),
    "retailground": ("GroundAdvantage", "Retail Ground was merged into Ground Advantage"),
    "criticalmail": ("Priority", "Critical Mail is no longer offered"),
}


def _fold(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def service_title(code: str) -> str:
    """A human name for an EasyPost service code; unknown codes are shown as they are."""
    known = SERVICES.get(code)
    return known.title if known else code


def canonical_service(code: str) -> UspsService:
    """Return the service for `code` (any case), refusing retired and unknown names.

    Raises:
        AppError: RATE with the replacement to use, for a retired or unknown service.
    """
    folded = _fold(code)
    if folded in RETIRED:
        replacement, why = RETIRED[folded]
        raise AppError(
            f"USPS service {code!r} is not available: {why}.",
            hint=f"Use {replacement} ({service_title(replacement)}) instead.",
            kind=ErrorKind.RATE,
            details={"service": code, "replacement": replacement},
        )
    known = next((s for s in SERVICES.values() if _fold(s.code) == folded), None)
    if known is None:
        raise AppError(
            f"{code!r} is not a USPS service EasyPost offers.",
            hint="Pick one of the services listed with the rates, e.g. GroundAdvantage.",
            kind=ErrorKind.RATE,
            details={"service": code},
        )
    return known


def check_service(code: str, *, predefined_package: str | None = None) -> UspsService:
    """Return the service for `code`, refusing retired names and `First` for parcels.

    Raises:
        AppError: RATE with the replacement to use, for a retired or misapplied service.
    """
    known = canonical_service(code)
    if known.letters_only and (predefined_package or "") not in LETTER_PACKAGES:
        raise AppError(
            f"{known.title} is for letters and flats only, not parcels.",
            hint="Parcels that used First-Class Package now go GroundAdvantage.",
            kind=ErrorKind.RATE,
            details={"service": code, "predefined_package": predefined_package or ""},
        )
    return known

"""USPS predefined packages by the names EasyPost uses (services: app.domain.usps_services)."""

from __future__ import annotations

#: EasyPost's USPS `predefined_package` names (carrier metadata), with what each one is.
PREDEFINED_PACKAGES: dict[str, str] = {
    "Card": "postcard",
    "Letter": "letter (First-Class Mail)",
    "Flat": "large envelope / flat (First-Class Mail)",
    "Parcel": "generic parcel, dimensions optional",
    "SoftPack": "Priority Mail soft pack (poly mailer)",
    "FlatRateEnvelope": "Priority Mail Flat Rate Envelope",
    "FlatRateLegalEnvelope": "Priority Mail Flat Rate Legal Envelope",
    "FlatRatePaddedEnvelope": "Priority Mail Flat Rate Padded Envelope",
    "FlatRateWindowEnvelope": "Priority Mail Flat Rate Window Envelope",
    "FlatRateCardboardEnvelope": "Priority Mail Flat Rate Cardboard Envelope",
    "SmallFlatRateEnvelope": "Priority Mail Small Flat Rate Envelope",
    "SmallFlatRateBox": "Priority Mail Small Flat Rate Box",
    "MediumFlatRateBox": "Priority Mail Medium Flat Rate Box",
    "LargeFlatRateBox": "Priority Mail Large Flat Rate Box",
    "LargeFlatRateBoxAPOFPO": "Priority Mail Large Flat Rate Box (APO/FPO)",
    "FlatTubTrayBox": "flat tub tray box",
    "EMMTrayBox": "EMM tray box",
    "FullTrayBox": "full tray box",
    "HalfTrayBox": "half tray box",
    "PMODSack": "Priority Mail Open and Distribute sack",
    # Retired by USPS in 2021; EasyPost still knows the names, but may return no rate.
    "RegionalRateBoxA": "Regional Rate Box A (retired by USPS)",
    "RegionalRateBoxB": "Regional Rate Box B (retired by USPS)",
}

#: Older spellings seen in EasyPost docs and other shipping tools -> the metadata name.
PREDEFINED_PACKAGE_ALIASES: dict[str, str] = {
    "LegalFlatRateEnvelope": "FlatRateLegalEnvelope",
    "PaddedFlatRateEnvelope": "FlatRatePaddedEnvelope",
    "WindowFlatRateEnvelope": "FlatRateWindowEnvelope",
    "CardboardFlatRateEnvelope": "FlatRateCardboardEnvelope",
}


def _by_folded_name(names: dict[str, str]) -> dict[str, str]:
    return {name.casefold(): canonical for name, canonical in names.items()}


_PACKAGE_LOOKUP = _by_folded_name(
    {**{name: name for name in PREDEFINED_PACKAGES}, **PREDEFINED_PACKAGE_ALIASES}
)


def normalize_predefined_package(name: str) -> str:
    """Return EasyPost's spelling of a USPS predefined package (case and old names accepted).

    Raises:
        ValueError: naming every valid package when `name` is not one of them.
    """
    canonical = _PACKAGE_LOOKUP.get(name.strip().casefold())
    if canonical is None:
        raise ValueError(
            f"{name!r} is not a USPS predefined package; valid: {', '.join(PREDEFINED_PACKAGES)}"
        )
    return canonical

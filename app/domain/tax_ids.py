"""Sender tax identifiers (IOSS, EU VAT, UK VAT, EORI) and which ones a shipment must carry.

Sources: EasyPost sends them as shipment `tax_identifiers` (entity, tax_id, tax_id_type,
issuing_country; support.easypost.com 4412101923213); Kickstarter collects EU VAT and gives
creators an IOSS number for EU shipments (help.kickstarter.com 52427007036827); IOSS covers
consignments of intrinsic value up to EUR 150, the UK collects VAT at sale up to GBP 135.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

#: The 27 EU member states (ISO 3166-1 alpha-2), 2026.
EU_COUNTRIES = frozenset(
    {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
     "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
)  # fmt: skip
UK_COUNTRIES = frozenset({"GB"})
#: IOSS numbers are IM + the ISO 3166 numeric code of the member state of identification + 7.
_EU_NUMERIC = {
    "040": "AT", "056": "BE", "100": "BG", "191": "HR", "196": "CY", "203": "CZ", "208": "DK",
    "233": "EE", "246": "FI", "250": "FR", "276": "DE", "300": "GR", "348": "HU", "372": "IE",
    "380": "IT", "428": "LV", "440": "LT", "442": "LU", "470": "MT", "528": "NL", "616": "PL",
    "620": "PT", "642": "RO", "703": "SK", "705": "SI", "724": "ES", "752": "SE",
}  # fmt: skip
#: Low-value limits, and the exchange rates used to compare a USD declaration with them
#: (ECB reference rates, rounded, 2026-11; a desk estimate, not a customs valuation).
IOSS_MAX_EUR = Decimal(150)
UK_SALE_VAT_MAX_GBP = Decimal(135)
EUR_PER_USD = Decimal("0.86")
GBP_PER_USD = Decimal("0.75")

_FORMATS = {
    "ioss": re.compile(r"^IM\d{10}$"),
    "eu_vat": re.compile(r"^(AT|BE|BG|HR|CY|CZ|DK|EE|FI|FR|DE|EL|HU|IE|IT|LV|LT|LU|MT|NL|PL|PT"
                         r"|RO|SK|SI|ES|SE|XI|EU)[0-9A-Z]{2,13}$"),
    "uk_vat": re.compile(r"^GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})$"),
    "eori": re.compile(r"^[A-Z]{2}[0-9A-Z]{1,15}$"),
}  # fmt: skip
_EXAMPLES = {
    "ioss": "IM2760000742",
    "eu_vat": "DE123456789",
    "uk_vat": "GB123456789",
    "eori": "GB123456789000",
}
FIELDS = ("ioss", "eu_vat", "uk_vat", "eori", "kickstarter_ioss")


class TaxIdType(StrEnum):
    """EasyPost's tax_id_type values the desk sends."""

    IOSS = "IOSS"
    VAT = "VAT"
    EORI = "EORI"


def normalize_tax_id(field: str, value: str) -> str:
    """`value` without spaces, dots or dashes, upper-case; checked against the field's format.

    Raises:
        ValueError: naming the expected form when `value` does not match it.
    """
    cleaned = re.sub(r"[\s.\-]", "", value).upper()
    if not cleaned:
        return ""
    kind = "ioss" if field == "kickstarter_ioss" else field
    pattern = _FORMATS.get(kind)
    if pattern is None:
        raise ValueError(f"unknown tax identifier {field!r}")
    if not pattern.match(cleaned):
        raise ValueError(
            f"{value!r} is not a valid {label(field)} (expected e.g. {_EXAMPLES[kind]})"
        )
    return cleaned


def label(field: str) -> str:
    return {
        "ioss": "IOSS number",
        "kickstarter_ioss": "Kickstarter IOSS number",
        "eu_vat": "EU VAT number",
        "uk_vat": "UK VAT number",
        "eori": "EORI number",
    }[field]


def issuing_country(field: str, tax_id: str) -> str:
    """The country that issued a (normalised) identifier, as EasyPost wants it."""
    if field in ("ioss", "kickstarter_ioss"):
        return _EU_NUMERIC.get(tax_id[2:5], "EU")
    if field == "uk_vat":
        return "GB"
    prefix = tax_id[:2]
    return "GR" if prefix == "EL" else prefix


@dataclass(frozen=True, slots=True)
class SenderTaxIds:
    """The sender's identifiers (profile), plus a Kickstarter campaign's IOSS number."""

    ioss: str = ""
    eu_vat: str = ""
    uk_vat: str = ""
    eori: str = ""
    kickstarter_ioss: str = ""

    def get(self, field: str) -> str:
        return str(getattr(self, field))


@dataclass(frozen=True, slots=True)
class TaxIdentifier:
    """One EasyPost `tax_identifiers` entry."""

    tax_id: str
    tax_id_type: TaxIdType
    issuing_country: str
    entity: str = "SENDER"

    def to_params(self) -> dict[str, str]:
        return {
            "entity": self.entity,
            "tax_id": self.tax_id,
            "tax_id_type": self.tax_id_type.value,
            "issuing_country": self.issuing_country,
        }


@dataclass(frozen=True, slots=True)
class TaxIdDecision:
    """What a shipment carries, and what it lacks (each with the command that fixes it)."""

    identifiers: tuple[TaxIdentifier, ...]
    missing: tuple[str, ...] = ()


def _entry(field: str, value: str, kind: TaxIdType) -> TaxIdentifier:
    return TaxIdentifier(value, kind, issuing_country(field, value))


def identifiers_for(
    country: str, value_usd: Decimal, *, from_kickstarter: bool, ids: SenderTaxIds
) -> TaxIdDecision:
    """The identifiers a parcel to `country` declared at `value_usd` must (and may) carry.

    EU, up to EUR 150: an IOSS number (the campaign's for a Kickstarter order, else the
    sender's); above it IOSS may not be used. UK up to GBP 135: the sender's UK VAT number.
    An EORI (and for the EU a VAT number) goes along when the profile has one. Other
    countries (Canada, Australia, ...) need none of these.
    """
    country = country.upper()
    carried: list[TaxIdentifier] = []
    missing: list[str] = []
    if country in EU_COUNTRIES:
        if value_usd * EUR_PER_USD <= IOSS_MAX_EUR:
            field = "kickstarter_ioss" if from_kickstarter and ids.kickstarter_ioss else "ioss"
            if ids.get(field):
                carried.append(_entry(field, ids.get(field), TaxIdType.IOSS))
            else:
                flag = "--kickstarter-ioss" if from_kickstarter else "--ioss"
                missing.append(
                    f"an IOSS number for EU parcels up to EUR {IOSS_MAX_EUR} "
                    f"(packdesk-cli tax-ids set {flag} IM...)"
                )
        if ids.eu_vat:
            carried.append(_entry("eu_vat", ids.eu_vat, TaxIdType.VAT))
    elif country in UK_COUNTRIES and value_usd * GBP_PER_USD <= UK_SALE_VAT_MAX_GBP:
        if ids.uk_vat:
            carried.append(_entry("uk_vat", ids.uk_vat, TaxIdType.VAT))
        else:
            missing.append(
                f"a UK VAT number for UK parcels up to GBP {UK_SALE_VAT_MAX_GBP} "
                "(packdesk-cli tax-ids set --uk-vat GB...)"
            )
    if (country in EU_COUNTRIES or country in UK_COUNTRIES) and ids.eori:
        carried.append(_entry("eori", ids.eori, TaxIdType.EORI))
    return TaxIdDecision(tuple(carried), tuple(missing))

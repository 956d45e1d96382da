"""What a backer abroad pays on delivery, the EU EUR 3 duty, and USPS Delivered Duty Paid.

One copy of the tables (sources in shipping-2026.md): the EU charges a fixed EUR 3 customs
duty per item line on low-value parcels from 2026-07-01, and IOSS covers the VAT but not that
duty; USPS offers DDP for PMEI, PMI and FCPIS to Canada, Germany and the UK since 2026-01-30
with a $0 fee. VAT/GST rates are the standard rates of 2026; thresholds in local currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from app.domain.tax_ids import EU_COUNTRIES, EUR_PER_USD, GBP_PER_USD, IOSS_MAX_EUR

EU_LINE_DUTY_EUR = Decimal(3)
EU_LINE_DUTY_FROM = date(2026, 7, 1)
DDP_COUNTRIES = frozenset({"CA", "DE", "GB"})
DDP_SERVICES = frozenset(
    {
        "ExpressMailInternational",
        "PriorityMailInternational",
        "FirstClassPackageInternationalService",
    }
)
DDP_FROM = date(2026, 1, 30)
DDP_FEE_USD = Decimal(0)
#: Standard VAT/GST rates (2026) of the destinations backers most often live in.
VAT_RATES: dict[str, Decimal] = {
    "AT": Decimal("0.20"), "BE": Decimal("0.21"), "BG": Decimal("0.20"), "HR": Decimal("0.25"),
    "CY": Decimal("0.19"), "CZ": Decimal("0.21"), "DK": Decimal("0.25"), "EE": Decimal("0.24"),
    "FI": Decimal("0.255"), "FR": Decimal("0.20"), "DE": Decimal("0.19"), "GR": Decimal("0.24"),
    "HU": Decimal("0.27"), "IE": Decimal("0.23"), "IT": Decimal("0.22"), "LV": Decimal("0.21"),
    "LT": Decimal("0.21"), "LU": Decimal("0.17"), "MT": Decimal("0.18"), "NL": Decimal("0.21"),
    "PL": Decimal("0.23"), "PT": Decimal("0.23"), "RO": Decimal("0.21"), "SK": Decimal("0.23"),
    "SI": Decimal("0.22"), "ES": Decimal("0.21"), "SE": Decimal("0.25"),
    "GB": Decimal("0.20"), "CA": Decimal("0.05"), "AU": Decimal("0.10"),
}  # fmt: skip
#: Canada: GST is charged on imports above CAD 40 (CUSMA courier threshold), at USD -> CAD.
CAD_PER_USD = Decimal("1.38")
CA_TAX_FREE_CAD = Decimal(40)
UK_SALE_VAT_MAX_GBP = Decimal(135)
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class DutyEstimate:
    """One parcel: what the backer pays on delivery (USD), and what the sender may prepay."""

    country: str
    value_usd: Decimal
    item_lines: int
    vat_usd: Decimal  # import VAT/GST the backer pays (0 when collected at sale / IOSS)
    duty_usd: Decimal  # the EU EUR 3-per-line duty (never covered by IOSS)
    ioss_covers_vat: bool
    ddp_available: bool
    notes: tuple[str, ...] = ()

    @property
    def backer_pays_usd(self) -> Decimal:
        return (self.vat_usd + self.duty_usd).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def ddp_cost_usd(self) -> Decimal | None:
        """What the sender pays to ship DDP (the backer then pays nothing), None if not offered."""
        if not self.ddp_available:
            return None
        return (self.backer_pays_usd + DDP_FEE_USD).quantize(CENT, rounding=ROUND_HALF_UP)


def ddp_available(country: str, service: str | None, on: date) -> bool:
    """USPS Delivered Duty Paid for this destination and service on `on`."""
    return (
        on >= DDP_FROM
        and country.upper() in DDP_COUNTRIES
        and (service is None or service in DDP_SERVICES)
    )


def estimate_duties(
    country: str,
    value_usd: Decimal,
    item_lines: int,
    *,
    has_ioss: bool,
    has_uk_vat: bool,
    on: date,
    service: str | None = None,
) -> DutyEstimate:
    """What a parcel to `country` declared at `value_usd` costs the backer on delivery."""
    country = country.upper()
    rate = VAT_RATES.get(country, Decimal(0))
    vat = Decimal(0)
    duty = Decimal(0)
    covers = False
    notes: list[str] = []
    if country in EU_COUNTRIES:
        low_value = value_usd * EUR_PER_USD <= IOSS_MAX_EUR
        covers = has_ioss and low_value
        if not covers:
            vat = value_usd * rate
            notes.append(
                "VAT is collected on delivery; a carrier handling fee of EUR 15-25 may apply"
            )
        if low_value and on >= EU_LINE_DUTY_FROM:
            duty = EU_LINE_DUTY_EUR * item_lines / EUR_PER_USD
            notes.append(f"EUR 3 customs duty per item line ({item_lines}); IOSS does not cover it")
        if not low_value:
            notes.append("over EUR 150: customs duty by tariff rate as well (not estimated)")
    elif country == "GB":
        if value_usd * GBP_PER_USD <= UK_SALE_VAT_MAX_GBP and has_uk_vat:
            notes.append("UK VAT collected at sale (seller's UK VAT number on the parcel)")
        else:
            vat = value_usd * rate
            notes.append("UK VAT is collected on delivery")
    elif country == "CA":
        if value_usd * CAD_PER_USD > CA_TAX_FREE_CAD:
            vat = value_usd * rate
            notes.append("GST on imports over CAD 40 (provincial tax may be added)")
    elif country == "AU":
        notes.append("GST on goods up to AUD 1,000 is collected at sale by registered sellers")
    elif rate:
        vat = value_usd * rate
    else:
        notes.append(f"no tax table for {country}: what the backer pays is not estimated")
    return DutyEstimate(
        country=country,
        value_usd=value_usd,
        item_lines=item_lines,
        vat_usd=vat.quantize(CENT, rounding=ROUND_HALF_UP),
        duty_usd=duty.quantize(CENT, rounding=ROUND_HALF_UP),
        ioss_covers_vat=covers,
        ddp_available=ddp_available(country, service, on),
        notes=tuple(notes),
    )

"""Which USPS international services are tracked to which destinations (desk table, 2026).

USPS tracks Priority Mail Express International everywhere and Priority Mail International to
almost every destination; First-Class Package International Service only to a list of
countries; First-Class Mail International (letters and flats) never. The lists follow USPS's
International Mail Manual country pages; check them again when USPS changes its list.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Where First-Class Package International Service carries end-to-end tracking.
FCPIS_TRACKED = frozenset(
    {"AU", "AT", "BE", "CA", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
     "IL", "IT", "JP", "LV", "LT", "LU", "MT", "NL", "NZ", "NO", "PL", "PT", "SK", "SI", "ES",
     "SE", "CH", "GB", "KR", "SG", "HK", "MX", "BR"}
)  # fmt: skip
#: Destinations where even Priority Mail International stops at departure from the US.
PMI_UNTRACKED = frozenset({"KP", "IR", "SY", "CU"})


@dataclass(frozen=True, slots=True)
class ServiceTracking:
    """One international service to one destination."""

    service: str
    country: str
    tracked: bool


def is_tracked(service: str, country: str) -> bool:
    """True when `service` has end-to-end tracking to `country`."""
    country = country.upper()
    if service == "ExpressMailInternational":
        return True
    if service == "PriorityMailInternational":
        return country not in PMI_UNTRACKED
    if service == "FirstClassPackageInternationalService":
        return country in FCPIS_TRACKED
    return False  # FirstClassMailInternational and anything unknown


def tracking_table(country: str, services: tuple[str, ...]) -> tuple[ServiceTracking, ...]:
    return tuple(ServiceTracking(s, country.upper(), is_tracked(s, country)) for s in services)

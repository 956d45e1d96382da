"""Just enough US geography for the sandbox: state centroids, USPS-like zones (ZIP3 -> state and
the domestic countries come from app.domain, as the app itself uses them)."""

from __future__ import annotations

import math

from app.domain.orders import DOMESTIC_COUNTRIES as ORDERS_DOMESTIC_COUNTRIES
from app.domain.us_zip import primary_state_for_zip, states_for_zip

# Approximate population centroids (lat, lon); military and territories near their gateways.
STATE_CENTROIDS: dict[str, tuple[float, float]] = {
    "AL": (32.8, -86.8), "AK": (61.4, -150.0), "AZ": (33.7, -111.9), "AR": (34.9, -92.4),
    "CA": (35.5, -119.4), "CO": (39.5, -105.2), "CT": (41.6, -72.7), "DE": (39.3, -75.5),
    "DC": (38.9, -77.0), "FL": (27.8, -81.6), "GA": (33.3, -84.0), "HI": (21.3, -157.8),
    "ID": (43.7, -115.7), "IL": (41.3, -88.4), "IN": (39.9, -86.3), "IA": (42.0, -93.2),
    "KS": (38.5, -97.0), "KY": (37.8, -85.2), "LA": (30.7, -91.5), "ME": (44.3, -69.8),
    "MD": (39.1, -76.8), "MA": (42.3, -71.5), "MI": (42.9, -84.2), "MN": (45.1, -93.6),
    "MS": (32.7, -89.7), "MO": (38.4, -92.2), "MT": (46.9, -110.4), "NE": (41.1, -97.3),
    "NV": (36.6, -115.6), "NH": (43.2, -71.6), "NJ": (40.4, -74.4), "NM": (34.8, -106.3),
    "NY": (41.5, -74.6), "NC": (35.6, -79.4), "ND": (47.5, -99.8), "OH": (40.4, -82.7),
    "OK": (35.6, -96.9), "OR": (44.6, -122.1), "PA": (40.5, -77.2), "RI": (41.7, -71.5),
    "SC": (33.9, -80.9), "SD": (44.3, -99.4), "TN": (35.8, -86.4), "TX": (31.1, -97.6),
    "UT": (40.2, -111.9), "VT": (44.1, -72.7), "VA": (37.8, -78.2), "WA": (47.4, -121.5),
    "WV": (38.5, -81.0), "WI": (44.3, -89.6), "WY": (42.8, -107.3), "PR": (18.2, -66.5),
    "VI": (18.3, -64.9), "GU": (13.4, 144.8), "AE": (40.7, -74.0), "AA": (25.8, -80.2),
    "AP": (37.8, -122.4),
}  # fmt: skip

#: Where USPS delivers as domestic mail: the app's own list (one source of truth).
DOMESTIC_COUNTRIES = ORDERS_DOMESTIC_COUNTRIES
_FAR_STATES = frozenset({"PR", "VI", "GU", "AE", "AA", "AP"})
_BIG_STATES = frozenset({"CA", "TX", "AK", "MT", "NV", "AZ", "NM", "OR", "CO", "FL"})

# International price groups 1-9 (USPS has its own; these are plausible, not official).
_COUNTRY_GROUPS: dict[str, int] = {
    "CA": 1, "MX": 2, "GB": 3, "IE": 3, "DE": 4, "FR": 4, "NL": 4, "BE": 4, "LU": 4,
    "IT": 5, "ES": 5, "PT": 5, "AT": 5, "CH": 5, "DK": 5, "SE": 5, "NO": 5, "FI": 5, "PL": 5,
    "AU": 6, "NZ": 6, "JP": 7, "KR": 7, "CN": 7, "HK": 7, "TW": 7, "SG": 7, "IN": 8, "BR": 8,
    "AR": 8, "CL": 8, "ZA": 9, "NG": 9, "EG": 9,
}  # fmt: skip


def zip5(zip_code: str) -> str:
    """The 5-digit part of a ZIP or ZIP+4, digits only ('' if it has none)."""
    digits = "".join(ch for ch in zip_code if ch.isdigit())
    return digits[:5]


def state_for_zip(zip_code: str) -> str | None:
    """The state a ZIP belongs to, or None for a malformed or unassigned ZIP."""
    five = zip5(zip_code)
    if len(five) != 5:
        return None
    return primary_state_for_zip(five)


def states_for_zip5(zip_code: str) -> frozenset[str]:
    """Every state a ZIP's prefix serves (border and territory prefixes serve several)."""
    five = zip5(zip_code)
    return states_for_zip(five) if len(five) == 5 else frozenset()


def country_group(country: str) -> int:
    """USPS-like international price group (1 cheapest .. 9)."""
    return _COUNTRY_GROUPS.get(country.upper(), 8)


def _miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 3959.0 * 2 * math.asin(math.sqrt(h))


def usps_zone(origin_zip: str, destination_zip: str) -> int:
    """A deterministic zone 1-9 from the two ZIPs (distance between state centroids)."""
    o5, d5 = zip5(origin_zip), zip5(destination_zip)
    o_state, d_state = state_for_zip(o5), state_for_zip(d5)
    if o_state is None or d_state is None:
        return 8
    if d_state in _FAR_STATES or o_state in _FAR_STATES:
        return 9 if o_state != d_state else 1
    if o5[:3] == d5[:3]:
        return 1
    if o_state == d_state:
        spread = abs(int(o5[:3]) - int(d5[:3]))
        if o_state in _BIG_STATES and spread > 20:
            return 4
        return 2 if spread <= 2 else 3
    miles = _miles(STATE_CENTROIDS[o_state], STATE_CENTROIDS[d_state])
    for zone, limit in ((2, 150), (3, 300), (4, 600), (5, 1000), (6, 1400), (7, 1800)):
        if miles <= limit:
            return zone
    return 8

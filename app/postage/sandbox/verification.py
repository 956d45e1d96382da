"""Address verification by rules: house number, known ZIP, ZIP in the right state; corrections."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from app.postage.sandbox.geo import (
    DOMESTIC_COUNTRIES,
    STATE_CENTROIDS,
    state_for_zip,
    states_for_zip5,
    zip5,
)

_SUFFIXES = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "ROAD": "RD",
    "DRIVE": "DR",
    "BOULEVARD": "BLVD",
    "LANE": "LN",
    "COURT": "CT",
    "PLACE": "PL",
    "TERRACE": "TER",
    "PARKWAY": "PKWY",
    "HIGHWAY": "HWY",
    "CIRCLE": "CIR",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "SUITE": "STE",
    "APARTMENT": "APT",
    "FLOOR": "FL",
}
_TIME_ZONES = {
    "CA": "America/Los_Angeles",
    "OR": "America/Los_Angeles",
    "WA": "America/Los_Angeles",
    "NV": "America/Los_Angeles",
    "AZ": "America/Phoenix",
    "CO": "America/Denver",
    "UT": "America/Denver",
    "NM": "America/Denver",
    "WY": "America/Denver",
    "MT": "America/Denver",
    "ID": "America/Boise",
    "TX": "America/Chicago",
    "IL": "America/Chicago",
    "MN": "America/Chicago",
    "MO": "America/Chicago",
    "AK": "America/Anchorage",
    "HI": "Pacific/Honolulu",
    "PR": "America/Puerto_Rico",
}


@dataclass(slots=True)
class Verification:
    """The outcome: EasyPost-style field errors and the corrected fields (when it succeeded)."""

    success: bool
    errors: list[dict[str, Any]] = field(default_factory=list)
    corrected: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] | None = None


def _error(
    code: str, field_name: str, message: str, suggestion: str | None = None
) -> dict[str, Any]:
    return {"code": code, "field": field_name, "message": message, "suggestion": suggestion}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def normalize_street(street: str) -> str:
    """Upper-case and abbreviate suffixes the way USPS CASS output looks."""
    words = re.sub(r"[.,]", " ", street.upper()).split()
    return " ".join(_SUFFIXES.get(word, word) for word in words)


_ORDINAL_FLOOR = re.compile(r"^(\d+)(?:ST|ND|RD|TH)?\s+(?:FL|FLOOR)$")


def fold_secondary(street1: str, street2: str) -> str:
    """street1 with the secondary line folded in, as USPS/EasyPost return it.

    EasyPost answers "388 Townsend St" + "Apt 20" with street1 "388 TOWNSEND ST APT 20" and an
    empty street2 (cassette test_address_verify); "5th Floor" becomes "# 5" (its examples).
    """
    first, second = normalize_street(street1), normalize_street(street2)
    if not second:
        return first
    floor = _ORDINAL_FLOOR.match(second)
    if floor:
        second = f"# {floor.group(1)}"
    return f"{first} {second}"


def verify(address: dict[str, Any]) -> Verification:
    """Verify `address` (EasyPost field names). Domestic: rules; international: presence only."""
    country = (_text(address.get("country")) or "US").upper()
    street1, city = _text(address.get("street1")), _text(address.get("city"))
    state, zip_code = _text(address.get("state")).upper(), _text(address.get("zip"))
    errors: list[dict[str, Any]] = []
    if country not in DOMESTIC_COUNTRIES:
        if not street1 or not city or len(country) != 2:
            errors.append(_error("E.ADDRESS.NOT_FOUND", "address", "Address not found"))
            return Verification(False, errors)
        abroad = {"street1": street1.upper(), "city": city.upper(), "country": country}
        return Verification(True, [], abroad, {})

    zip_state = state_for_zip(zip_code)
    if not street1:
        errors.append(_error("E.STREET.MISSING", "street1", "Street is missing"))
    elif not re.match(r"^\d", street1) and not street1.upper().startswith(("PO BOX", "P O BOX")):
        errors.append(_error("E.HOUSE_NUMBER.MISSING", "street1", "House number is missing"))
    if zip_state is None:
        errors.append(_error("E.ZIP.NOT_FOUND", "zip", "ZIP code not found"))
    elif state and state not in states_for_zip5(zip_code):
        errors.append(
            _error("E.ZIP.INVALID", "zip", f"ZIP code does not belong to {state}", zip_state)
        )
    if not state and not city and zip_state is None:
        errors.append(_error("E.CITY_STATE.INVALID", "city", "City/state is missing"))
    if errors:
        return Verification(
            False, [_error("E.ADDRESS.NOT_FOUND", "address", "Address not found"), *errors]
        )
    assert zip_state is not None
    five = zip5(zip_code)
    plus4 = int(hashlib.sha256(f"{street1.upper()}|{five}".encode()).hexdigest()[:8], 16) % 9999
    lat, lon = STATE_CENTROIDS.get(zip_state, (39.8, -98.6))
    corrected: dict[str, Any] = {
        "street1": fold_secondary(street1, _text(address.get("street2"))),
        "street2": "",
        "city": city.upper(),
        "state": zip_state,
        "zip": f"{five}-{plus4 + 1:04d}",
        "country": country,
        "name": _text(address.get("name")).upper() or None,
        "company": _text(address.get("company")).upper() or None,
        "residential": not bool(_text(address.get("company"))),
    }
    details = {
        "latitude": round(lat + (int(five) % 97) / 1000, 5),
        "longitude": round(lon - (int(five) % 89) / 1000, 5),
        "time_zone": _TIME_ZONES.get(zip_state, "America/New_York"),
    }
    return Verification(True, [], corrected, details)

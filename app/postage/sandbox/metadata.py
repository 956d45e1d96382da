"""Carrier metadata (GET /metadata/carriers) and stateless rates (POST /beta/rates)."""

from __future__ import annotations

from typing import Any

from app.domain.usps_services import SERVICES
from app.postage.sandbox import objects as ob
from app.postage.sandbox.api import Query, Result, query_value, unwrap
from app.postage.sandbox.objects import JsonObj, SandboxApiError, field_error
from app.postage.sandbox.orders import OrdersApi
from app.postage.sandbox.rates import (
    INTERNATIONAL_LIMITS_OZ,
    KNOWN_PACKAGES,
    LETTER_PACKAGES,
    MAX_WEIGHT_OZ,
)
from app.postage.sandbox.transit import time_in_transit

_TYPES = ("service_levels", "predefined_packages")
_TYPICAL_DAYS = {
    "Express": 1,
    "Priority": 2,
    "GroundAdvantage": 4,
    "MediaMail": 6,
    "LibraryMail": 6,
    "First": 3,
    "FirstClassMailInternational": 14,
    "FirstClassPackageInternationalService": 14,
    "PriorityMailInternational": 8,
    "ExpressMailInternational": 4,
}


def _service_level(code: str) -> JsonObj:
    service = SERVICES[code]
    days = time_in_transit(code, _TYPICAL_DAYS.get(code, 3))
    max_weight = 13.0 if service.letters_only else INTERNATIONAL_LIMITS_OZ.get(code, MAX_WEIGHT_OZ)
    return {
        "carrier": "usps",
        "description": f"{days['percentile_50']}-{days['percentile_95']} business days",
        "dimensions": (
            ["Cards, Letters and Flats only (no Parcels)"]
            if service.letters_only
            else ["Combined Length and Girth < 108in"]
        ),
        "human_readable": service.title,
        "max_weight": float(max_weight),
        "name": code,
    }


def _package(name: str) -> JsonObj:
    return {
        "carrier": "usps",
        "description": "Letters, cards and flats" if name in LETTER_PACKAGES else None,
        "dimensions": [],
        "human_readable": None,
        "max_weight": None,
        "name": name,
    }


def carrier_metadata(types: set[str]) -> JsonObj:
    """The sandbox's one carrier (USPS) in EasyPost's metadata shape, filtered by `types`."""
    body: JsonObj = {"human_readable": "USPS", "name": "usps"}
    if "predefined_packages" in types:
        body["predefined_packages"] = [_package(name) for name in sorted(KNOWN_PACKAGES)]
    if "service_levels" in types:
        body["service_levels"] = [_service_level(code) for code in SERVICES]
    return body


class MetadataApi(OrdersApi):
    """What carriers and services exist, and rates without creating a shipment."""

    def carrier_metadata(self, body: JsonObj, query: Query) -> Result:
        carriers = {c.strip().lower() for c in (query_value(query, "carriers") or "").split(",")}
        carriers.discard("")
        types = {t.strip().lower() for t in (query_value(query, "types") or "").split(",")}
        types.discard("")
        unknown = sorted(types - set(_TYPES))
        if unknown:
            raise SandboxApiError(
                422,
                "PARAMETER.INVALID",
                "Invalid parameter.",
                [field_error("types", f"unknown type(s): {', '.join(unknown)}")],
            )
        if carriers and "usps" not in carriers:
            return 200, {"carriers": []}
        return 200, {"carriers": [carrier_metadata(types or set(_TYPES))]}

    def beta_rates(self, body: JsonObj, query: Query) -> Result:
        fields = unwrap(body, "shipment")
        missing = [n for n in ("to_address", "from_address", "parcel") if not fields.get(n)]
        if missing:
            raise SandboxApiError(
                422,
                "SHIPMENT.INVALID_PARAMS",
                "Unable to create shipment, one or more parameters were invalid.",
                [{name: "Required and missing."} for name in missing],
            )
        with self.store.lock:
            ts = self._now()
            probe: dict[str, Any] = {
                "id": "",
                "to_address": ob.address_body(_inline(fields["to_address"]), ts),
                "from_address": ob.address_body(_inline(fields["from_address"]), ts),
                "parcel": ob.parcel_body(_inline(fields["parcel"]), ts),
                "options": dict(fields.get("options") or {}),
            }
            self._rate(probe, ts)
            rates = []
            for rate in probe["rates"]:
                self.store.objects["rates"].pop(rate["id"], None)  # stateless: nothing is kept
                rates.append(
                    {
                        k: v
                        for k, v in rate.items()
                        if k not in ("id", "shipment_id", "created_at", "updated_at")
                    }
                )
        return 200, {"rates": rates, "messages": probe["messages"]}


def _inline(value: Any) -> JsonObj:
    """Stateless rating takes objects inline only (no ids)."""
    if not isinstance(value, dict) or (set(value) == {"id"}):
        raise SandboxApiError(
            422,
            "SHIPMENT.INVALID_PARAMS",
            "Stateless rates take addresses and parcels inline, not by id.",
        )
    return value

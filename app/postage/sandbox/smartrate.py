"""SmartRate on the sandbox: time-in-transit percentiles, delivery-date and ship-date estimates."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.postage.sandbox.api import Query, Result, query_value
from app.postage.sandbox.geo import DOMESTIC_COUNTRIES
from app.postage.sandbox.objects import JsonObj, SandboxApiError, field_error
from app.postage.sandbox.shipments import ShipmentsApi
from app.postage.sandbox.transit import (
    add_delivery_days,
    delivery_days_between,
    on_time_confidence,
    ship_on_date,
    time_in_transit,
)

#: SmartRate's rate shape: money as numbers, no billing_type (EasyPost's documented example).
_NUMBER_FIELDS = ("rate", "list_rate", "retail_rate")
_DROPPED = ("billing_type",)


def smart_rate(rate: JsonObj) -> JsonObj:
    """A shipment rate as SmartRate shows it (money as numbers), without time_in_transit."""
    body: dict[str, Any] = {k: v for k, v in rate.items() if k not in _DROPPED}
    for name in _NUMBER_FIELDS:
        if body.get(name) is not None:
            body[name] = float(body[name])
    return body


def _date_param(query: Query, name: str) -> date:
    raw = query_value(query, name) or ""
    try:
        return date.fromisoformat(raw[:10])
    except ValueError as error:
        raise SandboxApiError(
            422,
            "PARAMETER.INVALID",
            "Invalid parameter.",
            [field_error(name, "must be a date in YYYY-MM-DD format")],
        ) from error


class SmartRateApi(ShipmentsApi):
    """GET /shipments/:id/smartrate, .../smartrate/delivery_date, .../precision_shipping."""

    def _smart_shipment(self, shipment_id: str) -> JsonObj:
        shipment = self._get("shipments", shipment_id)
        country = str(shipment["to_address"].get("country") or "US").upper()
        if country not in DOMESTIC_COUNTRIES:
            raise SandboxApiError(
                422,
                "SHIPMENT.SMARTRATE.UNAVAILABLE",
                "SmartRate is only available for domestic US shipments.",
                [field_error("to_address.country", "must be a US destination")],
            )
        return shipment

    def shipment_smartrate(self, body: JsonObj, query: Query, shipment_id: str) -> Result:
        with self.store.lock:
            shipment = self._smart_shipment(shipment_id)
            result = []
            for rate in shipment["rates"]:
                smart = smart_rate(rate)
                smart["time_in_transit"] = time_in_transit(rate["service"], rate["delivery_days"])
                result.append(smart)
            return 200, {"result": result}

    def shipment_delivery_date(self, body: JsonObj, query: Query, shipment_id: str) -> Result:
        planned = _date_param(query, "planned_ship_date")
        with self.store.lock:
            shipment = self._smart_shipment(shipment_id)
            rates = []
            for rate in shipment["rates"]:
                percentiles = time_in_transit(rate["service"], rate["delivery_days"])
                estimate = add_delivery_days(planned, percentiles["percentile_50"])
                rates.append(
                    {
                        "easypost_time_in_transit_data": {
                            "days_in_transit": percentiles,
                            "easypost_estimated_delivery_date": estimate.isoformat(),
                            "planned_ship_date": planned.isoformat(),
                        },
                        "rate": smart_rate(rate),
                    }
                )
            return 200, {"rates": rates}

    def shipment_precision_shipping(self, body: JsonObj, query: Query, shipment_id: str) -> Result:
        desired = _date_param(query, "desired_delivery_date")
        today = self.clock.now().date()
        if desired <= today:
            raise SandboxApiError(
                422,
                "PARAMETER.INVALID",
                "Invalid parameter.",
                [field_error("desired_delivery_date", "must be in the future")],
            )
        with self.store.lock:
            shipment = self._smart_shipment(shipment_id)
            rates = []
            for rate in shipment["rates"]:
                percentiles = time_in_transit(rate["service"], rate["delivery_days"])
                transit = percentiles["percentile_75"]
                ship_on = ship_on_date(desired, transit, today)
                available = delivery_days_between(ship_on, desired)
                rates.append(
                    {
                        "easypost_time_in_transit_data": {
                            "days_in_transit": percentiles,
                            "delivery_date_confidence": on_time_confidence(percentiles, available),
                            "desired_delivery_date": desired.isoformat(),
                            "estimated_transit_days": transit,
                            "ship_on_date": ship_on.isoformat(),
                        },
                        "rate": smart_rate(rate),
                    }
                )
            return 200, {"rates": rates}

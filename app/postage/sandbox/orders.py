"""Multi-parcel orders on the sandbox: POST /orders, retrieve, rates, buy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.postage.sandbox.api import Query, Result, unwrap
from app.postage.sandbox.clock import iso_z
from app.postage.sandbox.insurances import InsurancesApi
from app.postage.sandbox.objects import JsonObj, SandboxApiError, field_error
from app.postage.sandbox.shipment_extras import blank_to_null
from app.postage.sandbox.store import new_id

_ORDER_INVALID = "Unable to create order, one or more parameters were invalid."


def _order_rates(shipments: list[JsonObj]) -> list[JsonObj]:
    """One rate per service every parcel can take; the price is the sum over the parcels."""
    if not shipments:
        return []
    services = [rate["service"] for rate in shipments[0]["rates"]]
    rates: list[JsonObj] = []
    for service in services:
        parts = [next((r for r in s["rates"] if r["service"] == service), None) for s in shipments]
        if any(part is None for part in parts):
            continue
        first = dict(parts[0] or {})
        for name in ("rate", "list_rate", "retail_rate"):
            total = sum((Decimal(str((p or {}).get(name) or 0)) for p in parts), Decimal(0))
            first[name] = str(total.quantize(Decimal("0.01")))
        first.update(created_at=None, updated_at=None)
        rates.append(first)
    return rates


class OrdersApi(InsurancesApi):
    """Orders: several parcels to one address, rated and bought together."""

    def order_create(self, body: JsonObj, query: Query) -> Result:
        fields = blank_to_null(unwrap(body, "order"))
        parcels = fields.get("shipments")
        if not isinstance(parcels, list) or not parcels:
            raise SandboxApiError(
                422, "ORDER.INVALID_PARAMS", _ORDER_INVALID, [field_error("shipments", "Required")]
            )
        missing = [name for name in ("to_address", "from_address") if not fields.get(name)]
        if missing:
            raise SandboxApiError(
                422,
                "ORDER.INVALID_PARAMS",
                _ORDER_INVALID,
                [field_error(name, "Required and missing.") for name in missing],
            )
        with self.store.lock:
            ts = self._now()
            to_address = self._resolve(
                "addresses", fields["to_address"], "to_address", lambda v: self._new_address(v, ts)
            )
            from_address = self._resolve(
                "addresses",
                fields["from_address"],
                "from_address",
                lambda v: self._new_address(v, ts),
            )
            order_id = new_id("order")
            shipments: list[JsonObj] = []
            for raw in parcels:
                part: dict[str, Any] = dict(raw) if isinstance(raw, dict) else {}
                part.setdefault("to_address", {"id": to_address["id"]})
                part.setdefault("from_address", {"id": from_address["id"]})
                for shared in ("customs_info", "tax_identifiers", "reference", "is_return"):
                    if fields.get(shared) is not None:
                        part.setdefault(shared, fields[shared])
                options = {**(fields.get("options") or {}), **(part.get("options") or {})}
                part["options"] = options
                shipment = self._new_shipment(part, ts)
                shipment["order_id"] = order_id
                shipments.append(shipment)
            order: JsonObj = {
                "mode": "test",
                "reference": fields.get("reference"),
                "is_return": bool(fields.get("is_return")),
                "options": {"currency": "USD", "payment": {"type": "SENDER"}}
                | dict(fields.get("options") or {}),
                "messages": [m for s in shipments for m in s["messages"]],
                "created_at": iso_z(ts),
                "updated_at": iso_z(ts),
                "customs_info": shipments[0]["customs_info"],
                "from_address": from_address,
                "to_address": to_address,
                "buyer_address": to_address,
                "return_address": from_address,
                "shipment_ids": [s["id"] for s in shipments],
                "id": order_id,
                "object": "Order",
            }
            self.store.objects["orders"][order_id] = order
            self._created(order_id, ts)
            return 201, self.render_order(order)

    def _order_shipments(self, order: JsonObj) -> list[JsonObj]:
        return [self.store.objects["shipments"][sid] for sid in order["shipment_ids"]]

    def render_order(self, order: JsonObj) -> JsonObj:
        body = {k: v for k, v in order.items() if k != "shipment_ids"}
        shipments = self._order_shipments(order)
        body["shipments"] = [self.render_shipment(s) for s in shipments]
        body["rates"] = _order_rates(shipments)
        return body

    def order_retrieve(self, body: JsonObj, query: Query, order_id: str) -> Result:
        with self.store.lock:
            return 200, self.render_order(self._get("orders", order_id))

    def order_rates(self, body: JsonObj, query: Query, order_id: str) -> Result:
        with self.store.lock:
            order = self._get("orders", order_id)
            ts = self._now()
            for shipment in self._order_shipments(order):
                if not shipment.get("postage_label"):
                    self._rate(shipment, ts)
            return 200, self.render_order(order)

    def order_buy(self, body: JsonObj, query: Query, order_id: str) -> Result:
        with self.store.lock:
            order = self._get("orders", order_id)
            shipments = self._order_shipments(order)
            service = body.get("service")
            rate_ref = body.get("rate")
            if isinstance(rate_ref, dict) and rate_ref.get("id"):
                chosen = self.store.objects["rates"].get(str(rate_ref["id"]))
                service = chosen["service"] if chosen else None
            if any(s.get("postage_label") for s in shipments):
                raise SandboxApiError(
                    422, "ORDER.POSTAGE.EXISTS", "Postage already exists for this order."
                )
            picked = [
                next((r for r in s["rates"] if r["service"] == service), None) for s in shipments
            ]
            if not service or any(rate is None for rate in picked):
                raise SandboxApiError(
                    422,
                    "ORDER.POSTAGE.FAILURE",
                    "A valid carrier and service must be supplied to buy an order.",
                    [field_error("service", f"{service or '(none)'} is not available")],
                )
            if self.api_key_kind == "no_funds":
                raise SandboxApiError(
                    402,
                    "PAYMENT.REQUIRED",
                    "Insufficient funds. Please add funds to your EasyPost wallet.",
                )
            problems = [p for s in shipments for p in self.purchase_problems(s)]
            if problems:
                raise SandboxApiError(
                    422, "ORDER.POSTAGE.FAILURE", "Unable to buy this order.", problems
                )
            ts = self._now()
            for shipment, rate in zip(shipments, picked, strict=True):
                assert rate is not None
                self._buy(shipment, rate, None, ts, source="order")
            order["updated_at"] = iso_z(ts)
            rendered = self.render_order(order)
        self.sleep(self.faults.slow_label_s)
        return 200, rendered

"""USPS pickups: create with a window and instructions, NextDay rate, buy, cancel."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from app.postage.sandbox.api import Query, Result, unwrap
from app.postage.sandbox.clock import iso_z, parse_iso
from app.postage.sandbox.objects import JsonObj, SandboxApiError, field_error
from app.postage.sandbox.store import new_id
from app.postage.sandbox.workflows import BatchesApi


class PickupsApi(BatchesApi):
    """Pickups."""

    # -- pickups ------------------------------------------------------------------------------

    def pickup_create(self, body: JsonObj, query: Query) -> Result:
        fields = unwrap(body, "pickup")
        with self.store.lock:
            ts = self._now()
            errors = []
            start = parse_iso(str(fields.get("min_datetime") or ""))
            end = parse_iso(str(fields.get("max_datetime") or ""))
            if start is None:
                errors.append(field_error("min_datetime", "is required (ISO date or datetime)"))
            if end is None:
                errors.append(field_error("max_datetime", "is required (ISO date or datetime)"))
            if start is not None and end is not None and end < start:
                errors.append(field_error("max_datetime", "must not be before min_datetime"))
            address_value = fields.get("address")
            if not isinstance(address_value, dict) or not address_value:
                errors.append(field_error("address", "Required and missing."))
            shipment_ref = self._ref_id(fields.get("shipment"))
            batch_ref = self._ref_id(fields.get("batch"))
            if not shipment_ref and not batch_ref:
                errors.append(field_error("shipment", "a shipment or a batch is required"))
            if errors:
                raise SandboxApiError(
                    422,
                    "PICKUP.INVALID_PARAMS",
                    "Unable to create pickup, one or more parameters were invalid.",
                    errors,
                )
            if shipment_ref:
                self._get("shipments", shipment_ref)
            if batch_ref:
                self._get("batches", batch_ref)
            assert start is not None and end is not None and isinstance(address_value, dict)
            address = self._resolve(
                "addresses", address_value, "address", lambda v: self._new_address(v, ts)
            )
            pickup_id = new_id("pickup")
            messages: list[JsonObj] = []
            rates: list[JsonObj] = []
            if self._pickup_day_available(start, end, ts):
                rates.append(
                    {
                        "mode": "test",
                        "service": "NextDay",
                        "rate": "0.00",
                        "currency": "USD",
                        "created_at": iso_z(ts),
                        "updated_at": iso_z(ts),
                        "carrier": "USPS",
                        "pickup_id": pickup_id,
                        "id": new_id("pickuprate"),
                        "object": "PickupRate",
                    }
                )
            else:
                messages.append(
                    {
                        "carrier": "USPS",
                        "carrier_account_id": None,
                        "type": "rate_error",
                        "message": "USPS picks up on the next "
                        "business day (not Sundays or past dates); widen the window.",
                    }
                )
            pickup: JsonObj = {
                "id": pickup_id,
                "object": "Pickup",
                "created_at": iso_z(ts),
                "updated_at": iso_z(ts),
                "mode": "test",
                "status": "unknown",
                "reference": fields.get("reference") or None,  # "" -> null, as EasyPost
                "min_datetime": iso_z(start),
                "max_datetime": iso_z(end),
                "is_account_address": bool(fields.get("is_account_address")),
                "instructions": fields.get("instructions"),
                "messages": messages,
                "confirmation": None,
                "address": address,
                "carrier_accounts": [],
                "pickup_rates": rates,
            }
            self.store.objects["pickups"][pickup_id] = pickup
            self._created(pickup_id, ts)
            return 200, pickup

    @staticmethod
    def _pickup_day_available(start: float, end: float, now: float) -> bool:
        """USPS picks up on a later day than today, Monday to Saturday."""
        today = datetime.fromtimestamp(now, UTC).date()
        day = datetime.fromtimestamp(start, UTC).date()
        last = datetime.fromtimestamp(end, UTC).date()
        while day <= last:
            if day > today and day.weekday() != 6:
                return True
            day += timedelta(days=1)
        return False

    def pickup_buy(self, body: JsonObj, query: Query, pickup_id: str) -> Result:
        with self.store.lock:
            ts = self._now()
            pickup = self._get("pickups", pickup_id)
            if pickup["status"] != "unknown":
                raise SandboxApiError(
                    422, "PICKUP.BUY.FAILURE", f"This pickup is already {pickup['status']}."
                )
            rate_ref = self._ref_id(body.get("rate"))
            rate = next(
                (
                    r
                    for r in pickup["pickup_rates"]
                    if r["id"] == rate_ref
                    or (r["carrier"] == body.get("carrier") and r["service"] == body.get("service"))
                ),
                None,
            )
            if rate is None:
                raise SandboxApiError(
                    422,
                    "PICKUP.BUY.FAILURE",
                    "Choose one of the pickup's rates (carrier and service, e.g. USPS NextDay).",
                    [field_error("service", "is not a rate of this pickup")],
                )
            digest = hashlib.sha256(pickup_id.encode()).hexdigest()
            confirmation = f"WTC{int(digest[:12], 16) % 10**8:08d}"
            pickup.update(status="scheduled", confirmation=confirmation, updated_at=iso_z(ts))
            self.store.ledger.append(
                {
                    "event": "pickup_scheduled",
                    "at": iso_z(ts),
                    "pickup_id": pickup_id,
                    "amount": rate["rate"],
                    "confirmation": confirmation,
                }
            )
            return 200, pickup

    def pickup_cancel(self, body: JsonObj, query: Query, pickup_id: str) -> Result:
        with self.store.lock:
            ts = self._now()
            pickup = self._get("pickups", pickup_id)
            if pickup["status"] == "canceled":
                raise SandboxApiError(
                    422, "PICKUP.CANCEL.FAILURE", "This pickup is already canceled."
                )
            pickup.update(status="canceled", updated_at=iso_z(ts))
            self.store.ledger.append(
                {"event": "pickup_canceled", "at": iso_z(ts), "pickup_id": pickup_id}
            )
            return 200, pickup

    def pickup_retrieve(self, body: JsonObj, query: Query, pickup_id: str) -> Result:
        with self.store.lock:
            return 200, self._get("pickups", pickup_id)

    def pickup_list(self, body: JsonObj, query: Query) -> Result:
        return self._paginate("pickups", "pickups", query)

"""Standalone insurance on the sandbox: POST /insurances, list, retrieve, refund."""

from __future__ import annotations

from decimal import Decimal

from app.postage.sandbox import objects as ob
from app.postage.sandbox.api import Query, Result, unwrap
from app.postage.sandbox.clock import iso_z
from app.postage.sandbox.end_shippers import EndShippersApi
from app.postage.sandbox.objects import JsonObj, SandboxApiError, field_error
from app.postage.sandbox.shipment_extras import blank_to_null
from app.postage.sandbox.store import new_id
from app.postage.sandbox.trackers import new_tracker

#: EasyPost charges 0.5 % of the insured amount (its documented example: 100.00 -> 0.50).
FEE_RATE = Decimal("0.005")
MAX_AMOUNT = Decimal("5000")


class InsurancesApi(EndShippersApi):
    """Insurance for parcels shipped outside EasyPost (or bought earlier)."""

    def _insurance_tracker(self, code: str, carrier: str, ts: float) -> JsonObj:
        for tracker in self.store.objects["trackers"].values():
            if tracker["tracking_code"] == code:
                return tracker
        tracker_id = new_id("trk")
        tracker = new_tracker(tracker_id, code, None, ts)
        tracker["carrier"] = carrier
        self.store.objects["trackers"][tracker_id] = tracker
        self._created(tracker_id, ts)
        return tracker

    def insurance_create(self, body: JsonObj, query: Query) -> Result:
        fields = blank_to_null(unwrap(body, "insurance"))
        problems = [
            field_error(f"insurance.{name}", "cannot be blank")
            for name in ("to_address", "from_address", "tracking_code", "carrier", "amount")
            if not fields.get(name)
        ]
        amount_value = ob.to_float(fields.get("amount"), "insurance.amount")
        if amount_value is not None and not 0 < amount_value <= float(MAX_AMOUNT):
            problems.append(
                field_error("insurance.amount", f"must be greater than 0 and at most {MAX_AMOUNT}")
            )
        if problems:
            raise SandboxApiError(
                422,
                "INSURANCE.INVALID_PARAMS",
                "Unable to create insurance, one or more parameters were invalid.",
                problems,
            )
        amount = Decimal(str(amount_value))
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
            # EasyPost verifies both addresses of an insurance (its example shows them verified).
            to_address, _ = self._verified_copy(to_address)
            from_address, _ = self._verified_copy(from_address)
            code = str(fields["tracking_code"]).strip()
            carrier = str(fields["carrier"]).strip().upper()
            tracker = self._insurance_tracker(code, carrier, ts)
            shipment_id = tracker.get("shipment_id")
            insurance: JsonObj = {
                "id": new_id("ins"),
                "object": "Insurance",
                "mode": "test",
                "reference": fields.get("reference"),
                "status": "pending",
                "amount": ob.money(amount, 5),
                "provider": "easypost",
                "provider_id": None,
                "to_address": to_address,
                "from_address": from_address,
                "shipment_id": shipment_id,
                "tracker": tracker,
                "tracking_code": code,
                "fee": ob.fee("InsuranceFee", amount * FEE_RATE),
                "messages": [],
                "created_at": iso_z(ts),
                "updated_at": iso_z(ts),
            }
            self.store.objects["insurances"][insurance["id"]] = insurance
            self._created(insurance["id"], ts)
            self.store.ledger.append(
                {
                    "event": "insurance",
                    "at": iso_z(ts),
                    "insurance_id": insurance["id"],
                    "shipment_id": shipment_id,
                    "tracking_code": code,
                    "amount": insurance["fee"]["amount"],
                    "insurance": insurance["amount"],
                }
            )
            return 201, self._render_insurance(insurance)

    def _render_insurance(self, insurance: JsonObj) -> JsonObj:
        """Pending insurance is purchased once the sandbox's batch delay (batch_s) has passed."""
        body = dict(insurance)
        created = self.store.meta.get(insurance["id"], {}).get("created_ts", self._now())
        if body["status"] == "pending" and self._now() - created >= self.timings.batch_s:
            body["status"] = "purchased"
        tracker_id = (insurance.get("tracker") or {}).get("id")
        if tracker_id in self.store.objects["trackers"]:
            body["tracker"] = self.render_tracker_by_id(tracker_id)
        return body

    def insurance_retrieve(self, body: JsonObj, query: Query, insurance_id: str) -> Result:
        with self.store.lock:
            return 200, self._render_insurance(self._get("insurances", insurance_id))

    def insurance_list(self, body: JsonObj, query: Query) -> Result:
        return self._paginate(
            "insurances", "insurances", query, render=lambda ins: self._render_insurance(ins)
        )

    def insurance_refund(self, body: JsonObj, query: Query, insurance_id: str) -> Result:
        with self.store.lock:
            insurance = self._get("insurances", insurance_id)
            if insurance["status"] == "cancelled":
                raise SandboxApiError(
                    422,
                    "INSURANCE.REFUND.FAILURE",
                    "This insurance has already been cancelled.",
                )
            ts = self._now()
            insurance.update(
                status="cancelled",
                messages=["Insurance was cancelled by the user."],
                updated_at=iso_z(ts),
            )
            self.store.ledger.append(
                {
                    "event": "insurance_refund",
                    "at": iso_z(ts),
                    "insurance_id": insurance_id,
                    "tracking_code": insurance["tracking_code"],
                    "amount": insurance["fee"]["amount"],
                }
            )
            return 200, self._render_insurance(insurance)

"""Refunds: per shipment and in bulk, submitted -> refunded on the clock, or rejected."""

from __future__ import annotations

from app.postage.sandbox.api import Query, Result, unwrap
from app.postage.sandbox.clock import iso_z
from app.postage.sandbox.objects import JsonObj, SandboxApiError, field_error
from app.postage.sandbox.shipments import ShipmentsApi
from app.postage.sandbox.store import new_id


class RefundsApi(ShipmentsApi):
    """Refund requests and their completion."""

    # -- refunds ------------------------------------------------------------------------------

    def _refund_blocker(self, shipment: JsonObj) -> str | None:
        """Why USPS would reject a refund of this label, or None."""
        if self.store.meta.get(shipment["id"], {}).get("scan_form_id"):
            return "on_scan_form"
        tracker_id = (shipment.get("tracker") or {}).get("id")
        if tracker_id and self.render_tracker_by_id(tracker_id)["status"] != "pre_transit":
            return "scanned"
        return None

    def _request_refund(self, shipment: JsonObj, ts: float) -> tuple[str, str | None]:
        """Submit (or reject) a refund; returns (status, why-rejected). Idempotent."""
        if shipment.get("refund_status") in ("submitted", "refunded"):
            return shipment["refund_status"], None
        blocker = self._refund_blocker(shipment)
        status = "rejected" if blocker else "submitted"
        shipment["refund_status"] = status
        shipment["updated_at"] = iso_z(ts)
        self.store.ledger.append(
            {
                "event": "refund_rejected" if blocker else "refund_submitted",
                "at": iso_z(ts),
                "shipment_id": shipment["id"],
                "tracking_code": shipment["tracking_code"],
                "amount": (shipment.get("selected_rate") or {}).get("rate"),
                "reason": blocker,
            }
        )
        if not blocker:
            self.store.schedule(ts + self.timings.refund_s, shipment["id"])
            self.store.meta[shipment["id"]]["refund_pending"] = True
        return status, blocker

    def shipment_refund(self, body: JsonObj, query: Query, shipment_id: str) -> Result:
        with self.store.lock:
            shipment = self._get("shipments", shipment_id)
            if not shipment.get("postage_label"):
                raise SandboxApiError(
                    422,
                    "SHIPMENT.REFUND.UNAVAILABLE",
                    "This shipment has no postage label to refund.",
                )
            self._request_refund(shipment, self._now())
            return 200, self.render_shipment(shipment)

    def _refund_body(
        self, refund_id: str, shipment: JsonObj | None, code: str, status: str, ts: float
    ) -> JsonObj:
        return {
            "id": refund_id,
            "object": "Refund",
            "created_at": iso_z(ts),
            "updated_at": iso_z(ts),
            "tracking_code": code,
            "confirmation_number": None,
            "status": status,
            "carrier": "USPS",
            "shipment_id": shipment["id"] if shipment else None,
        }

    def refund_create(self, body: JsonObj, query: Query) -> Result:
        fields = unwrap(body, "refund")
        codes = fields.get("tracking_codes") or []
        if not isinstance(codes, list):
            codes = [part.strip() for part in str(codes).split(",") if part.strip()]
        if not codes:
            raise SandboxApiError(
                422,
                "PARAMETER.REQUIRED",
                "Missing required parameter.",
                [field_error("refund.tracking_codes", "cannot be blank")],
            )
        with self.store.lock:
            ts = self._now()
            by_code = {
                s.get("tracking_code"): s
                for s in self.store.objects["shipments"].values()
                if s.get("tracking_code")
            }
            refunds = []
            for code in codes:
                shipment = by_code.get(str(code))
                refund_id = new_id("rfnd")
                if shipment is None:
                    refund = self._refund_body(refund_id, None, str(code), "not_applicable", ts)
                else:
                    status, _ = self._request_refund(shipment, ts)
                    refund = self._refund_body(refund_id, shipment, str(code), status, ts)
                    self.store.meta.setdefault(shipment["id"], {}).setdefault(
                        "refund_ids", []
                    ).append(refund_id)
                self.store.objects["refunds"][refund_id] = refund
                self._created(refund_id, ts)
                refunds.append(refund)
            return 201, refunds

    def refund_retrieve(self, body: JsonObj, query: Query, refund_id: str) -> Result:
        with self.store.lock:
            return 200, self._get("refunds", refund_id)

    def refund_list(self, body: JsonObj, query: Query) -> Result:
        return self._paginate("refunds", "refunds", query)

    def complete_refund(self, shipment: JsonObj, ts: float) -> None:
        """The clock came round: a submitted refund is now refunded (fees marked refunded)."""
        meta = self.store.meta.get(shipment["id"], {})
        if not meta.pop("refund_pending", False) or shipment.get("refund_status") != "submitted":
            return
        shipment["refund_status"] = "refunded"
        shipment["updated_at"] = iso_z(ts)
        for fee_body in shipment.get("fees") or []:
            fee_body["refunded"] = True
        for refund_id in meta.get("refund_ids", []):
            refund = self.store.objects["refunds"].get(refund_id)
            if refund is not None:
                refund.update(status="refunded", updated_at=iso_z(ts))
        self.store.ledger.append(
            {
                "event": "refund_completed",
                "at": iso_z(ts),
                "shipment_id": shipment["id"],
                "tracking_code": shipment["tracking_code"],
                "amount": (shipment.get("selected_rate") or {}).get("rate"),
            }
        )

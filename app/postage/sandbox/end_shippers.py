"""End shippers on the sandbox: create, list, retrieve, update, and `end_shipper_id` on buy."""

from __future__ import annotations

from app.postage.sandbox.api import Query, Result, unwrap
from app.postage.sandbox.clock import iso_offset
from app.postage.sandbox.objects import JsonObj, SandboxApiError, field_error
from app.postage.sandbox.shipment_extras import ShipmentExtrasApi
from app.postage.sandbox.store import new_id
from app.postage.sandbox.verification import normalize_street, verify

#: EasyPost requires every one of these on an end shipper (create and update alike).
REQUIRED = ("name", "company", "street1", "city", "state", "zip", "country", "phone", "email")
_SHOWN = ("name", "company", "street1", "street2", "city", "state", "zip", "country")


def _end_shipper_fields(fields: JsonObj) -> JsonObj:
    missing = [name for name in REQUIRED if not str(fields.get(name) or "").strip()]
    if missing:
        raise SandboxApiError(
            422,
            "END_SHIPPER.INVALID_PARAMS",
            "Unable to save end shipper, one or more parameters were invalid.",
            [field_error(f"address.{name}", "cannot be blank") for name in missing],
        )
    checked = verify(fields)
    out = {name: str(fields.get(name) or "").strip().upper() for name in _SHOWN}
    if checked.success:
        out.update({k: str(v) for k, v in checked.corrected.items() if k in _SHOWN and v})
        out["street2"] = str(checked.corrected.get("street2") or "")
    else:
        out["street1"] = normalize_street(out["street1"])
    out["phone"] = str(fields.get("phone")).strip()
    out["email"] = str(fields.get("email")).strip().upper()
    return out


class EndShippersApi(ShipmentExtrasApi):
    """/end_shippers, and the end shipper named when buying a shipment."""

    def end_shipper_create(self, body: JsonObj, query: Query) -> Result:
        fields = _end_shipper_fields(unwrap(body, "address"))
        with self.store.lock:
            ts = self._now()
            shipper: JsonObj = {
                "id": new_id("es"),
                "object": "EndShipper",
                "mode": "test",
                "created_at": iso_offset(ts),
                "updated_at": iso_offset(ts),
                **fields,
            }
            self.store.objects["end_shippers"][shipper["id"]] = shipper
            self._created(shipper["id"], ts)
            return 201, shipper

    def end_shipper_retrieve(self, body: JsonObj, query: Query, shipper_id: str) -> Result:
        with self.store.lock:
            return 200, self._get("end_shippers", shipper_id)

    def end_shipper_update(self, body: JsonObj, query: Query, shipper_id: str) -> Result:
        fields = _end_shipper_fields(unwrap(body, "address"))
        with self.store.lock:
            shipper = self._get("end_shippers", shipper_id)
            shipper.update(fields, updated_at=iso_offset(self._now()))
            return 200, shipper

    def end_shipper_list(self, body: JsonObj, query: Query) -> Result:
        return self._paginate("end_shippers", "end_shippers", query)

    def shipment_buy(self, body: JsonObj, query: Query, shipment_id: str) -> Result:
        shipper_id = body.get("end_shipper_id")
        if shipper_id is not None:
            with self.store.lock:
                if str(shipper_id) not in self.store.objects["end_shippers"]:
                    raise SandboxApiError(
                        422,
                        "SHIPMENT.POSTAGE.FAILURE",
                        "The end shipper could not be found.",
                        [field_error("end_shipper_id", f"{shipper_id} not found")],
                    )
        status, result = super().shipment_buy(body, query, shipment_id)
        if shipper_id is not None:
            with self.store.lock:
                self.store.meta.setdefault(shipment_id, {})["end_shipper_id"] = str(shipper_id)
                for entry in reversed(self.store.ledger):
                    if entry.get("shipment_id") == shipment_id and entry["event"] == "purchase":
                        entry["end_shipper_id"] = str(shipper_id)
                        break
        return status, result

"""Shipments: create with rates, rerate, buy (label, tracker, fees, ledger), labels, insurance."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from app.domain.tracking import make_s10_tracking_number, make_usps_tracking_number
from app.domain.usps_services import service_title
from app.postage.sandbox import objects as ob
from app.postage.sandbox.api import CatalogApi, Query, Result, query_value
from app.postage.sandbox.clock import iso_z, parse_iso
from app.postage.sandbox.geo import DOMESTIC_COUNTRIES, state_for_zip
from app.postage.sandbox.label_files import (
    FILE_TYPES,
    FORMAT_EXTENSIONS,
    label_data_for,
)
from app.postage.sandbox.objects import JsonObj, SandboxApiError, field_error
from app.postage.sandbox.rates import ParcelSpec, rate_domestic, rate_international
from app.postage.sandbox.store import new_id
from app.postage.sandbox.trackers import new_tracker, render_tracker
from app.postage.sandbox.verification import verify

#: USPS service type codes used in sandbox tracking numbers.
_SERVICE_TYPE_CODES = {
    "GroundAdvantage": "001",
    "Priority": "055",
    "Express": "701",
    "MediaMail": "280",
    "LibraryMail": "290",
    "First": "010",
}
_UNROUTABLE = frozenset({"E.ZIP.NOT_FOUND", "E.ZIP.INVALID"})
_S10_SERVICES = {
    "FirstClassPackageInternationalService": "LZ",
    "FirstClassMailInternational": "LZ",
    "PriorityMailInternational": "CP",
    "ExpressMailInternational": "EC",
}


class ShipmentsApi(CatalogApi):
    """Shipments, rates, purchases and label files."""

    # -- shipments ----------------------------------------------------------------------------

    def _resolve(
        self, kind: str, value: Any, field: str, make: Callable[[JsonObj], JsonObj]
    ) -> JsonObj:
        if not isinstance(value, dict) or not value:
            raise SandboxApiError(
                422,
                "SHIPMENT.INVALID_PARAMS",
                "Unable to create shipment, one or more parameters were invalid.",
                [field_error(field, "Required and missing.")],
            )
        ref = self._ref_id(value)
        if ref and len(value) == 1:
            found = self.store.objects[kind].get(ref)
            if found is None:
                raise SandboxApiError(
                    422,
                    "SHIPMENT.INVALID_PARAMS",
                    "Unable to create shipment, one or more parameters were invalid.",
                    [field_error(field, f"{ref} not found")],
                )
            return found
        return make(value)

    def _new_shipment(self, fields: JsonObj, ts: float) -> JsonObj:
        if not fields:
            raise SandboxApiError(
                422,
                "PARAMETER.REQUIRED",
                "Missing required parameter.",
                [field_error("shipment", "cannot be blank")],
            )
        missing = [
            name for name in ("to_address", "from_address", "parcel") if not fields.get(name)
        ]
        if missing:
            raise SandboxApiError(
                422,
                "SHIPMENT.INVALID_PARAMS",
                "Unable to create shipment, one or more parameters were invalid.",
                [{name: "Required and missing."} for name in missing],
            )
        to_address = self._resolve(
            "addresses", fields["to_address"], "to_address", lambda v: self._new_address(v, ts)
        )
        from_address = self._resolve(
            "addresses", fields["from_address"], "from_address", lambda v: self._new_address(v, ts)
        )
        parcel = self._resolve(
            "parcels", fields["parcel"], "parcel", lambda v: self._new_parcel(v, ts)
        )
        customs: JsonObj | None = None
        if fields.get("customs_info"):
            customs = self._resolve(
                "customs_infos",
                fields["customs_info"],
                "customs_info",
                lambda v: self._new_customs_info(v, ts),
            )
        return_address = from_address
        if fields.get("return_address"):
            return_address = self._resolve(
                "addresses",
                fields["return_address"],
                "return_address",
                lambda v: self._new_address(v, ts),
            )
        shipment_id = new_id("shp")
        options = dict(fields.get("options") or {})
        if "print_custom_1" in options:
            options["print_custom"] = [{"value": options["print_custom_1"]}]
        options.setdefault("currency", "USD")
        options.setdefault("payment", {"type": "SENDER"})
        options.setdefault("date_advance", 0)
        if isinstance(options.get("label_format"), str):
            options["label_format"] = options["label_format"].upper()
        shipment: JsonObj = {
            "id": shipment_id,
            "created_at": iso_z(ts),
            "is_return": bool(ob.to_bool(fields.get("is_return"))),
            "messages": [],
            "mode": "test",
            "options": options,
            "reference": fields.get("reference"),
            "status": "unknown",
            "tracking_code": None,
            "updated_at": iso_z(ts),
            "batch_id": None,
            "batch_status": None,
            "batch_message": None,
            "customs_info": customs,
            "from_address": from_address,
            "insurance": None,
            "order_id": None,
            "parcel": parcel,
            "postage_label": None,
            "rates": [],
            "refund_status": None,
            "scan_form": None,
            "selected_rate": None,
            "tracker": None,
            "to_address": to_address,
            "usps_zone": None,
            "return_address": return_address,
            "buyer_address": to_address,
            "forms": [],
            "fees": [],
            "object": "Shipment",
        }
        self._rate(shipment, ts)
        self.store.objects["shipments"][shipment_id] = shipment
        self._created(shipment_id, ts)
        return shipment

    def _new_parcel(self, fields: JsonObj, ts: float) -> JsonObj:
        parcel = ob.parcel_body(fields, ts)
        self.store.objects["parcels"][parcel["id"]] = parcel
        return parcel

    def _rate(self, shipment: JsonObj, ts: float) -> None:
        """Replace the shipment's rates (and rate messages) from the rate model."""
        parcel, to_address = shipment["parcel"], shipment["to_address"]
        from_address, options = shipment["from_address"], shipment["options"]
        spec = ParcelSpec(
            weight_oz=float(parcel["weight"]),
            length=parcel.get("length"),
            width=parcel.get("width"),
            height=parcel.get("height"),
            predefined_package=parcel.get("predefined_package"),
        )
        country = str(to_address.get("country") or "US").upper()
        origin_country = str(from_address.get("country") or "US").upper()
        messages: list[JsonObj] = []
        if origin_country not in DOMESTIC_COUNTRIES:
            result = None
            messages.append(
                self._rate_message("Unable to retrieve USPS rates for non-US origin address.")
            )
        elif country in DOMESTIC_COUNTRIES:
            special = options.get("special_rates_eligibility") or ""
            if not isinstance(special, list):
                special = [part.strip() for part in str(special).split(",")]
            result = rate_domestic(
                spec,
                str(from_address.get("zip") or ""),
                str(to_address.get("zip") or ""),
                machinable=ob.to_bool(options.get("machinable")),
                special_rates=frozenset(str(part).upper() for part in special),
            )
            if state_for_zip(str(to_address.get("zip") or "")) is None:
                result = None
                messages.append(
                    self._rate_message(
                        f"Unable to retrieve USPS rates: destination ZIP code "
                        f"{to_address.get('zip')!r} is not valid."
                    )
                )
        else:
            result = rate_international(spec, country)
        if result is not None:
            messages.extend(self._rate_message(text) for text in result.errors)
            shipment["usps_zone"] = result.zone
        rates = (
            [] if result is None else [ob.rate_body(q, shipment["id"], ts) for q in result.quotes]
        )
        for rate in rates:
            self.store.objects["rates"][rate["id"]] = rate
        shipment["rates"] = rates
        shipment["messages"] = messages

    @staticmethod
    def _rate_message(text: str) -> JsonObj:
        return {
            "carrier": "USPS",
            "carrier_account_id": ob.CARRIER_ACCOUNT_ID,
            "type": "rate_error",
            "message": text,
        }

    def render_shipment(self, shipment: JsonObj) -> JsonObj:
        """The shipment as shown now: tracker status, shipment status, SCAN form."""
        body = dict(shipment)
        tracker_id = (shipment.get("tracker") or {}).get("id")
        if tracker_id and tracker_id in self.store.objects["trackers"]:
            tracker = self.render_tracker_by_id(tracker_id)
            body["tracker"] = tracker
            body["status"] = tracker["status"]
        form_id = self.store.meta.get(shipment["id"], {}).get("scan_form_id")
        if form_id and form_id in self.store.objects["scan_forms"]:
            form = self.store.objects["scan_forms"][form_id]
            body["scan_form"] = form if form["status"] == "created" else None
        return body

    def render_tracker_by_id(self, tracker_id: str) -> JsonObj:
        meta = dict(self.store.meta.get(tracker_id, {}))
        shipment_id = self.store.objects["trackers"][tracker_id].get("shipment_id")
        if shipment_id:
            shipment = self.store.objects["shipments"].get(shipment_id) or {}
            if shipment.get("refund_status") in ("submitted", "refunded"):
                meta["frozen"] = True
        return render_tracker(
            self.store.objects["trackers"][tracker_id],
            meta,
            self._now(),
            self.timings.tracker_step_s,
        )

    def shipment_create(self, body: JsonObj, query: Query) -> Result:
        fields = body.get("shipment") if "shipment" in body else body
        if not isinstance(fields, dict):
            fields = {}
        with self.store.lock:
            ts = self._now()
            shipment = self._new_shipment(fields, ts)
            if fields.get("service") and fields.get("carrier"):
                rate = next(
                    (r for r in shipment["rates"] if r["service"] == fields["service"]), None
                )
                if rate is None:
                    raise SandboxApiError(
                        422,
                        "SHIPMENT.POSTAGE.FAILURE",
                        f"No {fields['service']} rate is available for this shipment.",
                        [field_error("service", "not available")],
                    )
                self._buy(shipment, rate, None, ts, source="one_call")
            return 201, self.render_shipment(shipment)

    def shipment_retrieve(self, body: JsonObj, query: Query, shipment_id: str) -> Result:
        with self.store.lock:
            return 200, self.render_shipment(self._get("shipments", shipment_id))

    def shipment_list(self, body: JsonObj, query: Query) -> Result:
        purchased = ob.to_bool(query_value(query, "purchased"))

        def keep(shipment: JsonObj) -> bool:
            return purchased is None or bool(shipment.get("postage_label")) == purchased

        return self._paginate("shipments", "shipments", query, keep, self.render_shipment)

    def shipment_rerate(self, body: JsonObj, query: Query, shipment_id: str) -> Result:
        with self.store.lock:
            shipment = self._get("shipments", shipment_id)
            self._rate(shipment, self._now())
            return 200, {"rates": shipment["rates"]}

    def rate_retrieve(self, body: JsonObj, query: Query, rate_id: str) -> Result:
        with self.store.lock:
            return 200, self._get("rates", rate_id)

    def shipment_buy(self, body: JsonObj, query: Query, shipment_id: str) -> Result:
        rate_param = body.get("rate")
        with self.store.lock:
            shipment = self._get("shipments", shipment_id)
            if shipment.get("postage_label"):
                raise SandboxApiError(
                    422, "SHIPMENT.POSTAGE.EXISTS", "Postage already exists for this shipment.", []
                )
            rate_id = rate_param.get("id") if isinstance(rate_param, dict) else None
            rate = next((r for r in shipment["rates"] if r["id"] == rate_id), None)
            if rate is None:
                raise SandboxApiError(
                    422,
                    "SHIPMENT.POSTAGE.FAILURE",
                    "A valid rate must be supplied in order to purchase a shipment.",
                    [field_error("rate", "must be one of this shipment's rates")],
                )
            if self.api_key_kind == "no_funds":
                raise SandboxApiError(
                    402,
                    "PAYMENT.REQUIRED",
                    "Insufficient funds. Please add funds to your EasyPost wallet.",
                )
            self._buy(shipment, rate, body.get("insurance"), self._now(), source="buy")
            rendered = self.render_shipment(shipment)
        self.sleep(self.faults.slow_label_s)
        return 200, rendered

    def purchase_problems(self, shipment: JsonObj) -> list[JsonObj]:
        """Why postage cannot be bought for `shipment` (customs, unverifiable address)."""
        to_address = shipment["to_address"]
        if str(to_address.get("country") or "US").upper() not in DOMESTIC_COUNTRIES:
            return ob.customs_problems(shipment.get("customs_info"))
        # Like EasyPost, a label is sold for an address USPS cannot confirm ("ship as
        # entered"); only a ZIP code USPS cannot route refuses the purchase.
        result = verify(to_address)
        unroutable = [e for e in result.errors if e["code"] in _UNROUTABLE]
        return [] if result.success or not unroutable else result.errors

    def _buy(
        self, shipment: JsonObj, rate: JsonObj, insurance: Any, ts: float, source: str
    ) -> None:
        """Commit a purchase: label, tracking code, tracker, fees, ledger entry."""
        problems = self.purchase_problems(shipment)
        if problems:
            international = bool(shipment.get("customs_info")) or any(
                str(p.get("field", "")).startswith("customs_info") for p in problems
            )
            message = (
                "Customs information is missing or incomplete for this international shipment."
                if international
                else "Unable to verify the destination address."
            )
            if all(str(p.get("field", "")).startswith("options.") for p in problems):
                message = str(problems[0].get("message") or message)
            raise SandboxApiError(422, "SHIPMENT.POSTAGE.FAILURE", message, problems)
        store = self.store
        store.tracking_sequence += 1
        if rate["service"] in _S10_SERVICES:  # international mail carries a UPU S10 number
            code = make_s10_tracking_number(
                store.tracking_sequence, service=_S10_SERVICES[rate["service"]]
            )
        else:
            code = make_usps_tracking_number(
                store.tracking_sequence,
                service_type_code=_SERVICE_TYPE_CODES.get(rate["service"], "001"),
            )
        fmt = str(shipment["options"].get("label_format") or "PNG").upper()
        if fmt not in FORMAT_EXTENSIONS:
            fmt = "PNG"
        label_ts = parse_iso(str(shipment["options"].get("label_date") or "")) or ts
        label_id = new_id("pl")
        label: JsonObj = {
            "object": "PostageLabel",
            "id": label_id,
            "created_at": iso_z(ts),
            "updated_at": iso_z(ts),
            "date_advance": 0,
            "integrated_form": "none",
            "label_date": iso_z(label_ts),
            "label_resolution": 203 if fmt in ("ZPL", "EPL2") else 300,
            "label_size": str(shipment["options"].get("label_size") or "4x6"),
            "label_type": "default",
            "label_file_type": FILE_TYPES[fmt],
            "label_url": None,
            "label_pdf_url": None,
            "label_zpl_url": None,
            "label_epl2_url": None,
            "label_file": None,
        }
        self._set_label_url(label, fmt)
        store.meta[label_id] = {"shipment_id": shipment["id"]}
        tracker_id = new_id("trk")
        tracker = new_tracker(tracker_id, code, shipment["id"], ts)
        from_address, to_address = shipment["from_address"], shipment["to_address"]
        store.objects["trackers"][tracker_id] = tracker
        store.meta[tracker_id] = {
            "created_ts": ts,
            "started_at": ts,
            "delivery_days": rate.get("delivery_days") or 3,
            "service": service_title(rate["service"]),
            "origin": {k: from_address.get(k) for k in ("city", "state", "zip")},
            "destination": {k: to_address.get(k) for k in ("city", "state", "zip")},
        }
        fees = [ob.fee("LabelFee", 0), ob.fee("PostageFee", rate["rate"])]
        insurance_amount = None
        if insurance not in (None, "", 0, "0"):
            insured = Decimal(str(insurance))
            insurance_amount = ob.money(insured)
            fees.append(ob.fee("InsuranceFee", max(Decimal("1"), insured * Decimal("0.005"))))
        if str(to_address.get("country") or "US").upper() in DOMESTIC_COUNTRIES:
            checked, failure = self._verified_copy(to_address)
            if failure is None:
                shipment["to_address"] = shipment["buyer_address"] = checked
        else:
            form_id = new_id("form")
            store.meta[form_id] = {"shipment_id": shipment["id"]}
            service = rate["service"]
            shipment["forms"] = [
                {
                    "object": "Form",
                    "id": form_id,
                    "created_at": iso_z(ts),
                    "updated_at": iso_z(ts),
                    "mode": "test",
                    "form_type": "cn22"
                    if service == "FirstClassPackageInternationalService"
                    else "cp72",
                    "form_url": f"{self.files_base}/files/form/{form_id}.pdf",
                    "submitted_electronically": None,
                }
            ]
            label["integrated_form"] = shipment["forms"][0]["form_type"]
        shipment.update(
            tracking_code=code,
            postage_label=label,
            selected_rate=rate,
            tracker=tracker,
            fees=fees,
            insurance=insurance_amount,
            updated_at=iso_z(ts),
        )
        store.meta.setdefault(shipment["id"], {})["bought_ts"] = ts
        store.ledger.append(
            {
                "event": "purchase",
                "at": iso_z(ts),
                "source": source,
                "shipment_id": shipment["id"],
                "tracking_code": code,
                "rate_id": rate["id"],
                "service": rate["service"],
                "amount": rate["rate"],
                "insurance": insurance_amount,
                "reference": shipment.get("reference"),
            }
        )

    def shipment_insure(self, body: JsonObj, query: Query, shipment_id: str) -> Result:
        amount = ob.to_float(body.get("amount"), "amount")
        if amount is None or amount <= 0:
            raise SandboxApiError(
                422,
                "PARAMETER.INVALID",
                "Invalid parameter.",
                [field_error("amount", "must be greater than 0")],
            )
        with self.store.lock:
            shipment = self._get("shipments", shipment_id)
            if not shipment.get("postage_label"):
                raise SandboxApiError(
                    422, "SHIPMENT.INSURANCE.FAILURE", "Buy the shipment before insuring it."
                )
            if shipment.get("insurance"):
                raise SandboxApiError(
                    422, "SHIPMENT.INSURANCE.FAILURE", "This shipment is already insured."
                )
            insured = Decimal(str(amount))
            shipment["insurance"] = ob.money(insured)
            fee_amount = max(Decimal("1"), insured * Decimal("0.005"))
            shipment["fees"].append(ob.fee("InsuranceFee", fee_amount))
            shipment["updated_at"] = iso_z(self._now())
            self.store.ledger.append(
                {
                    "event": "insurance",
                    "at": shipment["updated_at"],
                    "shipment_id": shipment_id,
                    "tracking_code": shipment["tracking_code"],
                    "amount": ob.money(fee_amount),
                    "insurance": shipment["insurance"],
                }
            )
            return 200, self.render_shipment(shipment)

    def _set_label_url(self, label: JsonObj, fmt: str) -> None:
        ext = FORMAT_EXTENSIONS[fmt]
        url = f"{self.files_base}/files/postage_label/{label['id']}.{ext}"
        label["label_url" if fmt == "PNG" else f"label_{ext}_url"] = url
        if label["label_url"] is None:
            label["label_url"] = url

    def shipment_label(self, body: JsonObj, query: Query, shipment_id: str) -> Result:
        fmt = (query_value(query, "file_format") or body.get("file_format") or "").upper()
        with self.store.lock:
            shipment = self._get("shipments", shipment_id)
            label = shipment.get("postage_label")
            if not label:
                raise SandboxApiError(
                    422,
                    "SHIPMENT.POSTAGE.NOT_FOUND",
                    "This shipment has no postage label yet; buy it first.",
                )
            if fmt not in FORMAT_EXTENSIONS:
                raise SandboxApiError(
                    422,
                    "SHIPMENT.POSTAGE.FORMAT_UNAVAILABLE",
                    f"Label format {fmt or '(none)'} is unavailable; use PNG, PDF, ZPL or EPL2.",
                    [field_error("file_format", "is invalid")],
                )
            self._set_label_url(label, fmt)
            label["updated_at"] = iso_z(self._now())
            rendered = self.render_shipment(shipment)
            data = label_data_for(shipment)
        self.sleep(self.faults.slow_label_s)
        # EasyPost converts now; render here so the file is ready when the client fetches it.
        self.files.label(label["id"], data, fmt)
        return 200, rendered

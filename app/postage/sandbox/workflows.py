"""Batches and SCAN forms, with EasyPost's asynchronous states on the sandbox clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.postage.sandbox.api import Query, Result, unwrap
from app.postage.sandbox.clock import iso_z, parse_iso
from app.postage.sandbox.geo import zip5
from app.postage.sandbox.label_files import FORMAT_EXTENSIONS
from app.postage.sandbox.objects import JsonObj, SandboxApiError, field_error
from app.postage.sandbox.refunds import RefundsApi
from app.postage.sandbox.store import new_id

BATCH_STATUSES = (
    "created",
    "queued_for_purchase",
    "creation_failed",
    "postage_purchased",
    "postage_purchase_failed",
)
SCAN_FORM_THROTTLED = (
    "Unable to create manifest. USPS received too many requests in test mode, please slow down "
    "and try again later"
)


def _scan_failure(message: str, errors: list[Any] | None = None) -> SandboxApiError:
    return SandboxApiError(422, "SCAN_FORM.CREATE.FAILURE", message, errors or [])


def _origin_key(address: JsonObj) -> tuple[str, str, str]:
    return (
        " ".join(str(address.get("street1") or "").upper().split()),
        str(address.get("state") or "").upper(),
        zip5(str(address.get("zip") or "")),
    )


class BatchesApi(RefundsApi):
    """Batches, SCAN forms and the clock that advances them."""

    # -- the clock ----------------------------------------------------------------------------

    def tick(self) -> list[str]:
        """Advance every object whose scheduled time has come; returns their ids."""
        with self.store.lock:
            now = self._now()
            ready = self.store.pop_due(now)
            for object_id in ready:
                if object_id.startswith("shp_"):
                    shipment = self.store.objects["shipments"].get(object_id)
                    if shipment is not None:
                        self.complete_refund(shipment, now)
                elif object_id.startswith("batch_"):
                    self._advance_batch(object_id, now)
                elif object_id.startswith("sf_"):
                    self._finish_scan_form(object_id, now)
            return ready

    # -- batches ------------------------------------------------------------------------------

    def _batch_entry(self, shipment: JsonObj) -> JsonObj:
        return {
            "batch_status": shipment.get("batch_status"),
            "batch_message": shipment.get("batch_message"),
            "reference": shipment.get("reference"),
            "tracking_code": shipment.get("tracking_code"),
            "id": shipment["id"],
        }

    def _new_batch(self, ts: float, reference: Any, state: str) -> JsonObj:
        batch_id = new_id("batch")
        batch: JsonObj = {
            "id": batch_id,
            "object": "Batch",
            "mode": "test",
            "state": state,
            "num_shipments": 0,
            "reference": reference if reference not in ("", None) else None,  # "" -> null
            "created_at": iso_z(ts),
            "updated_at": iso_z(ts),
            "scan_form": None,
            "shipments": [],
            "status": dict.fromkeys(BATCH_STATUSES, 0),
            "pickup": None,
            "label_url": None,
        }
        self.store.objects["batches"][batch_id] = batch
        self.store.meta[batch_id] = {"created_ts": ts, "shipment_ids": []}
        return batch

    def _batch_shipments(self, batch_id: str) -> list[JsonObj]:
        ids = self.store.meta[batch_id]["shipment_ids"]
        return [self.store.objects["shipments"][sid] for sid in ids]

    def render_batch(self, batch: JsonObj) -> JsonObj:
        body = dict(batch)
        meta = self.store.meta.get(batch["id"], {})
        shipments = self._batch_shipments(batch["id"])
        body["num_shipments"] = len(meta.get("shipment_ids", []))
        if meta.get("phase") == "creating":
            body["shipments"] = []
        else:
            body["shipments"] = [self._batch_entry(s) for s in shipments]
            counts = dict.fromkeys(BATCH_STATUSES, 0)
            for shipment in shipments:
                status = shipment.get("batch_status")
                if status == "queued_for_purchase":
                    status = "created"  # EasyPost counts queued shipments as created
                if status in counts:
                    counts[status] += 1
            body["status"] = counts
        form_id = meta.get("scan_form_id")
        if form_id:
            body["scan_form"] = self.store.objects["scan_forms"].get(form_id)
        return body

    def _join_batch(self, batch_id: str, shipment: JsonObj) -> None:
        ids: list[str] = self.store.meta[batch_id]["shipment_ids"]
        if shipment["id"] in ids:
            return
        old = shipment.get("batch_id")
        if old and old != batch_id and old in self.store.meta:
            self.store.meta[old]["shipment_ids"].remove(shipment["id"])
        ids.append(shipment["id"])
        shipment["batch_id"] = batch_id
        shipment["batch_status"] = (
            "postage_purchased" if shipment.get("postage_label") else ("created")
        )
        shipment["batch_message"] = None

    def _shipments_param(self, value: Any, ts: float, *, create: bool) -> list[JsonObj]:
        if not isinstance(value, list):
            raise SandboxApiError(
                422,
                "BATCH.INVALID_PARAMS",
                "Unable to create batch, one or more parameters were invalid.",
                [field_error("shipments", "must be a list")],
            )
        shipments: list[JsonObj] = []
        missing: list[str] = []
        for raw in value:
            ref = self._ref_id(raw)
            if ref and (not isinstance(raw, dict) or len(raw) == 1):
                found = self.store.objects["shipments"].get(ref)
                if found is None:
                    missing.append(ref)
                else:
                    shipments.append(found)
            elif create and isinstance(raw, dict):
                shipment = self._new_shipment(raw, ts)
                if raw.get("service"):
                    self.store.meta[shipment["id"]]["batch_service"] = raw["service"]
                shipments.append(shipment)
        if missing:
            raise SandboxApiError(
                404,
                "NOT_FOUND",
                "The requested resource could not be found.",
                [f"Shipment {ref} not found." for ref in missing],
            )
        return shipments

    def batch_create(self, body: JsonObj, query: Query) -> Result:
        fields = unwrap(body, "batch")
        with self.store.lock:
            ts = self._now()
            shipments = self._shipments_param(fields.get("shipments") or [], ts, create=True)
            # An empty batch is ready at once (as in EasyPost's add/remove recording).
            state = "creating" if shipments else "created"
            batch = self._new_batch(ts, fields.get("reference"), state)
            for shipment in shipments:
                self._join_batch(batch["id"], shipment)
            if shipments:
                self.store.meta[batch["id"]]["phase"] = "creating"
                self.store.schedule(ts + self.timings.batch_s, batch["id"])
            return 200, self.render_batch(batch)

    def batch_retrieve(self, body: JsonObj, query: Query, batch_id: str) -> Result:
        with self.store.lock:
            return 200, self.render_batch(self._get("batches", batch_id))

    def batch_list(self, body: JsonObj, query: Query) -> Result:
        return self._paginate("batches", "batches", query, render=self.render_batch)

    def _finish_creation(self, batch: JsonObj, ts: float) -> None:
        meta = self.store.meta[batch["id"]]
        if meta.get("phase") == "creating":
            meta.pop("phase")
            meta.pop("due_at", None)
            batch.update(state="created", updated_at=iso_z(ts))

    def batch_add_shipments(self, body: JsonObj, query: Query, batch_id: str) -> Result:
        with self.store.lock:
            batch = self._get("batches", batch_id)
            self._finish_creation(batch, self._now())
            for shipment in self._shipments_param(
                body.get("shipments") or [], self._now(), create=False
            ):
                self._join_batch(batch_id, shipment)
            batch["updated_at"] = iso_z(self._now())
            return 200, self.render_batch(batch)

    def batch_remove_shipments(self, body: JsonObj, query: Query, batch_id: str) -> Result:
        with self.store.lock:
            batch = self._get("batches", batch_id)
            ids: list[str] = self.store.meta[batch_id]["shipment_ids"]
            for shipment in self._shipments_param(
                body.get("shipments") or [], self._now(), create=False
            ):
                if shipment["id"] in ids:
                    ids.remove(shipment["id"])
                    shipment.update(batch_id=None, batch_status=None, batch_message=None)
            batch["updated_at"] = iso_z(self._now())
            return 200, self.render_batch(batch)

    def batch_buy(self, body: JsonObj, query: Query, batch_id: str) -> Result:
        with self.store.lock:
            ts = self._now()
            batch = self._get("batches", batch_id)
            self._finish_creation(batch, ts)
            if self.store.meta[batch_id].get("phase"):
                raise SandboxApiError(
                    422,
                    "BATCH.INVALID_STATE",
                    f"Batch is {batch['state']}; wait until it has finished before buying.",
                )
            for shipment in self._batch_shipments(batch_id):
                if not shipment.get("postage_label"):
                    shipment["batch_status"] = "queued_for_purchase"
            self.store.meta[batch_id]["phase"] = "buying"
            self.store.schedule(ts + self.timings.batch_s, batch_id)
            batch["updated_at"] = iso_z(ts)
            return 200, self.render_batch(batch)

    def batch_label(self, body: JsonObj, query: Query, batch_id: str) -> Result:
        fmt = str(body.get("file_format") or "").upper()
        with self.store.lock:
            ts = self._now()
            batch = self._get("batches", batch_id)
            if fmt not in FORMAT_EXTENSIONS or fmt == "PNG":
                raise SandboxApiError(
                    422,
                    "BATCH.LABEL.FORMAT_UNAVAILABLE",
                    "Batch labels are available as PDF, ZPL or EPL2.",
                    [field_error("file_format", "is invalid")],
                )
            if batch["state"] not in ("purchased", "label_generated"):
                raise SandboxApiError(
                    422,
                    "BATCH.INVALID_STATE",
                    f"Batch is {batch['state']}; labels can be generated once it is purchased.",
                )
            batch.update(state="label_generating", label_url=None, updated_at=iso_z(ts))
            self.store.meta[batch_id].update(phase="labeling", label_format=fmt)
            self.store.schedule(ts + self.timings.batch_s, batch_id)
            return 200, self.render_batch(batch)

    def batch_scan_form(self, body: JsonObj, query: Query, batch_id: str) -> Result:
        with self.store.lock:
            ts = self._now()
            batch = self._get("batches", batch_id)
            shipments = [s for s in self._batch_shipments(batch_id) if s.get("postage_label")]
            self._new_scan_form(shipments, ts, batch)
            return 200, self.render_batch(batch)

    def _advance_batch(self, batch_id: str, now: float) -> None:
        batch = self.store.objects["batches"].get(batch_id)
        if batch is None:
            return
        meta = self.store.meta[batch_id]
        phase = meta.pop("phase", None)
        if phase == "creating":
            batch["state"] = "created"
        elif phase == "buying":
            bought = failed = 0
            for shipment in self._batch_shipments(batch_id):
                if shipment.get("batch_status") != "queued_for_purchase":
                    bought += shipment.get("batch_status") == "postage_purchased"
                    continue
                try:
                    self._buy(shipment, self._batch_rate(shipment), None, now, source="batch")
                except SandboxApiError as failure:
                    shipment.update(
                        batch_status="postage_purchase_failed", batch_message=failure.message
                    )
                    failed += 1
                else:
                    shipment.update(batch_status="postage_purchased", batch_message=None)
                    bought += 1
            batch["state"] = "purchased" if bought or not failed else "purchase_failed"
        elif phase == "labeling":
            ext = FORMAT_EXTENSIONS[meta.get("label_format", "PDF")]
            batch.update(
                state="label_generated",
                label_url=f"{self.files_base}/files/batch_label/{batch_id}.{ext}",
            )
        batch["updated_at"] = iso_z(now)

    def _batch_rate(self, shipment: JsonObj) -> JsonObj:
        wanted = self.store.meta.get(shipment["id"], {}).get("batch_service")
        rates = shipment.get("rates") or []
        if wanted:
            rates = [r for r in rates if r["service"] == wanted]
        if not rates:
            raise SandboxApiError(
                422,
                "SHIPMENT.POSTAGE.FAILURE",
                "No rate is available for this "
                "shipment" + (f" with service {wanted}." if wanted else "."),
            )
        return min(rates, key=lambda rate: float(rate["rate"]))

    # -- SCAN forms ---------------------------------------------------------------------------

    def _new_scan_form(self, shipments: list[JsonObj], ts: float, batch: JsonObj | None) -> JsonObj:
        if not shipments:
            raise _scan_failure("Unable to create manifest: no purchased shipments were given.")
        problems: list[str] = []
        today = datetime.fromtimestamp(ts, UTC).date()
        for shipment in shipments:
            sid = shipment["id"]
            if not shipment.get("postage_label"):
                problems.append(f"{sid} has no postage label")
            elif shipment.get("refund_status") in ("submitted", "refunded"):
                problems.append(f"{sid} has been refunded")
            elif self.store.meta.get(sid, {}).get("scan_form_id"):
                problems.append(
                    f"{sid} is already on SCAN form {self.store.meta[sid]['scan_form_id']}"
                )
            elif (shipment.get("selected_rate") or {}).get("service") == "First":
                problems.append(f"{sid} is an untracked First-Class Mail piece")
            else:
                label_ts = parse_iso(str(shipment["postage_label"].get("label_date") or "")) or ts
                if datetime.fromtimestamp(label_ts, UTC).date() < today:
                    problems.append(f"{sid} has a label date before today")
        if problems:
            raise _scan_failure(
                f"Unable to create manifest. {len(problems)} of the specified "
                f"shipments cannot be manifested: {'; '.join(problems)}."
            )
        origins = {_origin_key(s["from_address"]) for s in shipments}
        if len(origins) > 1:
            raise _scan_failure(
                "Unable to create manifest. All shipments must have the same origin address.",
                [field_error("shipments", f"have {len(origins)} different from addresses")],
            )
        if batch is None:
            batch = self._new_batch(ts, None, "purchased")
            for shipment in shipments:
                self._join_batch(batch["id"], shipment)
        form_id = new_id("sf")
        form: JsonObj = {
            "id": form_id,
            "object": "ScanForm",
            "created_at": iso_z(ts),
            "updated_at": iso_z(ts),
            "tracking_codes": [],
            "address": None,
            "status": "creating",
            "message": None,
            "form_url": None,
            "form_file_type": None,
            "batch_id": batch["id"],
            "confirmation": None,
        }
        self.store.objects["scan_forms"][form_id] = form
        self.store.meta[form_id] = {
            "created_ts": ts,
            "shipment_ids": [s["id"] for s in shipments],
            "will_fail": self.faults.take_scan_form_failure(),
        }
        self.store.meta[batch["id"]]["scan_form_id"] = form_id
        for shipment in shipments:
            self.store.meta.setdefault(shipment["id"], {})["scan_form_id"] = form_id
        self.store.schedule(ts + self.timings.scan_form_s, form_id)
        return form

    def _finish_scan_form(self, form_id: str, now: float) -> None:
        form = self.store.objects["scan_forms"].get(form_id)
        if form is None or form["status"] != "creating":
            return
        meta = self.store.meta[form_id]
        shipments = [self.store.objects["shipments"][sid] for sid in meta["shipment_ids"]]
        if meta.get("will_fail"):
            form.update(status="failed", message=SCAN_FORM_THROTTLED, updated_at=iso_z(now))
            for shipment in shipments:
                self.store.meta[shipment["id"]].pop("scan_form_id", None)
            return
        form.update(
            status="created",
            tracking_codes=[s["tracking_code"] for s in shipments],
            address=shipments[0]["from_address"],
            form_url=f"{self.files_base}/files/scan_form/{form_id}.pdf",
            form_file_type=None,
            confirmation=None,
            updated_at=iso_z(now),
        )

    def scan_form_create(self, body: JsonObj, query: Query) -> Result:
        fields = unwrap(body, "scan_form")
        refs = fields.get("shipments") or fields.get("shipment") or body.get("shipments") or []
        if not isinstance(refs, list):
            refs = [refs]
        batch_ref = self._ref_id(fields.get("batch") or fields.get("batch_id"))
        with self.store.lock:
            ts = self._now()
            if batch_ref and not refs:
                batch = self._get("batches", batch_ref)
                shipments = [s for s in self._batch_shipments(batch_ref) if s.get("postage_label")]
                return 200, self._new_scan_form(shipments, ts, batch)
            ids = [self._ref_id(ref) for ref in refs]
            missing = [i or "?" for i in ids if not i or i not in self.store.objects["shipments"]]
            if missing:
                raise _scan_failure(
                    f"Unable to create manifest. {len(missing)} of the specified "
                    f"shipments were not found: {', '.join(missing)}"
                )
            shipments = [self.store.objects["shipments"][i] for i in ids if i]
            return 200, self._new_scan_form(shipments, ts, None)

    def scan_form_retrieve(self, body: JsonObj, query: Query, form_id: str) -> Result:
        with self.store.lock:
            return 200, self._get("scan_forms", form_id)

    def scan_form_list(self, body: JsonObj, query: Query) -> Result:
        return self._paginate("scan_forms", "scan_forms", query)

    def scan_form_shipments(self, form_id: str) -> list[JsonObj]:
        """The shipments of a SCAN form (for its PDF)."""
        with self.store.lock:
            ids = self.store.meta.get(form_id, {}).get("shipment_ids", [])
            return [self.store.objects["shipments"][sid] for sid in ids]

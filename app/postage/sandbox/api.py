"""EasyPost v2 on the sandbox store: the handler base, addresses, parcels and customs.

Every public handler method is `(body, query, *ids) -> (status, json)`; handlers take the store
lock themselves, raise SandboxApiError for EasyPost's error bodies, and the classes stack up:
CatalogApi -> ShipmentsApi -> RefundsApi -> BatchesApi (workflows) -> PickupsApi -> SandboxApi.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from app.postage.sandbox import objects as ob
from app.postage.sandbox.clock import SandboxClock, Timings, parse_iso
from app.postage.sandbox.faults import FaultInjector
from app.postage.sandbox.label_files import (
    FileCache,
)
from app.postage.sandbox.objects import JsonObj, SandboxApiError, field_error, not_found
from app.postage.sandbox.store import SandboxStore
from app.postage.sandbox.verification import verify

Query = dict[str, list[str]]
Result = tuple[int, Any]

PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 20, 100


def unwrap(body: JsonObj, key: str) -> JsonObj:
    """Create params come wrapped ({"shipment": {...}}); EasyPost is loose, so accept both."""
    inner = body.get(key)
    if isinstance(inner, dict):
        return inner
    return {k: v for k, v in body.items() if k != key}


def query_value(query: Query, key: str) -> str | None:
    values = query.get(key) or query.get(f"{key}[]")
    return values[-1] if values else None


class SandboxApiBase:
    """State, clock and helpers shared by all handlers."""

    def __init__(
        self,
        store: SandboxStore,
        clock: SandboxClock,
        timings: Timings,
        faults: FaultInjector,
        files: FileCache,
    ) -> None:
        self.store = store
        self.clock = clock
        self.timings = timings
        self.faults = faults
        self.files = files
        self.files_base = "http://127.0.0.1"  # set by the server once its port is known
        self.sleep: Callable[[float], None] = _sleep
        self._request = threading.local()

    @property
    def api_key_kind(self) -> str:
        """What the current request's key is: "valid" or "no_funds" (set by the server)."""
        return str(getattr(self._request, "key_kind", "valid"))

    @api_key_kind.setter
    def api_key_kind(self, kind: str) -> None:
        self._request.key_kind = kind

    # -- lookups ------------------------------------------------------------------------------

    def _get(self, kind: str, object_id: str) -> JsonObj:
        found = self.store.objects[kind].get(object_id)
        if found is None:
            raise not_found(kind)
        return found

    def _ref_id(self, value: Any) -> str | None:
        if isinstance(value, dict):
            ref = value.get("id")
            return str(ref) if ref else None
        if isinstance(value, str) and "_" in value:
            return value
        return None

    def _now(self) -> float:
        return self.clock.timestamp()

    def _paginate(
        self,
        kind: str,
        plural: str,
        query: Query,
        keep: Callable[[JsonObj], bool] | None = None,
        render: Callable[[JsonObj], JsonObj] | None = None,
    ) -> Result:
        """EasyPost list: newest first, page_size/before_id/after_id/start/end_datetime."""
        raw_size = query_value(query, "page_size")
        try:
            size = int(raw_size) if raw_size else PAGE_SIZE_DEFAULT
        except ValueError as error:
            raise SandboxApiError(
                422,
                "PARAMETER.INVALID",
                "Invalid parameter.",
                [field_error("page_size", "must be an integer")],
            ) from error
        size = max(1, min(PAGE_SIZE_MAX, size))
        start = parse_iso(query_value(query, "start_datetime") or "") or None
        end = parse_iso(query_value(query, "end_datetime") or "") or None
        before, after = query_value(query, "before_id"), query_value(query, "after_id")
        with self.store.lock:
            items = list(reversed(self.store.objects[kind].values()))
            if before:
                ids = [item["id"] for item in items]
                items = items[ids.index(before) + 1 :] if before in ids else []
            if after:
                ids = [item["id"] for item in items]
                items = list(reversed(items[: ids.index(after)])) if after in ids else []
            chosen: list[JsonObj] = []
            more = False
            for item in items:
                created = self.store.meta.get(item["id"], {}).get("created_ts")
                if created is not None and (
                    (start is not None and created < start) or (end is not None and created > end)
                ):
                    continue
                if keep is not None and not keep(item):
                    continue
                if len(chosen) == size:
                    more = True
                    break
                chosen.append(render(item) if render else item)
            return 200, {plural: chosen, "has_more": more}

    def _created(self, object_id: str, ts: float) -> None:
        self.store.meta.setdefault(object_id, {})["created_ts"] = ts


def _sleep(seconds: float) -> None:
    import time

    if seconds > 0:
        time.sleep(seconds)


class CatalogApi(SandboxApiBase):
    """Addresses, parcels and customs."""

    # -- addresses ----------------------------------------------------------------------------

    def _new_address(self, fields: JsonObj, ts: float) -> JsonObj:
        body = ob.address_body(fields, ts)
        self.store.objects["addresses"][body["id"]] = body
        self._created(body["id"], ts)
        return body

    def _verified_copy(self, address: JsonObj) -> tuple[JsonObj, ob.JsonObj | None]:
        """(address with verifications, or None) + the failure errors if it did not verify."""
        result = verify(address)
        checked = dict(address)
        if result.success:
            checked.update({k: v for k, v in result.corrected.items() if v is not None})
            zip4 = {"success": True, "errors": [], "details": None}
            delivery = {"success": True, "errors": [], "details": result.details}
        else:
            zip4 = {"success": False, "errors": result.errors[:1], "details": None}
            delivery = {"success": False, "errors": result.errors, "details": {}}
        checked["verifications"] = {"zip4": zip4, "delivery": delivery}
        return checked, None if result.success else {"errors": result.errors}

    def address_create(self, body: JsonObj, query: Query) -> Result:
        fields = unwrap(body, "address")
        strict = bool(body.get("verify_strict") or fields.pop("verify_strict", None))
        wants_verify = "verify" in body or fields.pop("verify", None) is not None
        # With verify_carrier EasyPost answers 2xx and puts the errors in the verifications.
        carrier = body.get("verify_carrier") or fields.pop("verify_carrier", None)
        with self.store.lock:
            ts = self._now()
            address = ob.address_body(fields, ts)
            if strict or wants_verify or carrier:
                checked, failure = self._verified_copy(address)
                if failure and strict and not carrier:
                    raise SandboxApiError(
                        422,
                        "ADDRESS.VERIFY.FAILURE",
                        "Unable to verify address.",
                        failure["errors"],
                    )
                address = checked
            self.store.objects["addresses"][address["id"]] = address
            self._created(address["id"], ts)
            return 201, address

    def address_create_and_verify(self, body: JsonObj, query: Query) -> Result:
        fields = unwrap(body, "address")
        carrier = body.get("verify_carrier") or fields.pop("verify_carrier", None)
        with self.store.lock:
            ts = self._now()
            checked, failure = self._verified_copy(ob.address_body(fields, ts))
            if failure and not carrier:
                raise SandboxApiError(
                    422, "ADDRESS.VERIFY.FAILURE", "Unable to verify address.", failure["errors"]
                )
            self.store.objects["addresses"][checked["id"]] = checked
            self._created(checked["id"], ts)
            return 200, {"address": checked}

    def address_retrieve(self, body: JsonObj, query: Query, address_id: str) -> Result:
        with self.store.lock:
            return 200, self._get("addresses", address_id)

    def address_verify(self, body: JsonObj, query: Query, address_id: str) -> Result:
        with self.store.lock:
            checked, failure = self._verified_copy(self._get("addresses", address_id))
            if failure:
                raise SandboxApiError(
                    422, "ADDRESS.VERIFY.FAILURE", "Unable to verify address.", failure["errors"]
                )
            self.store.objects["addresses"][address_id] = checked
            return 200, {"address": checked}

    def address_list(self, body: JsonObj, query: Query) -> Result:
        return self._paginate("addresses", "addresses", query)

    # -- parcels and customs ------------------------------------------------------------------

    def parcel_create(self, body: JsonObj, query: Query) -> Result:
        with self.store.lock:
            ts = self._now()
            parcel = ob.parcel_body(unwrap(body, "parcel"), ts)
            self.store.objects["parcels"][parcel["id"]] = parcel
            self._created(parcel["id"], ts)
            return 201, parcel

    def parcel_retrieve(self, body: JsonObj, query: Query, parcel_id: str) -> Result:
        with self.store.lock:
            return 200, self._get("parcels", parcel_id)

    def customs_item_create(self, body: JsonObj, query: Query) -> Result:
        with self.store.lock:
            ts = self._now()
            item = ob.customs_item_body(unwrap(body, "customs_item"), ts)
            self.store.objects["customs_items"][item["id"]] = item
            self._created(item["id"], ts)
            return 201, item

    def customs_item_retrieve(self, body: JsonObj, query: Query, item_id: str) -> Result:
        with self.store.lock:
            return 200, self._get("customs_items", item_id)

    def _new_customs_info(self, fields: JsonObj, ts: float) -> JsonObj:
        items: list[JsonObj] = []
        given = fields.get("customs_items") or []
        if not isinstance(given, list):  # a number or a string: EasyPost answers 422, not 500
            raise SandboxApiError(
                422,
                "CUSTOMS_INFO.INVALID_PARAMS",
                "Unable to create customs info.",
                [field_error("customs_items", "must be a list of customs items")],
            )
        for raw in given:
            ref = self._ref_id(raw)
            if ref and isinstance(raw, dict) and len(raw) == 1:
                found = self.store.objects["customs_items"].get(ref)
                if found is None:
                    raise SandboxApiError(
                        422,
                        "CUSTOMS_INFO.INVALID_PARAMS",
                        "Unable to create customs info.",
                        [field_error("customs_items", f"{ref} not found")],
                    )
                items.append(found)
                continue
            item = ob.customs_item_body(raw if isinstance(raw, dict) else {}, ts)
            self.store.objects["customs_items"][item["id"]] = item
            items.append(item)
        info = ob.customs_info_body(fields, items, ts)
        self.store.objects["customs_infos"][info["id"]] = info
        self._created(info["id"], ts)
        return info

    def customs_info_create(self, body: JsonObj, query: Query) -> Result:
        with self.store.lock:
            return 201, self._new_customs_info(unwrap(body, "customs_info"), self._now())

    def customs_info_retrieve(self, body: JsonObj, query: Query, info_id: str) -> Result:
        with self.store.lock:
            return 200, self._get("customs_infos", info_id)

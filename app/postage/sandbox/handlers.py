"""The complete sandbox API: every handler class stacked, trackers on top."""

from __future__ import annotations

from app.postage.sandbox.api import Query, Result, query_value, unwrap
from app.postage.sandbox.metadata import MetadataApi
from app.postage.sandbox.objects import JsonObj, SandboxApiError, field_error
from app.postage.sandbox.pickups import PickupsApi
from app.postage.sandbox.smartrate import SmartRateApi
from app.postage.sandbox.store import new_id
from app.postage.sandbox.trackers import new_tracker


class SandboxApi(PickupsApi, MetadataApi, SmartRateApi):
    """All endpoint handlers of the sandbox; trackers here."""

    # -- trackers -----------------------------------------------------------------------------

    def _tracker_for(self, code: str, ts: float) -> JsonObj:
        for tracker_id, tracker in self.store.objects["trackers"].items():
            if tracker["tracking_code"] == code:
                return self.render_tracker_by_id(tracker_id)
        tracker_id = new_id("trk")
        self.store.objects["trackers"][tracker_id] = new_tracker(tracker_id, code, None, ts)
        self._created(tracker_id, ts)
        return self.render_tracker_by_id(tracker_id)

    def tracker_create(self, body: JsonObj, query: Query) -> Result:
        fields = unwrap(body, "tracker")
        code = str(fields.get("tracking_code") or "").strip()
        if not code:
            raise SandboxApiError(
                422,
                "PARAMETER.REQUIRED",
                "Missing required parameter.",
                [field_error("tracker.tracking_code", "cannot be blank")],
            )
        with self.store.lock:
            return 200, self._tracker_for(code, self._now())

    def tracker_batch(self, body: JsonObj, query: Query) -> Result:
        codes = body.get("tracking_codes") or []
        if not isinstance(codes, list):
            codes = [codes]
        with self.store.lock:
            ts = self._now()
            return 200, {"trackers": [self._tracker_for(str(code), ts) for code in codes]}

    def tracker_retrieve(self, body: JsonObj, query: Query, tracker_id: str) -> Result:
        with self.store.lock:
            self._get("trackers", tracker_id)
            return 200, self.render_tracker_by_id(tracker_id)

    def tracker_delete(self, body: JsonObj, query: Query, tracker_id: str) -> Result:
        with self.store.lock:
            self._get("trackers", tracker_id)
            del self.store.objects["trackers"][tracker_id]
            return 200, {"success": True}

    def tracker_list(self, body: JsonObj, query: Query) -> Result:
        codes = set(query.get("tracking_codes[]", []) + query.get("tracking_codes", []))
        single = query_value(query, "tracking_code")
        if single:
            codes.add(single)
        carrier = (query_value(query, "carrier") or "").upper()

        def keep(tracker: JsonObj) -> bool:
            return (not codes or tracker["tracking_code"] in codes) and (
                not carrier or tracker["carrier"] == carrier
            )

        def render(tracker: JsonObj) -> JsonObj:
            return self.render_tracker_by_id(tracker["id"])

        return self._paginate("trackers", "trackers", query, keep, render)
